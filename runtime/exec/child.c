/* Stage 2 of exec: inside every namespace and the cgroup of the container,
 * become its process and execve.  One ordered step list, as the init's
 * (runtime/process/process.h gives the order and why).  It is born
 * non-dumpable and holding none of vessel's fds but the few stage 1 kept
 * (join.c, stage1_shed): the container can see it from its first
 * instruction. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/sanitize.h"
#include "lib/cleanup.h"
#include "lib/util.h"
#include "lib/weaken.h"
#include "runtime/exec/exec.h"
#include "runtime/exec/exec-internal.h"
#include "runtime/terminal/terminal.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* setns(CLONE_NEWNS) put us at the mount namespace's root; the init may be
 * chrooted below it (--no-pivot).  Chroot only then: a chrooted process
 * may not create user namespaces, which nested runtimes need. */
static int step_root(struct exec_ctx *ctx, struct vs_error *err)
{
	struct stat want, cur;
	if (fstat(ctx->init_root, &want) < 0 || stat("/", &cur) < 0)
		return vs_error_errno(err, errno, "stat root");
	if (want.st_dev != cur.st_dev || want.st_ino != cur.st_ino) {
		if (fchdir(ctx->init_root) < 0 || chroot(".") < 0)
			return vs_error_errno(err, errno, "chroot to the init's root");
	}
	if (chdir("/") < 0)
		return vs_error_errno(err, errno, "chdir /");
	close(TAKE_FD(ctx->init_root));
	close(TAKE_FD(ctx->init_pidfd));
	return 0;
}

static int step_tty(struct exec_ctx *ctx, struct vs_error *err)
{
	const struct oci_process *p = ctx->process;
	if (!p->terminal)
		return 0;
	struct term_pty pty = TERM_PTY_INIT;
	if (term_pty_open("/dev/ptmx", p->console_size, &pty, err) < 0)
		return -1;
	int r;
	if (ctx->console >= 0) {
		r = term_send_fd(ctx->console, pty.master, pty.slave_name, strlen(pty.slave_name),
				 err);
	} else {
		struct exec_msg m = {.type = EXEC_MSG_PTY};
		r = term_send_fd(ctx->sock[1], pty.master, &m, sizeof(m), err);
	}
	if (r == 0)
		r = term_pty_make_stdio(pty.slave, p->user.uid, err);
	if (pty.slave <= 2)
		pty.slave = -1; /* it is stdio now */
	term_pty_close(&pty);
	vs_closep(&ctx->console);
	ctx->console = -1;
	return r;
}

/* The container's /proc: checked to be procfs, with no mount or symlink of
 * the container's making on the way (CVE-2025-52881). */
static int write_attr(const char *rel, const char *fallback, const char *value,
		      struct vs_error *err)
{
	struct vs_error e = VS_ERROR_INIT;
	if (proc_write_procfs(rel, true, value, &e) == 0)
		return 0;
	if (!fallback || e.errnum != ENOENT) {
		vs_error_set_raw(err, e.errnum, e.msg);
		vs_error_clear(&e);
		return -1;
	}
	vs_error_clear(&e);
	return proc_write_procfs(fallback, true, value, err);
}

/* Labels apply at execve (attr/exec), so their place here only matters for
 * /proc access: before the user switch. */
static int step_labels(struct exec_ctx *ctx, struct vs_error *err)
{
	const struct oci_process *p = ctx->process;
	if (p->apparmor_profile && p->apparmor_profile[0]) {
		_cleanup_free_ char *v = vs_strdup_printf("exec %s", p->apparmor_profile);
		if (write_attr("attr/apparmor/exec", "attr/exec", v, err) < 0)
			return vs_error_wrap(err, "apparmor profile %s", p->apparmor_profile);
	}
	if (p->selinux_label && p->selinux_label[0] &&
	    write_attr("attr/exec", NULL, p->selinux_label, err) < 0)
		return vs_error_wrap(err, "selinux label %s", p->selinux_label);
	return 0;
}

static int step_attrs(struct exec_ctx *ctx, struct vs_error *err)
{
	return proc_apply_attrs(&ctx->proc, err);
}

static int load_seccomp(struct exec_ctx *ctx, struct vs_error *err)
{
	int nfd = -1;
	if (sc_load(ctx->seccomp, &nfd, err) < 0)
		return -1;
	if (nfd < 0)
		return 0;
	_cleanup_close_ __attribute__((unused)) int owned = nfd;
	struct exec_msg m = {.type = EXEC_MSG_SECCOMP};
	if (term_send_fd(ctx->sock[1], nfd, &m, sizeof(m), err) < 0)
		return -1;
	/* A NOTIFY syscall before the listener holds the fd would block. */
	ssize_t n = recv(ctx->sock[1], &m, sizeof(m), 0);
	if (n != (ssize_t)sizeof(m) || m.type != EXEC_MSG_ACK)
		return vs_error_set(err, "no ack for the seccomp notify fd");
	return 0;
}

