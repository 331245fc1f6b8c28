/* The child side of mounts[]: each destination is resolved (and created)
 * inside the root, then mounted through its fd.  Bind mounts use the new
 * mount API (open_tree, mount_setattr, move_mount): the clone is given its
 * flags while detached, so "ro" needs no second remount and the recursive
 * r* attributes reach every submount. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "lib/weaken.h"
#include "runtime/rootfs/rootfs-internal.h"

/* MS_* flags that make sense for mount(2) of a new filesystem: binding and
 * propagation flags are handled separately. */
#define FS_MOUNT_FLAGS_MASK (~(unsigned long)(MS_BIND | MS_REC))

static int setattr(int fd, bool recursive, uint64_t set, uint64_t clr, const char *what,
		   struct vs_error *err)
{
	if (!set && !clr)
		return 0;
	struct mount_attr attr = {.attr_set = set, .attr_clr = clr};
	if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
			  sizeof(attr)) < 0)
		return vs_error_errno(err, errno, "set the attributes of %s", what);
	return 0;
}

int rootfs_bind_tree(int src_fd, const char *src_path, int dest_fd, unsigned how, uint64_t attr_set,
		     uint64_t attr_clr, struct vs_error *err)
{
	const char *what = src_path ? src_path : "the source";
	_cleanup_close_ int tree =
	    open_tree(src_path ? AT_FDCWD : src_fd, src_path ? src_path : "",
		      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (src_path ? 0 : AT_EMPTY_PATH) |
			  ((how & ROOTFS_BIND_TREE) ? AT_RECURSIVE : 0));
	if (tree < 0)
		return vs_error_errno(err, errno, "clone %s", what);
	if (setattr(tree, (how & ROOTFS_BIND_ATTR_REC) != 0, attr_set, attr_clr, what, err) < 0)
		return -1;
	if (move_mount(tree, "", dest_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return vs_error_errno(err, errno, "attach %s", what);
	return 0;
}

/* Propagation and the recursive attributes apply to the mount now on top of
 * the destination, which a fresh lookup returns (the fd used to mount still
 * names the directory underneath). */
static int finish_mount(int root_fd, const struct rootfs_mnt *m, struct vs_error *err)
{
	const struct rootfs_mount_opts *o = &m->opts;
	if (!o->n_propagation && !o->rec_attr_set && !o->rec_attr_clr)
		return 0;
	_cleanup_close_ int fd = -1;
	if (rootfs_open_in_root(root_fd, m->destination, O_PATH, &fd, err) < 0)
		return -1;
	if (setattr(fd, true, o->rec_attr_set, o->rec_attr_clr, m->destination, err) < 0)
		return -1;
	_cleanup_free_ char *p = rootfs_fd_path(fd);
	for (size_t i = 0; i < o->n_propagation; i++)
		if (mount(NULL, p, NULL, o->propagation[i], NULL) < 0)
			return vs_error_errno(err, errno, "set the propagation of %s",
					      m->destination);
	return 0;
}

int rootfs_open_bind_source(int root_fd, const struct rootfs_mnt *m, int *ret_fd,
			    struct vs_error *err)
{
	if (m->source_in_root)
		return rootfs_open_in_root(root_fd, m->source_in_root, O_PATH, ret_fd, err);
	int fd = open(m->source, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s", m->source);
	*ret_fd = fd;
	return 0;
}

static int bind_source(int root_fd, int dest_fd, const char *source, int tree_fd,
		       const struct rootfs_mnt *m, struct vs_error *err)
{
	uint64_t set, clr;
	rootfs_flags_to_attr(m->opts.flags, m->opts.clear, &set, &clr);
	unsigned how = (m->opts.flags & MS_REC) ? ROOTFS_BIND_TREE : 0;
	if (tree_fd < 0 && m->source_in_root) {
		_cleanup_close_ int src = -1;
		if (rootfs_open_bind_source(root_fd, m, &src, err) < 0)
			return -1;
		return rootfs_bind_tree(src, NULL, dest_fd, how, set, clr, err);
	}
	if (tree_fd < 0)
		return rootfs_bind_tree(-1, source, dest_fd, how, set, clr, err);
	/* The id-mapped clone was made by the parent; its own flags still need
	 * setting (top mount only, as for any bind). */
	if (setattr(tree_fd, false, set, clr, source, err) < 0)
		return -1;
	if (move_mount(tree_fd, "", dest_fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return vs_error_errno(err, errno, "attach the id-mapped %s", source);
	return 0;
}

static int mount_bind(struct rootfs_plan *plan, struct rootfs_mnt *m, const char *source,
		      bool is_dir, struct vs_error *err)
{
	_cleanup_close_ int dest = -1;
	if (rootfs_mkpath_in_root(plan->root_fd, m->destination,
				  is_dir ? ROOTFS_LEAF_DIR : ROOTFS_LEAF_FILE, is_dir ? 0755 : 0644,
				  &dest, err) < 0)
		return -1;
	_cleanup_close_ int tree = TAKE_FD(m->idmap_tree_fd);
	if (bind_source(plan->root_fd, dest, source, tree, m, err) < 0)
		return -1;
	return finish_mount(plan->root_fd, m, err);
}

/* procfs and sysfs go on a real directory, never through a symlink at the
 * destination: a rootfs whose /proc is a symlink (or that a volume mounted
 * later covers) would leave /proc something other than procfs, and the
 * checks and writes that trust /proc (masks, LSM labels, sysctls) would land
 * on container-controlled files (CVE-2019-16884, CVE-2023-27561,
 * CVE-2023-28642).  The last component is opened with O_NOFOLLOW in the
 * parent resolved inside the root, so it cannot be swapped in between. */
static int open_plain_dir(struct rootfs_plan *plan, const struct rootfs_mnt *m, const char *type,
			  int *ret_fd, struct vs_error *err)
{
	if (vs_weakened("proc-dir"))
		return rootfs_mkpath_in_root(plan->root_fd, m->destination, ROOTFS_LEAF_DIR, 0755,
					     ret_fd, err);
	_cleanup_close_ int parent = -1;
	const char *name;
	if (rootfs_open_parent_in_root(plan->root_fd, m->destination, &parent, &name, err) < 0)
		return -1;
	if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST)
		return vs_error_errno(err, errno, "mkdir %s", m->destination);
	int fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		vs_error_errno(err, errno, "open %s", m->destination);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		close(fd);
		/* runc's words, article and all: its suite (mask.bats) and tools
		 * match them. */
		return vs_error_set(err,
				    "filesystem \"%s\" must be mounted on ordinary directory: "
				    "%s in the rootfs is a %s",
				    type, m->destination, S_ISLNK(st.st_mode) ? "symlink" : "file");
	}
	*ret_fd = fd;
	return 0;
}

static bool needs_plain_dir(const char *type)
{
	return strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0;
}

static int mount_fs(struct rootfs_plan *plan, const struct rootfs_mnt *m, const char *source,
		    const char *type, struct vs_error *err)
{
	_cleanup_close_ int dest = -1;
	if (needs_plain_dir(type) ? open_plain_dir(plan, m, type, &dest, err) < 0
				  : rootfs_mkpath_in_root(plan->root_fd, m->destination,
							  ROOTFS_LEAF_DIR, 0755, &dest, err) < 0)
		return -1;
	_cleanup_free_ char *target = rootfs_fd_path(dest);
	if (mount(source, target, type, m->opts.flags & FS_MOUNT_FLAGS_MASK, m->opts.data) < 0)
		return vs_error_errno(err, errno, "mount %s (%s)", m->destination, type);
	if (m->opts.tmpcopyup) {
		/* dest still names the directory under the new tmpfs. */
		_cleanup_close_ int top = -1;
		if (rootfs_open_in_root(plan->root_fd, m->destination, O_PATH, &top, err) < 0 ||
		    rootfs_copyup(dest, top, err) < 0)
			return -1;
	}
	return finish_mount(plan->root_fd, m, err);
}

/* The cgroup2 view of the container's cgroup at m->destination. */
static int mount_cgroup2(struct rootfs_plan *plan, struct rootfs_mnt *m, struct vs_error *err)
{
	if (plan->cgroupns) {
		struct vs_error e = VS_ERROR_INIT;
		int r = mount_fs(plan, m, "cgroup", "cgroup2", &e);
		/* A cgroup namespace owned by an ancestor user namespace refuses
		 * the mount; the bind of our own cgroup shows the same tree. */
		bool refused = r < 0 && (e.errnum == EPERM || e.errnum == EBUSY);
		/* Rootless without a cgroup of its own (cgroup/rootless.c):
		 * nothing of its own to bind; the host's tree, read-only, as
		 * plan-mounts.c gives it without a cgroup namespace. */
		if (refused && !plan->cgroup_dir && plan->rootless) {
			vs_error_clear(&e);
			m->opts.flags |= MS_REC | MS_RDONLY;
			m->opts.rec_attr_set |= MOUNT_ATTR_RDONLY;
			return mount_bind(plan, m, "/sys/fs/cgroup", true, err);
		}
		if (r == 0 || !plan->cgroup_dir || !refused) {
			if (r < 0)
				vs_error_set_raw(err, e.errnum, e.msg);
			vs_error_clear(&e);
			return r;
		}
		vs_error_clear(&e);
	}
	return mount_bind(plan, m, plan->cgroup_dir, true, err);
}

/* One v1 hierarchy, as for cgroup2: mounted by its options in the cgroup
 * namespace (whose root is the container's cgroup), else, or when that is
 * refused, a bind of the container's cgroup in it. */
static int mount_cgroup_v1(struct rootfs_plan *plan, struct rootfs_mnt *s,
			   const struct rootfs_cgroup_v1 *v, struct vs_error *err)
{
	if (plan->cgroupns) {
		struct vs_error e = VS_ERROR_INIT;
		s->opts.data = (char *)v->options;
		int r = mount_fs(plan, s, "cgroup", "cgroup", &e);
		s->opts.data = NULL;
		if (r == 0 || (e.errnum != EPERM && e.errnum != EBUSY)) {
			if (r < 0)
				vs_error_set_raw(err, e.errnum, e.msg);
			vs_error_clear(&e);
			return r;
		}
		vs_error_clear(&e);
	}
	return mount_bind(plan, s, v->host_dir, true, err);
}

/* "cpu,cpuacct" is also reachable as "cpu" and "cpuacct", as on the host. */
static int link_comounted(int dir_fd, const char *name, struct vs_error *err)
{
	if (!strchr(name, ','))
		return 0;
	_cleanup_free_ char *copy = vs_strdup(name);
	char *save = NULL;
	for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save))
		if (symlinkat(name, dir_fd, c) < 0 && errno != EEXIST)
			return vs_error_errno(err, errno, "symlink %s -> %s", c, name);
	return 0;
}

/* Hybrid host: a tmpfs with each v1 hierarchy under its name and the
 * cgroup2 view at "unified" (the host's layout; runc shows the v1
 * hierarchies the same way).  The tmpfs is filled writable and made
 * read-only afterwards when the mount asks for "ro". */
static int mount_cgroup_hybrid(struct rootfs_plan *plan, struct rootfs_mnt *m, struct vs_error *err)
{
	char tmpfs_data[] = "mode=755";
	struct rootfs_mnt t = *m;
	t.opts.flags &= ~(unsigned long)MS_RDONLY;
	t.opts.data = tmpfs_data;
	t.opts.n_propagation = 0;
	t.opts.rec_attr_set = t.opts.rec_attr_clr = 0;
	t.idmap_tree_fd = -1;
	if (mount_fs(plan, &t, "tmpfs", "tmpfs", err) < 0)
		return -1;
	_cleanup_close_ int top = -1;
	if (rootfs_open_in_root(plan->root_fd, m->destination, O_PATH | O_DIRECTORY, &top, err) < 0)
		return -1;
	struct rootfs_mnt s = t;
	s.opts.flags = m->opts.flags;
	s.opts.data = NULL;
	for (size_t i = 0; i <= plan->n_cgroup_v1; i++) {
		bool v2 = i == plan->n_cgroup_v1;
		_cleanup_free_ char *dest = vs_strdup_printf(
		    "%s/%s", m->destination, v2 ? "unified" : plan->cgroup_v1[i].name);
		s.destination = dest;
		s.opts.data = v2 ? m->opts.data : NULL;
		int r = v2 ? mount_cgroup2(plan, &s, err)
			   : mount_cgroup_v1(plan, &s, &plan->cgroup_v1[i], err);
		if (r < 0 || (!v2 && link_comounted(top, plan->cgroup_v1[i].name, err) < 0))
			return vs_error_wrap(err, "%s", dest);
	}
	if ((m->opts.flags & MS_RDONLY) &&
	    setattr(top, false, MOUNT_ATTR_RDONLY, 0, m->destination, err) < 0)
		return -1;
	return finish_mount(plan->root_fd, m, err);
}

static int mount_cgroup(struct rootfs_plan *plan, struct rootfs_mnt *m, struct vs_error *err)
{
	if (plan->n_cgroup_v1)
		return mount_cgroup_hybrid(plan, m, err);
	return mount_cgroup2(plan, m, err);
}

static int mount_sysfs(struct rootfs_plan *plan, struct rootfs_mnt *m, struct vs_error *err)
{
	struct vs_error e = VS_ERROR_INIT;
	int r = mount_fs(plan, m, m->source, "sysfs", &e);
	/* sysfs can only be mounted by the owner of the network namespace; in
	 * a user namespace sharing the host's network, show the host's /sys
	 * read-only instead, as runc does. */
	if (r < 0 && plan->userns && e.errnum == EPERM) {
		vs_error_clear(&e);
		m->opts.flags |= MS_REC;
		m->opts.rec_attr_set |= MOUNT_ATTR_RDONLY;
		return mount_bind(plan, m, "/sys", true, err);
	}
	if (r < 0)
		vs_error_set_raw(err, e.errnum, e.msg);
	vs_error_clear(&e);
	return r;
}

static int apply_one(struct rootfs_plan *plan, struct rootfs_mnt *m, struct vs_error *err)
{
	switch (m->kind) {
	case RM_BIND:
		return mount_bind(plan, m, m->source, m->source_is_dir, err);
	case RM_CGROUP:
		return mount_cgroup(plan, m, err);
	case RM_SYSFS:
		return mount_sysfs(plan, m, err);
	case RM_FS:
		break;
	}
	return mount_fs(plan, m, m->source, m->type, err);
}

int rootfs_apply_mounts(struct rootfs_plan *plan, struct vs_error *err)
{
	for (size_t i = 0; i < plan->n_mounts; i++) {
		struct rootfs_mnt *m = &plan->mounts[i];
		if (apply_one(plan, m, err) < 0)
			return vs_error_wrap(err, "%s (%s)", m->label, m->destination);
	}
	return 0;
}
