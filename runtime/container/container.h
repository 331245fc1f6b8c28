/* A container as the commands see it: its state directory, its lock, its
 * live status, and the lifecycle operations behind create, start, run,
 * state, kill, delete and list (exec, pause, update... use ct_load and the
 * accessors too).
 *
 * State directory layout (--root, default /run/vessel):
 *
 *   <root>/<id>/            mode 0700, made with mkdir: EEXIST is "already
 *                           exists", so two creates of one id race safely
 *                           flock of the directory itself: exclusive for
 *                           operations that change the container, shared
 *                           for readers (state, list); a directory rather
 *                           than a "lock" file (vessel before 0.2), so a
 *                           create allocates one inode less and delete
 *                           unlinks one file less
 *   <root>/<id>/lock        only in a container an older vessel created:
 *                           flocked too, after the directory, so an older
 *                           vessel still at work on it is kept out
 *   <root>/<id>/state.json  oci/state.h, replaced atomically
 *   <root>/<id>/config.json the bundle's config as it was at create time
 *                           (poststop hooks and exec read it; the bundle may
 *                           change or vanish)
 *   <root>/<id>/exec.fifo   exists while the container is "created"; start
 *                           renames it to exec.done (not unlinked: see
 *                           start.c)
 *   <root>/<id>/cgroup      the cgroup path, written before the cgroup is
 *                           made: a create killed before state.json exists
 *                           leaves this, and delete --force (ct_forget)
 *                           removes that cgroup and kills what is in it
 *   <root>/<id>/init        "PID START_TIME" of the init, written as soon as
 *                           the clone returns: without a cgroup it is the
 *                           only trace of the init of a create killed before
 *                           state.json; ct_forget kills that pid only while
 *                           its start time still matches
 *
 * Live status: "stopped" when the init is gone, is a zombie, or its pid now
 * belongs to another process (the start time kept in the state differs);
 * "paused" when its cgroup is frozen; "created" while the exec FIFO exists;
 * else "running".  A bare pid is never signalled: kills go through a pidfd
 * opened and then checked against the start time.
 *
 * Errors use runc's wording where containerd matches on it: "container
 * \"ID\" does not exist", "container not running", "already exists". */
#ifndef VESSEL_RUNTIME_CONTAINER_CONTAINER_H
#define VESSEL_RUNTIME_CONTAINER_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/oci.h"
#include "oci/state.h"
#include "runtime/criu/criu.h"

#define CT_ID_MAX 1024

struct ct_container {
	char *root; /* --root */
	char *id;
	char *dir; /* <root>/<id> */
	int lock_fd;
	int legacy_lock_fd; /* <dir>/lock of an older vessel's container, or -1 */
	struct oci_state *state;
	int pidfd;	/* verified pidfd of the init, -1 until ct_pidfd() */
	int pty_master; /* run: the pty master handed back by the init, else -1 */
};

/* ---- pure helpers ---------------------------------------------------- */

/* Non-empty, at most CT_ID_MAX bytes, [A-Za-z0-9_+.-] (runc's set), not
 * "." or "..": it is used as a directory and cgroup name. */
int ct_validate_id(const char *id, struct vs_error *err);
/* <root>/@cache/<what>: state the runtime keeps beside its containers (the
 * compiled seccomp filters).  '@' is not allowed in a container id, so the
 * name can never collide with a container's state dir. */
char *ct_cache_dir(const char *root, const char *what);
/* "KILL", "SIGKILL", "kill", "9", "SIGRTMIN+3", "0" (a liveness check, as
 * runc); 0 or -1 with err. */
int ct_parse_signal(const char *s, int *ret_sig, struct vs_error *err);

/* ---- lookup ------------------------------------------------------------ */

enum ct_lock { CT_LOCK_SHARED, CT_LOCK_EXCLUSIVE };

/* Find and lock a container; "container \"ID\" does not exist" (errnum
 * ENOENT) if absent. */
int ct_load(const char *root, const char *id, enum ct_lock lock, struct ct_container **ret,
	    struct vs_error *err);
void ct_free(struct ct_container *c);
static inline void ct_freep(struct ct_container **c)
{
	ct_free(*c);
}
#define _cleanup_ct_ __attribute__((cleanup(ct_freep)))

/* Remove what a create that crashed left: a state dir without state.json
 * (delete --force of a container that "does not exist"), the init its
 * "init" file names, and the cgroup its "cgroup" file names, with every
 * process in it. */
