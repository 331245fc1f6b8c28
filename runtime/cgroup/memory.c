/* memory: limit -> memory.max, reservation -> memory.low, swap (memory+swap
 * in the spec) -> memory.swap.max (swap alone in cgroup v2). */
#include <inttypes.h>
#include <stdio.h>

#include "lib/log.h"
#include "runtime/cgroup/cgroup-internal.h"

static bool memory_requested(const struct oci_resources *res)
{
	const struct oci_memory *m = res->memory;
	if (!m)
		return false;
	return (m->limit.set && m->limit.value > 0) ||
	       (m->reservation.set && m->reservation.value > 0) ||
	       (m->swap.set && m->swap.value > 0) || m->swappiness.set ||
	       (m->disable_oom_killer.set && m->disable_oom_killer.value);
}

static void format_limit(int64_t v, char *buf, size_t size)
{
	if (v < 0)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%" PRId64, v);
}

int cg_memory_swap_value(const struct oci_memory *m, char *ret, size_t size, struct vs_error *err)
{
	ret[0] = '\0';
	if (!m->swap.set || m->swap.value == 0)
		return 0;
	int64_t swap = m->swap.value, limit = m->limit.set ? m->limit.value : 0;
	if (swap == -1) {
		snprintf(ret, size, "max");
		return 0;
	}
	if (swap < 0)
		return vs_error_set(err, "swap %" PRId64 ": must be -1 (unlimited) or positive",
				    swap);
	if (limit == 0)
		return vs_error_set(err, "swap %" PRId64 ": a swap limit needs memory.limit", swap);
	if (limit < 0)
		return vs_error_set(err,
				    "swap %" PRId64 ": memory.limit is unlimited, so the "
				    "memory+swap limit must be unlimited (-1) too",
				    swap);
	if (swap < limit)
		return vs_error_set(err,
				    "swap %" PRId64 ": memory+swap must not be below "
				    "memory.limit %" PRId64,
				    swap, limit);
	/* The spec's value is memory+swap; cgroup v2 limits swap alone. */
	snprintf(ret, size, "%" PRId64, swap - limit);
	return 0;
}

/* checkBeforeUpdate: refuse a limit the current usage is already above, as
 * the kernel would start reclaiming (or OOM-killing) at once. */
static int check_usage(const struct cg_apply_ctx *ctx, int64_t limit, struct vs_error *err)
{
	uint64_t usage;
	if (limit < 0 || cg_read_u64(ctx->h, "memory.current", &usage, err) < 0)
		return limit < 0 ? 0 : -1;
	if ((uint64_t)limit < usage)
		return vs_error_set(err,
				    "limit %" PRId64 " is below the current usage %" PRIu64
				    " (checkBeforeUpdate)",
				    limit, usage);
	return 0;
}

static int refuse_v1_only(const struct oci_memory *m, struct vs_error *err)
{
	if (m->swappiness.set)
		return vs_error_set(err, "swappiness: cgroup v2 has no per-cgroup swappiness");
	if (m->disable_oom_killer.set && m->disable_oom_killer.value)
		return vs_error_set(err,
				    "disableOOMKiller: cgroup v2 cannot disable the OOM killer");
	return 0;
}

static int memory_apply(const struct cg_apply_ctx *ctx, const struct oci_resources *res,
			struct vs_error *err)
{
	const struct oci_memory *m = res->memory;
	if (!m)
		return 0;
	char buf[32];
	if (refuse_v1_only(m, err) < 0 || cg_memory_swap_value(m, buf, sizeof(buf), err) < 0)
		return -1;
	if (buf[0] && cg_write(ctx->h, "memory.swap.max", buf, err) < 0)
		return vs_error_wrap(err, "swap");
	if (m->limit.set && m->limit.value) {
		if (ctx->update && m->check_before_update.set && m->check_before_update.value &&
		    check_usage(ctx, m->limit.value, err) < 0)
			return -1;
		format_limit(m->limit.value, buf, sizeof(buf));
		if (cg_write(ctx->h, "memory.max", buf, err) < 0)
			return vs_error_wrap(err, "limit");
	}
	if (m->reservation.set && m->reservation.value) {
		format_limit(m->reservation.value, buf, sizeof(buf));
		if (cg_write(ctx->h, "memory.low", buf, err) < 0)
			return vs_error_wrap(err, "reservation");
	}
	return 0;
}

const struct cg_controller cg_ctrl_memory = {
    .name = "memory",
    .what = "linux.resources.memory",
    .requested = memory_requested,
    .apply = memory_apply,
};