/* The last step: after it only execve (and, if that fails, the report of
 * it), so a profile need not allow anything of vessel's.  Without
 * noNewPrivileges the kernel wants CAP_SYS_ADMIN for it: "capabilities"
 * kept it (proc_plan.caps_hold), execve drops it. */
static int step_seccomp(struct exec_ctx *ctx, struct vs_error *err)
{
	return load_seccomp(ctx, err);
}

static int step_bounding(struct exec_ctx *ctx, struct vs_error *err)
{
	return proc_caps_drop_bounding(&ctx->proc, err);
}

static int step_user(struct exec_ctx *ctx, struct vs_error *err)
{
	return proc_switch_user(&ctx->process->user, err);
}

static int step_caps(struct exec_ctx *ctx, struct vs_error *err)
{
	return proc_caps_apply(&ctx->proc, err);
}

/* As root, before the user switch (runc's order): `exec --user 1000 --cwd
 * /root` works; a cwd root cannot enter is retried as the user. */
static int step_chdir(struct exec_ctx *ctx, struct vs_error *err)
{
	return proc_chdir_privileged(ctx->process->cwd, &ctx->chdir_as_user, err);
}

static int step_chdir_user(struct exec_ctx *ctx, struct vs_error *err)
{
	return ctx->chdir_as_user ? proc_chdir(ctx->process->cwd, err) : 0;
}

static int step_nnp(struct exec_ctx *ctx, struct vs_error *err)
{
	return proc_set_no_new_privs(ctx->process, err);
}

/* As the user, in the final root and cwd (what execve will see), and
 * before the late filter: a profile need not allow stat or access. */
static int step_executable(struct exec_ctx *ctx, struct vs_error *err)
{
	return proc_resolve_exe(&ctx->proc, err);
}

/* The process outlives vessel (exec -d): no parent death signal.  Before
 * the late seccomp load, like every other syscall of vessel's. */
static int step_affinity(struct exec_ctx *ctx, struct vs_error *err)
{
	if (prctl(PR_SET_PDEATHSIG, 0) < 0)
		return vs_error_errno(err, errno, "clear parent death signal");
	return proc_apply_final_affinity(&ctx->proc, err);
}

struct exec_step {
	const char *name;
	int (*fn)(struct exec_ctx *ctx, struct vs_error *err);
};

/* root first: the init's root, and the last fds of vessel's closed, before
 * any path of the container is resolved.  The chdir brackets the user
 * switch (as root first, as the user where root could not); the seccomp
 * load follows everything that is vessel's. */
static const struct exec_step steps[] = {
    {"root", step_root},
    {"tty", step_tty},
    {"labels", step_labels},
    {"attributes", step_attrs},
    {"bounding set", step_bounding},
    {"chdir", step_chdir},
    {"user", step_user},
    {"capabilities", step_caps},
    {"chdir as user", step_chdir_user},
    {"no_new_privs", step_nnp},
    {"executable", step_executable},
    {"affinity", step_affinity},
    {"seccomp", step_seccomp},
};

void exec_stage2(struct exec_ctx *ctx)
{
	struct vs_error err = VS_ERROR_INIT;
	sigset_t none;
	prctl(PR_SET_NAME, "vessel:exec");
	vs_sanitizer_child();
	vs_sanitizer_selftest("exec");
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Inherited from stage 1 already; repeated so the rule is visible
	 * where the process runs.  Only execve turns it back on. */
	if (!vs_weakened("dumpable"))
		prctl(PR_SET_DUMPABLE, 0);
	/* vessel blocked the signals it forwards; ours must be a clean slate. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	exec_child_log(ctx->sock[1], "exec stage 2: in the container's pid namespace, running "
				     "its steps (runc: child process in init())");
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		/* The last line before the filter, which may deny send. */
		if (steps[i].fn == step_seccomp)
			exec_child_log(ctx->sock[1], "exec stage 2: about to load the seccomp "
						     "filter and execve (runc: setns_init: "
						     "about to exec)");
		if (steps[i].fn(ctx, &err) < 0) {
			vs_error_wrap(&err, "exec step %s", steps[i].name);
			exec_child_fail(ctx->sock[1], &err);
		}
	}
	proc_exec(&ctx->proc, &err);
	vs_error_wrap(&err, "exec step execve");
	exec_child_fail(ctx->sock[1], &err);
}