int ct_forget(const char *root, const char *id, struct vs_error *err);

/* Ids of every container under root (sorted); *ret_ids is NULL-terminated. */
int ct_list(const char *root, char ***ret_ids, struct vs_error *err);

/* Live status: one of OCI_STATUS_* (static string). */
const char *ct_status(struct ct_container *c);
/* The state as `vessel state` prints it (live status), malloc'd JSON. */
char *ct_state_json(struct ct_container *c);
/* A pidfd of the init, verified against the start time; fails with
 * "container not running" when it is gone.  Owned by c. */
int ct_pidfd(struct ct_container *c, int *ret_pidfd, struct vs_error *err);
/* The effective config kept in the state dir. */
int ct_load_config(struct ct_container *c, struct oci_config **ret, struct vs_error *err);
/* Replace it (atomically), e.g. with the resources `update` applied; the
 * caller holds the exclusive lock. */
int ct_save_config(struct ct_container *c, const struct oci_config *config, struct vs_error *err);

/* ---- lifecycle --------------------------------------------------------- */

struct ct_create_opts {
	const char *root;
	const char *id;
	const char *bundle;	    /* NULL = "." */
	const char *pid_file;	    /* NULL = none */
	const char *console_socket; /* NULL = none */
	const char *pidfd_socket;   /* NULL = none (runtime/pidfdsock) */
	int preserve_fds;
	bool no_pivot;
	bool no_new_keyring;
	bool systemd_cgroup;
	/* false only for `run` in the foreground: a terminal container then
	 * hands its pty master back to vessel (ct_container.pty_master). */
	bool detach;
};

/* Create: on success the init waits on its exec FIFO and *ret holds the
 * container, still locked.  On failure nothing is left. */
int ct_create(const struct ct_create_opts *o, struct ct_container **ret, struct vs_error *err);
/* Release a created container's init, then run poststart hooks, with the
 * lock given up (ct_relock takes it again). */
int ct_start(struct ct_container *c, struct vs_error *err);
/* Signal the init, or with all every process of the container: those of
 * its cgroup, or without one those of the pid namespace it made; without a
 * cgroup in a shared pid namespace (the host's, another container's) all is
 * refused, as its processes cannot be told apart from others. */
int ct_kill(struct ct_container *c, int sig, bool all, struct vs_error *err);
/* The host pids of the container's processes: its cgroup's, or without one
 * those of the pid namespace it made (refused when it shares one). */
int ct_pids(struct ct_container *c, pid_t **ret, size_t *ret_n, struct vs_error *err);
/* Delete: a stopped or created container always; running or paused only
 * with force (killed and reaped first).  Removes the cgroup and the state
 * dir, gives up the lock, then runs poststop hooks.  c stays valid for
 * ct_free(). */
int ct_delete(struct ct_container *c, bool force, struct vs_error *err);

/* Give up the lock (run waits for its container without holding it) and
 * take it again. */
void ct_unlock(struct ct_container *c);
int ct_relock(struct ct_container *c, struct vs_error *err);

/* ---- checkpoint and restore (CRIU) -------------------------------------- */

struct ct_checkpoint_opts {
	/* image_path is made (0700) when missing; config and cgroup are
	 * filled by ct_checkpoint. */
	struct cr_common crit;
	const char *parent_path; /* relative to image_path, as criu wants */
	const char *page_server;
	const char *export_file; /* --export: the archive to write, or NULL */
	int status_fd;		 /* --status-fd (with crit.lazy_pages), or -1 */
	bool leave_running;
	bool pre_dump;
};

/* Checkpoint a running container into o->crit.image_path.  A full dump
 * without leave_running ends the container and deletes it (as runc), so
 * its id can be restored; on failure it is left running as it was. */
int ct_checkpoint(struct ct_container *c, struct ct_checkpoint_opts *o, struct vs_error *err);

struct ct_restore_opts {
	struct ct_create_opts create; /* root, id, bundle, pid_file, console... */
	struct cr_common crit;	      /* config and cgroup filled by ct_restore */
	/* --import: the archive of checkpoint --export, unpacked as the
	 * bundle (create.bundle, which must be new or empty); the images are
	 * its checkpoint/ dir. */
	const char *import_file;
};

/* Make a container from the bundle as create does, with the processes of
 * a checkpoint in it instead of a new init: on success it is running, and
 * *ret holds it, locked.  On failure nothing is left. */
int ct_restore(struct ct_restore_opts *o, struct ct_container **ret, struct vs_error *err);

#endif
