/* Paths inside the container's root.
 *
 * Every lookup is openat2(root_fd, path, RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS): the kernel treats root_fd as "/" for absolute
 * symlinks and ".." alike, so a rootfs full of hostile symlinks can only ever
 * lead to another place inside the root.  Missing components are created in
 * the directory fd just resolved (mkdirat/openat never follow the name they
 * create), then looked up again from the root, so a racing rename cannot
 * redirect the creation either. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "lib/weaken.h"
#include "runtime/rootfs/rootfs-internal.h"

int rootfs_clean_path(const char *path, char **ret_clean, struct vs_error *err)
{
	if (!path || path[0] == '\0')
		return vs_error_set(err, "empty path");
	if (path[0] != '/')
		return vs_error_set(err, "\"%s\" is not an absolute path", path);
	size_t len = strlen(path);
	_cleanup_free_ char *out = vs_malloc0(len + 2);
	size_t o = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (o == 0)
				return vs_error_set(err, "\"%s\" climbs above the container root",
						    path);
			while (o > 0 && out[o - 1] != '/')
				o--;
			o--; /* drop the '/' too */
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	*ret_clean = TAKE_PTR(out);
	return 0;
}

char *rootfs_fd_path(int fd)
{
	return vs_strdup_printf("/proc/self/fd/%d", fd);
}

static int openat2_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	/* tests/security: symlinks resolved against the host's / instead. */
	if (vs_weakened("in-root"))
		how.resolve = RESOLVE_NO_MAGICLINKS;
	const char *rel = path;
	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		rel = ".";
	/* EAGAIN: a concurrent rename somewhere in the tree; the kernel asks us
	 * to retry rather than risk a wrong answer. */
	for (int i = 0; i < 32; i++) {
		long fd = syscall(SYS_openat2, root_fd, rel, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			return (int)fd;
	}
	return -1;
}

int rootfs_open_in_root(int root_fd, const char *path, int flags, int *ret_fd, struct vs_error *err)
{
	int fd = openat2_in_root(root_fd, path, flags);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s in the container", path);
	*ret_fd = fd;
	return 0;
}

static int create_component(int parent_fd, const char *name, bool dir, mode_t mode)
{
	if (dir)
		return mkdirat(parent_fd, name, mode);
	int fd =
	    openat(parent_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Resolve prefix (which names `name` in the directory parent_fd), creating it
 * when missing.  Returns 1 and the link's target when `name` is a dangling
 * symlink: the caller then creates what it points to, inside the root. */
static int step(int root_fd, int parent_fd, const char *prefix, const char *name, bool dir,
		mode_t mode, int *ret_fd, char **ret_link, struct vs_error *err)
{
	int fd = openat2_in_root(root_fd, prefix, O_PATH);
	if (fd < 0 && errno == ENOENT) {
		/* EEXIST: a dangling symlink, or a racing creator; the lookup
		 * below decides which. */
		if (create_component(parent_fd, name, dir, mode) < 0 && errno != EEXIST)
			return vs_error_errno(err, errno, "create %s in the container", prefix);
		fd = openat2_in_root(root_fd, prefix, O_PATH);
		if (fd < 0 && errno == ENOENT) {
			char buf[PATH_MAX];
			ssize_t n = readlinkat(parent_fd, name, buf, sizeof(buf) - 1);
			if (n <= 0)
				return vs_error_set(err,
						    "%s in the container vanished while being "
						    "created",
						    prefix);
			buf[n] = '\0';
			*ret_link = vs_strdup(buf);
			return 1;
		}
	}
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s in the container", prefix);
	*ret_fd = fd;
	return 0;
}

/* The path to create instead when the component ending at prefix[plen] is a
 * symlink to `link`: its target, then the rest.  ".." in it is fine: every
 * prefix is resolved by the kernel, clamped to the root. */
static char *redirect(const char *prefix, size_t parent_len, const char *link, const char *rest)
{
	const char *sep = *rest ? "/" : "";
	if (link[0] == '/')
		return vs_strdup_printf("%s%s%s", link, sep, rest);
	return vs_strdup_printf("%.*s/%s%s%s", (int)parent_len, prefix, link, sep, rest);
}

/* 0 with *ret_fd, 1 with *ret_redirect (a dangling symlink on the way), -1. */
static int mkpath_once(int root_fd, const char *path, enum rootfs_leaf leaf, mode_t mode,
		       int *ret_fd, char **ret_redirect, struct vs_error *err)
{
	_cleanup_free_ char *prefix = vs_malloc0(strlen(path) + 2);
	_cleanup_close_ int cur = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return vs_error_errno(err, errno, "dup root fd");
	size_t o = 0;
	const char *p = path;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		const char *rest = p;
		while (*rest == '/')
			rest++;
		size_t parent_len = o;
		prefix[o++] = '/';
		memcpy(prefix + o, s, (size_t)(p - s));
		o += (size_t)(p - s);
		prefix[o] = '\0';
		_cleanup_free_ char *name = strndup(s, (size_t)(p - s));
		_cleanup_free_ char *link = NULL;
		bool dir = *rest != '\0' || leaf == ROOTFS_LEAF_DIR;
		int next = -1;
		int r =
		    step(root_fd, cur, prefix, name, dir, *rest ? 0755 : mode, &next, &link, err);
		if (r < 0)
			return -1;
		if (r == 1) {
			*ret_redirect = redirect(prefix, parent_len, link, rest);
			return 1;
		}
		vs_closep(&cur);
		cur = next;
	}
	*ret_fd = TAKE_FD(cur);
	return 0;
}

int rootfs_mkpath_in_root(int root_fd, const char *path, enum rootfs_leaf leaf, mode_t mode,
			  int *ret_fd, struct vs_error *err)
{
	_cleanup_free_ char *cur = vs_strdup(path);
	/* The kernel's own limit on symlinks in one lookup. */
	for (int hops = 0; hops <= 40; hops++) {
		char *next = NULL;
		int r = mkpath_once(root_fd, cur, leaf, mode, ret_fd, &next, err);
		if (r <= 0)
			return r;
		free(cur);
		cur = next;
	}
	return vs_error_errno(err, ELOOP, "create %s in the container", path);
}

int rootfs_open_parent_in_root(int root_fd, const char *path, int *ret_dirfd, const char **ret_name,
			       struct vs_error *err)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash[1] == '\0')
		return vs_error_set(err, "%s: no file name", path);
	_cleanup_free_ char *parent = strndup(path, (size_t)(slash - path));
	int fd;
	if (rootfs_mkpath_in_root(root_fd, parent[0] ? parent : "/", ROOTFS_LEAF_DIR, 0755, &fd,
				  err) < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		close(fd);
		return vs_error_set(err, "%s in the container is not a directory", parent);
	}
	*ret_dirfd = fd;
	*ret_name = slash + 1;
	return 0;
}

int rootfs_make_mountpoint(const char *rootfs, const char *path, bool file, struct vs_error *err)
{
	_cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return vs_error_errno(err, errno, "open %s", rootfs);
	_cleanup_close_ int fd = -1;
	return rootfs_mkpath_in_root(root, path, file ? ROOTFS_LEAF_FILE : ROOTFS_LEAF_DIR,
				     file ? 0644 : 0755, &fd, err);
}
