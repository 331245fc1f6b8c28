/* Hybrid hosts: the cpu (with real-time bandwidth), memory and pids
 * limits (cpuset, blkio and hugetlb are in v1-limits-more.c), written to the v1 cgroup
 * at the container's path when the controller is bound to v1 and not to
 * cgroup2 (as runc does on such hosts).  The init joins these directories
 * through cg_v1_enter() (v1.c), which finds them made here with the limits
 * in place before it runs; cg_destroy() removes them.  Every other
 * v1-bound limit (rdma, net_cls/prio, unified keys) stays refused by
 * cg_check_enforceable(). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"

const char *cg_v1_name(const char *name)
{
	return name && strcmp(name, "io") == 0 ? "blkio" : name;
}

bool cg_v1_limits_handle(const struct cg_handle *h, const char *name)
{
	static const char *const handled[] = {"cpu", "memory", "pids", "cpuset", "io", "hugetlb"};
	if (!h || h->fake || !name)
		return false;
	size_t i = 0;
	while (i < ARRAY_SIZE(handled) && strcmp(name, handled[i]) != 0)
		i++;
	if (i == ARRAY_SIZE(handled) || cg_has_controller(h, name))
		return false;
	_cleanup_free_ char *mnt = cg_v1_mount_of(cg_v1_name(name));
	return mnt != NULL;
}

bool cg_v1_memsw_first(int64_t new_memsw, uint64_t cur_limit)
{
	return new_memsw < 0 || (uint64_t)new_memsw >= cur_limit;
}

void cg_v1_dir_clear(struct cg_v1_dir *d)
{
	free(d->dir);
	d->dir = NULL;
}

/* One write(2): the kernel parses each write as a whole value. */
int cg_v1_write(const struct cg_v1_dir *d, const char *field, const char *file, const char *value,
		struct vs_error *err)
{
	_cleanup_free_ char *path = vs_strdup_printf("%s/%s", d->dir, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, value, strlen(value));
	if (n < 0)
		return vs_error_errno(err, errno, "%s.%s: write %s \"%s\"", d->what, field, path,
				      value);
	if ((size_t)n != strlen(value))
		return vs_error_set(err, "%s.%s: write %s \"%s\": short write", d->what, field,
				    path, value);
	return 0;
}

int cg_v1_write_i64(const struct cg_v1_dir *d, const char *field, const char *file, int64_t v,
		    struct vs_error *err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cg_v1_write(d, field, file, buf, err);
}

int cg_v1_read_u64(const struct cg_v1_dir *d, const char *file, uint64_t *ret, struct vs_error *err)
{
	_cleanup_free_ char *path = vs_strdup_printf("%s/%s", d->dir, file);
	_cleanup_free_ char *buf = NULL;
	if (vs_read_file(path, 4096, &buf, NULL, err) < 0)
		return -1;
	if (sscanf(buf, "%" SCNu64, ret) != 1)
		return vs_error_set(err, "%s: not a number: %s", path, buf);
	return 0;
}

/* Makes the directory when the controller is handled here. */
int cg_v1_dir_open(const struct cg_handle *h, const char *name, const char *what,
		   struct cg_v1_dir *ret, struct vs_error *err)
{
	_cleanup_free_ char *mnt = cg_v1_mount_of(name);
	if (!mnt)
		return vs_error_set(err, "%s: the %s controller is not mounted", what, name);
	if (cg_v1_make_dirs(mnt, h->path, err) < 0)
		return vs_error_wrap(err, "%s", what);
	ret->dir = vs_strdup_printf("%s%s", mnt, h->path);
	ret->what = what;
	return 0;
}

/* ---- cpu ---- */

static bool cpu_set(const struct oci_cpu *c)
{
	return c && ((c->shares.set && c->shares.value) || (c->quota.set && c->quota.value) ||
		     (c->period.set && c->period.value) ||
		     (c->realtime_period.set && c->realtime_period.value) ||
		     (c->realtime_runtime.set && c->realtime_runtime.value));
}

/* Real-time bandwidth: the period first, so a runtime valid for the new
 * period is not checked against the old one (runc's order).  The kernel
 * refuses a runtime above what the parent has left (EINVAL), as runc
 * reports it too: a new cgroup's parent often has 0. */
