/* Freeze and thaw through cgroup.freeze, a core file of cgroup2 (no
 * controller needed, so it also works on a hybrid host).  Writing it only
 * starts the transition: the cgroup is frozen once cgroup.events says
 * "frozen 1", after every task has reached the freezer trap. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"

#define DEFAULT_TIMEOUT_MS 10000

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cg_is_frozen(struct cg_handle *h, bool *ret_frozen, struct vs_error *err)
{
	if (cg_require(h, "read the freezer state", err) < 0)
		return -1;
	uint64_t v;
	if (cg_read_key(h, "cgroup.events", "frozen", &v, err) < 0)
		return -1;
	*ret_frozen = v == 1;
	return 0;
}

/* Waits for cgroup.events "frozen" to equal want.  The kernel signals a
 * change of cgroup.events as a modification (inotify IN_MODIFY); the file
 * is re-read after arming the watch so a change in between is not lost. */
static int wait_frozen(struct cg_handle *h, bool want, int timeout_ms, struct vs_error *err)
{
	_cleanup_close_ int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	_cleanup_free_ char *events = vs_strdup_printf("%s/cgroup.events", h->dir);
	if (ino >= 0 && inotify_add_watch(ino, events, IN_MODIFY) < 0)
		vs_closep(&ino), ino = -1;
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		bool frozen;
		if (cg_is_frozen(h, &frozen, err) < 0)
			return -1;
		if (frozen == want)
			return 0;
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return vs_error_errno(err, ETIMEDOUT, "cgroup %s: still %s after %d ms",
					      h->path, want ? "not frozen" : "frozen", timeout_ms);
		/* Without inotify, poll the file every 10 ms. */
		struct pollfd pfd = {.fd = ino, .events = POLLIN};
		int r =
		    poll(&pfd, ino >= 0 ? 1 : 0, ino >= 0 ? (int)(left < 100 ? left : 100) : 10);
		if (r > 0) {
			char buf[4096];
			while (read(ino, buf, sizeof(buf)) > 0)
				;
		}
	}
}

static int set_frozen(struct cg_handle *h, bool frozen, int timeout_ms, struct vs_error *err)
{
	if (cg_require(h, frozen ? "pause" : "resume", err) < 0)
		return -1;
	if (!cg_file_exists(h, "cgroup.freeze"))
		return vs_error_set(err,
				    "cannot %s: %s has no cgroup.freeze (the kernel is older "
				    "than 5.2)",
				    frozen ? "pause" : "resume", h->dir);
	if (cg_write(h, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
		return -1;
	if (wait_frozen(h, frozen, timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS, err) < 0) {
		/* A half-frozen container is worse than a failed pause. */
		if (frozen) {
			struct vs_error ignored = VS_ERROR_INIT;
			(void)cg_write(h, "cgroup.freeze", "0", &ignored);
			vs_error_clear(&ignored);
		}
		return -1;
	}
	return 0;
}

int cg_freeze(struct cg_handle *h, int timeout_ms, struct vs_error *err)
{
	return set_frozen(h, true, timeout_ms, err);
}

int cg_thaw(struct cg_handle *h, int timeout_ms, struct vs_error *err)
{
	return set_frozen(h, false, timeout_ms, err);
}
