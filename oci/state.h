/* The container state model: the runtime-spec's state (what `vessel state`
 * prints and what hooks read on stdin) plus what vessel needs to find its
 * container again after the creating process has exited.
 *
 * It lives in <root>/<id>/state.json and is replaced atomically (temp file in
 * the same directory, rename), so a reader never sees half a file even if
 * vessel is killed mid-write.  It is not fsync'd: the state dir is on tmpfs
 * in real deployments and a container does not outlive a reboot.
 *
 * Later additions: put a new persistent field in `ext` (a key/value map kept
 * verbatim under "vessel" in state.json) or add an explicit field here and to
 * oci/state.c's writer and reader; readers ignore unknown keys, so an older
 * state.json still loads. */
#ifndef VESSEL_OCI_STATE_H
#define VESSEL_OCI_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/oci.h"

/* The spec's status values, plus runc's "paused". */
#define OCI_STATUS_CREATING "creating"
#define OCI_STATUS_CREATED  "created"
#define OCI_STATUS_RUNNING  "running"
#define OCI_STATUS_PAUSED   "paused"
#define OCI_STATUS_STOPPED  "stopped"

struct oci_state {
	/* ---- the runtime-spec state ---- */
	char *oci_version; /* OCI_SPEC_VERSION when written by vessel */
	char *id;
	char *status; /* one of OCI_STATUS_* */
	pid_t pid;    /* the container's init on the host; 0 = none */
	char *bundle; /* absolute */
	struct oci_kv *annotations;
	size_t n_annotations;

	/* ---- printed by runc's `state`, so by ours ---- */
	char *created; /* RFC 3339, UTC, nanoseconds */
	char *owner;   /* user name of the creator ("" when unknown, as runc) */
	char *rootfs;  /* absolute path of the root filesystem on the host */

	/* ---- vessel's own bookkeeping (not in spec_only output) ---- */
	/* Field 22 of /proc/PID/stat of the init when it was started: compared
	 * before signalling `pid`, so a recycled pid is never mistaken for it. */
	uint64_t init_start_time;
	char *cgroup_path;   /* the container's cgroup, relative to the hierarchy root */
	char *config_path;   /* where the effective config.json is kept */
	bool systemd_cgroup; /* created with --systemd-cgroup */
	/* Extension map for fields added later (exec fifo path, console socket,
	 * ...); serialised as the "vessel" object of string values. */
	struct oci_kv *ext;
	size_t n_ext;
};

/* Write state to path atomically (mode 0600).  ociVersion defaults to
 * OCI_SPEC_VERSION when NULL. */
int oci_state_write(const char *path, const struct oci_state *state, struct vs_error *err);
/* Read and parse a state.json written by oci_state_write.  Missing, empty,
 * truncated and malformed files are errors naming the file. */
int oci_state_read(const char *path, struct oci_state **ret_state, struct vs_error *err);
/* Parse state JSON text; `source` names it in errors. */
int oci_state_parse(const char *json, size_t len, const char *source, struct oci_state **ret_state,
		    struct vs_error *err);
void oci_state_free(struct oci_state *state);

/* Serialise to a malloc'd, pretty-printed JSON string.  spec_only=true gives
 * exactly what `vessel state` prints and what hooks get on stdin: ociVersion,
 * id, status, pid, bundle, rootfs, created, owner, annotations.  false adds
 * vessel's bookkeeping (what state.json holds). */
char *oci_state_to_json(const struct oci_state *state, bool spec_only);

/* Lookup/update of the extension map; set replaces an existing key. */
const char *oci_state_ext_get(const struct oci_state *state, const char *key);
void oci_state_ext_set(struct oci_state *state, const char *key, const char *value);

#endif
