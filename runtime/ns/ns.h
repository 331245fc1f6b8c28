/* Linux namespaces of a container: which ones the clone creates, which ones
 * the init joins by path, the user namespace id maps and the time namespace
 * offsets.
 *
 * Who does what, and why:
 *
 *   parent, before clone         ns_plan_build(): checks the list, opens every
 *                                `path` (in the host mount namespace, where the
 *                                paths mean something) and checks its type
 *                                with NS_GET_NSTYPE, so a wrong path fails
 *                                before anything exists.
 *   parent, around clone         a joined pid namespace is entered with
 *                                ns_pid_enter() before clone3 and left with
 *                                ns_pid_leave() after: setns(CLONE_NEWPID) only
 *                                affects children, so the init must be born
 *                                into it.
 *   clone3                       plan.clone_flags: user, pid, mount, net, uts,
 *                                ipc (the kernel creates the user namespace
 *                                first and makes it own the others).
 *   child                        ns_join(): setns() the joined ones, user first
 *                                (it decides the privileges for the others),
 *                                mount last; then ns_unshare_late().
 *   child                        ns_unshare_late(): with a joined user
 *                                namespace, every new one but pid is
 *                                unshared after the setns (so the joined
 *                                namespace owns them; a new pid namespace
 *                                then needs a fork: fork_for_pid).  Cgroup and time are
 *                                always unshared by the child, not cloned:
 *                                 - cgroup: a cgroup namespace is rooted at the
 *                                   creator's cgroup at creation time, and
 *                                   clone3 creates namespaces before
 *                                   CLONE_INTO_CGROUP moves the child, so a
 *                                   cloned one would be rooted at vessel's
 *                                   cgroup, not the container's.
 *                                 - time: offsets can only be written before a
 *                                   process enters the namespace; a cloned child
 *                                   is in it from birth.  unshare(CLONE_NEWTIME)
 *                                   makes it the namespace for the init's
 *                                   children only, the parent writes the
 *                                   offsets, then ns_enter_time() moves the
 *                                   init itself in (setns on time_for_children).
 *   parent                       ns_write_id_maps() / ns_write_time_offsets()
 *                                while the child waits. */
#ifndef VESSEL_RUNTIME_NS_NS_H
#define VESSEL_RUNTIME_NS_NS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/oci.h"

struct ns_plan {
	uint64_t clone_flags;	    /* CLONE_NEW* for clone3 */
	int unshare_flags;	    /* CLONE_NEWCGROUP / CLONE_NEWTIME, by the child */
	int join_fds[OCI_NS_COUNT]; /* fds of namespaces to join, -1 = none */
	bool has[OCI_NS_COUNT];	    /* the config lists this type (new or joined) */
	bool new_user;		    /* a new user namespace: maps must be written */
	bool new_time;		    /* a new time namespace: offsets must be written */
	/* New pid namespace in a joined user namespace: the child unshares it
	 * and forks; the grandchild is the init (see ns_unshare_late). */
	bool fork_for_pid;
	/* vessel runs with euid != 0: the maps may go through newuidmap and
	 * newgidmap, which need the init dumpable while they run. */
	bool rootless;
};

/* Build the plan; joined paths are opened O_CLOEXEC and type-checked. */
int ns_plan_build(const struct oci_namespace *nss, size_t n, struct ns_plan *ret_plan,
		  struct vs_error *err);
void ns_plan_clear(struct ns_plan *plan);

/* CLONE_NEW* flag of a type, and the reverse (0 / -1 when unknown). */
int ns_clone_flag(enum oci_ns_type type);

/* Check that fd is a namespace of `type` (NS_GET_NSTYPE). */
int ns_check_type(int fd, enum oci_ns_type type, const char *path, struct vs_error *err);

/* Parent side of a joined pid namespace; *ret_saved is the fd to restore. */
int ns_pid_enter(const struct ns_plan *plan, int *ret_saved, struct vs_error *err);
void ns_pid_leave(int saved);

/* Child side. */
int ns_join(const struct ns_plan *plan, struct vs_error *err);
int ns_unshare_late(const struct ns_plan *plan, struct vs_error *err);
/* The time namespace, unshared last: after any fork_for_pid fork, since a
 * forked child would enter it at once and freeze its offsets unwritten. */
int ns_unshare_time(const struct ns_plan *plan, struct vs_error *err);
int ns_enter_time(struct vs_error *err);

/* Parent side: /proc/PID/{uid_map,gid_map} and /proc/PID/timens_offsets.
 * userns_fd: the init's user namespace (its /proc/self/ns/user, sent with
 * SYNC_IDMAP_REQ), needed when vessel is unprivileged (see
 * idmap-rootless.c); -1 otherwise. */
int ns_write_id_maps(pid_t pid, int userns_fd, const struct oci_id_mapping *uids, size_t n_uids,
		     const struct oci_id_mapping *gids, size_t n_gids, struct vs_error *err);
int ns_write_time_offsets(pid_t pid, const struct oci_time_offset *monotonic,
			  const struct oci_time_offset *boottime, struct vs_error *err);

/* Format a map for /proc/PID/uid_map ("0 100000 65536\n" per entry). */
char *ns_format_id_map(const struct oci_id_mapping *m, size_t n);

#endif