static int cpu_rt_apply(const struct cg_v1_dir *d, const struct oci_cpu *c, struct vs_error *err)
{
	if (c->realtime_period.set && c->realtime_period.value &&
	    cg_v1_write_i64(d, "realtimePeriod", "cpu.rt_period_us",
			    (int64_t)c->realtime_period.value, err) < 0)
		return -1;
	if (c->realtime_runtime.set && c->realtime_runtime.value &&
	    cg_v1_write_i64(d, "realtimeRuntime", "cpu.rt_runtime_us", c->realtime_runtime.value,
			    err) < 0)
		return -1;
	return 0;
}

/* The kernel checks quota against the period already there: a period that
 * is refused with the old quota is retried after the new quota (the order
 * runc uses). */
static int cpu_apply(const struct cg_v1_dir *d, const struct oci_cpu *c, struct vs_error *err)
{
	if (cpu_rt_apply(d, c, err) < 0)
		return -1;
	if (c->shares.set && c->shares.value &&
	    cg_v1_write_i64(d, "shares", "cpu.shares", (int64_t)c->shares.value, err) < 0)
		return -1;
	bool quota = c->quota.set && c->quota.value;
	int64_t q = quota && c->quota.value < 0 ? -1 : c->quota.value;
	if (c->period.set && c->period.value) {
		int64_t p = (int64_t)c->period.value;
		if (cg_v1_write_i64(d, "period", "cpu.cfs_period_us", p, err) < 0) {
			if (err->errnum != EINVAL || !quota)
				return -1;
			vs_error_clear(err);
			if (cg_v1_write_i64(d, "quota", "cpu.cfs_quota_us", q, err) < 0)
				return -1;
			return cg_v1_write_i64(d, "period", "cpu.cfs_period_us", p, err);
		}
	}
	return quota ? cg_v1_write_i64(d, "quota", "cpu.cfs_quota_us", q, err) : 0;
}

static int cpu_check(const struct oci_cpu *c, struct vs_error *err)
{
	if (!c)
		return 0;
	if ((c->burst.set && c->burst.value) || (c->idle.set && c->idle.value))
		return vs_error_set(err, "linux.resources.cpu.burst/idle: not supported on the "
					 "cgroup v1 cpu hierarchy by vessel");
	return 0;
}

/* ---- memory ---- */

static bool memory_set(const struct oci_memory *m)
{
	return m &&
	       ((m->limit.set && m->limit.value) || (m->reservation.set && m->reservation.value) ||
		(m->swap.set && m->swap.value) || m->swappiness.set || m->disable_oom_killer.set);
}

static bool has_memsw(const char *dir)
{
	_cleanup_free_ char *f = vs_strdup_printf("%s/memory.memsw.limit_in_bytes", dir);
	return access(f, F_OK) == 0;
}

static int memory_check(const struct oci_memory *m, struct vs_error *err)
{
	if (!m)
		return 0;
	char buf[32];
	if (cg_memory_swap_value(m, buf, sizeof(buf), err) < 0)
		return vs_error_wrap(err, "linux.resources.memory");
	_cleanup_free_ char *mnt = cg_v1_mount_of("memory");
	if (m->swap.set && m->swap.value > 0 && mnt && !has_memsw(mnt))
		return vs_error_set(err,
				    "linux.resources.memory.swap: cannot enforce the requested "
				    "limit: the memory controller at %s has no swap accounting "
				    "(no memory.memsw.limit_in_bytes; boot with swapaccount=1)",
				    mnt);
	return 0;
}

