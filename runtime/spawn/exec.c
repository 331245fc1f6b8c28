/* The exec FIFO: the init's last stage (wait, startContainer hooks, final
 * affinity, seccomp, execve)
 * and `start`'s side of it.  See the diagram in spawn.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/hooks/hooks.h"
#include "runtime/spawn/spawn-internal.h"

/* After SYNC_READY nobody listens on the sync socket; the one reader left
 * is `start`, at the other end of the FIFO. */
static __attribute__((noreturn)) void exec_fail(struct spawn_ctx *ctx, struct vs_error *err)
{
	if (ctx->fifo >= 0) {
		const char *msg = err->msg ? err->msg : "unknown error";
		(void)!vs_write_all(ctx->fifo, msg, strlen(msg));
	}
	_exit(1);
}

/* In the forked startContainer hook, right before its execve: the hook
 * runs under the container's filter, as with runc (there the init loads it
 * before the hooks, and they inherit it).  Loading it in the hook's own
 * process keeps the init's order: vessel's init runs nothing under a
 * profile that may deny it until its own execve (issue: a profile without
 * close_range broke every create). */
static int hook_load_filter(void *arg)
{
	struct vs_error e = VS_ERROR_INIT;
	if (sc_load(arg, NULL, &e) == 0)
		return 0;
	errno = e.errnum ? e.errnum : EINVAL;
	return -1;
}

static int run_start_hooks(struct spawn_ctx *ctx, struct vs_error *err)
{
	const struct oci_hook_list *l = &ctx->c->hooks[OCI_HOOK_START_CONTAINER];
	struct hooks_opts o = {.pre_exec_what = "load the container's seccomp filter"};
	if (!l->n)
		return 0;
	/* With a listener the init loaded the filter before "ready": the
	 * hooks inherit it. */
	if (spawn_seccomp_at_exec(ctx) && ctx->seccomp) {
		o.pre_exec = hook_load_filter;
		o.pre_exec_arg = ctx->seccomp;
	}
	return hooks_run_opts(OCI_HOOK_START_CONTAINER, l, ctx->state_created, HOOKS_FAIL, &o, err);
}

void spawn_exec_stage(struct spawn_ctx *ctx)
{
	struct vs_error err = VS_ERROR_INIT;
	char path[64];
	/* Reopen through our own fd table: the state dir is not reachable from
	 * inside the container's root.  Blocks until `start` opens for reading. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ctx->fifo_path);
	if (ctx->fd_dir >= 0)
		snprintf(path, sizeof(path), "%d", ctx->fifo_path);
	ctx->fifo = openat(ctx->fd_dir >= 0 ? ctx->fd_dir : AT_FDCWD, path, O_WRONLY | O_CLOEXEC);
	if (ctx->fifo < 0) {
		vs_error_errno(&err, errno, "open exec fifo");
		exec_fail(ctx, &err);
	}
	close(ctx->fifo_path);
	if (ctx->fd_dir >= 0)
		close(ctx->fd_dir);
	if (vs_write_all(ctx->fifo, "0", 1) < 0)
		_exit(1);
	if (run_start_hooks(ctx, &err) < 0)
		exec_fail(ctx, &err);
	if (proc_apply_final_affinity(&ctx->proc, &err) < 0)
		exec_fail(ctx, &err);
	/* Last, so that execve is the one syscall a profile must allow (an
	 * allow-list without close_range, openat or write still starts). */
	if (spawn_seccomp_at_exec(ctx) && spawn_seccomp_load(ctx, &err) < 0)
		exec_fail(ctx, &err);
	proc_exec(&ctx->proc, &err);
	exec_fail(ctx, &err);
}

static int release_wait(int fifo, int pidfd, struct vs_error *err)
{
	struct pollfd p[2] = {{.fd = fifo, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
	for (;;) {
		int r = poll(p, 2, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return vs_error_errno(err, errno, "poll exec fifo");
		/* Data first: an init that wrote its error and exited must be
		 * reported with that error, not as "exited". */
		if (p[0].revents & (POLLIN | POLLHUP))
			return 0;
		if (p[1].revents)
			return vs_error_set(err, "container init exited before it was started");
	}
}

int spawn_release(const char *exec_fifo, int pidfd, struct vs_error *err)
{
	/* Non-blocking, so an init that is already dead cannot hang us in
	 * open(); the init's open(O_WRONLY) returns as soon as we are here. */
	_cleanup_close_ int fifo = open(exec_fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0)
		return vs_error_errno(err, errno, "open exec fifo %s", exec_fifo);
	if (release_wait(fifo, pidfd, err) < 0)
		return -1;
	int fl = fcntl(fifo, F_GETFL);
	if (fl < 0 || fcntl(fifo, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return vs_error_errno(err, errno, "exec fifo flags");
	/* Blocking reads until EOF: EOF comes when execve closes the init's
	 * CLOEXEC write end, or when it exits. */
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (vs_read_fd(fifo, 1 << 16, &buf, &len, err) < 0)
		return vs_error_wrap(err, "read exec fifo");
	if (len == 0)
		return vs_error_set(err, "container init exited before it was started");
	if (len > 1)
		return vs_error_set(err, "%s", buf + 1);
	return 0;
}

int spawn_proc_stat(pid_t pid, uint64_t *ret_start_time, char *ret_state, struct vs_error *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_free_ char *buf = NULL;
	if (vs_read_file(path, 4096, &buf, NULL, err) < 0)
		return -1;
	/* comm (field 2) may contain spaces and parentheses: parse after the
	 * last ')'. */
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return vs_error_set(err, "%s: unexpected format", path);
	char state = p[2];
	p += 2;
	/* p is at field 3; field 22 is 19 fields further. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return vs_error_set(err, "%s: unexpected format", path);
		p++;
	}
	unsigned long long st;
	if (sscanf(p, "%llu", &st) != 1)
		return vs_error_set(err, "%s: unexpected format", path);
	if (ret_start_time)
		*ret_start_time = st;
	if (ret_state)
		*ret_state = state;
	return 0;
}
