/* `vessel exec`: resolve everything in vessel, spawn through the stages in
 * join.c/child.c, then wait (or return when detached). */
#include "runtime/exec/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/exec/exec-internal.h"
#include "runtime/pidfdsock/pidfdsock.h"
#include "runtime/terminal/terminal.h"

static int load_process_file(const char *path, struct oci_process **ret, struct vs_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	if (vs_read_file(path, 0, &buf, &len, err) < 0)
		return vs_error_wrap(err, "--process");
	if (oci_process_parse(buf, len, path, ret, err) < 0)
		return vs_error_wrap(err, "--process");
	return 0;
}

/* runc only checks the LSM when a label is asked for; so do we, and an
 * unusable one is an error rather than silently ignored. */
static int check_labels(const struct oci_process *p, struct vs_error *err)
{
	if (p->apparmor_profile && p->apparmor_profile[0]) {
		_cleanup_free_ char *on = NULL;
		struct vs_error e = VS_ERROR_INIT;
		int r = vs_read_file("/sys/module/apparmor/parameters/enabled", 16, &on, NULL, &e);
		vs_error_clear(&e);
		if (r < 0 || on[0] != 'Y')
			return vs_error_set(err,
					    "apparmor profile \"%s\" requested but AppArmor is "
					    "not enabled on this host",
					    p->apparmor_profile);
	}
	if (p->selinux_label && p->selinux_label[0] && access("/sys/fs/selinux/enforce", F_OK) < 0)
		return vs_error_set(err,
				    "selinux label \"%s\" requested but SELinux is not enabled "
				    "on this host",
				    p->selinux_label);
	return 0;
}

static bool overrides_given(const struct exec_overrides *ov)
{
	return ov->args || ov->env || ov->cwd || ov->user || ov->additional_gids || ov->caps ||
	       ov->no_new_privs || ov->apparmor || ov->label;
}

static int build_process(struct exec_ctx *ctx, struct vs_error *err)
{
	const struct exec_request *r = ctx->req;
	if (r->process_file) {
		if (overrides_given(&r->ov))
			return vs_error_set(err, "--process describes the whole process: command, "
						 "--env, --cwd, --user, --additional-gids, --cap, "
						 "--no-new-privs, --apparmor and --process-label "
						 "cannot be combined with it");
		if (load_process_file(r->process_file, &ctx->process, err) < 0)
			return -1;
		/* No "user": the container's (moved; the config is ours). */
		if (!ctx->process->user_given && ctx->config->process) {
			ctx->process->user = ctx->config->process->user;
			memset(&ctx->config->process->user, 0, sizeof(struct oci_user));
		}
		/* conmon passes --tty along with a process that has terminal set;
		 * both ways ask for a tty. */
		ctx->process->terminal = ctx->process->terminal || r->ov.tty;
	} else {
		if (!ctx->config->process)
			return vs_error_set(
			    err, "the container's config has no process to base exec on");
		ctx->process = TAKE_PTR(ctx->config->process);
		if (exec_apply_overrides(ctx->process, &r->ov, err) < 0)
			return -1;
	}
	if (!ctx->process->args || !ctx->process->args[0])
		return vs_error_set(err, "process.args must not be empty");
	if (term_check_flags(ctx->process->terminal, r->detach, r->console_socket, err) < 0)
		return -1;
	/* Proxied pty: our terminal's size from the start (the process may
	 * look before the proxy runs). */
	struct oci_console_size sz;
	if (ctx->process->terminal && !r->console_socket && term_stdin_size(&sz)) {
		free(ctx->process->console_size);
		ctx->process->console_size = vs_malloc0(sizeof(sz));
		*ctx->process->console_size = sz;
	}
	if (check_labels(ctx->process, err) < 0)
		return -1;
	const struct oci_linux *l = ctx->config->lnx;
	struct proc_ns_info ns = {0};
	if (proc_prepare(ctx->process, l ? l->personality : NULL, NULL, 0, &ns, &ctx->proc, err) <
	    0)
		return -1;
	ctx->has_proc = true;
	if (l && proc_prepare_mempolicy(l->memory_policy, &ctx->proc, err) < 0)
		return -1;
	return 0;
}

