/* "tmpcopyup": a tmpfs mounted over a directory of the rootfs starts with a
 * copy of what that directory held (podman uses it for /etc-like mounts).
 *
 * The copy walks directory fds only: entries are opened with O_NOFOLLOW
 * relative to their parent, symlinks are copied as symlinks and never
 * followed, and owners/modes are set on what was just created, so a rootfs
 * full of symlinks cannot make the copy read or write outside it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/rootfs/rootfs-internal.h"

enum { COPYUP_MAX_DEPTH = 64 };

static int copy_tree(int src, int dst, int depth, struct vs_error *err);

static int copy_data(int sfd, int dfd, const char *name, struct vs_error *err)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(sfd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vs_error_errno(err, errno, "read %s", name);
		if (n == 0)
			return 0;
		if (vs_write_all(dfd, buf, (size_t)n) < 0)
			return vs_error_errno(err, errno, "write %s", name);
	}
}

static int copy_file(int src, int dst, const char *name, const struct stat *st,
		     struct vs_error *err)
{
	_cleanup_close_ int sfd = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return vs_error_errno(err, errno, "open %s", name);
	_cleanup_close_ int dfd =
	    openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dfd < 0)
		return vs_error_errno(err, errno, "create %s", name);
	if (copy_data(sfd, dfd, name, err) < 0)
		return -1;
	if (fchown(dfd, st->st_uid, st->st_gid) < 0 || fchmod(dfd, st->st_mode & 07777) < 0)
		return vs_error_errno(err, errno, "set the owner and mode of %s", name);
	return 0;
}

static int copy_dir(int src, int dst, const char *name, const struct stat *st, int depth,
		    struct vs_error *err)
{
	if (mkdirat(dst, name, 0700) < 0)
		return vs_error_errno(err, errno, "mkdir %s", name);
	_cleanup_close_ int s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s < 0 || d < 0)
		return vs_error_errno(err, errno, "open %s", name);
	if (copy_tree(s, d, depth + 1, err) < 0)
		return vs_error_wrap(err, "%s", name);
	if (fchown(d, st->st_uid, st->st_gid) < 0 || fchmod(d, st->st_mode & 07777) < 0)
		return vs_error_errno(err, errno, "set the owner and mode of %s", name);
	return 0;
}

static int copy_other(int src, int dst, const char *name, const struct stat *st,
		      struct vs_error *err)
{
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
		if (n < 0)
			return vs_error_errno(err, errno, "readlink %s", name);
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0)
			return vs_error_errno(err, errno, "symlink %s", name);
	} else if (mknodat(dst, name, st->st_mode & (S_IFMT | 0600), st->st_rdev) < 0) {
		return vs_error_errno(err, errno, "mknod %s", name);
	} else if (fchmodat(dst, name, st->st_mode & 07777, 0) < 0) {
		return vs_error_errno(err, errno, "chmod %s", name);
	}
	if (fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return vs_error_errno(err, errno, "chown %s", name);
	return 0;
}

static int copy_entry(int src, int dst, const char *name, int depth, struct vs_error *err)
{
	struct stat st;
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return vs_error_errno(err, errno, "stat %s", name);
	if (S_ISREG(st.st_mode))
		return copy_file(src, dst, name, &st, err);
	if (S_ISDIR(st.st_mode))
		return copy_dir(src, dst, name, &st, depth, err);
	return copy_other(src, dst, name, &st, err);
}

static int copy_tree(int src, int dst, int depth, struct vs_error *err)
{
	if (depth > COPYUP_MAX_DEPTH)
		return vs_error_set(err, "deeper than %d directories", COPYUP_MAX_DEPTH);
	int dup = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dup < 0)
		return vs_error_errno(err, errno, "open directory");
	DIR *d = fdopendir(dup);
	if (!d) {
		close(dup);
		return vs_error_errno(err, errno, "read directory");
	}
	int r = 0;
	struct dirent *e;
	while (r == 0 && (errno = 0, e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		r = copy_entry(src, dst, e->d_name, depth, err);
	}
	if (r == 0 && errno != 0)
		r = vs_error_errno(err, errno, "read directory");
	closedir(d);
	return r;
}

int rootfs_copyup(int lower_fd, int upper_fd, struct vs_error *err)
{
	struct stat st;
	if (fstat(lower_fd, &st) < 0)
		return vs_error_errno(err, errno, "tmpcopyup: stat");
	_cleanup_close_ int up = openat(upper_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (up < 0)
		return vs_error_errno(err, errno, "tmpcopyup: open the tmpfs");
	if (copy_tree(lower_fd, up, 0, err) < 0)
		return vs_error_wrap(err, "tmpcopyup");
	if (fchown(up, st.st_uid, st.st_gid) < 0 || fchmod(up, st.st_mode & 07777) < 0)
		return vs_error_errno(err, errno, "tmpcopyup: set the owner and mode");
	return 0;
}
