/* Id maps written by an unprivileged user.  The kernel lets a writer with
 * no CAP_SETUID/CAP_SETGID over the parent user namespace write one line
 * only, mapping its own effective id, and a gid map only once setgroups(2)
 * is denied in the new namespace (user_namespaces(7): otherwise dropping a
 * supplementary group could grant access a negative ACL denied).  Anything
 * wider (container root plus 65536 subordinate ids) needs newuidmap and
 * newgidmap from shadow's uidmap package: setuid helpers that write the map
 * after checking the ranges against /etc/subuid and /etc/subgid.
 *
 * The helpers, and the kernel for a map vessel writes itself, want a
 * /proc/PID that belongs to the caller, which holds only while PID is
 * dumpable.  The init must never be dumpable before its execve: in a
 * joined pid namespace a process of another container running as the same
 * host uid (a rootless pod's root) could then open /proc/<init>/root (the
 * host's / before pivot_root), cwd and fd, or ptrace it.  So the maps are
 * written through a stand-in: a child of vessel's, outside the container's
 * pid namespace, that joins the init's user namespace (by the fd the init
 * opened on its own /proc/self/ns/user; setns with the init's pidfd would
 * need ptrace access to the non-dumpable init) and only waits to be
 * killed.  A map written through any process of a user namespace is that
 * namespace's.  The stand-in is as dumpable as vessel itself, which the
 * same uid can ptrace anyway: it exposes nothing vessel does not. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "lib/weaken.h"
#include "runtime/ns/ns-internal.h"
#include "runtime/ns/ns.h"

extern char **environ;

static bool only_own_id(const struct oci_id_mapping *m, size_t n, uint32_t id)
{
	return n == 1 && m[0].size == 1 && m[0].host_id == id;
}

/* "newuidmap PID c h s c h s ..." as one line, for messages. */
static char *join_argv(char **argv)
{
	char *s = vs_strdup(argv[0]);
	for (size_t i = 1; argv[i]; i++) {
		char *next = vs_strdup_printf("%s %s", s, argv[i]);
		free(s);
		s = next;
	}
	return s;
}

static int run_helper(const char *helper, pid_t pid, const struct oci_id_mapping *m, size_t n,
		      struct vs_error *err)
{
	_cleanup_strv_ char **argv = NULL;
	vs_strv_push(&argv, helper);
	_cleanup_free_ char *p = vs_strdup_printf("%d", (int)pid);
	vs_strv_push(&argv, p);
	for (size_t i = 0; i < n; i++) {
		char buf[3][16];
		snprintf(buf[0], sizeof(buf[0]), "%u", m[i].container_id);
		snprintf(buf[1], sizeof(buf[1]), "%u", m[i].host_id);
		snprintf(buf[2], sizeof(buf[2]), "%u", m[i].size);
		for (int k = 0; k < 3; k++)
			vs_strv_push(&argv, buf[k]);
	}
	_cleanup_free_ char *line = join_argv(argv);
	pid_t child;
	int r = posix_spawnp(&child, helper, NULL, NULL, argv, environ);
	if (r == ENOENT)
		return vs_error_set(err,
				    "%s: not found in PATH; an unprivileged user needs it (Debian "
				    "package uidmap) for any map but one of its own id",
				    helper);
	if (r != 0)
		return vs_error_errno(err, r, "run %s", line);
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return vs_error_errno(err, errno, "wait for %s", helper);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return vs_error_set(err,
				    "%s failed (%s %d): the ranges must be the caller's own id or "
				    "in its entry of /etc/sub%cid",
				    line, WIFEXITED(status) ? "exit status" : "signal",
				    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
				    helper[3]);
	return 0;
}

static void standin_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The stand-in: joins the user namespace, reports (0 or an errno) on the
 * pipe, then waits to be killed. */
static int standin_start(int userns_fd, pid_t *ret_pid, struct vs_error *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return vs_error_errno(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return vs_error_errno(err, e, "fork");
	}
	if (pid == 0) {
		close(p[0]);
		int e = setns(userns_fd, CLONE_NEWUSER) < 0 ? errno : 0;
		if (write(p[1], &e, sizeof(e)) != sizeof(e) || e)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	int e = 0;
	ssize_t n;
	while ((n = read(p[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(p[0]);
	if (n != sizeof(e) || e) {
		standin_stop(pid);
		return vs_error_errno(err, n == sizeof(e) ? e : EPIPE,
				      "join the container's user namespace to write its maps");
	}
	*ret_pid = pid;
	return 0;
}

static int write_maps(pid_t pid, const struct oci_id_mapping *uids, size_t n_uids,
		      const struct oci_id_mapping *gids, size_t n_gids, struct vs_error *err)
{
	if (only_own_id(uids, n_uids, geteuid())) {
		_cleanup_free_ char *u = ns_format_id_map(uids, n_uids);
		if (ns_write_proc(pid, "uid_map", u, err) < 0)
			return vs_error_wrap(err, "linux.uidMappings");
	} else if (run_helper("newuidmap", pid, uids, n_uids, err) < 0)
		return vs_error_wrap(err, "linux.uidMappings");
	if (only_own_id(gids, n_gids, getegid())) {
		if (ns_write_proc(pid, "setgroups", "deny", err) < 0)
			return vs_error_wrap(err, "linux.gidMappings: an unprivileged gid map "
						  "needs setgroups denied");
		_cleanup_free_ char *g = ns_format_id_map(gids, n_gids);
		if (ns_write_proc(pid, "gid_map", g, err) < 0)
			return vs_error_wrap(err, "linux.gidMappings");
	} else if (run_helper("newgidmap", pid, gids, n_gids, err) < 0)
		return vs_error_wrap(err, "linux.gidMappings");
	return 0;
}

int ns_write_id_maps_rootless(pid_t pid, int userns_fd, const struct oci_id_mapping *uids,
			      size_t n_uids, const struct oci_id_mapping *gids, size_t n_gids,
			      struct vs_error *err)
{
	/* Weakened (tests/rootless/idmap-standin.bats): the init made itself
	 * dumpable and sent no fd; write through it, as before the stand-in. */
	if (userns_fd < 0 && vs_weakened("idmap-standin"))
		return write_maps(pid, uids, n_uids, gids, n_gids, err);
	if (userns_fd < 0)
		return vs_error_set(err, "internal: no user namespace fd for the id maps");
	pid_t standin = -1;
	if (standin_start(userns_fd, &standin, err) < 0)
		return -1;
	int r = write_maps(standin, uids, n_uids, gids, n_gids, err);
	standin_stop(standin);
	return r;
}
