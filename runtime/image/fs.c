/* File helpers of the image store: recursive removal, symlink-safe
 * directory walks, temp dirs. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/image/image-internal.h"

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int r = type == FTW_DP ? rmdir(path) : unlink(path);
	return r < 0 && errno != ENOENT ? -1 : 0;
}

int img_rm_rf(const char *path, struct vs_error *err)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return vs_error_errno(err, errno, "remove %s", path);
	}
	/* FTW_MOUNT: a mount left inside (a leaked overlay) is not emptied
	 * through; rmdir of its mount point then fails and says so. */
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
		return vs_error_errno(err, errno, "remove %s", path);
	return 0;
}

int img_open_dir_at(int dirfd, const char *rel, bool create, int *ret_fd, struct vs_error *err)
{
	_cleanup_close_ int cur = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return vs_error_errno(err, errno, "open layer directory");
	_cleanup_free_ char *copy = vs_strdup(rel);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0)
			return vs_error_set(err, "%s: '..' is not allowed", rel);
		if (create && mkdirat(cur, c, 0755) < 0 && errno != EEXIST)
			return vs_error_errno(err, errno, "mkdir %s (in %s)", c, rel);
		int next = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return vs_error_errno(err, errno, "open %s (in %s)", c, rel);
		close(cur);
		cur = next;
	}
	*ret_fd = TAKE_FD(cur);
	return 0;
}

int img_mkdtemp(const char *dir, const char *prefix, char **ret_path, struct vs_error *err)
{
	char *p = vs_strdup_printf("%s/%sXXXXXX", dir, prefix);
	if (!mkdtemp(p)) {
		int saved = errno;
		free(p);
		return vs_error_errno(err, saved, "create a temporary directory in %s", dir);
	}
	*ret_path = p;
	return 0;
}

bool img_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
