/* The two child calls: rootfs_prepare (propagation, the root mount, mounts[],
 * /dev, masks) and rootfs_pivot (into the root, then read-only). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/rootfs/rootfs-internal.h"

/* Unescape mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] && p[3]) {
			*o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

static bool is_prefix_dir(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(dir, path, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* pivot_root refuses a new root whose parent mount is shared, and an
 * unbindable mount cannot be bound onto itself; with such a
 * rootfsPropagation the mount holding root.path is made private (only in
 * this namespace) first, as runc does for shared. */
static int make_parent_private(const char *root, struct vs_error *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return vs_error_errno(err, errno, "open /proc/self/mountinfo");
	_cleanup_free_ char *line = NULL, *best = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		char mp[4096];
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		unescape(mp);
		if (is_prefix_dir(mp, root) && (!best || strlen(mp) > strlen(best))) {
			free(best);
			best = vs_strdup(mp);
		}
	}
	if (best && mount(NULL, best, NULL, MS_PRIVATE, NULL) < 0)
		return vs_error_errno(err, errno, "make %s private", best);
	return 0;
}

static int mount_root(struct rootfs_plan *plan, struct vs_error *err)
{
	_cleanup_close_ int fd = open(plan->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open root %s", plan->root);
	_cleanup_free_ char *p = rootfs_fd_path(fd);
	if (plan->overlay_data) {
		if (mount("overlay", p, "overlay", 0, plan->overlay_data) < 0)
			return vs_error_errno(err, errno, "mount the overlay root on %s (%s)",
					      plan->root, plan->overlay_data);
	} else if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
		return vs_error_errno(err, errno, "bind %s onto itself", plan->root);
	}
	/* A fresh open sees the new mount on top, not the directory under it. */
	plan->root_fd = open(plan->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (plan->root_fd < 0)
		return vs_error_errno(err, errno, "open root %s", plan->root);
	return 0;
}

static int mount_dev_tmpfs(struct rootfs_plan *plan, struct vs_error *err)
{
	_cleanup_close_ int fd = -1;
	if (rootfs_mkpath_in_root(plan->root_fd, "/dev", ROOTFS_LEAF_DIR, 0755, &fd, err) < 0)
		return -1;
	_cleanup_free_ char *p = rootfs_fd_path(fd);
	if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") < 0)
		return vs_error_errno(err, errno, "mount a tmpfs on /dev");
	return 0;
}

/* mounts[]' /dev asked for "ro": everything in it is made by now. */
static int dev_readonly(struct rootfs_plan *plan, struct vs_error *err)
{
	_cleanup_close_ int fd = -1;
	if (rootfs_open_in_root(plan->root_fd, "/dev", O_PATH, &fd, err) < 0)
		return vs_error_wrap(err, "rootfs");
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return vs_error_errno(err, errno, "rootfs: make /dev read-only");
	return 0;
}

int rootfs_prepare(struct rootfs_plan *plan, struct vs_error *err)
{
	if (plan->no_mountns) {
		plan->root_fd = open(plan->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (plan->root_fd < 0)
			return vs_error_errno(err, errno, "rootfs: open root %s", plan->root);
		return 0;
	}
	if (mount(NULL, "/", NULL, plan->propagation, NULL) < 0)
		return vs_error_errno(err, errno, "rootfs: set the propagation of /");
	if ((plan->propagation & (MS_SHARED | MS_UNBINDABLE)) &&
	    make_parent_private(plan->root, err) < 0)
		return vs_error_wrap(err, "rootfs");
	if (mount_root(plan, err) < 0)
		return vs_error_wrap(err, "rootfs");
	if (!plan->has_dev_mount && mount_dev_tmpfs(plan, err) < 0)
		return vs_error_wrap(err, "rootfs");
	if (rootfs_apply_mounts(plan, err) < 0)
		return vs_error_wrap(err, "rootfs");
	if (rootfs_setup_dev(plan, err) < 0)
		return vs_error_wrap(err, "rootfs: /dev");
	if (rootfs_apply_masks(plan, err) < 0)
		return vs_error_wrap(err, "rootfs");
	return plan->dev_readonly ? dev_readonly(plan, err) : 0;
}

/* pivot_root(".", ".") stacks the old root on top of the new one; it is
 * made a slave first so that unmounting it cannot propagate to the host's
 * mounts, then detached. */
static int do_pivot(struct rootfs_plan *plan, struct vs_error *err)
{
	_cleanup_close_ int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (old_root < 0)
		return vs_error_errno(err, errno, "open /");
	if (fchdir(plan->root_fd) < 0)
		return vs_error_errno(err, errno, "chdir %s", plan->root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return vs_error_errno(err, errno, "pivot_root %s", plan->root);
	if (fchdir(old_root) < 0)
		return vs_error_errno(err, errno, "chdir to the old root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return vs_error_errno(err, errno, "make the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		return vs_error_errno(err, errno, "detach the old root");
	return 0;
}

/* The host's own procfs and sysfs stay in this mount namespace under a
 * chroot.  The kernel lets a user namespace mount a fresh procfs or sysfs
 * only where one is already fully visible (mount_too_revealing), so
 * leaving them would let the container mount an unmasked /proc of its own
 * (runc's no_pivot test).  Detach them, deepest first; the container's
 * own, under the root, stay.  The namespace is not shared with the host
 * (the rootfs step made it slave or private), so nothing propagates. */
static int hide_host_procfs(const char *root, struct vs_error *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return vs_error_errno(err, errno, "open /proc/self/mountinfo");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, n = 0;
	char **targets = NULL;
	while (getline(&line, &cap, f) > 0) {
		char mp[4096], fstype[64];
		const char *sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
		    sscanf(sep + 3, "%63s", fstype) != 1)
			continue;
		unescape(mp);
		if ((strcmp(fstype, "proc") == 0 || strcmp(fstype, "sysfs") == 0) &&
		    !is_prefix_dir(root, mp)) {
			vs_strv_push(&targets, mp);
			n++;
		}
	}
	int r = 0;
	for (size_t i = n; i-- > 0 && r == 0;)
		if (umount2(targets[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
			r = vs_error_errno(err, errno, "--no-pivot: detach the host's %s",
					   targets[i]);
	vs_strv_free(targets);
	return r;
}

/* --no-pivot: for roots pivot_root refuses (ramfs/initramfs).  The old root
 * stays reachable to a process that can escape a chroot (CAP_SYS_CHROOT),
 * which is why it is opt-in. */
static int do_chroot(struct rootfs_plan *plan, struct vs_error *err)
{
	if (hide_host_procfs(plan->root, err) < 0)
		return -1;
	if (fchdir(plan->root_fd) < 0)
		return vs_error_errno(err, errno, "chdir %s", plan->root);
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return vs_error_errno(err, errno, "move %s to /", plan->root);
	if (chroot(".") < 0)
		return vs_error_errno(err, errno, "chroot %s", plan->root);
	return 0;
}

int rootfs_pivot(struct rootfs_plan *plan, struct vs_error *err)
{
	if (plan->pivoted)
		return vs_error_set(err, "rootfs: already pivoted");
	if (plan->no_mountns) {
		/* The host's mount namespace: neither pivot_root nor the move
		 * of --no-pivot may touch it; a chroot only changes ours. */
		if (fchdir(plan->root_fd) < 0 || chroot(".") < 0)
			return vs_error_errno(err, errno, "rootfs: chroot %s", plan->root);
	} else if ((plan->no_pivot ? do_chroot(plan, err) : do_pivot(plan, err)) < 0) {
		return vs_error_wrap(err, "rootfs");
	}
	if (chdir("/") < 0)
		return vs_error_errno(err, errno, "rootfs: chdir /");
	plan->pivoted = true;
	vs_closep(&plan->root_fd);
	plan->root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (plan->root_fd < 0)
		return vs_error_errno(err, errno, "rootfs: open the new /");
	if (plan->no_mountns)
		return 0; /* nothing of the rest is ours to change */
	/* The root is a bind made after "/" got the propagation, of a parent
	 * that had to be made private for shared and unbindable: it is private
	 * then.  Set it again on the new "/", so rootfsPropagation is what the
	 * container's root has (unbindable: a bind of / inside fails); on the
	 * root only: mounts[] entries may have set their own. */
	if (mount(NULL, "/", NULL, plan->propagation & ~(unsigned long)MS_REC, NULL) < 0)
		return vs_error_errno(err, errno, "rootfs: set the propagation of the new /");
	if (plan->readonly) {
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
		if (mount_setattr(plan->root_fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
			return vs_error_errno(err, errno, "rootfs: make / read-only");
	}
	return 0;
}
