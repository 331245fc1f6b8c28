/* /dev inside the container: the default device nodes, linux.devices, the
 * ptmx and fd symlinks and the console's mount point.
 *
 * Nodes are made with mknodat in the parent directory fd resolved inside the
 * root; ownership is set on an O_PATH fd of the node just made (checked to be
 * that node), never by path, so no chown can wander onto a host node through
 * a symlink.  In a user namespace mknod is not allowed: the host's node is
 * bind-mounted onto an empty file instead, and never chowned (that would
 * change the host's node). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "lib/weaken.h"
#include "runtime/rootfs/rootfs-internal.h"

static const struct {
	const char *path;
	unsigned major, minor;
} default_devs[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},	   {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static mode_t dev_type_mode(char type)
{
	return type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
}

static bool same_node(const struct stat *st, const struct rootfs_dev *d)
{
	if ((st->st_mode & S_IFMT) != dev_type_mode(d->type))
		return false;
	return d->type == 'p' || st->st_rdev == d->rdev;
}

/* Remove whatever the rootfs had at the name (a file, a node, a symlink:
 * unlinkat never follows), so mknodat makes exactly our node. */
static int clear_name(int dirfd, const char *name, const char *path, struct vs_error *err)
{
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return vs_error_errno(err, errno, "remove the existing %s", path);
	return 0;
}

static int mknod_device(int dirfd, const char *name, const struct rootfs_dev *d,
			struct vs_error *err)
{
	if (clear_name(dirfd, name, d->path, err) < 0)
		return -1;
	mode_t old = umask(0);
	int r = mknodat(dirfd, name, dev_type_mode(d->type) | d->mode, d->rdev);
	umask(old);
	if (r < 0)
		return vs_error_errno(err, errno, "mknod %s", d->path);
	_cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return vs_error_errno(err, errno, "open the new %s", d->path);
	if (!same_node(&st, d))
		return vs_error_set(err, "%s changed under us after mknod", d->path);
	if (fchownat(fd, "", d->uid, d->gid, AT_EMPTY_PATH) < 0)
		return vs_error_errno(err, errno, "chown %s to %u:%u", d->path, d->uid, d->gid);
	return 0;
}

static int bind_device(int dirfd, const char *name, const struct rootfs_dev *d,
		       struct vs_error *err)
{
	struct stat st;
	if (stat(d->path, &st) < 0)
		return vs_error_errno(err, errno,
				      "host device %s (needed for a bind in a user "
				      "namespace)",
				      d->path);
	if (!same_node(&st, d))
		return vs_error_set(err, "host %s is not the device %u:%u the config asks for",
				    d->path, major(d->rdev), minor(d->rdev));
	if (clear_name(dirfd, name, d->path, err) < 0)
		return -1;
	_cleanup_close_ int fd =
	    openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return vs_error_errno(err, errno, "create %s", d->path);
	/* Read-only: the node stays usable (a char device's reads and writes go
	 * to the driver, not the inode), but a chown or chmod from a container
	 * root that maps to host root (an identity map) gets EROFS instead of
	 * changing the host's node. */
	return rootfs_bind_tree(-1, d->path, fd, 0, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, err);
}

static int create_device(const struct rootfs_plan *plan, const struct rootfs_dev *d,
			 struct vs_error *err)
{
	_cleanup_close_ int dirfd = -1;
	const char *name;
	if (rootfs_open_parent_in_root(plan->root_fd, d->path, &dirfd, &name, err) < 0)
		return -1;
	if (plan->userns)
		return bind_device(dirfd, name, d, err);
	return mknod_device(dirfd, name, d, err);
}

static bool configured(const struct rootfs_plan *plan, const char *path)
{
	for (size_t i = 0; i < plan->n_devs; i++)
		if (strcmp(plan->devs[i].path, path) == 0)
			return true;
	return false;
}

