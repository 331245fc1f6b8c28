/* Stage 1 of exec (join the container) and vessel's side of the
 * handshake; see the diagram in exec.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/sanitize.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/weaken.h"
#include "runtime/exec/exec.h"
#include "runtime/exec/exec-internal.h"
#include "runtime/terminal/terminal.h"

static pid_t clone3_flags(uint64_t flags, int cgroup_fd)
{
	/* clone3 refuses an exit_signal with CLONE_PARENT: the child then
	 * inherits ours (SIGCHLD), which is what vessel waits on. */
	struct clone_args args = {.flags = flags,
				  .exit_signal = flags & CLONE_PARENT ? 0 : SIGCHLD};
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

void exec_child_fail(int sock, struct vs_error *err)
{
	struct exec_msg m = {.type = EXEC_MSG_ERROR, .errnum = err->errnum};
	snprintf(m.text, sizeof(m.text), "%s", err->msg ? err->msg : "unknown error");
	(void)!send(sock, &m, sizeof(m), MSG_NOSIGNAL);
	_exit(1);
}

void exec_child_log(int sock, const char *fmt, ...)
{
	if (!vs_log_debug_enabled())
		return;
	struct exec_msg m = {.type = EXEC_MSG_LOG};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m.text, sizeof(m.text), fmt, ap);
	va_end(ap);
	(void)!send(sock, &m, sizeof(m), MSG_NOSIGNAL);
}

/* Stage 1 is in the host's pid namespace, out of the container's sight;
 * stage 2, its clone, is born in the container's.  So stage 1 gives up,
 * before it joins anything, all that stage 2 must not hold
 * (CVE-2024-21626, CVE-2016-9962):
 *  - dumpable: off, and stage 2 is born so (the flag is copied with the
 *    mm), until its execve;
 *  - fds: all but stdio, --preserve-fds and what stage 2 uses, none of
 *    which leads anywhere on the host through /proc/PID/fd:
 *      sock[1]     a socket (cannot be a cwd or a path prefix, reopening it
 *                  fails); close-on-exec, the process never sees it;
 *      init_pidfd  an anon inode (pidfd), same; stage 2 closes it first;
 *      init_root   the container's own root: walking up from it stops at
 *                  the root of whoever walks; stage 2 closes it first;
 *      console     the --console-socket connection, a socket; closed
 *                  once the pty is sent.
 *    Gone: the state-dir lock, the cgroup directory, the seccomp listener
 *    socket, the log file and anything vessel's caller leaked to it. */
