/* Shared between the files of runtime/container only. */
#ifndef VESSEL_RUNTIME_CONTAINER_INTERNAL_H
#define VESSEL_RUNTIME_CONTAINER_INTERNAL_H

#include <stdint.h>

#include "runtime/container/container.h"

#define CT_LEGACY_LOCK_FILE "lock" /* ct_lock_legacy() */
#define CT_STATE_FILE	    "state.json"
#define CT_CONFIG_FILE	    "config.json"
#define CT_FIFO_FILE	    "exec.fifo"
#define CT_FIFO_DONE_FILE   "exec.done"
#define CT_CGROUP_FILE	    "cgroup"
#define CT_INIT_FILE	    "init"

struct ct_container *ct_new(const char *root, const char *id);
char *ct_path(const struct ct_container *c, const char *name);
int ct_lock(struct ct_container *c, enum ct_lock mode, bool create, struct vs_error *err);
bool ct_init_alive(const struct ct_container *c);
int ct_remove_dir(const char *dir, struct vs_error *err);
/* Record in the state what `start` needs from the config (start.c). */
void ct_note_start(struct oci_state *s, const struct oci_config *config);
/* Record whether delete needs the config (poststop hooks, an image bundle
 * to release; ops.c). */
void ct_note_delete(struct oci_state *s, const struct oci_config *config);
/* SIGKILL through pidfd, wait (10 s at most) until pid has exited, reap it
 * if it is our child.  The one kill-and-wait of delete and forget. */
int ct_kill_wait(int pidfd, pid_t pid, struct vs_error *err);
/* The init is pid 1 of a namespace below ours (NSpid: "<our pid> ... 1"):
 * the container made that namespace; one it joined has its own pid 1, and
 * the host's has a single NSpid field (pids.c, for ps and kill --all). */
bool ct_init_owns_pidns(pid_t pid);

/* create's steps, shared with restore (restore.c), which makes a container
 * the same way but has CRIU, not the spawn, bring its processes back. */
struct create_ctx {
	const struct ct_create_opts *o;
	struct ct_container *c;
	struct oci_config *config;
	char *bundle;
	char *created;
	char *rootfs;
};
void ct_fill_state(struct create_ctx *x, struct oci_state *s, pid_t pid, const char *status);
int ct_make_state_dir(struct create_ctx *x, struct vs_error *err);
int ct_load_bundle(struct create_ctx *x, struct vs_error *err);
int ct_record_cgroup(struct create_ctx *x, struct vs_error *err);
int ct_record_init(void *data, pid_t pid, uint64_t start_time, struct vs_error *err);
int ct_write_pid_file(const char *path, pid_t pid, struct vs_error *err);
/* mountpoints.c: the config's mount points in rootfs, for CRIU. */
int ct_restore_mountpoints(const struct oci_config *config, const char *rootfs,
			   struct vs_error *err);

#endif