static int prepare(struct exec_ctx *ctx, struct vs_error *err)
{
	const struct exec_request *r = ctx->req;
	if (r->preserve_fds < 0)
		return vs_error_set(err, "--preserve-fds: must not be negative");
	for (int fd = 3; fd < 3 + r->preserve_fds; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			return vs_error_set(err, "--preserve-fds %d: fd %d is not open",
					    r->preserve_fds, fd);
	if (exec_open_target(ctx, err) < 0 || build_process(ctx, err) < 0)
		return -1;
	const struct oci_linux *l = ctx->config->lnx;
	_cleanup_free_ char *sc_cache = ct_cache_dir(r->root, "seccomp");
	if (sc_compile_cached(l ? l->seccomp : NULL, sc_cache, &ctx->seccomp, err) < 0)
		return vs_error_wrap(err, "the container's seccomp profile");
	/* Loaded last, after the capabilities are dropped (child.c): without
	 * noNewPrivileges that needs CAP_SYS_ADMIN, held until execve. */
	if (ctx->seccomp && !ctx->process->no_new_privileges)
		ctx->proc.caps_hold = 1ULL << CAP_SYS_ADMIN;
	const char *lpath = sc_filter_listener_path(ctx->seccomp);
	if (lpath && sc_listener_connect(lpath, &ctx->listener, err) < 0)
		return -1;
	if (r->console_socket &&
	    term_console_socket_connect(r->console_socket, &ctx->console, err) < 0)
		return -1;
	if (r->pidfd_socket && pfd_socket_connect(r->pidfd_socket, &ctx->pidfd_sock, err) < 0)
		return -1;
	/* Before any child exists: a signal sent to vessel from here on is
	 * forwarded by term_foreground_wait, not fatal to vessel. */
	if (!r->detach && term_signals_block(err) < 0)
		return -1;
	return 0;
}

static int write_pid_file(const char *path, pid_t pid, struct vs_error *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (vs_write_file_atomic(path, buf, (size_t)n, 0644, err) < 0)
		return vs_error_wrap(err, "--pid-file");
	return 0;
}

static void ctx_clear(struct exec_ctx *ctx)
{
	if (ctx->pid > 0) { /* failed after the process existed: kill, reap */
		if (ctx->pidfd >= 0)
			(void)syscall(SYS_pidfd_send_signal, ctx->pidfd, SIGKILL, NULL, 0);
		while (waitpid(ctx->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	int *fds[] = {&ctx->init_pidfd, &ctx->init_root, &ctx->console, &ctx->pidfd_sock,
		      &ctx->listener,	&ctx->sock[0],	 &ctx->sock[1], &ctx->pidfd,
		      &ctx->master,	&ctx->notify_fd};
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		vs_closep(fds[i]);
	if (ctx->has_proc)
		proc_plan_clear(&ctx->proc);
	oci_process_free(ctx->process);
	sc_filter_free(ctx->seccomp);
	cg_handle_free(ctx->cgroup);
	oci_config_free(ctx->config);
	ct_free(ctx->ct);
}

static int run(struct exec_ctx *ctx, int *ret_code, struct vs_error *err)
{
	const struct exec_request *r = ctx->req;
	if (prepare(ctx, err) < 0)
		return -1;
	/* Everything exec needs from the state is read and the init pinned by
	 * its pidfd: unlock before the spawn, which waits on the container (a
	 * paused one, with --ignore-paused, until resume: which needs the
	 * lock). */
	ct_unlock(ctx->ct);
	vs_log_debug("exec %s: joining init pid %d", r->id, (int)ctx->ct->state->pid);
	if (exec_spawn(ctx, err) < 0)
		return -1;
	vs_log_debug("exec %s: process pid %d runs", r->id, (int)ctx->pid);
	if (ctx->pidfd_sock >= 0 &&
	    pfd_socket_send(ctx->pidfd_sock, ctx->pidfd, PFD_KIND_EXEC, err) < 0)
		return -1;
	close(ctx->pidfd_sock);
	ctx->pidfd_sock = -1;
	if (r->pid_file && write_pid_file(r->pid_file, ctx->pid, err) < 0)
		return -1;
	if (r->detach) {
		*ret_code = 0;
		ctx->pid = 0; /* it lives on without us */
		return 0;
	}
	struct term_wait_opts o = {.pid = ctx->pid, .pidfd = ctx->pidfd, .master = ctx->master};
	if (term_foreground_wait(&o, ret_code, err) < 0)
		return -1;
	ctx->pid = 0; /* reaped */
	return 0;
}

int exec_container(const struct exec_request *req, int *ret_code, struct vs_error *err)
{
	struct exec_ctx ctx = {
	    .req = req,
	    .init_pidfd = -1,
	    .init_root = -1,
	    .console = -1,
	    .pidfd_sock = -1,
	    .listener = -1,
	    .sock = {-1, -1},
	    .pidfd = -1,
	    .master = -1,
	    .notify_fd = -1,
	};
	int r = run(&ctx, ret_code, err);
	ctx_clear(&ctx);
	return r;
}
