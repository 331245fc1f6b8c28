/* Statistics from the v1 hierarchies of a hybrid host, for what the
 * cgroup2 tree cannot say (its controller is bound to v1): memory, pids,
 * cpu throttling, blkio, as runc reads them there.  And the OOM watch:
 * memory.events in cgroup2, or the v1 memory cgroup's eventfd
 * notification (cgroup.event_control), whichever holds the container's
 * memory controller. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"

/* The container's directory in the v1 hierarchy of ctrl, when the
 * controller is there and not in cgroup2; NULL otherwise. */
static char *v1_dir_of(const struct cg_handle *h, const char *ctrl)
{
	if (!h->path || h->fake || cg_has_controller(h, ctrl))
		return NULL;
	_cleanup_free_ char *mnt = cg_v1_mount_of(ctrl);
	if (!mnt)
		return NULL;
	char *dir = vs_strdup_printf("%s%s", mnt, h->path);
	if (access(dir, F_OK) < 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

static char *read_or_null(const char *dir, const char *file)
{
	_cleanup_free_ char *p = vs_strdup_printf("%s/%s", dir, file);
	char *buf = NULL;
	struct vs_error e = VS_ERROR_INIT;
	if (vs_read_file(p, 0, &buf, NULL, &e) < 0)
		buf = NULL;
	vs_error_clear(&e);
	return buf;
}

static uint64_t u64_or_zero(const char *dir, const char *file)
{
	_cleanup_free_ char *buf = read_or_null(dir, file);
	uint64_t v = 0;
	if (buf && strncmp(buf, "max", 3) == 0)
		return UINT64_MAX;
	if (!buf || sscanf(buf, "%" SCNu64, &v) != 1)
		return 0;
	return v;
}

/* "key value" lines (memory.stat, cpu.stat, memory.oom_control). */
static uint64_t key_or_zero(const char *dir, const char *file, const char *key)
{
	_cleanup_free_ char *buf = read_or_null(dir, file);
	size_t klen = strlen(key);
	for (char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		uint64_t v;
		if (strncmp(l, key, klen) == 0 && l[klen] == ' ' &&
		    sscanf(l + klen + 1, "%" SCNu64, &v) == 1)
			return v;
	}
	return 0;
}

static void v1_memory_stat(const char *dir, struct cg_stats *s)
{
	_cleanup_free_ char *buf = read_or_null(dir, "memory.stat");
	cg_stats_add_memory_stat(s, buf);
}

static void v1_memory(const struct cg_handle *h, struct cg_stats *s)
{
	_cleanup_free_ char *dir = v1_dir_of(h, "memory");
	if (!dir || s->has_memory)
		return;
	s->has_memory = true;
	s->mem_usage = u64_or_zero(dir, "memory.usage_in_bytes");
	s->mem_limit = u64_or_zero(dir, "memory.limit_in_bytes");
	s->mem_max_usage = u64_or_zero(dir, "memory.max_usage_in_bytes");
	s->mem_failcnt = u64_or_zero(dir, "memory.failcnt");
	/* v1's memsw is already the memory+swap view runc reports */
	s->swap_usage = u64_or_zero(dir, "memory.memsw.usage_in_bytes");
	s->swap_limit = u64_or_zero(dir, "memory.memsw.limit_in_bytes");
	s->oom_kill = key_or_zero(dir, "memory.oom_control", "oom_kill");
	v1_memory_stat(dir, s);
}

static void v1_pids(const struct cg_handle *h, struct cg_stats *s)
{
	_cleanup_free_ char *dir = v1_dir_of(h, "pids");
	if (!dir || s->has_pids)
		return;
	s->has_pids = true;
	s->pids_current = u64_or_zero(dir, "pids.current");
	s->pids_limit = u64_or_zero(dir, "pids.max");
	if (s->pids_limit == UINT64_MAX)
		s->pids_limit = 0;
}

/* cgroup2's cpu.stat (a core file) gives the usage; the throttling is the
 * cpu controller's, in v1's cpu.stat (nanoseconds there). */
static void v1_cpu(const struct cg_handle *h, struct cg_stats *s)
{
	_cleanup_free_ char *dir = v1_dir_of(h, "cpu");
	if (!dir)
		return;
	s->has_cpu = true;
	s->cpu_throttle_periods = key_or_zero(dir, "cpu.stat", "nr_periods");
	s->cpu_throttled_periods = key_or_zero(dir, "cpu.stat", "nr_throttled");
	s->cpu_throttled_time_ns = key_or_zero(dir, "cpu.stat", "throttled_time");
}

static void push_io(struct cg_stats_io_entry **v, size_t *n, uint64_t maj, uint64_t min,
		    const char *op, uint64_t value)
{
	*v = vs_realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = (struct cg_stats_io_entry){maj, min, op, value};
}

/* "MAJ:MIN Read N" lines; the Sync/Async/Total ones are left out, as
 * cgroup2's io.stat has no such split to compare with. */
static void v1_io_file(const char *dir, const char *file, struct cg_stats_io_entry **v, size_t *n)
{
	_cleanup_free_ char *buf = read_or_null(dir, file);
	char *save = NULL;
	for (char *l = buf ? strtok_r(buf, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		uint64_t maj, min, val;
		char op[16];
		if (sscanf(l, "%" SCNu64 ":%" SCNu64 " %15s %" SCNu64, &maj, &min, op, &val) != 4)
			continue;
		if (strcmp(op, "Read") == 0)
			push_io(v, n, maj, min, "Read", val);
		else if (strcmp(op, "Write") == 0)
			push_io(v, n, maj, min, "Write", val);
	}
}

static void v1_blkio(const struct cg_handle *h, struct cg_stats *s)
{
	_cleanup_free_ char *dir = v1_dir_of(h, "blkio");
	if (!dir || s->n_io_service_bytes || s->n_io_serviced)
		return;
	s->has_io = true;
	v1_io_file(dir, "blkio.throttle.io_service_bytes_recursive", &s->io_service_bytes,
		   &s->n_io_service_bytes);
	v1_io_file(dir, "blkio.throttle.io_serviced_recursive", &s->io_serviced, &s->n_io_serviced);
}

void cg_stats_v1(const struct cg_handle *h, struct cg_stats *s)
{
	v1_cpu(h, s);
	v1_memory(h, s);
	v1_pids(h, s);
	v1_blkio(h, s);
}

/* ---- OOM watch ---- */

struct cg_oom_watch {
	int fd;	 /* inotify (v2) or eventfd (v1); -1: nothing to watch */
	bool v1; /* eventfd: each read is one OOM notification */
	struct cg_handle *h;
	uint64_t seen; /* v2: the oom_kill counter last reported */
};

/* v1: an eventfd the kernel signals on each OOM of the memory cgroup,
 * registered by writing "<eventfd> <memory.oom_control fd>" to
 * cgroup.event_control. */
static int oom_watch_v1(const char *dir, int *ret_fd, struct vs_error *err)
{
	_cleanup_free_ char *oc = vs_strdup_printf("%s/memory.oom_control", dir);
	_cleanup_free_ char *ec = vs_strdup_printf("%s/cgroup.event_control", dir);
	_cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	_cleanup_close_ int ofd = open(oc, O_RDONLY | O_CLOEXEC);
	if (efd < 0 || ofd < 0)
		return vs_error_errno(err, errno, "watch %s", oc);
	char buf[64];
	snprintf(buf, sizeof(buf), "%d %d", efd, ofd);
	if (vs_write_file(ec, buf, strlen(buf), err) < 0)
		return vs_error_wrap(err, "register for OOM notifications");
	/* the registration holds its own references: ofd may close */
	*ret_fd = TAKE_FD(efd);
	return 0;
}

int cg_oom_watch_open(struct cg_handle *h, struct cg_oom_watch **ret, struct vs_error *err)
{
	struct cg_oom_watch *w = vs_malloc0(sizeof(*w));
	w->fd = -1;
	w->h = h;
	*ret = w;
	_cleanup_free_ char *v1 = h->fd >= 0 ? v1_dir_of(h, "memory") : NULL;
	if (v1) {
		w->v1 = true;
		return oom_watch_v1(v1, &w->fd, err);
	}
	if (h->fd < 0 || !cg_file_exists(h, "memory.events"))
		return 0;
	if (cg_oom_kill_count(h, &w->seen, err) < 0)
		return -1;
	/* the kernel reports changes of memory.events as modifications */
	_cleanup_free_ char *events = vs_strdup_printf("%s/memory.events", h->dir);
	w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->fd < 0 || inotify_add_watch(w->fd, events, IN_MODIFY) < 0)
		return vs_error_errno(err, errno, "inotify %s", events);
	return 0;
}

int cg_oom_watch_fd(const struct cg_oom_watch *w)
{
	return w ? w->fd : -1;
}

int cg_oom_watch_read(struct cg_oom_watch *w, uint64_t *ret_new, struct vs_error *err)
{
	*ret_new = 0;
	if (!w || w->fd < 0)
		return 0;
	if (w->v1) {
		uint64_t n;
		if (read(w->fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
			*ret_new = 1; /* one event per wake-up, as runc sends */
		return 0;
	}
	char buf[4096];
	while (read(w->fd, buf, sizeof(buf)) > 0)
		;
	uint64_t n;
	if (cg_oom_kill_count(w->h, &n, err) < 0)
		return -1;
	if (n > w->seen)
		*ret_new = n - w->seen;
	w->seen = n > w->seen ? n : w->seen;
	return 0;
}

void cg_oom_watch_free(struct cg_oom_watch *w)
{
	if (!w)
		return;
	vs_closep(&w->fd);
	free(w);
}
