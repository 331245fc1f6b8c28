/* The attributes of a container process (OCI `process` and a few `linux`
 * fields), applied by the process itself just before it executes the user
 * program.  Used by the container init (runtime/spawn) and by `exec`
 * (runtime/exec): both call the same functions in the same order.
 *
 * Split so the child does no parsing: the parent calls proc_prepare() (name
 * lookups, cpu lists, capability names, sysctl checks) and hands the child a
 * struct proc_plan; the child calls the proc_apply_* functions.
 *
 * Order the child must follow (each step needs what the earlier ones kept;
 * runtime/spawn/init.c and runtime/exec/child.c name each step and say why
 * it sits where it does):
 *
 *   (born non-dumpable; every fd of vessel's closed but the few the stage
 *    names, before the first container path is resolved: CVE-2024-21626,
 *    CVE-2016-9962)
 *   proc_apply_sysctl()        as root, in the new namespaces, while /proc is
 *                              still writable (before masked/readonly paths)
 *   proc_make_cwd()            as root, in the container's root (runc creates
 *                              a missing cwd)
 *   proc_apply_attrs()         rlimits, oom_score_adj, ioprio, scheduler,
 *                              personality, memory policy, initial cpu affinity (root still:
 *                              some need CAP_SYS_NICE / CAP_SYS_RESOURCE)
 *   proc_caps_drop_bounding()  needs CAP_SETPCAP, so before the user switch
 *   proc_chdir_privileged()    as root (runc's order), then checked inside
 *                              the root
 *   proc_switch_user()         keep-caps, setgroups, setresgid, setresuid, umask
 *   proc_caps_apply()          permitted/effective/inheritable, then ambient;
 *                              plus caps_hold (CAP_SYS_ADMIN for the filter)
 *   proc_chdir()               as the user, only where root was refused;
 *                              checked inside the root
 *   proc_set_no_new_privs()
 *   proc_resolve_exe()         as the user, in the final root and cwd
 *   (exec FIFO, startContainer hooks)
 *   proc_apply_final_affinity()
 *   (seccomp: last, so a profile need allow nothing of vessel's; earlier
 *    only when a listener needs the init's sync socket)
 *   proc_exec() */
#ifndef VESSEL_RUNTIME_PROCESS_PROCESS_H
#define VESSEL_RUNTIME_PROCESS_PROCESS_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"
#include "oci/oci.h"

