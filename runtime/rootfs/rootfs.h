/* rootfs: the container's view of the filesystem, made safely.
 *
 * The parent (before the clone, single-threaded) turns the pieces of the
 * config it needs into a plan; the container's init applies it in its new
 * mount namespace in two calls, with the createContainer hooks between them:
 *
 *   parent                               child (init, new mount ns, root)
 *   ------                               --------------------------------
 *   rootfs_plan_new(&cfg, &plan)
 *     validates, resolves root.path and
 *     bind sources against the bundle,
 *     parses mount options, builds the
 *     detached id-mapped trees
 *   clone ------------------------------> rootfs_prepare(plan)
 *                                           propagation of "/", bind root onto
 *                                           itself (or mount the overlay root),
 *                                           mounts[] in order, /dev (tmpfs,
 *                                           default devices, linux.devices,
 *                                           ptmx, fd/std* links, console mount
 *                                           point), maskedPaths, readonlyPaths
 *                                         [terminal: rootfs_bind_console()]
 *                                         createContainer hooks
 *                                         rootfs_pivot(plan)
 *                                           pivot_root (old root detached and
 *                                           unmounted) or chroot (no_pivot),
 *                                           chdir("/"), read-only root
 *   rootfs_plan_free(plan)                rootfs_plan_free(plan) (or exec)
 *
 * What the two child calls expect:
 *  - run in the container's new mount namespace (CLONE_NEWNS done), as root
 *    of that namespace's user namespace (uid 0 with CAP_SYS_ADMIN, CAP_MKNOD
 *    when there is no user ns), BEFORE the user/capability switch and before
 *    seccomp; with a user namespace, after its uid/gid maps are written.
 *  - in the new pid namespace already (the /proc mount shows it) and, when a
 *    cgroup namespace is asked for, inside it and inside the container's
 *    cgroup (the cgroup2 mount shows the namespace's root).
 *  - the host's /proc is still mounted at /proc when rootfs_prepare runs (it
 *    mounts through /proc/self/fd/N).
 *  - the plan's fds (detached id-mapped mounts, O_CLOEXEC) are inherited:
 *    clone without CLONE_FILES copies them, which is what is needed.
 *  - rootfs_prepare leaves the cwd unspecified; rootfs_pivot leaves the
 *    process in the new root with cwd "/" (process.cwd is the caller's).
 *
 * Safety: every destination (mounts[], devices, masked and readonly paths,
 * /dev entries) is resolved inside the root with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS): a symlink in the rootfs is followed as if the root
 * were "/", so it can never lead out of it; missing components are created
 * one at a time in the directory just resolved; mounts go through the
 * resolved O_PATH fd (/proc/self/fd/N or move_mount).  A destination whose
 * ".." climbs above "/" (`/../../etc`), or that is "/" itself, is refused
 * when the plan is built (a relative one is taken from "/", as runc does).
 * A dangling symlink on the way is not an error: what it points to is
 * created, inside the root.  A bind source that names a path of the rootfs
 * ("rootfs/data") is resolved inside the root too.  Nothing is ever chowned
 * or chmodded by path.
 *
 * Decisions (documented, as runc does where it matters):
 *  - mounts of type "cgroup" and "cgroup2" both give the cgroup2 view of the
 *    container's own cgroup: with a cgroup namespace a plain cgroup2 mount,
 *    without one a bind of cfg.cgroup_dir.  On a hybrid host (cfg.cgroup_v1
 *    set) the mount is a tmpfs holding each v1 hierarchy under its name and
 *    the cgroup2 view at "unified", the host's layout, as runc shows the v1
 *    hierarchies there; read-only unless the mount is rw.
 *  - no mounts[] entry for /dev: vessel mounts a tmpfs there itself so that
 *    device nodes are never created on the rootfs' disk.
 *  - linux.mountLabel: ignored when SELinux is not enabled on the host (as
 *    runc does); refused when it is, since vessel does not label mounts.
 *  - procfs and sysfs are mounted only on a real directory: a rootfs whose
 *    /proc or /sys is a symlink (or a file) is refused, as runc refuses it
 *    ("must be mounted on ordinary directory"), so /proc is never a
 *    container-controlled path (CVE-2019-16884, CVE-2023-27561/28642).
 *  - a sysfs mount that fails with EPERM in a user namespace without its own
 *    network namespace falls back to a recursive read-only bind of /sys.
 *  - overlay root (annotations run.vessel.rootfs.overlay.{lower,upper,work}):
 *    an overlayfs mounted on root.path inside the new mount namespace only.
 *  - "ro", "nosuid"... on an rbind apply to its top mount (as mount(8) and
 *    runc); "rro", "rnosuid"... to every mount of the tree.
 *  - id-mapped mounts: the mount's uidMappings/gidMappings, else the
 *    container's (cfg.uid_mappings...), else refused; "idmap" maps the top
 *    mount, "ridmap" (or mappings on an rbind without either option) the
 *    whole tree.
 *  - linux.devices in a user namespace: the host's node at the same path is
 *    bound (it must exist and match type and numbers); it is never chowned.
 *  - a masked file is a read-only bind of /dev/null: reads are empty, writes
 *    go to /dev/null (a device ignores the read-only mount), the file itself
 *    is never reached.
 *  - "tmpcopyup" (tmpfs only): the tmpfs starts with a copy of the directory
 *    it covers (owners and modes kept, symlinks copied, never followed).
 */
