/* Id maps written by an unprivileged user.  The kernel lets a writer with
 * no CAP_SETUID/CAP_SETGID over the parent user namespace write one line
 * only, mapping its own effective id, and a gid map only once setgroups(2)
 * is denied in the new namespace (user_namespaces(7): otherwise dropping a
 * supplementary group could grant access a negative ACL denied).  Anything
 * wider (container root plus 65536 subordinate ids) needs newuidmap and
 * newgidmap from shadow's uidmap package: setuid helpers that write the map
 * after checking the ranges against /etc/subuid and /etc/subgid.
 *
 * The helpers check that /proc/PID belongs to the caller, which holds only
 * while the target is dumpable: the init asks for its maps dumpable in
 * rootless mode (spawn/init.c step_idmap) and drops it again at once. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
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

int ns_write_id_maps_rootless(pid_t pid, const struct oci_id_mapping *uids, size_t n_uids,
			      const struct oci_id_mapping *gids, size_t n_gids,
			      struct vs_error *err)
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
