#include "runtime/hooks/hooks.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

enum hooks_policy hooks_default_policy(enum oci_hook_kind kind)
{
	return kind == OCI_HOOK_POSTSTART || kind == OCI_HOOK_POSTSTOP ? HOOKS_WARN : HOOKS_FAIL;
}

/* stdin is a pipe filled before the fork: the hook sees data then EOF, as
 * with runc, and vessel never blocks on (or gets SIGPIPE from) a hook that
 * does not read.  The pipe grows to fit when the JSON is large. */
static int stdin_pipe(const char *json, int *ret_fd, struct vs_error *err)
{
	int p[2];
	size_t len = json ? strlen(json) : 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return vs_error_errno(err, errno, "pipe");
	_cleanup_close_ int rd = p[0], wr = p[1];
	if (len > 4096 && len < INT_MAX) {
		int cap = fcntl(wr, F_GETPIPE_SZ);
		if (cap >= 0 && (size_t)cap < len && fcntl(wr, F_SETPIPE_SZ, (int)len) < 0)
			return vs_error_errno(err, errno,
					      "state JSON of %zu bytes does not fit a pipe", len);
	}
	if (len > 0 && vs_write_all(wr, json, len) < 0)
		return vs_error_errno(err, errno, "write state to pipe");
	*ret_fd = TAKE_FD(rd);
	return 0;
}

static void child_reset_signals(void)
{
	sigset_t all;
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	for (int s = 1; s < NSIG; s++)
		(void)sigaction(s, &dfl, NULL);
	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);
}

/* In the forked child: only async-signal-safe calls; an exec failure is
 * reported as an errno on errfd (close-on-exec, so EOF means exec worked).
 * stderr is out_fd, a pipe vessel copies to its own stderr and keeps the
 * tail of for the error message; stdout is vessel's stderr. */
static __attribute__((noreturn)) void child_exec(const struct oci_hook *hook,
						 const struct hooks_opts *o, int in_fd, int out_fd,
						 int errfd)
{
	const char *cwd = o ? o->cwd : NULL;
	static char *const empty_env[] = {NULL};
	char *default_argv[] = {hook->path, NULL};
	char *const *argv = hook->args && hook->args[0] ? hook->args : default_argv;
	char *const *envp = hook->env ? hook->env : empty_env;
	int e[2] = {0, 0}; /* {1 for chdir, 2 for pre_exec, 0 for exec; errno} */

	child_reset_signals();
	if (cwd && chdir(cwd) < 0) {
		e[0] = 1;
		goto fail;
	}
	if (dup2(in_fd, 0) < 0 || dup2(2, 1) < 0 || dup2(out_fd, 2) < 0)
		goto fail;
	/* Whatever vessel inherited without CLOEXEC (a shim's fds, preserved
	 * fds) is not the hook's business. */
	(void)syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
	if (o && o->pre_exec && o->pre_exec(o->pre_exec_arg) < 0) {
		e[0] = 2;
		goto fail;
	}
	execve(hook->path, argv, envp);
fail:
	e[1] = errno;
	(void)!write(errfd, e, sizeof(e));
	_exit(127);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the hook wrote on stderr: copied to vessel's stderr as it comes (a
 * hook's messages were always visible there) and its last bytes kept for
 * the error message, as runc puts a failed hook's stderr in its error. */
struct hook_stderr {
	int fd; /* read end, O_NONBLOCK */
	char tail[1024];
	size_t len;
};

static void drain_stderr(struct hook_stderr *e)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(e->fd, buf, sizeof(buf))) > 0) {
		(void)vs_write_all(2, buf, (size_t)n);
		size_t k = (size_t)n;
		if (k >= sizeof(e->tail)) {
			memcpy(e->tail, buf + k - sizeof(e->tail), sizeof(e->tail));
			e->len = sizeof(e->tail);
			continue;
		}
		size_t keep = e->len + k > sizeof(e->tail) ? sizeof(e->tail) - k : e->len;
		memmove(e->tail, e->tail + e->len - keep, keep);
		memcpy(e->tail + keep, buf, k);
		e->len = keep + k;
	}
}

