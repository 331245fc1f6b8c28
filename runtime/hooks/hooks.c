#include "runtime/hooks/hooks.h"

#include <errno.h>
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
 * reported as an errno on errfd (close-on-exec, so EOF means exec worked). */
static __attribute__((noreturn)) void child_exec(const struct oci_hook *hook, int in_fd, int errfd)
{
	static char *const empty_env[] = {NULL};
	char *default_argv[] = {hook->path, NULL};
	char *const *argv = hook->args && hook->args[0] ? hook->args : default_argv;
	char *const *envp = hook->env ? hook->env : empty_env;
	int e;

	child_reset_signals();
	if (dup2(in_fd, 0) < 0 || dup2(2, 1) < 0)
		goto fail;
	/* Whatever vessel inherited without CLOEXEC (a shim's fds, preserved
	 * fds) is not the hook's business. */
	(void)syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(hook->path, argv, envp);
fail:
	e = errno;
	(void)!write(errfd, &e, sizeof(e));
	_exit(127);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for pid (whose pidfd is given) for at most timeout_s seconds (<= 0:
 * forever).  Returns 0 with the wait status, 1 on timeout (the hook is
 * killed and reaped), -1 on error. */
static int wait_hook(pid_t pid, int pidfd, int timeout_s, int *ret_status, struct vs_error *err)
{
	int64_t deadline = timeout_s > 0 ? now_ms() + (int64_t)timeout_s * 1000 : -1;
	int timed_out = 0;
	for (;;) {
		int left = -1;
		if (deadline >= 0) {
			int64_t d = deadline - now_ms();
			left = d < 0 ? 0 : (int)d;
		}
		struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
		int r = poll(&pfd, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return vs_error_errno(err, errno, "poll hook pidfd");
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
	return timed_out;
}

static int describe_status(int status, struct vs_error *err)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return vs_error_set(err, "exited with status %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return vs_error_set(err, "killed by signal %d (%s)", WTERMSIG(status),
				    strsignal(WTERMSIG(status)));
	return vs_error_set(err, "ended with wait status 0x%x", status);
}

/* fork, exec, wait: the unlabeled part of hooks_run_one. */
static int spawn_and_wait(const struct oci_hook *hook, const char *state_json, struct vs_error *err)
{
	_cleanup_close_ int in_fd = -1, err_rd = -1, err_wr = -1, pidfd = -1;
	int p[2], status = 0, child_errno = 0;
	if (stdin_pipe(state_json, &in_fd, err) < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return vs_error_errno(err, errno, "pipe");
	err_rd = p[0];
	err_wr = p[1];
	pid_t pid = fork();
	if (pid < 0)
		return vs_error_errno(err, errno, "fork");
	if (pid == 0)
		child_exec(hook, in_fd, err_wr);
	close(TAKE_FD(err_wr));
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	ssize_t n;
	do
		n = read(err_rd, &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	if (pidfd < 0) {
		/* Cannot time it: kill rather than run unsupervised. */
		int e = errno;
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return vs_error_errno(err, e, "pidfd_open");
	}
	int r = wait_hook(pid, pidfd, hook->timeout.set ? hook->timeout.value : 0, &status, err);
	if (r < 0)
		return -1;
	if (n == (ssize_t)sizeof(child_errno))
		return vs_error_errno(err, child_errno, "exec");
	if (r == 1)
		return vs_error_set(err, "timed out after %d s", (int)hook->timeout.value);
	return describe_status(status, err);
}

int hooks_run_one(enum oci_hook_kind kind, size_t index, const struct oci_hook *hook,
		  const char *state_json, struct vs_error *err)
{
	const char *name = oci_hook_kind_name(kind);
	if (!hook->path || hook->path[0] != '/')
		return vs_error_set(err, "%s hook #%zu: path \"%s\" is not absolute", name, index,
				    hook->path ? hook->path : "");
	if (hook->timeout.set && hook->timeout.value <= 0)
		return vs_error_set(err, "%s hook #%zu %s: timeout must be positive, got %d", name,
				    index, hook->path, (int)hook->timeout.value);
	if (spawn_and_wait(hook, state_json, err) < 0)
		return vs_error_wrap(err, "%s hook #%zu %s", name, index, hook->path);
	return 0;
}

int hooks_run(enum oci_hook_kind kind, const struct oci_hook_list *list, const char *state_json,
	      enum hooks_policy policy, struct vs_error *err)
{
	if (!list)
		return 0;
	for (size_t i = 0; i < list->n; i++) {
		struct vs_error herr = VS_ERROR_INIT;
		if (hooks_run_one(kind, i, &list->hooks[i], state_json, &herr) == 0)
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