/* Capability sets as bit masks (bit N = capability N). */
struct proc_caps {
	bool set; /* process.capabilities present: apply (absent = keep all but
		   * the inheritable set, which is emptied) */
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

/* What the parent resolves for the child. */
struct proc_plan {
	const struct oci_process *process;
	struct proc_caps caps;
	/* Kept in the permitted and effective sets by proc_caps_apply until
	 * execve (which drops them: a program's sets come from inheritable,
	 * ambient and bounding): CAP_SYS_ADMIN, so that a seccomp filter
	 * without noNewPrivileges can still go on last.  Set by the caller. */
	uint64_t caps_hold;
	bool has_affinity_initial, has_affinity_final;
	cpu_set_t affinity_initial, affinity_final;
	unsigned long personality; /* (unsigned long)-1 = leave alone */
	/* linux.memoryPolicy: set_mempolicy(mpol_mode, mpol_nodes) */
	bool has_mempolicy;
	int mpol_mode; /* MPOL_* | MPOL_F_* */
	union {
		cpu_set_t mpol_nodes_set; /* parsed as a cpu list: same syntax */
		unsigned long mpol_nodes[CPU_SETSIZE / (8 * sizeof(unsigned long))];
	};
	char **env; /* process.env plus what vessel adds (LISTEN_FDS) */
	char *exe;  /* args[0] resolved in the container (proc_resolve_exe) */
	const struct oci_kv *sysctl;
	size_t n_sysctl;
};

/* Which namespaces the container has, for the sysctl check. */
struct proc_ns_info {
	bool ipc, net, uts;
	bool net_is_host; /* linux.namespaces network joins the host's */
};

/* Resolve and check everything (errors name the JSON path).  personality
 * and sysctl may be NULL/0. */
int proc_prepare(const struct oci_process *process, const struct oci_personality *personality,
		 const struct oci_kv *sysctl, size_t n_sysctl, const struct proc_ns_info *ns,
		 struct proc_plan *ret_plan, struct vs_error *err);
void proc_plan_clear(struct proc_plan *plan);
/* linux.memoryPolicy (may be NULL) into the plan; errors name the field. */
int proc_prepare_mempolicy(const struct oci_memory_policy *m, struct proc_plan *plan,
			   struct vs_error *err);

/* Pure helpers (unit-tested). */
int proc_cap_from_name(const char *name, int *ret_cap);
int proc_caps_parse(const struct oci_capabilities *c, struct proc_caps *ret, struct vs_error *err);
int proc_cpulist_parse(const char *list, cpu_set_t *ret, struct vs_error *err);
/* Only sysctls isolated by a namespace the container has are allowed. */
int proc_sysctl_check(const char *key, const struct proc_ns_info *ns, struct vs_error *err);
/* Search PATH (from env, default /usr/local/sbin:...:/bin) for file;
 * returns a malloc'd path or NULL with err set. */
char *proc_find_executable(const char *file, char *const *env, struct vs_error *err);

/* Open (or write) the procfs file /proc/REL, or /proc/self/REL when self,
 * making sure it is one: /proc must be a procfs root, the path may cross no
 * mount and follow no symlink (CVE-2025-52881). */
int proc_open_procfs(const char *rel, bool self, int flags, int *ret_fd, struct vs_error *err);
int proc_write_procfs(const char *rel, bool self, const char *value, struct vs_error *err);

/* Child side, in the order above. */
int proc_apply_sysctl(const struct proc_plan *plan, struct vs_error *err);
int proc_apply_attrs(const struct proc_plan *plan, struct vs_error *err);
/* set_mempolicy; part of proc_apply_attrs. */
int proc_apply_mempolicy(const struct proc_plan *plan, struct vs_error *err);
int proc_caps_drop_bounding(const struct proc_plan *plan, struct vs_error *err);
int proc_switch_user(const struct oci_user *user, struct vs_error *err);
int proc_caps_apply(const struct proc_plan *plan, struct vs_error *err);
int proc_make_cwd(const char *cwd, struct vs_error *err);
/* chdir to process.cwd ("/" when empty) as root, before the user switch
 * (runc's order: `exec --user 1000 --cwd /root` works); a cwd root may not
 * enter sets *ret_retry for proc_chdir() as the user.  Both refuse a cwd
 * outside the process's root (CVE-2024-21626). */
int proc_chdir_privileged(const char *cwd, bool *ret_retry, struct vs_error *err);
int proc_chdir(const char *cwd, struct vs_error *err);
int proc_set_no_new_privs(const struct oci_process *process, struct vs_error *err);
/* Close every fd from 3 + n_preserve up but the keep ones (sorted in
 * place), and let fds 3..3+n_preserve-1 cross execve.  Called before the
 * first container path is resolved, so no fd of vessel's can be reached
 * through /proc/self/fd (CVE-2024-21626). */
int proc_close_fds(int n_preserve, int *keep, size_t n_keep, struct vs_error *err);
/* Only the second half: clear FD_CLOEXEC on fds 3..3+n_preserve-1. */
int proc_pass_fds(int n_preserve, struct vs_error *err);
int proc_apply_final_affinity(const struct proc_plan *plan, struct vs_error *err);
/* Resolve args[0] in the container's PATH now (so a missing program fails
 * `create`, as with runc, not `start`). */
int proc_resolve_exe(struct proc_plan *plan, struct vs_error *err);
/* execve the resolved program (resolving it first if needed); returns only
 * on failure. */
int proc_exec(struct proc_plan *plan, struct vs_error *err);

#endif