#ifndef VESSEL_RUNTIME_ROOTFS_ROOTFS_H
#define VESSEL_RUNTIME_ROOTFS_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "oci/oci.h"

#define ROOTFS_ANN_OVERLAY_LOWER "run.vessel.rootfs.overlay.lower"
#define ROOTFS_ANN_OVERLAY_UPPER "run.vessel.rootfs.overlay.upper"
#define ROOTFS_ANN_OVERLAY_WORK	 "run.vessel.rootfs.overlay.work"

/* What the parent hands over: pointers into the parsed config, only read
 * during rootfs_plan_new (the plan copies what it keeps). */
struct rootfs_config {
	const char *bundle;	     /* absolute bundle directory */
	const struct oci_root *root; /* required */
	const struct oci_mount *mounts;
	size_t n_mounts;
	const struct oci_device *devices; /* linux.devices */
	size_t n_devices;
	char *const *masked_paths;   /* linux.maskedPaths, may be NULL */
	char *const *readonly_paths; /* linux.readonlyPaths, may be NULL */
	const char *propagation;     /* linux.rootfsPropagation, NULL = rprivate */
	const char *mount_label;     /* linux.mountLabel, may be NULL */
	const struct oci_kv *annotations;
	size_t n_annotations;
	bool terminal; /* process.terminal: /dev/console mount point */
	bool no_pivot; /* --no-pivot: chroot instead of pivot_root */
	bool userns;   /* the init runs in a new or joined user ns */
	bool cgroupns; /* the init runs in a new cgroup ns */
	/* No mount namespace: the init shares the host's, so nothing may be
	 * mounted (it would be the host's mount); rootfs_prepare only opens the
	 * root, rootfs_pivot chroots into it (runc does the same).  The plan
	 * refuses what needs a mount: mounts[], maskedPaths, readonlyPaths,
	 * linux.devices, root.readonly, rootfsPropagation, a terminal, an
	 * overlay root. */
	bool no_mountns;
	/* Host path of the container's cgroup2 directory (e.g.
	 * /sys/fs/cgroup/unified/vessel/ID), NULL when there is none.  Only
	 * used for a cgroup mount without a cgroup namespace; must exist when
	 * rootfs_prepare runs. */
	const char *cgroup_dir;
	/* Hybrid host: the v1 hierarchies to show under a cgroup mount. */
	const struct rootfs_cgroup_v1 *cgroup_v1;
	size_t n_cgroup_v1;
	/* linux.uidMappings/gidMappings of the container's user namespace: an
	 * "idmap"/"ridmap" mount without mappings of its own uses these (as
	 * runc does).  Optional: when absent such a mount is refused. */
	const struct oci_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	const struct oci_id_mapping *gid_mappings;
	size_t n_gid_mappings;
};

/* One v1 hierarchy of a hybrid host: its directory name under the cgroup
 * mount ("memory", "cpu,cpuacct"), the mount data naming it with a cgroup
 * namespace ("memory", "name=systemd"), the container's cgroup in it on
 * the host (the bind source without one). */
struct rootfs_cgroup_v1 {
	const char *name, *options, *host_dir;
};

struct rootfs_plan;

/* Parent side.  Validates everything it can (errors name the config path:
 * "mounts[2].destination: ...") so the child rarely fails. */
