/* cpu: shares -> cpu.weight, quota/period -> cpu.max, burst -> cpu.max.burst,
 * idle -> cpu.idle.  The real-time knobs are cgroup v1 only. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fmath.h"
#include "runtime/cgroup/cgroup-internal.h"

#define CPU_PERIOD_DEFAULT 100000

uint64_t cg_cpu_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	/* With l = log2(shares): a parabola through (1, 0), (10, 2), (18, 4)
	 * in log10(weight), so 2 -> 1, 1024 -> 100 and 262144 -> 10000.  The
	 * small bias keeps 1024 from rounding up to 101 on float error. */
	double l = vs_log2((double)shares);
	double exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
	return (uint64_t)vs_ceil(vs_pow10(exponent) - 1e-9);
}

/* shares 1024 is the default weight every cgroup already has (100), and
 * containerd's default spec asks for exactly that: it is a request that
 * changes nothing, so a host whose cgroup2 lacks cpu need not refuse it. */
#define CPU_SHARES_DEFAULT 1024

static bool cpu_requested(const struct oci_resources *res)
{
	const struct oci_cpu *c = res->cpu;
	if (!c)
		return false;
	return (c->shares.set && c->shares.value && c->shares.value != CPU_SHARES_DEFAULT) ||
	       (c->quota.set && c->quota.value > 0) || (c->burst.set && c->burst.value) ||
	       (c->idle.set && c->idle.value) ||
	       (c->realtime_runtime.set && c->realtime_runtime.value) ||
	       (c->realtime_period.set && c->realtime_period.value);
}

/* cpu.max holds "QUOTA PERIOD" together: a config (or an update) that sets
 * only one keeps the other's current value, as runc does. */
static int write_max(const struct cg_apply_ctx *ctx, const struct oci_cpu *c, struct vs_error *err)
{
	char quota[32] = "max";
	uint64_t period = CPU_PERIOD_DEFAULT;
	_cleanup_free_ char *cur = NULL;
	struct vs_error ignored = VS_ERROR_INIT;
	if (cg_read(ctx->h, "cpu.max", &cur, &ignored) == 0) {
		char q[32];
		uint64_t p;
		if (sscanf(cur, "%31s %" SCNu64, q, &p) == 2) {
			snprintf(quota, sizeof(quota), "%s", q);
			period = p;
		}
	}
	vs_error_clear(&ignored);
	if (c->quota.set && c->quota.value != 0) {
		if (c->quota.value < 0)
			snprintf(quota, sizeof(quota), "max");
		else
			snprintf(quota, sizeof(quota), "%" PRId64, c->quota.value);
	}
	if (c->period.set && c->period.value)
		period = c->period.value;
	char buf[64];
	snprintf(buf, sizeof(buf), "%s %" PRIu64, quota, period);
	if (cg_write(ctx->h, "cpu.max", buf, err) < 0)
		return vs_error_wrap(err, "quota/period");
	return 0;
}

static int cpu_apply(const struct cg_apply_ctx *ctx, const struct oci_resources *res,
		     struct vs_error *err)
{
	const struct oci_cpu *c = res->cpu;
	if (!c)
		return 0;
	if ((c->realtime_runtime.set && c->realtime_runtime.value) ||
	    (c->realtime_period.set && c->realtime_period.value))
		return vs_error_set(err, "realtimeRuntime/realtimePeriod: real-time bandwidth is a "
					 "cgroup v1 feature; cgroup v2 has no equivalent");
	if (c->shares.set && c->shares.value &&
	    cg_write_u64(ctx->h, "cpu.weight", cg_cpu_shares_to_weight(c->shares.value), err) < 0)
		return vs_error_wrap(err, "shares %" PRIu64, c->shares.value);
	if (((c->quota.set && c->quota.value) || (c->period.set && c->period.value)) &&
	    write_max(ctx, c, err) < 0)
		return -1;
	if (c->burst.set && cg_write_u64(ctx->h, "cpu.max.burst", c->burst.value, err) < 0)
		return vs_error_wrap(err, "burst");
	if (c->idle.set) {
		char buf[24];
		snprintf(buf, sizeof(buf), "%" PRId64, c->idle.value);
		if (cg_write(ctx->h, "cpu.idle", buf, err) < 0)
			return vs_error_wrap(err, "idle");
	}
	return 0;
}

const struct cg_controller cg_ctrl_cpu = {
    .name = "cpu",
    .what = "linux.resources.cpu",
    .requested = cpu_requested,
    .apply = cpu_apply,
};