static int stage1_shed(struct exec_ctx *ctx, struct vs_error *err)
{
	if (!vs_weakened("dumpable") && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return vs_error_errno(err, errno, "set non-dumpable");
	if (vs_weakened("fds"))
		return proc_pass_fds(ctx->req->preserve_fds, err);
	int keep[] = {ctx->sock[1], ctx->init_pidfd, ctx->init_root, ctx->console,
		      vs_sanitizer_fd()};
	vs_log_close();
	return proc_close_fds(ctx->req->preserve_fds, keep, ARRAY_SIZE(keep), err);
}

static __attribute__((noreturn)) void stage1(struct exec_ctx *ctx)
{
	struct vs_error err = VS_ERROR_INIT;
	int sock = ctx->sock[1];
	prctl(PR_SET_NAME, "vessel:execjoin");
	vs_sanitizer_child(); /* before the setns: see lib/sanitize.h */
	close(ctx->sock[0]);
	/* Before the setns: the v1 hierarchies are the host's mounts.  Stage
	 * 2 inherits them (clone3 put us in the cgroup2 cgroup already). */
	if (cg_v1_join(ctx->cgroup, getpid(), &err) < 0)
		exec_child_fail(sock, &err);
	if (stage1_shed(ctx, &err) < 0) {
		vs_error_wrap(&err, "exec step fds");
		exec_child_fail(sock, &err);
	}
	/* One setns with the pidfd: the kernel joins the user namespace first
	 * and checks every other one against it, all or nothing. */
	if (ctx->ns_flags && setns(ctx->init_pidfd, ctx->ns_flags) < 0) {
		vs_error_errno(&err, errno, "join the namespaces of the container's init");
		exec_child_fail(sock, &err);
	}
	exec_child_log(sock, "exec stage 1: joined the namespaces of the container's init "
			     "(runc: nsexec container setup)");
	/* CLONE_PARENT: stage 2 becomes vessel's child, so vessel can wait
	 * for it; it inherits our cgroup, and is born into the container's
	 * pid (and time) namespace, which setns only gives to children. */
	pid_t pid = clone3_flags(CLONE_PARENT, -1);
	if (pid < 0) {
		vs_error_errno(&err, errno, "clone into the container's pid namespace");
		exec_child_fail(sock, &err);
	}
	if (pid == 0)
		exec_stage2(ctx);
	struct exec_msg m = {.type = EXEC_MSG_PID, .pid = pid};
	_exit(send(sock, &m, sizeof(m), MSG_NOSIGNAL) == sizeof(m) ? 0 : 1);
}

static int recv_msg(int sock, struct exec_msg *m, int *ret_fd, struct vs_error *err)
{
	char buf[sizeof(*m)];
	size_t len = 0;
	*ret_fd = -1;
	/* term_recv_fd wants an fd; a packet without one is read the same way. */
	ssize_t n = recv(sock, buf, sizeof(buf), MSG_PEEK);
	if (n < 0)
		return vs_error_errno(err, errno, "read from exec child");
	if (n == 0)
		return 0;
	memcpy(m, buf, (size_t)n < sizeof(*m) ? (size_t)n : sizeof(*m));
	if (m->type == EXEC_MSG_PTY || m->type == EXEC_MSG_SECCOMP) {
		if (term_recv_fd(sock, ret_fd, m, sizeof(*m), &len, err) < 0)
			return -1;
	} else if (recv(sock, m, sizeof(*m), 0) < 0) {
		return vs_error_errno(err, errno, "read from exec child");
	}
	m->text[sizeof(m->text) - 1] = '\0';
	return 1;
}

static int send_to_listener(struct exec_ctx *ctx, int notify_fd, struct vs_error *err)
{
	const struct oci_state *st = ctx->ct->state;
	struct sc_listener_state ls = {
	    .id = st->id,
	    .status = OCI_STATUS_RUNNING,
	    .pid = ctx->pid,
	    .bundle = st->bundle,
	    .annotations = st->annotations,
	    .n_annotations = st->n_annotations,
	    .metadata = sc_filter_listener_metadata(ctx->seccomp),
	};
	_cleanup_free_ char *payload = sc_listener_payload(&ls);
	if (sc_send_listener(ctx->listener, notify_fd, payload, err) < 0)
		return vs_error_wrap(err, "seccomp listener");
	/* EOF tells the agent the state is complete. */
	close(TAKE_FD(ctx->listener));
	struct exec_msg ack = {.type = EXEC_MSG_ACK};
	if (send(ctx->sock[0], &ack, sizeof(ack), MSG_NOSIGNAL) < 0)
		return vs_error_errno(err, errno, "ack seccomp fd");
	return 0;
}

static int on_msg(struct exec_ctx *ctx, struct exec_msg *m, int fd, struct vs_error *err)
{
	_cleanup_close_ int owned = fd;
	switch (m->type) {
	case EXEC_MSG_PID:
		ctx->pid = m->pid;
		ctx->pidfd = (int)syscall(SYS_pidfd_open, ctx->pid, 0);
		if (ctx->pidfd < 0)
			return vs_error_errno(err, errno, "pidfd_open %d", (int)ctx->pid);
		if (ctx->notify_fd < 0)
			return 0;
		owned = TAKE_FD(ctx->notify_fd);
		return send_to_listener(ctx, owned, err);
	case EXEC_MSG_PTY:
		ctx->master = TAKE_FD(owned);
		return 0;
	case EXEC_MSG_SECCOMP:
		/* Stage 2 may get here before stage 1 told us its pid, which the
		 * agent must be given: hold the fd until then. */
		if (ctx->pid <= 0) {
			ctx->notify_fd = TAKE_FD(owned);
			return 0;
		}
		return send_to_listener(ctx, fd, err);
	case EXEC_MSG_ERROR:
		return vs_error_set_raw(err, m->errnum, m->text);
	case EXEC_MSG_LOG:
		vs_log_debug("%s", m->text);
		return 0;
	default:
		return vs_error_set(err, "unexpected message %d from exec child", m->type);
	}
}

static void reap_stage1(struct exec_ctx *ctx, struct vs_error *err)
{
	int status;
	if (ctx->stage1 <= 0)
		return;
	while (waitpid(ctx->stage1, &status, 0) < 0 && errno == EINTR)
		;
	ctx->stage1 = 0;
	if (!vs_error_failed(err) && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		vs_error_set(err, "exec join stage failed (wait status 0x%x)", status);
}

int exec_spawn(struct exec_ctx *ctx, struct vs_error *err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctx->sock) < 0)
		return vs_error_errno(err, errno, "socketpair");
	ctx->stage1 = clone3_flags(0, cg_handle_fd(ctx->cgroup));
	if (ctx->stage1 < 0)
		return vs_error_errno(err, errno, "clone3 into the container's cgroup");
	if (ctx->stage1 == 0)
		stage1(ctx);
	close(TAKE_FD(ctx->sock[1]));
	/* Read to EOF even after a failure, so stage 2's pid is known and it
	 * can be reaped: after an error it is killed, so EOF comes. */
	for (;;) {
		struct exec_msg m;
		int fd;
		if (recv_msg(ctx->sock[0], &m, &fd, err) <= 0)
			break;
		if (!vs_error_failed(err))
			on_msg(ctx, &m, fd, err);
		else if (m.type == EXEC_MSG_PID)
			on_msg(ctx, &m, fd, &(struct vs_error)VS_ERROR_INIT);
		else if (fd >= 0)
			close(fd);
		if (vs_error_failed(err) && ctx->pidfd >= 0)
			(void)syscall(SYS_pidfd_send_signal, ctx->pidfd, SIGKILL, NULL, 0);
	}
	reap_stage1(ctx, err);
	if (!vs_error_failed(err) && ctx->pid <= 0)
		vs_error_set(err, "exec join stage exited without starting the process");
	return vs_error_failed(err) ? -1 : 0;
}
