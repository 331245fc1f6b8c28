/* The spawn of a container's init: the parent stage (resolve everything,
 * create the cgroup, clone3) and the init stage (apply, in one ordered step
 * list in runtime/spawn/init.c), talking over the protocol drawn in
 * sync-internal.h.
 *
 * spawn_init() returns once the init has reported SYNC_READY: it is then
 * blocked opening the exec FIFO, fully set up, with no fd of vessel's but
 * what the container keeps.  Any failure before that kills the init, removes
 * the cgroup and leaves nothing behind; the error is the init's own message
 * ("init step rootfs: mount /proc: Operation not permitted").
 *
 * The exec FIFO, after create:
 *
 *   start (spawn_release)                     init
 *   ---------------------                     ----
 *                                             open(fifo, O_WRONLY) blocks
 *   open(fifo, O_RDONLY|O_NONBLOCK)  ------>  open returns; write "0"
 *   poll(fifo, pidfd): byte or death          startContainer hooks, final
 *                                             cpu affinity, seccomp, execve
 *   read until EOF                   <------  on failure: the error text,
 *     "0" then EOF: the user process            then _exit
 *       runs (execve closed the CLOEXEC fd)
 *     "0" + text: start fails with text
 *     init died first: "container init exited"
 */
#ifndef VESSEL_RUNTIME_SPAWN_SPAWN_H
#define VESSEL_RUNTIME_SPAWN_SPAWN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/oci.h"

/* Builds the state JSON the hooks get, for the init's pid and a status. */
typedef char *(*spawn_state_fn)(void *data, pid_t pid, const char *status);

/* Told the init's pid and start time (/proc/PID/stat field 22) as soon as
 * the init exists: right after clone3, and again when the init turns out to
 * be a grandchild (SYNC_PID), before anything that can block or fail.  The
 * caller records them, so that a create killed from here on, before its
 * state exists, still leaves a way to find the init (without a cgroup there
 * is no other).  A failure fails the spawn, which then kills the init. */
typedef int (*spawn_started_fn)(void *data, pid_t pid, uint64_t start_time, struct vs_error *err);

struct spawn_config {
	const struct oci_config *config;
	const char *id;
	const char *bundle;	    /* absolute */
	const char *exec_fifo;	    /* path of the exec FIFO (exists) */
	const char *console_socket; /* --console-socket, NULL = none */
	bool pty_to_parent;	    /* terminal without socket: master comes back */
	int preserve_fds;	    /* --preserve-fds N: fds 3..3+N-1 pass through */
	bool no_pivot;
	bool no_new_keyring;
	bool systemd_cgroup;
	/* Where compiled seccomp filters are cached (sc_compile_cached), NULL =
	 * no cache. */
	const char *seccomp_cache_dir;
	/* An fd the init closes first thing: the container lock (a flock
	 * belongs to the open file, and the init outlives create: holding it
	 * would block `start`).  -1 = none. */
	int close_in_init;
	spawn_state_fn state_json;
	void *state_data;
	spawn_started_fn started; /* NULL = none; gets state_data too */
};

struct spawn_result {
	pid_t pid;	     /* the init, host pid namespace */
	int pidfd;	     /* O_CLOEXEC pidfd of the init */
	uint64_t start_time; /* /proc/PID/stat field 22 */
	char *rootfs;	     /* absolute host path of the root */
	char *cgroup_path;   /* relative to the cgroup2 root, NULL = none */
	int pty_master;	     /* pty_to_parent: the master, else -1 */
};

int spawn_init(const struct spawn_config *cfg, struct spawn_result *ret, struct vs_error *err);
void spawn_result_clear(struct spawn_result *r);

/* Release an init blocked on its exec FIFO (the `start` half).  pidfd is the
 * init's; never hangs if the init dies. */
int spawn_release(const char *exec_fifo, int pidfd, struct vs_error *err);

/* Field 22 of /proc/PID/stat (start time in clock ticks since boot), and the
 * state letter (field 3).  -1 with err when the process does not exist. */
int spawn_proc_stat(pid_t pid, uint64_t *ret_start_time, char *ret_state, struct vs_error *err);

#endif
