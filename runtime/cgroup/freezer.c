/* Freeze and thaw through cgroup.freeze, a core file of cgroup2 (no
 * controller needed, so it also works on a hybrid host).  Writing it only
 * starts the transition: the cgroup is frozen once cgroup.events says
 * "frozen 1", after every task has reached the freezer trap. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
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

/* "frozen N" of an open cgroup.events.  Reading it also re-arms the
 * poll below: kernfs reports POLLPRI for changes after the last read. */
static int read_frozen_at(const struct cg_handle *h, int fd, bool *ret, struct vs_error *err)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return vs_error_errno(err, errno, "read %s/cgroup.events", h->dir);
	buf[n] = '\0';
	const char *line = strncmp(buf, "frozen ", 7) == 0 ? buf : strstr(buf, "\nfrozen ");
	if (!line)
		return vs_error_errno(err, ENOENT, "%s/cgroup.events: no key \"frozen\"", h->dir);
	line += line == buf ? 7 : 8;
	*ret = line[0] == '1';
	return 0;
}

/* The longest sleep between two reads.  The kernel rate-limits the change
 * notification of a cgroup file (one per 10 ms, a later one deferred to a
 * timer), so a freeze right after a thaw is announced a few jiffies late
 * although the file already says frozen: reads on a backoff from 1 ms find
 * it.  The notification comes through poll(POLLPRI) on the open file, not
 * inotify: closing an inotify instance waits for an SRCU grace period,
 * 10-15 ms measured here, which was most of a pause. */
#define MAX_POLL_MS 8

static int wait_frozen(struct cg_handle *h, bool want, int timeout_ms, struct vs_error *err)
{
	_cleanup_close_ int fd = openat(h->fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s/cgroup.events", h->dir);
	int64_t deadline = now_ms() + timeout_ms;
	for (int sleep_ms = 1;;
	     sleep_ms = sleep_ms * 2 > MAX_POLL_MS ? MAX_POLL_MS : sleep_ms * 2) {
		bool frozen;
		if (read_frozen_at(h, fd, &frozen, err) < 0)
			return -1;
		if (frozen == want)
			return 0;
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return vs_error_errno(err, ETIMEDOUT, "cgroup %s: still %s after %d ms",
					      h->path, want ? "not frozen" : "frozen", timeout_ms);
		struct pollfd pfd = {.fd = fd, .events = POLLPRI};
		(void)poll(&pfd, 1, (int)(left < sleep_ms ? left : sleep_ms));
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
