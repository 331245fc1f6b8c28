/* Shared inside runtime/rootfs/ only. */
#ifndef VESSEL_RUNTIME_ROOTFS_INTERNAL_H
#define VESSEL_RUNTIME_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "runtime/rootfs/rootfs.h"

enum rootfs_mount_kind {
	RM_FS,	   /* mount(2) of a filesystem type (proc, tmpfs, ...) */
	RM_BIND,   /* bind or rbind of a host path */
	RM_CGROUP, /* cgroup/cgroup2: the container's own cgroup */
	RM_SYSFS,  /* sysfs, with the user-namespace fallback */
};

struct rootfs_mnt {
	enum rootfs_mount_kind kind;
	char *label;	   /* "mounts[3]" for errors */
	char *destination; /* cleaned, absolute in the container */
	char *source;	   /* binds: absolute host path */
	char *type;	   /* fs type for RM_FS */
	struct rootfs_mount_opts opts;
	/* binds: the source relative to the root when it names a path inside
	 * the rootfs, resolved there like a destination (so a symlink in the
	 * rootfs cannot turn it into a host path); NULL for host sources. */
	char *source_in_root;
	bool source_is_dir; /* binds: make a directory (else a file) mount point */
	int idmap_tree_fd;  /* detached clone of source made by the parent
			     * (id-mapped, or a host source in a user ns), or -1 */
};

struct rootfs_dev {
	char *path; /* cleaned, absolute in the container */
	char type;  /* c, b, p (u is c) */
	dev_t rdev;
	mode_t mode; /* permission bits */
	uid_t uid;
	gid_t gid;
};

struct rootfs_plan {
	char *root; /* absolute host path of the rootfs */
	bool readonly;
	unsigned long propagation;
	struct rootfs_mnt *mounts;
	size_t n_mounts;
	struct rootfs_dev *devs;
	size_t n_devs;
	char **masked; /* cleaned */
	char **readonly_paths;
	bool terminal, no_pivot, userns, cgroupns, no_mountns;
	/* rl_active() as the parent saw it: the init cannot ask, its uid_map is
	 * the container's */
	bool rootless;
	bool has_dev_mount; /* mounts[] has /dev */
	bool dev_readonly;  /* its "ro", applied once /dev is filled */
	char *cgroup_dir;
	struct rootfs_cgroup_v1 *cgroup_v1; /* strings owned, see plan.c */
	size_t n_cgroup_v1;
	char *overlay_data; /* "lowerdir=...,upperdir=...,workdir=..." or NULL */

	/* child state */
	int root_fd; /* O_PATH of the (bound) root, before the pivot */
	bool pivoted;
};

/* path.c: resolution inside the root. */
int rootfs_open_in_root(int root_fd, const char *path, int flags, int *ret_fd,
			struct vs_error *err);
enum rootfs_leaf { ROOTFS_LEAF_DIR, ROOTFS_LEAF_FILE };
int rootfs_mkpath_in_root(int root_fd, const char *path, enum rootfs_leaf leaf, mode_t mode,
			  int *ret_fd, struct vs_error *err);
int rootfs_open_parent_in_root(int root_fd, const char *path, int *ret_dirfd, const char **ret_name,
			       struct vs_error *err);
char *rootfs_fd_path(int fd);

/* mount.c */
int rootfs_apply_mounts(struct rootfs_plan *plan, struct vs_error *err);
/* Clone src_path (or src_fd when src_path is NULL), set the attributes on the
 * detached clone, attach it onto dest_fd. */
enum {
	ROOTFS_BIND_TREE = 1,	  /* clone the submounts too (rbind) */
	ROOTFS_BIND_ATTR_REC = 2, /* apply the attributes to every mount of the clone */
};
int rootfs_bind_tree(int src_fd, const char *src_path, int dest_fd, unsigned how, uint64_t attr_set,
		     uint64_t attr_clr, struct vs_error *err);

/* O_PATH fd of a bind's source: in the root (root_fd) or on the host. */
int rootfs_open_bind_source(int root_fd, const struct rootfs_mnt *m, int *ret_fd,
			    struct vs_error *err);

/* copyup.c: copy the directory lower_fd's content into upper_fd (a fresh
 * tmpfs), owners and modes included. */
int rootfs_copyup(int lower_fd, int upper_fd, struct vs_error *err);

/* dev.c */
int rootfs_setup_dev(struct rootfs_plan *plan, struct vs_error *err);

/* mask.c */
int rootfs_apply_masks(struct rootfs_plan *plan, struct vs_error *err);

/* idmap.c (parent side) */
int rootfs_idmap_userns_fd(const struct oci_id_mapping *uid, size_t n_uid,
			   const struct oci_id_mapping *gid, size_t n_gid, int *ret_fd,
			   struct vs_error *err);

/* plan.c */
int rootfs_plan_mounts(struct rootfs_plan *plan, const struct rootfs_config *cfg,
		       struct vs_error *err);
/* root.path joined to the bundle, before symlinks are resolved. */
char *rootfs_plan_root_joined(const struct rootfs_config *cfg);

#endif
