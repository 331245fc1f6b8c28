/* Checkpoint and restore of a container's process tree through CRIU
 * (libcriu, loaded only by these calls: libcriu-internal.h).
 *
 * What CRIU cannot see for itself is described to it, the same way at dump
 * and at restore:
 *   - bind mounts of the config (their sources live outside the container's
 *     mount namespace): external mounts keyed by their destination, mapped
 *     back to the config's source at restore;
 *   - namespaces the container joined by path (linux.namespaces[].path, net
 *     and pid): external, keyed "extRootNetNS"/"extRootPidNS", handed to
 *     CRIU as inherited fds of those paths at restore;
 *   - the init's stdio when it comes from outside (a shim's pipes, the
 *     host's /dev/null, a log file): external ("file[MNT:INO]"; pipes need
 *     not be), recorded at dump in IMAGES/vessel-stdio ("FD KEY" lines) and
 *     replaced at restore by the restoring vessel's own fds 0-2, as runc;
 *   - the cgroup: frozen through its cgroup v2 freezer at dump; at restore
 *     the new container's cgroup is CRIU's cgroup root.
 * Masked paths need nothing: vessel covers them with the container's own
 * /dev/null and tmpfs mounts, which CRIU dumps like any other.
 *
 * On failure the error relays CRIU's own reason: the first "Error" line of
 * its log (WORK/dump.log, pre-dump.log or restore.log), whose path is named
 * too. */
#ifndef VESSEL_RUNTIME_CRIU_CRIU_H
#define VESSEL_RUNTIME_CRIU_CRIU_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/oci.h"

/* --manage-cgroups-mode: "soft" (the default, as runc), "full", "strict",
 * "ignore"; *ret is CRIU's mode number. */
int cr_parse_cgroups_mode(const char *s, int *ret, struct vs_error *err);

/* What dump and restore share. */
struct cr_common {
	const struct oci_config *config; /* mounts and namespaces */
	const char *image_path;		 /* must exist */
	const char *work_path;		 /* logs; NULL = image_path */
	const char *cgroup_dir;		 /* absolute cgroup2 dir, NULL = none */
	const char *cgroup_path;	 /* the same relative to the hierarchy */
	int cgroups_mode;		 /* cr_parse_cgroups_mode(); -1 = default */
	const char *criu_path;		 /* the criu binary; NULL = "criu" in PATH */
	bool tcp_established;
	bool ext_unix_sk;
	bool shell_job;
	bool file_locks;
	bool auto_dedup;
	bool empty_net;	 /* --empty-ns network: criu neither dumps nor fills it */
	bool lazy_pages; /* post-copy through userfaultfd (criu lazy-pages) */
};

struct cr_dump_opts {
	struct cr_common c;
	pid_t pid;		 /* the init */
	const char *rootfs;	 /* the container's root as seen from the host */
	const char *parent_path; /* previous pre-dump, relative to image_path */
	const char *page_server; /* "ADDR:PORT" */
	int status_fd;		 /* with c.lazy_pages: '\0' there once pages are served; -1 */
	bool leave_running;
	bool pre_dump;
};

/* Dump (or pre-dump) the process tree of pid into image_path.  Without
 * leave_running (and pre_dump) CRIU kills the tree once it is dumped. */
int cr_dump(const struct cr_dump_opts *o, struct vs_error *err);

struct cr_restore_opts {
	struct cr_common c;
	const char *rootfs;  /* the root to restore onto (the bundle's rootfs) */
	const char *overlay; /* an overlay root: its mount data, else NULL */
	bool want_pty;	     /* hand back the pty master CRIU recreates */
};

/* Restore the tree as a child of the caller (CRIU's restore-sibling mode).
 * The rootfs is bind-mounted onto itself for CRIU (it wants its root to be a
 * mount point), or an overlay root mounted there, in a private mount
 * namespace vessel enters first: it goes away with that namespace.  *ret_pty is the pty master
 * (want_pty) or -1. */
int cr_restore(const struct cr_restore_opts *o, pid_t *ret_pid, int *ret_pty, struct vs_error *err);

/* --export / --import: one tar carrying a checkpoint and what a restore
 * elsewhere (another --root, another host with the same image layers)
 * needs, laid out as the bundle the import makes of it:
 *   vessel-checkpoint   "vessel-checkpoint 1": the format, first entry
 *   config.json         the container's config
 *   checkpoint/         the images
 *   upper/              the overlay root's upper dir with the container's
 *                       writes (an overlay root only)
 * libarchive is loaded by these calls only. */
#define CR_ARCHIVE_CONFIG "config.json"
#define CR_ARCHIVE_IMAGES "checkpoint"
#define CR_ARCHIVE_UPPER  "upper"

struct cr_export_opts {
	const char *file;
	const char *config_json;
	const char *image_path;
	const char *upper; /* NULL: none */
};

/* Before the dump: FILE can be written (its directory exists, writable). */
int cr_export_check(const char *file, struct vs_error *err);
/* Write the archive next to FILE and rename it into place: FILE is whole
 * or untouched. */
int cr_export(const struct cr_export_opts *o, struct vs_error *err);
/* Unpack FILE into dir (made when missing, else it must be empty);
 * *ret_made says it was made.  On failure dir is as before. */
int cr_import(const char *file, const char *dir, bool *ret_made, struct vs_error *err);
/* Remove what cr_import() unpacked (and dir when it made it). */
void cr_import_undo(const char *dir, bool made);

#endif
