/* The user switch, cwd and execve of a container process. */
#include "runtime/process/process.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "lib/weaken.h"

int proc_switch_user(const struct oci_user *user, struct vs_error *err)
{
	/* Keep the permitted set across setresuid to a non-zero uid; the
	 * capabilities step sets the final sets and clears keep-caps. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return vs_error_errno(err, errno, "set keep-caps");
	gid_t *groups = NULL;
	if (user->n_additional_gids)
		groups = (gid_t *)user->additional_gids;
	/* setgroups is refused in a user namespace whose setgroups file says
	 * "deny"; with no extra groups that is not an error worth failing on. */
	if (setgroups(user->n_additional_gids, groups) < 0 &&
	    !(errno == EPERM && user->n_additional_gids == 0))
		return vs_error_errno(err, errno, "process.user.additionalGids: setgroups");
	if (setresgid(user->gid, user->gid, user->gid) < 0)
		return vs_error_errno(err, errno, "process.user.gid: setresgid %u", user->gid);
	if (setresuid(user->uid, user->uid, user->uid) < 0)
		return vs_error_errno(err, errno, "process.user.uid: setresuid %u", user->uid);
	if (user->umask.set)
		umask((mode_t)user->umask.value & 0777);
	return 0;
}

int proc_make_cwd(const char *cwd, struct vs_error *err)
{
	struct stat st;
	if (!cwd || !cwd[0] || stat(cwd, &st) == 0)
		return 0;
	if (errno != ENOENT)
		return vs_error_errno(err, errno, "process.cwd: stat %s", cwd);
	if (vs_mkdir_p(cwd, 0755, err) < 0)
		return vs_error_wrap(err, "process.cwd");
	return 0;
}

/* A cwd reached through a magic link (/proc/self/fd/N of an fd to a host
 * directory, CVE-2024-21626) is outside the process's root: the kernel's
 * d_path then reports "(unreachable)/...", which getcwd(3) turns into
 * ENOENT.  Checked after whichever chdir sticks, so no cwd that walks out of
 * the container reaches the user process, whatever fd let it out. */
static int check_cwd(const char *cwd, struct vs_error *err)
{
	char buf[PATH_MAX];
	if (vs_weakened("cwd"))
		return 0;
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return vs_error_set(err,
				    "process.cwd: %s is outside the container's root "
				    "(possible breakout: refusing it)",
				    cwd);
	return 0;
}

static const char *cwd_or_root(const char *cwd)
{
	return cwd && cwd[0] ? cwd : "/";
}

int proc_chdir_privileged(const char *cwd, bool *ret_retry, struct vs_error *err)
{
	cwd = cwd_or_root(cwd);
	*ret_retry = false;
	if (chdir(cwd) == 0)
		return check_cwd(cwd, err);
	/* runc's order: a cwd root may not enter (root-squashed NFS, a
	 * directory only the user can search) gets a second try as the user. */
	if (errno == EACCES || errno == EPERM) {
		*ret_retry = true;
		return 0;
	}
	return vs_error_errno(err, errno, "process.cwd: chdir %s", cwd);
}

int proc_chdir(const char *cwd, struct vs_error *err)
{
	cwd = cwd_or_root(cwd);
	if (chdir(cwd) < 0)
		return vs_error_errno(err, errno, "process.cwd: chdir %s", cwd);
	return check_cwd(cwd, err);
}

static void sort_fds(int *fds, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			int t = fds[j];
			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
}

int proc_close_fds(int n_preserve, int *keep, size_t n_keep, struct vs_error *err)
{
	unsigned lo = 3U + (unsigned)n_preserve;
	sort_fds(keep, n_keep);
	for (size_t i = 0; i < n_keep; i++) {
		if (keep[i] < 0 || (unsigned)keep[i] < lo)
			continue;
		if ((unsigned)keep[i] > lo && syscall(SYS_close_range, lo, keep[i] - 1, 0) < 0)
			return vs_error_errno(err, errno, "close_range");
		lo = (unsigned)keep[i] + 1;
	}
	if (syscall(SYS_close_range, lo, ~0U, 0) < 0)
		return vs_error_errno(err, errno, "close_range");
	return proc_pass_fds(n_preserve, err);
}

int proc_pass_fds(int n_preserve, struct vs_error *err)
{
	for (int fd = 3; fd < 3 + n_preserve; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
			return vs_error_errno(err, errno, "preserved fd %d", fd);
	}
	return 0;
}

int proc_set_no_new_privs(const struct oci_process *process, struct vs_error *err)
{
	if (!process->no_new_privileges)
		return 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return vs_error_errno(err, errno, "process.noNewPrivileges: prctl");
	return 0;
}

static const char *env_get(char *const *env, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], key, kl) == 0 && env[i][kl] == '=')
			return env[i] + kl + 1;
	return NULL;
}

static bool is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* "...: no such file or directory": runc's (Go's) lower-case errno text.
 * Docker maps a create error to exit 127 or 126 only when it contains "no
 * such file or directory" or "permission denied", case-sensitively. */
static void __attribute__((format(printf, 3, 4)))
exe_error(struct vs_error *err, int errnum, const char *fmt, ...)
{
	_cleanup_free_ char *what = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	_cleanup_free_ char *msg = vs_strdup_printf("%s: %s", what ? what : fmt, strerror(errnum));
	char *text = msg + strlen(msg) - strlen(strerror(errnum));
	*text = (char)tolower((unsigned char)*text);
	vs_error_set_raw(err, errnum, msg);
}

char *proc_find_executable(const char *file, char *const *env, struct vs_error *err)
{
	if (!file || !file[0]) {
		vs_error_set(err, "process.args[0] is empty");
		return NULL;
	}
	if (strchr(file, '/')) {
		/* runc's wording: podman and docker map "no such file" to exit
		 * 127 and "permission denied" to 126, but only from create. */
		struct stat st;
		if (stat(file, &st) < 0) {
			exe_error(err, errno, "exec \"%s\": stat %s", file, file);
			return NULL;
		}
		if (!S_ISREG(st.st_mode) || access(file, X_OK) < 0) {
			exe_error(err, EACCES, "exec \"%s\"", file);
			return NULL;
		}
		return vs_strdup(file);
	}
	const char *path = env_get(env, "PATH");
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	_cleanup_free_ char *copy = vs_strdup(path);
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *cand = vs_strdup_printf("%s/%s", dir[0] ? dir : ".", file);
		if (is_executable(cand))
			return TAKE_PTR(cand);
	}
	exe_error(err, ENOENT, "exec \"%s\": executable file not found in $PATH", file);
	return NULL;
}

int proc_resolve_exe(struct proc_plan *plan, struct vs_error *err)
{
	free(plan->exe);
	plan->exe = proc_find_executable(plan->process->args[0], plan->env, err);
	return plan->exe ? 0 : -1;
}

int proc_exec(struct proc_plan *plan, struct vs_error *err)
{
	if (!plan->exe && proc_resolve_exe(plan, err) < 0)
		return -1;
	execve(plan->exe, plan->process->args, plan->env);
	return vs_error_errno(err, errno, "exec %s", plan->exe);
}
