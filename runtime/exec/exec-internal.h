/* What the stages of `exec` share (see the diagram in exec.h). */
#ifndef VESSEL_RUNTIME_EXEC_INTERNAL_H
#define VESSEL_RUNTIME_EXEC_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/oci.h"
#include "oci/state.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/container/container.h"
#include "runtime/process/process.h"
#include "runtime/seccomp/seccomp.h"

/* Messages from the stages to vessel over a SOCK_SEQPACKET socketpair: one
 * fixed-size packet each; EXEC_MSG_PTY carries the master (SCM_RIGHTS).
 * Success is EOF: stage 2's end is close-on-exec, so the execve closes it. */
enum exec_msg_type {
	EXEC_MSG_PID = 1, /* stage 1: stage 2's pid (host pid namespace) */
	EXEC_MSG_PTY,	  /* stage 2: the pty master, no console socket */
	EXEC_MSG_SECCOMP, /* stage 2: the seccomp notify fd; waits for the ack */
	EXEC_MSG_ACK,	  /* vessel -> stage 2: the notify fd reached the listener */
	EXEC_MSG_ERROR,	  /* either stage: errnum + text, then _exit */
	EXEC_MSG_LOG,	  /* either stage, with --debug only: a debug line (text) */
};

struct exec_msg {
	int type;
	int errnum;
	int pid;
	char text[2048];
};

struct exec_ctx {
	const struct exec_request *req;
	struct ct_container *ct; /* unlocked once the process runs */
	struct oci_config *config;
	struct oci_process *process; /* the process to run (owned) */
	struct proc_plan proc;
	bool has_proc;
	struct sc_filter *seccomp;
	struct cg_handle *cgroup;
	int init_pidfd; /* the container's init, verified */
	int init_root;	/* O_PATH of /proc/<init>/root */
	int ns_flags;	/* CLONE_NEW* the init does not share with vessel */
	int console;	/* connected --console-socket, -1 */
	int pidfd_sock; /* connected --pidfd-socket, -1 */
	int listener;	/* connected seccomp listenerPath, -1 */
	int sock[2];	/* [0] vessel, [1] the stages */
	pid_t stage1;
	pid_t pid; /* stage 2 = the exec'd process */
	int pidfd;
	int master;	    /* pty master sent back, -1 */
	int notify_fd;	    /* seccomp notify fd waiting for stage 2's pid, -1 */
	bool chdir_as_user; /* stage 2: root could not enter the cwd */
};

/* join.c: with --debug, a debug line for vessel to log (the stages hold
 * no log fd: stage 1 sheds it, see stage1_shed).  Never after the seccomp
 * load: the profile may deny send. */
void exec_child_log(int sock, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* join.c: stage 1 and the clones; on return ctx->pid/pidfd are set and
 * stage 1 is reaped. */
int exec_spawn(struct exec_ctx *ctx, struct vs_error *err);
/* child.c: stage 2, never returns. */
__attribute__((noreturn)) void exec_stage2(struct exec_ctx *ctx);
/* Send an error to vessel and _exit(1). */
__attribute__((noreturn)) void exec_child_fail(int sock, struct vs_error *err);

/* target.c: find the container, check its status, open its init. */
int exec_open_target(struct exec_ctx *ctx, struct vs_error *err);

#endif