int rootfs_plan_new(const struct rootfs_config *cfg, struct rootfs_plan **ret_plan,
		    struct vs_error *err);
void rootfs_plan_free(struct rootfs_plan *plan);
static inline void rootfs_plan_freep(struct rootfs_plan **p)
{
	rootfs_plan_free(*p);
}
#define _cleanup_rootfs_plan_ __attribute__((cleanup(rootfs_plan_freep)))

/* Absolute host path of the container's root (root.path against the
 * bundle): the state's "rootfs". */
const char *rootfs_plan_root(const struct rootfs_plan *plan);

/* The fds the plan holds for rootfs_prepare (detached id-mapped trees),
 * so the child can close every other fd before it touches the rootfs.
 * Stores up to max of them in ret_fds; returns how many there are. */
size_t rootfs_plan_fds(const struct rootfs_plan *plan, int *ret_fds, size_t max);

/* Child, call 1: everything up to but not including the pivot. */
int rootfs_prepare(struct rootfs_plan *plan, struct vs_error *err);

/* Child, between the calls or after call 2: bind-mount the pty slave `fd`
 * (opened from the container's devpts) onto /dev/console, whose empty mount
 * point rootfs_prepare created when cfg.terminal was set.  The fd's node is
 * checked to be a pty of a devpts mount first. */
int rootfs_bind_console(struct rootfs_plan *plan, int pty_fd, struct vs_error *err);

/* Child, call 2: pivot_root (or chroot), then the read-only root. */
int rootfs_pivot(struct rootfs_plan *plan, struct vs_error *err);

/* ---- pure helpers (exposed for unit tests and `features`) ------------- */

enum { ROOTFS_MAX_PROPAGATION = 4 };

/* One mounts[].options list, parsed the way mount(8) and runc read it. */
struct rootfs_mount_opts {
	unsigned long flags; /* MS_* to set (MS_BIND, MS_REC, MS_RDONLY...) */
	unsigned long clear; /* MS_* explicitly cleared (rw, suid, dev...) */
	unsigned long propagation[ROOTFS_MAX_PROPAGATION]; /* MS_SHARED|MS_REC, ... in order */
	size_t n_propagation;
	uint64_t rec_attr_set; /* MOUNT_ATTR_* from rro, rnosuid, ... */
	uint64_t rec_attr_clr; /* MOUNT_ATTR_* from rrw, rsuid, ... */
	bool idmap;	       /* idmap: id-mapped, this mount only */
	bool ridmap;	       /* ridmap: id-mapped, recursively */
	bool tmpcopyup;	       /* tmpcopyup: copy the lower dir into a tmpfs */
	char *data;	       /* unknown options, comma-joined; NULL if none */
};

/* Unknown options are not errors: they go to the data string (as runc).
 * The only error is an empty option. */
int rootfs_parse_mount_options(char *const *options, struct rootfs_mount_opts *ret,
			       struct vs_error *err);
void rootfs_mount_opts_free(struct rootfs_mount_opts *o);
/* MS_* flags for linux.rootfsPropagation ("rslave" -> MS_SLAVE|MS_REC);
 * -1 if unknown. */
long rootfs_parse_propagation(const char *s);
/* The MOUNT_ATTR_* set/clear pair mount_setattr needs for these MS_* flags
 * (used for non-recursive bind mounts). */
void rootfs_flags_to_attr(unsigned long set, unsigned long clear, uint64_t *ret_set,
			  uint64_t *ret_clr);
/* Lexically clean an absolute container path ("/a//b/./c/../d" -> "/a/b/d").
 * Fails if it is not absolute, is empty, or climbs above "/". */
int rootfs_clean_path(const char *path, char **ret_clean, struct vs_error *err);
/* NULL-terminated list of every option name rootfs_parse_mount_options
 * understands (for `vessel features`' mountOptions). */
const char *const *rootfs_known_mount_options(void);
/* Whether a config mount is a bind: type "bind" or a bind/rbind option
 * (what runc and the kernel's flags go by, whatever the type says). */
bool rootfs_mount_is_bind(const struct oci_mount *m);
/* Make the directory (or, with file, the empty file) path in the root at
 * rootfs, its missing parents too, resolving every component inside that
 * root (a symlink cannot lead out of it).  For restore: CRIU mounts onto
 * mount points it expects to find. */
int rootfs_make_mountpoint(const char *rootfs, const char *path, bool file, struct vs_error *err);

#endif