/* Wait for pid (whose pidfd is given) for at most timeout_s seconds (<= 0:
 * forever), copying its stderr meanwhile.  Returns 0 with the wait status,
 * 1 on timeout (the hook is killed and reaped), -1 on error. */
static int wait_hook(pid_t pid, int pidfd, int timeout_s, struct hook_stderr *e, int *ret_status,
		     struct vs_error *err)
{
	int64_t deadline = timeout_s > 0 ? now_ms() + (int64_t)timeout_s * 1000 : -1;
	int timed_out = 0;
	for (;;) {
		int left = -1;
		if (deadline >= 0) {
			int64_t d = deadline - now_ms();
			left = d < 0 ? 0 : (int)d;
		}
		struct pollfd pfd[2] = {{.fd = pidfd, .events = POLLIN},
					{.fd = e->fd, .events = POLLIN}};
		/* After EOF (the hook closed its stderr) only the pidfd. */
		int r = poll(pfd, e->fd >= 0 ? 2 : 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return vs_error_errno(err, errno, "poll hook pidfd");
		if (r > 0 && !(pfd[0].revents & POLLIN)) {
			drain_stderr(e);
			if (pfd[1].revents & POLLHUP)
				e->fd = -1; /* still owned and closed by the caller */
			continue;
		}
		if (r == 0) {
			(void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			timed_out = 1;
		}
		break;
	}
	while (waitpid(pid, ret_status, 0) < 0) {
		if (errno != EINTR)
			return vs_error_errno(err, errno, "wait for hook (pid %d)", (int)pid);
	}
	/* What is already in the pipe; a child the hook left behind may hold
	 * it open, so never wait for EOF. */
	if (e->fd >= 0)
		drain_stderr(e);
	return timed_out;
}

static int describe_status(int status, struct vs_error *err)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return vs_error_set(err, "exited with status %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status)) {
		/* The name too: "SIGSYS" says "seccomp" where 31 does not. */
		const char *abbrev = sigabbrev_np(WTERMSIG(status));
		const char *desc = strsignal(WTERMSIG(status));
		/* Lower-case as every vessel message ("bad system call"). */
		char lower[64];
		snprintf(lower, sizeof(lower), "%s", desc ? desc : "?");
		lower[0] = (char)tolower((unsigned char)lower[0]);
		return vs_error_set(err, "killed by signal %d (SIG%s: %s)", WTERMSIG(status),
				    abbrev ? abbrev : "?", lower);
	}
	return vs_error_set(err, "ended with wait status 0x%x", status);
}

/* ", stderr: <its last line(s)>" when the failed hook wrote any. */
static void append_stderr(const struct hook_stderr *e, struct vs_error *err)
{
	size_t n = e->len;
	while (n > 0 && (e->tail[n - 1] == '\n' || e->tail[n - 1] == ' '))
		n--;
	if (n == 0)
		return;
	_cleanup_free_ char *text = vs_strdup_printf("%.*s", (int)n, e->tail);
	for (char *c = text; *c; c++)
		if (*c == '\n')
			*c = ' ';
	_cleanup_free_ char *msg = vs_strdup_printf("%s, stderr: %s", err->msg, text);
	vs_error_set_raw(err, err->errnum, msg);
}

/* fork, exec, wait: the unlabeled part of hooks_run_one. */
static int spawn_and_wait(const struct oci_hook *hook, const struct hooks_opts *o,
			  const char *state_json, struct vs_error *err)
{
	_cleanup_close_ int in_fd = -1, err_rd = -1, err_wr = -1, pidfd = -1;
	_cleanup_close_ int out_rd = -1, out_wr = -1;
	int p[2], status = 0, child_errno[2] = {0, 0};
	if (stdin_pipe(state_json, &in_fd, err) < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return vs_error_errno(err, errno, "pipe");
	err_rd = p[0];
	err_wr = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		return vs_error_errno(err, errno, "pipe");
	out_rd = p[0];
	out_wr = p[1];
	(void)fcntl(out_rd, F_SETFL, O_NONBLOCK);
	pid_t pid = fork();
	if (pid < 0)
		return vs_error_errno(err, errno, "fork");
	if (pid == 0)
		child_exec(hook, o, in_fd, out_wr, err_wr);
	close(TAKE_FD(err_wr));
	close(TAKE_FD(out_wr));
	struct hook_stderr out = {.fd = out_rd};
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	ssize_t n;
	do
		n = read(err_rd, child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	if (pidfd < 0) {
		/* Cannot time it: kill rather than run unsupervised. */
		int e = errno;
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return vs_error_errno(err, e, "pidfd_open");
	}
	int r =
	    wait_hook(pid, pidfd, hook->timeout.set ? hook->timeout.value : 0, &out, &status, err);
	if (r < 0)
		return -1;
	if (n == (ssize_t)sizeof(child_errno) && child_errno[0] == 1)
		return vs_error_errno(err, child_errno[1], "chdir %s", o->cwd);
	if (n == (ssize_t)sizeof(child_errno) && child_errno[0] == 2)
		return vs_error_errno(err, child_errno[1], "%s", o->pre_exec_what);
	if (n == (ssize_t)sizeof(child_errno))
		return vs_error_errno(err, child_errno[1], "exec");
	if (r == 1)
		r = vs_error_set(err, "timed out after %d s", (int)hook->timeout.value);
	else
		r = describe_status(status, err);
	if (r < 0)
		append_stderr(&out, err);
	return r;
}

static int run_one_in(enum oci_hook_kind kind, size_t index, const struct oci_hook *hook,
		      const struct hooks_opts *o, const char *state_json, struct vs_error *err)
{
	const char *name = oci_hook_kind_name(kind);
	if (!hook->path || hook->path[0] != '/')
		return vs_error_set(err, "%s hook #%zu: path \"%s\" is not absolute", name, index,
				    hook->path ? hook->path : "");
	if (hook->timeout.set && hook->timeout.value <= 0)
		return vs_error_set(err, "%s hook #%zu %s: timeout must be positive, got %d", name,
				    index, hook->path, (int)hook->timeout.value);
	vs_log_debug("running %s hook #%zu %s", name, index, hook->path);
	/* "error running hook": the words runc's users (and its tests) look
	 * for in a failed hook's message. */
	if (spawn_and_wait(hook, o, state_json, err) < 0)
		return vs_error_wrap(err, "error running hook: %s hook #%zu %s", name, index,
				     hook->path);
	return 0;
}

int hooks_run_one(enum oci_hook_kind kind, size_t index, const struct oci_hook *hook,
		  const char *state_json, struct vs_error *err)
{
	return run_one_in(kind, index, hook, NULL, state_json, err);
}

int hooks_run(enum oci_hook_kind kind, const struct oci_hook_list *list, const char *state_json,
	      enum hooks_policy policy, struct vs_error *err)
{
	return hooks_run_in(kind, list, state_json, policy, NULL, err);
}

int hooks_run_in(enum oci_hook_kind kind, const struct oci_hook_list *list, const char *state_json,
		 enum hooks_policy policy, const char *cwd, struct vs_error *err)
{
	struct hooks_opts o = {.cwd = cwd};
	return hooks_run_opts(kind, list, state_json, policy, &o, err);
}

int hooks_run_opts(enum oci_hook_kind kind, const struct oci_hook_list *list,
		   const char *state_json, enum hooks_policy policy, const struct hooks_opts *o,
		   struct vs_error *err)
{
	if (!list)
		return 0;
	for (size_t i = 0; i < list->n; i++) {
		struct vs_error herr = VS_ERROR_INIT;
		if (run_one_in(kind, i, &list->hooks[i], o, state_json, &herr) == 0)
			continue;
		if (policy == HOOKS_FAIL) {
			vs_error_set_raw(err, herr.errnum, herr.msg);
			vs_error_clear(&herr);
			return -1;
		}
		vs_log_warn("%s", herr.msg);
		vs_error_clear(&herr);
	}
	return 0;
}
