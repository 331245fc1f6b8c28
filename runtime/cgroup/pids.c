/* pids: limit -> pids.max (zero or negative means no limit). */
#include "runtime/cgroup/cgroup-internal.h"

static bool pids_requested(const struct oci_resources *res)
{
	return res->has_pids && res->pids_limit.set && res->pids_limit.value > 0;
}

static int pids_apply(const struct cg_apply_ctx *ctx, const struct oci_resources *res,
		      struct vs_error *err)
{
	if (!res->has_pids)
		return 0;
	int r = res->pids_limit.set && res->pids_limit.value > 0
		    ? cg_write_u64(ctx->h, "pids.max", (uint64_t)res->pids_limit.value, err)
		    : cg_write(ctx->h, "pids.max", "max", err);
	return r < 0 ? vs_error_wrap(err, "limit") : 0;
}

const struct cg_controller cg_ctrl_pids = {
    .name = "pids",
    .what = "linux.resources.pids",
    .requested = pids_requested,
    .apply = pids_apply,
};
