/* exec: run a new process inside a running container (`vessel exec`).
 *
 *   vessel exec (host)                  stage 1 "vessel:exec-join"   stage 2 "vessel:exec"
 *   ------------------                  -------------------------    ---------------------
 *   lookup + live status (running,
 *   or paused with --ignore-paused)
 *   pidfd of the init, checked against
 *   its recorded start time; O_PATH fd
 *   of its root (/proc/PID/root)
 *   build the process (config's process
 *   + flags, or --process FILE), resolve
 *   it (proc_prepare), compile the
 *   container's seccomp filter, connect
 *   the console socket
 *   clone3(CLONE_INTO_CGROUP) -------->  in the container's cgroup
 *                                       from birth (so is its child)
 *                                       setns(pidfd, every namespace
 *                                       the init does not share with
 *                                       us): one call, the kernel
 *                                       orders user ns first
 *                                       clone3(CLONE_PARENT) ---------> in the pid (and time) ns;
 *                                       sends its pid, _exit(0)         a child of vessel, so it
 *   <--- EXEC_MSG_PID ----------------                                  can be waited for
 *                                                                       chroot to the init's root
 *                                                                       when it is not the mount
 *                                                                       ns root (--no-pivot)
 *                                                                       pty: made here, master to
 *   <--- EXEC_MSG_PTY (fd) ------------------------------------------- vessel when no socket
 *                                                                       process attributes, user,
 *                                                                       caps, cwd, nnp, seccomp
 *   <--- EXEC_MSG_ERROR or EOF (the CLOEXEC socket closed by execve) -- execve
 *   --detach: write --pid-file, return 0
 *   else term_foreground_wait(): signals forwarded, pty proxied, exit code
 *
 * Nothing is left behind on failure: stage 2 is killed and reaped, stage 1
 * is reaped, fds are closed. */
#ifndef VESSEL_RUNTIME_EXEC_EXEC_H
#define VESSEL_RUNTIME_EXEC_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "oci/oci.h"

/* The flags that change the container's process when --process is not
 * given (runc's rules: args replace, env is appended (a later K wins),
 * --cap adds to bounding/effective/permitted (and ambient when the base has
 * an inheritable set), terminal is false unless --tty). */
struct exec_overrides {
	char **args;		/* required: the command */
	char **env;		/* -e K=V ... */
	const char *cwd;	/* --cwd */
	const char *user;	/* --user UID[:GID] */
	char **additional_gids; /* --additional-gids G ... (numbers) */
	char **caps;		/* --cap CAP ... */
	bool no_new_privs;	/* --no-new-privs given: set it */
	const char *apparmor;	/* --apparmor */
	const char *label;	/* --process-label */
	bool tty;		/* -t */
};

struct exec_request {
	const char *root; /* --root state directory */
	const char *id;
	const char *process_file; /* --process FILE: replaces overrides */
	struct exec_overrides ov;
	const char *console_socket; /* --console-socket */
	const char *pidfd_socket;   /* --pidfd-socket */
	bool detach;		    /* -d */
	const char *pid_file;	    /* --pid-file */
	int preserve_fds;	    /* --preserve-fds N */
	bool ignore_paused;	    /* --ignore-paused */
	char **cgroups;		    /* --cgroup: see cg_select_sub() */
};

/* Run it.  Foreground: *ret_code is the process's exit code (128+N when
 * killed by signal N).  Detached: 0 once the process runs. */
int exec_container(const struct exec_request *req, int *ret_code, struct vs_error *err);

/* Apply the overrides to base (the container's config process, owned and
 * modified).  Pure; unit-tested.  Errors name the flag. */
int exec_apply_overrides(struct oci_process *base, const struct exec_overrides *ov,
			 struct vs_error *err);

#endif
