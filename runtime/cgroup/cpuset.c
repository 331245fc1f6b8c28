/* cpuset: cpus -> cpuset.cpus, mems -> cpuset.mems. */
#include "runtime/cgroup/cgroup-internal.h"

static bool cpuset_requested(const struct oci_resources *res)
{
	return res->cpu &&
	       ((res->cpu->cpus && *res->cpu->cpus) || (res->cpu->mems && *res->cpu->mems));
}

static int cpuset_apply(const struct cg_apply_ctx *ctx, const struct oci_resources *res,
			struct vs_error *err)
{
	const struct oci_cpu *c = res->cpu;
	if (!c)
		return 0;
	if (c->cpus && *c->cpus && cg_write(ctx->h, "cpuset.cpus", c->cpus, err) < 0)
		return vs_error_wrap(err, "cpus");
	if (c->mems && *c->mems && cg_write(ctx->h, "cpuset.mems", c->mems, err) < 0)
		return vs_error_wrap(err, "mems");
	return 0;
}

const struct cg_controller cg_ctrl_cpuset = {
    .name = "cpuset",
    .what = "linux.resources.cpu",
    .requested = cpuset_requested,
    .apply = cpuset_apply,
};
