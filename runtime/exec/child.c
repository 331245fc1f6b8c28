/* Stage 2 of exec: inside every namespace and the cgroup of the container,
 * become its process and execve.  One ordered step list, as the init's
 * (runtime/process/process.h gives the order and why). */
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

static int write_attr(const char *path, const char *fallback, const char *value,
		      struct vs_error *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && fallback)
		fd = open(path = fallback, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || vs_write_all(fd, value, strlen(value)) < 0)
		return vs_error_errno(err, errno, "write %s", path);
	return 0;
}

/* Labels apply at execve (attr/exec), so their place here only matters for
 * /proc access: before the user switch. */
static int step_labels(struct exec_ctx *ctx, struct vs_error *err)
{
	const struct oci_process *p = ctx->process;
	if (p->apparmor_profile && p->apparmor_profile[0]) {
		_cleanup_free_ char *v = vs_strdup_printf("exec %s", p->apparmor_profile);
		if (write_attr("/proc/self/attr/apparmor/exec", "/proc/self/attr/exec", v, err) < 0)
			return vs_error_wrap(err, "apparmor profile %s", p->apparmor_profile);
	}
	if (p->selinux_label && p->selinux_label[0] &&
	    write_attr("/proc/self/attr/exec", NULL, p->selinux_label, err) < 0)
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

/* Without no_new_privs the kernel wants CAP_SYS_ADMIN to load a filter:
 * load it while we are still root; with it, as late as possible. */
static int step_seccomp_early(struct exec_ctx *ctx, struct vs_error *err)
{
	return ctx->process->no_new_privileges ? 0 : load_seccomp(ctx, err);
}

static int step_seccomp_late(struct exec_ctx *ctx, struct vs_error *err)
{
	return ctx->process->no_new_privileges ? load_seccomp(ctx, err) : 0;
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

static int step_cwd(struct exec_ctx *ctx, struct vs_error *err)
{
	return proc_chdir(ctx->process->cwd, err);
}

static int step_nnp(struct exec_ctx *ctx, struct vs_error *err)
{
	return proc_set_no_new_privs(ctx->process, err);
}

/* --preserve-fds N: 3..3+N-1 pass; anything else vessel inherited without
 * CLOEXEC must not reach the process.  Marked, not closed: the sync socket
 * still has to report an execve failure. */
static int step_fds(struct exec_ctx *ctx, struct vs_error *err)
{
	int n = ctx->req->preserve_fds;
	for (int fd = 3; fd < 3 + n; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
			return vs_error_errno(err, errno, "preserve fd %d", fd);
	}
	if (syscall(SYS_close_range, 3U + (unsigned)n, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return vs_error_errno(err, errno, "close_range");
	return 0;
}

static int step_affinity(struct exec_ctx *ctx, struct vs_error *err)
{
	return proc_apply_final_affinity(&ctx->proc, err);
}

struct exec_step {
	const char *name;
	int (*fn)(struct exec_ctx *ctx, struct vs_error *err);
};

static const struct exec_step steps[] = {
    {"root", step_root},
    {"tty", step_tty},
    {"labels", step_labels},
    {"attributes", step_attrs},
    {"seccomp", step_seccomp_early},
    {"bounding set", step_bounding},
    {"user", step_user},
    {"capabilities", step_caps},
    {"cwd", step_cwd},
    {"no_new_privs", step_nnp},
    {"seccomp", step_seccomp_late},
    {"fds", step_fds},
    {"affinity", step_affinity},
};

void exec_stage2(struct exec_ctx *ctx)
{
	struct vs_error err = VS_ERROR_INIT;
	sigset_t none;
	prctl(PR_SET_NAME, "vessel:exec");
	vs_sanitizer_child();
	vs_sanitizer_selftest("exec");
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* vessel blocked the signals it forwards; ours must be a clean slate. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		if (steps[i].fn(ctx, &err) < 0) {
			vs_error_wrap(&err, "exec step %s", steps[i].name);
			exec_child_fail(ctx->sock[1], &err);
		}
	}
	prctl(PR_SET_PDEATHSIG, 0);
	proc_exec(&ctx->proc, &err);
	vs_error_wrap(&err, "exec step execve");
	exec_child_fail(ctx->sock[1], &err);
}