/* memsw and the limit as a pair: see cg_v1_memsw_first(). */
static int memory_limits(const struct cg_v1_dir *d, const struct oci_memory *m, bool update,
			 struct vs_error *err)
{
	bool limit = m->limit.set && m->limit.value;
	bool swap = m->swap.set && m->swap.value && has_memsw(d->dir);
	int64_t l = limit && m->limit.value < 0 ? -1 : m->limit.value;
	int64_t s = swap && m->swap.value < 0 ? -1 : m->swap.value;
	if (limit && l > 0 && update && m->check_before_update.set &&
	    m->check_before_update.value) {
		uint64_t usage;
		if (cg_v1_read_u64(d, "memory.usage_in_bytes", &usage, err) < 0)
			return vs_error_wrap(err, "%s.checkBeforeUpdate", d->what);
		if ((uint64_t)l < usage)
			return vs_error_set(err,
					    "%s.limit: %" PRId64
					    " is below the current usage %" PRIu64
					    " (checkBeforeUpdate)",
					    d->what, l, usage);
	}
	bool memsw_first = true;
	if (limit && swap) {
		uint64_t cur;
		if (cg_v1_read_u64(d, "memory.limit_in_bytes", &cur, err) < 0)
			return vs_error_wrap(err, "%s.limit", d->what);
		memsw_first = cg_v1_memsw_first(s, cur);
	}
	if (swap && memsw_first &&
	    cg_v1_write_i64(d, "swap", "memory.memsw.limit_in_bytes", s, err) < 0)
		return -1;
	if (limit && cg_v1_write_i64(d, "limit", "memory.limit_in_bytes", l, err) < 0)
		return -1;
	if (swap && !memsw_first &&
	    cg_v1_write_i64(d, "swap", "memory.memsw.limit_in_bytes", s, err) < 0)
		return -1;
	return 0;
}

static int memory_apply(const struct cg_v1_dir *d, const struct oci_memory *m, bool update,
			struct vs_error *err)
{
	if (memory_limits(d, m, update, err) < 0)
		return -1;
	if (m->reservation.set && m->reservation.value &&
	    cg_v1_write_i64(d, "reservation", "memory.soft_limit_in_bytes",
			    m->reservation.value < 0 ? -1 : m->reservation.value, err) < 0)
		return -1;
	if (m->swappiness.set && cg_v1_write_i64(d, "swappiness", "memory.swappiness",
						 (int64_t)m->swappiness.value, err) < 0)
		return -1;
	if (m->disable_oom_killer.set &&
	    cg_v1_write(d, "disableOOMKiller", "memory.oom_control",
			m->disable_oom_killer.value ? "1" : "0", err) < 0)
		return -1;
	return 0;
}

/* ---- the entry points ---- */

int cg_v1_limits_check(const struct cg_handle *h, const struct oci_resources *res,
		       struct vs_error *err)
{
	if (!res)
		return 0;
	if (cg_v1_limits_handle(h, "cpu") && cpu_check(res->cpu, err) < 0)
		return -1;
	if (cg_v1_limits_handle(h, "memory") && memory_check(res->memory, err) < 0)
		return -1;
	return cg_v1_more_check(h, res, err);
}

int cg_v1_limits_apply(const struct cg_handle *h, const struct oci_resources *res, bool update,
		       struct vs_error *err)
{
	if (!res)
		return 0; /* checked by cg_check_enforceable(), cg_apply_all's first step */
	_cleanup_(cg_v1_dir_clear) struct cg_v1_dir d = {0};
	/* cpuset before cpu, as runc orders them */
	if (cg_v1_cpuset_apply(h, res, err) < 0)
		return -1;
	if (cg_v1_limits_handle(h, "cpu") && cpu_set(res->cpu)) {
		if (cg_v1_dir_open(h, "cpu", "linux.resources.cpu", &d, err) < 0 ||
		    cpu_apply(&d, res->cpu, err) < 0)
			return -1;
		cg_v1_dir_clear(&d);
	}
	if (cg_v1_limits_handle(h, "memory") && memory_set(res->memory)) {
		if (cg_v1_dir_open(h, "memory", "linux.resources.memory", &d, err) < 0 ||
		    memory_apply(&d, res->memory, update, err) < 0)
			return -1;
		cg_v1_dir_clear(&d);
	}
	if (cg_v1_limits_handle(h, "pids") && res->has_pids) {
		bool lim = res->pids_limit.set && res->pids_limit.value > 0;
		char buf[32] = "max";
		if (lim)
			snprintf(buf, sizeof(buf), "%" PRId64, res->pids_limit.value);
		if (cg_v1_dir_open(h, "pids", "linux.resources.pids", &d, err) < 0 ||
		    cg_v1_write(&d, "limit", "pids.max", buf, err) < 0)
			return -1;
	}
	if (cg_v1_blkio_apply(h, res, err) < 0)
		return -1;
	return cg_v1_hugetlb_apply(h, res, err);
}
