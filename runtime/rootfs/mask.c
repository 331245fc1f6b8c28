/* linux.maskedPaths and linux.readonlyPaths, applied after every other mount
 * (so /proc and /sys are there to be masked) and before the pivot. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "lib/weaken.h"
#include "runtime/rootfs/rootfs-internal.h"

/* The container's /dev/null is what covers masked files; a rootfs that put
 * something else there (a symlink to a host file, a regular file) would turn
 * masking into exposing, so the fd that gets bound is checked first, and
 * that very fd is what is bound, never the path again (CVE-2025-31133). */
static int open_null(int root_fd, int *ret_fd, struct vs_error *err)
{
	bool weak = vs_weakened("null-check");
	_cleanup_close_ int fd = -1;
	if (rootfs_open_in_root(root_fd, "/dev/null", O_PATH | (weak ? 0 : O_NOFOLLOW), &fd, err) <
	    0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return vs_error_errno(err, errno, "stat /dev/null");
	if (!weak && (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)))
		return vs_error_set(err, "/dev/null in the container is not the null device");
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* 1 and an fd when path exists in the container, 0 when it does not (there
 * is nothing to hide or protect then, as in runc), -1 on other errors. */
static int open_existing(int root_fd, const char *path, int *ret_fd, struct vs_error *err)
{
	struct vs_error e = VS_ERROR_INIT;
	if (rootfs_open_in_root(root_fd, path, O_PATH, ret_fd, &e) == 0)
		return 1;
	int errnum = e.errnum;
	if (errnum == ENOENT || errnum == ENOTDIR) {
		vs_error_clear(&e);
		return 0;
	}
	vs_error_set_raw(err, errnum, e.msg);
	vs_error_clear(&e);
	return -1;
}

static int mask_one(int root_fd, int null_fd, const char *path, struct vs_error *err)
{
	_cleanup_close_ int fd = -1;
	int r = open_existing(root_fd, path, &fd, err);
	if (r <= 0)
		return r;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return vs_error_errno(err, errno, "stat %s", path);
	if (!S_ISDIR(st.st_mode))
		return rootfs_bind_tree(null_fd, NULL, fd, 0, MOUNT_ATTR_RDONLY, 0, err);
	_cleanup_free_ char *target = rootfs_fd_path(fd);
	if (mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0555") < 0)
		return vs_error_errno(err, errno, "mount a read-only tmpfs on %s", path);
	return 0;
}

static int readonly_one(int root_fd, const char *path, struct vs_error *err)
{
	_cleanup_close_ int fd = -1;
	int r = open_existing(root_fd, path, &fd, err);
	if (r <= 0)
		return r;
	/* Bind the tree onto itself, then make every mount of it read-only:
	 * /proc/sys may carry binfmt_misc below it. */
	return rootfs_bind_tree(fd, NULL, fd, ROOTFS_BIND_TREE | ROOTFS_BIND_ATTR_REC,
				MOUNT_ATTR_RDONLY, 0, err);
}

int rootfs_apply_masks(struct rootfs_plan *plan, struct vs_error *err)
{
	if (plan->masked && plan->masked[0]) {
		_cleanup_close_ int null_fd = -1;
		if (open_null(plan->root_fd, &null_fd, err) < 0)
			return vs_error_wrap(err, "maskedPaths");
		for (size_t i = 0; plan->masked[i]; i++)
			if (mask_one(plan->root_fd, null_fd, plan->masked[i], err) < 0)
				return vs_error_wrap(err, "maskedPaths[%zu] %s", i,
						     plan->masked[i]);
	}
	for (size_t i = 0; plan->readonly_paths && plan->readonly_paths[i]; i++)
		if (readonly_one(plan->root_fd, plan->readonly_paths[i], err) < 0)
			return vs_error_wrap(err, "readonlyPaths[%zu] %s", i,
					     plan->readonly_paths[i]);
	return 0;
}
