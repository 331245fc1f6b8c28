/* What the parent stage (parent.c) and the init stage (init.c, exec.c) of the
 * spawn share: one context, filled by the parent before the clone and read
 * by the init after it (the clone copies it). */
#ifndef VESSEL_RUNTIME_SPAWN_INTERNAL_H
#define VESSEL_RUNTIME_SPAWN_INTERNAL_H

#include "runtime/cgroup/cgroup.h"
#include "runtime/ns/ns.h"
#include "runtime/process/process.h"
#include "runtime/rootfs/rootfs.h"
#include "runtime/seccomp/seccomp.h"
#include "runtime/spawn/spawn.h"
#include "runtime/spawn/sync-internal.h"

struct spawn_ctx {
	const struct spawn_config *cfg;
	const struct oci_config *c;

	/* parent stage: resolved before the clone */
	struct ns_plan ns;
	struct proc_plan proc;
	struct rootfs_plan *rootfs;
	struct sc_filter *seccomp;
	int seccomp_listener; /* connected to listenerPath, -1 = none */
	int console;	      /* connected --console-socket, -1 = none */
	int fifo_path;	      /* O_PATH fd of the exec FIFO */
	int fd_dir;	      /* no mount ns: the init's /proc/self/fd, else -1 */
	int n_preserve;	      /* fds 3..3+n-1 pass to the user process */
	struct cg_handle *cgroup;
	int sock_parent, sock_child;
	pid_t pid;
	uint64_t start_time; /* of pid, read once it is final (report_started) */
	int pidfd;

	/* init stage */
	char *state_creating; /* state JSON for createContainer hooks */
	char *state_created;  /* ... and for startContainer hooks */
	int fifo;	      /* write end of the exec FIFO, once opened */
	bool chdir_as_user;   /* root could not enter process.cwd: retry */
	int pty_master;	      /* parent: the master sent back, else -1 */
};

/* The init's entry point right after clone3 returned 0; never returns. */
__attribute__((noreturn)) void spawn_init_main(struct spawn_ctx *ctx);

/* The init's last stage, after SYNC_READY: wait on the exec FIFO, run the
 * startContainer hooks, execve.  Never returns. */
__attribute__((noreturn)) void spawn_exec_stage(struct spawn_ctx *ctx);

/* Load the seccomp filter (handing a notify fd to the parent).  Where:
 * right before execve (spawn_seccomp_at_exec), unless a listener needs the
 * sync socket (then just before "ready").  Without noNewPrivileges the
 * init holds CAP_SYS_ADMIN until then (proc_plan.caps_hold). */
int spawn_seccomp_load(struct spawn_ctx *ctx, struct vs_error *err);
bool spawn_seccomp_at_exec(const struct spawn_ctx *ctx);

/* One named step of a stage; a failure reads "<stage> step <name>: ...". */
struct spawn_step {
	const char *name;
	int (*fn)(struct spawn_ctx *ctx, struct vs_error *err);
};

int spawn_run_steps(const char *stage, const struct spawn_step *steps, size_t n,
		    struct spawn_ctx *ctx, struct vs_error *err);

#endif