static int create_devices(const struct rootfs_plan *plan, struct vs_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(default_devs); i++) {
		if (configured(plan, default_devs[i].path))
			continue; /* linux.devices overrides a default */
		struct rootfs_dev d = {
		    .path = (char *)default_devs[i].path,
		    .type = 'c',
		    .rdev = makedev(default_devs[i].major, default_devs[i].minor),
		    .mode = 0666,
		};
		if (create_device(plan, &d, err) < 0)
			return vs_error_wrap(err, "default device %s", d.path);
	}
	for (size_t i = 0; i < plan->n_devs; i++)
		if (create_device(plan, &plan->devs[i], err) < 0)
			return vs_error_wrap(err, "linux.devices[%zu]", i);
	return 0;
}

static int make_links(int devfd, struct vs_error *err)
{
	static const struct {
		const char *name, *target;
	} links[] = {
	    {"fd", "/proc/self/fd"},
	    {"stdin", "/proc/self/fd/0"},
	    {"stdout", "/proc/self/fd/1"},
	    {"stderr", "/proc/self/fd/2"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i].target, devfd, links[i].name) < 0 && errno != EEXIST)
			return vs_error_errno(err, errno, "symlink /dev/%s", links[i].name);
	/* A ptmx node of the rootfs would reach the host's devpts instance; the
	 * container's own is /dev/pts/ptmx. */
	if (unlinkat(devfd, "ptmx", 0) < 0 && errno != ENOENT)
		return vs_error_errno(err, errno, "remove /dev/ptmx");
	if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
		return vs_error_errno(err, errno, "symlink /dev/ptmx");
	return 0;
}

/* POSIX shared memory wants a world-writable sticky /dev/shm even when the
 * config mounts nothing there (then it lives in the /dev tmpfs). */
static int make_shm(int devfd, struct vs_error *err)
{
	mode_t old = umask(0);
	int r = mkdirat(devfd, "shm", 01777);
	umask(old);
	if (r < 0 && errno != EEXIST)
		return vs_error_errno(err, errno, "mkdir /dev/shm");
	return 0;
}

static int console_mount_point(const struct rootfs_plan *plan, int devfd, struct vs_error *err)
{
	if (unlinkat(devfd, "console", 0) < 0 && errno != ENOENT)
		return vs_error_errno(err, errno, "remove /dev/console");
	_cleanup_close_ int fd =
	    openat(devfd, "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return vs_error_errno(err, errno, "create /dev/console");
	return 0;
}

int rootfs_setup_dev(struct rootfs_plan *plan, struct vs_error *err)
{
	if (create_devices(plan, err) < 0)
		return -1;
	_cleanup_close_ int devfd = -1;
	if (rootfs_mkpath_in_root(plan->root_fd, "/dev", ROOTFS_LEAF_DIR, 0755, &devfd, err) < 0)
		return -1;
	if (make_links(devfd, err) < 0 || make_shm(devfd, err) < 0)
		return -1;
	if (plan->terminal && console_mount_point(plan, devfd, err) < 0)
		return -1;
	return 0;
}

/* A pty slave lives on a devpts instance (major 136-143 for UNIX98 ptys);
 * anything else given as "the pty" could expose a host file as the
 * console. */
int rootfs_bind_console(struct rootfs_plan *plan, int pty_fd, struct vs_error *err)
{
	struct stat st;
	if (fstat(pty_fd, &st) < 0)
		return vs_error_errno(err, errno, "console: stat the pty");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) < 136 || major(st.st_rdev) > 143)
		return vs_error_set(err, "console: fd %d is not a pty slave", pty_fd);
	/* The mount point is opened without following a symlink and must still
	 * be the empty file rootfs_prepare made: a hook or a container sharing
	 * /dev could have swapped it since (CVE-2025-52565). */
	bool weak = vs_weakened("console");
	_cleanup_close_ int dest = -1;
	if (rootfs_open_in_root(plan->root_fd, "/dev/console", O_PATH | (weak ? 0 : O_NOFOLLOW),
				&dest, err) < 0)
		return vs_error_wrap(err, "console");
	if (fstat(dest, &st) < 0 || (!weak && !S_ISREG(st.st_mode)))
		return vs_error_set(err,
				    "console: /dev/console is not the mount point vessel made");
	if (rootfs_bind_tree(pty_fd, NULL, dest, 0, 0, 0, err) < 0)
		return vs_error_wrap(err, "console: bind the pty onto /dev/console");
	return 0;
}
