/* The processes of a cgroup tree: list, signal, kill, and removing the
 * tree once it is empty. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/systemd-internal.h"

#define DESTROY_TIMEOUT_MS 10000

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

struct pidset {
	pid_t *v;
	size_t n;
};

static int read_procs_at(int dirfd, const char *where, struct pidset *s, struct vs_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s/cgroup.procs", where);
	_cleanup_free_ char *buf = NULL;
	if (vs_read_fd(fd, 0, &buf, NULL, err) < 0)
		return vs_error_wrap(err, "read %s/cgroup.procs", where);
	for (char *p = buf, *end; *p; p = end) {
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		s->v = vs_realloc(s->v, (s->n + 1) * sizeof(pid_t));
		s->v[s->n++] = (pid_t)v;
	}
	return 0;
}

/* Depth-first over the container's own sub-cgroups (a nested runtime or
 * systemd inside it makes them). */
static int collect(int dirfd, const char *where, struct pidset *s, struct vs_error *err)
{
	if (read_procs_at(dirfd, where, s, err) < 0)
		return -1;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s", where);
	_cleanup_(closedirp) DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return vs_error_errno(err, errno, "opendir %s", where);
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		_cleanup_close_ int sub =
		    openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue; /* removed meanwhile */
		_cleanup_free_ char *subwhere = vs_strdup_printf("%s/%s", where, de->d_name);
		if (collect(sub, subwhere, s, err) < 0)
			return -1;
	}
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

int cg_pids(struct cg_handle *h, pid_t **ret_pids, size_t *ret_n, struct vs_error *err)
{
	struct pidset s = {0};
	if (cg_require(h, "list the processes", err) < 0)
		return -1;
	if (collect(h->fd, h->dir, &s, err) < 0) {
		free(s.v);
		return -1;
	}
	qsort(s.v, s.n, sizeof(pid_t), cmp_pid);
	*ret_pids = s.v;
	*ret_n = s.n;
	return 0;
}

int cg_signal_all(struct cg_handle *h, int sig, struct vs_error *err)
{
	if (sig == SIGKILL && h->fd >= 0 && cg_file_exists(h, "cgroup.kill"))
		return cg_write(h, "cgroup.kill", "1", err);
	_cleanup_free_ pid_t *pids = NULL;
	size_t n;
	if (cg_pids(h, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return vs_error_errno(err, errno, "kill pid %d with signal %d",
					      (int)pids[i], sig);
	return 0;
}

static bool populated(struct cg_handle *h)
{
	uint64_t v;
	struct vs_error e = VS_ERROR_INIT;
	int r = cg_read_key(h, "cgroup.events", "populated", &v, &e);
	vs_error_clear(&e);
	return r == 0 && v == 1;
}

/* "populated 0" read back: nothing runs in the tree.  An unreadable
 * cgroup.events is not proof. */
static bool surely_empty(struct cg_handle *h)
{
	uint64_t v;
	struct vs_error e = VS_ERROR_INIT;
	int r = cg_read_key(h, "cgroup.events", "populated", &v, &e);
	vs_error_clear(&e);
	return r == 0 && v == 0;
}

static int kill_and_wait(struct cg_handle *h, struct vs_error *err)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int round = 0; populated(h); round++) {
		/* Without cgroup.kill (before 5.14) a fork can race a kill by
		 * pid, so repeat the kill every round until the cgroup empties. */
		if ((round == 0 || !cg_file_exists(h, "cgroup.kill")) &&
		    cg_signal_all(h, SIGKILL, err) < 0)
			return -1;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms =
		    (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms > DESTROY_TIMEOUT_MS)
			return vs_error_set(
			    err, "cgroup %s: processes still running %d ms after SIGKILL", h->path,
			    DESTROY_TIMEOUT_MS);
		poll(NULL, 0, 5);
	}
	return 0;
}

/* rmdir the sub-cgroups depth first, then dir itself.  The kernel may
 * still be releasing the last task's css a moment after "populated 0",
 * hence the short EBUSY retry. */
int cg_remove_tree(const char *dir, bool fake, struct vs_error *err)
{
	_cleanup_(closedirp) DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : vs_error_errno(err, errno, "opendir %s", dir);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		/* A fake cgroupfs (unit tests) holds real files; cgroupfs
		 * removes its interface files itself on rmdir. */
		if (de->d_type != DT_DIR) {
			if (fake)
				(void)unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		_cleanup_free_ char *sub = vs_strdup_printf("%s/%s", dir, de->d_name);
		if (cg_remove_tree(sub, fake, err) < 0)
			return -1;
	}
	for (int i = 0; rmdir(dir) < 0; i++) {
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY || i >= 200)
			return vs_error_errno(err, errno, "rmdir %s", dir);
		poll(NULL, 0, 5);
	}
	return 0;
}

int cg_destroy(struct cg_handle *h, struct vs_error *err)
{
	if (!h)
		return 0;
	if (h->fd < 0) {
		if (!h->fake)
			cg_v1_remove(h->path, false);
		return 0;
	}
	/* The common case, a container whose processes are gone (`run`'s end,
	 * delete of a stopped one): no thaw (a write to cgroup.freeze takes
	 * the host-wide cgroup_mutex), no kill, and one rmdir, which
	 * succeeds unless the container made sub-cgroups; then the walk. */
	if (!h->fake && !surely_empty(h)) {
		/* A frozen task cannot die; thaw first (cgroup.kill does this
		 * itself, the pid-by-pid fallback does not). */
		struct vs_error ignored = VS_ERROR_INIT;
		(void)cg_write(h, "cgroup.freeze", "0", &ignored);
		vs_error_clear(&ignored);
		if (kill_and_wait(h, err) < 0)
			return vs_error_wrap(err, "delete cgroup");
	}
	vs_closep(&h->fd);
	h->fd = -1;
	if (rmdir(h->dir) < 0 && errno != ENOENT && cg_remove_tree(h->dir, h->fake, err) < 0)
		return vs_error_wrap(err, "delete cgroup");
	cg_remove_owned_parents(h->root, h->path, h->fake);
	if (!h->fake)
		cg_v1_remove(h->path, false);
	return cg_sd_stop(h, err);
}
