/* Reading and writing a cgroup's interface files, relative to its fd. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"
#include "runtime/rootless/rootless.h"

int cg_write(const struct cg_handle *h, const char *name, const char *value, struct vs_error *err)
{
	int flags = O_WRONLY | O_CLOEXEC;
	if (h->fake)
		flags |= O_CREAT | O_TRUNC;
	_cleanup_close_ int fd = openat(h->fd, name, flags, 0644);
	if (fd < 0) {
		if (errno == ENOENT)
			return vs_error_errno(err, errno, "%s/%s: no such interface file", h->dir,
					      name);
		return vs_error_errno(err, errno, "open %s/%s", h->dir, name);
	}
	/* One write(2): the kernel parses each write as a whole value, so a
	 * short write would hand it half a number. */
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	if (n < 0)
		return vs_error_errno(err, errno, "write %s \"%s\"", name, value);
	if ((size_t)n != len)
		return vs_error_set(err, "write %s \"%s\": short write", name, value);
	return 0;
}

int cg_write_u64(const struct cg_handle *h, const char *name, uint64_t value, struct vs_error *err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	return cg_write(h, name, buf, err);
}

int cg_read(const struct cg_handle *h, const char *name, char **ret_buf, struct vs_error *err)
{
	_cleanup_close_ int fd = openat(h->fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s/%s", h->dir, name);
	if (vs_read_fd(fd, 0, ret_buf, NULL, err) < 0)
		return vs_error_wrap(err, "read %s/%s", h->dir, name);
	return 0;
}

static int parse_u64_value(const char *s, uint64_t *ret)
{
	if (strncmp(s, "max", 3) == 0 && (s[3] == '\0' || s[3] == '\n')) {
		*ret = UINT64_MAX;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || (*end != '\0' && *end != '\n' && *end != ' '))
		return -1;
	*ret = v;
	return 0;
}

int cg_read_u64(const struct cg_handle *h, const char *name, uint64_t *ret, struct vs_error *err)
{
	_cleanup_free_ char *buf = NULL;
	if (cg_read(h, name, &buf, err) < 0)
		return -1;
	if (parse_u64_value(buf, ret) < 0)
		return vs_error_set(err, "%s/%s: not a number: \"%.32s\"", h->dir, name, buf);
	return 0;
}

int cg_read_key(const struct cg_handle *h, const char *name, const char *key, uint64_t *ret,
		struct vs_error *err)
{
	_cleanup_free_ char *buf = NULL;
	if (cg_read(h, name, &buf, err) < 0)
		return -1;
	size_t klen = strlen(key);
	for (char *line = buf; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			if (parse_u64_value(line + klen + 1, ret) < 0)
				break;
			return 0;
		}
	}
	return vs_error_errno(err, ENOENT, "%s/%s: no key \"%s\"", h->dir, name, key);
}

bool cg_file_exists(const struct cg_handle *h, const char *name)
{
	return faccessat(h->fd, name, F_OK, 0) == 0;
}

bool cg_has_controller(const struct cg_handle *h, const char *name)
{
	return vs_strv_contains(h->available, name);
}

int cg_require(const struct cg_handle *h, const char *what, struct vs_error *err)
{
	if (h->fd >= 0)
		return 0;
	if (h->gone)
		return vs_error_errno(err, ENOENT, "cannot %s: cgroup %s no longer exists", what,
				      h->path);
	return vs_error_set(err, "cannot %s: the container has no cgroup (%s when it was created)",
			    what,
			    rl_active() ? "rootless, with no delegated cgroup v2 subtree"
					: "no cgroup2 hierarchy was mounted");
}
