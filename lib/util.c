#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"

static void oom(void)
{
	static const char msg[] = "vessel: out of memory\n";
	(void)!write(2, msg, sizeof(msg) - 1);
	abort();
}

void *vs_malloc0(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *vs_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *vs_strdup(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		oom();
	return d;
}

char *vs_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return s;
}

void vs_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t vs_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

char **vs_strv_copy(char *const *v)
{
	size_t n = vs_strv_len(v);
	char **c = vs_malloc0((n + 1) * sizeof(char *));
	for (size_t i = 0; i < n; i++)
		c[i] = vs_strdup(v[i]);
	return c;
}

void vs_strv_push(char ***v, const char *s)
{
	size_t n = vs_strv_len(*v);
	*v = vs_realloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = vs_strdup(s);
	(*v)[n + 1] = NULL;
}

bool vs_strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

int vs_read_fd(int fd, size_t max_size, char **ret_buf, size_t *ret_len, struct vs_error *err)
{
	if (max_size == 0)
		max_size = 64u << 20;
	size_t cap = 4096, len = 0;
	_cleanup_free_ char *buf = vs_malloc0(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap >= max_size)
				return vs_error_set(err, "file larger than %zu bytes", max_size);
			cap *= 2;
			buf = vs_realloc(buf, cap + 1);
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vs_error_errno(err, errno, "read");
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret_buf = TAKE_PTR(buf);
	return 0;
}

int vs_read_file(const char *path, size_t max_size, char **ret_buf, size_t *ret_len,
		 struct vs_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s", path);
	if (vs_read_fd(fd, max_size, ret_buf, ret_len, err) < 0)
		return vs_error_wrap(err, "%s", path);
	return 0;
}

int vs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t vs_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int vs_write_file(const char *path, const void *data, size_t len, struct vs_error *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s", path);
	if (vs_write_all(fd, data, len) < 0)
		return vs_error_errno(err, errno, "write %s", path);
	return 0;
}

int vs_write_file_at(int dirfd, const char *name, const char *data, struct vs_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s", name);
	if (vs_write_all(fd, data, strlen(data)) < 0)
		return vs_error_errno(err, errno, "write %s", name);
	return 0;
}

/* fsync of the directory after the rename: without it the rename itself
 * (the new directory entry) may not survive a crash of the machine. */
static int fsync_parent(const char *path, struct vs_error *err)
{
	_cleanup_free_ char *dir = vs_strdup(path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return vs_error_errno(err, errno, "fsync %s", dir);
	return 0;
}

static int write_replace(const char *path, const void *data, size_t len, mode_t mode, bool durable,
			 struct vs_error *err)
{
	_cleanup_free_ char *tmp = vs_strdup_printf("%s.tmp.%d", path, (int)getpid());
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s", tmp);
	if (vs_write_all(fd, data, len) < 0 || (durable && fsync(fd) < 0)) {
		int e = errno;
		unlink(tmp);
		return vs_error_errno(err, e, "write %s", tmp);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return vs_error_errno(err, e, "rename %s to %s", tmp, path);
	}
	return durable ? fsync_parent(path, err) : 0;
}

int vs_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct vs_error *err)
{
	return write_replace(path, data, len, mode, false, err);
}

int vs_write_file_durable(const char *path, const void *data, size_t len, mode_t mode,
			  struct vs_error *err)
{
	return write_replace(path, data, len, mode, true, err);
}

static int parse_check_end(const char *s, const char *end)
{
	if (end == s || *end != '\0') {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int vs_parse_i64(const char *s, int64_t *ret)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno)
		return -1;
	if (parse_check_end(s, end) < 0)
		return -1;
	*ret = v;
	return 0;
}

int vs_parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	while (*s == ' ')
		s++;
	if (*s == '-') {
		errno = ERANGE;
		return -1;
	}
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (parse_check_end(s, end) < 0)
		return -1;
	*ret = v;
	return 0;
}

int vs_parse_int(const char *s, int *ret)
{
	int64_t v;
	if (vs_parse_i64(s, &v) < 0)
		return -1;
	if (v < INT32_MIN || v > INT32_MAX) {
		errno = ERANGE;
		return -1;
	}
	*ret = (int)v;
	return 0;
}

int vs_mkdir_p(const char *path, mode_t mode, struct vs_error *err)
{
	_cleanup_free_ char *p = vs_strdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return vs_error_errno(err, errno, "mkdir %s", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return vs_error_errno(err, errno, "mkdir %s", p);
	return 0;
}

/* The civil (proleptic Gregorian) date of a day count from 1970-01-01
 * (H. Hinnant's days-to-civil algorithm). */
static void civil_from_days(long long z, int *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Without gmtime_r() and strftime(): glibc's first call of either runs
 * tzset(), which reads /etc/localtime (six syscalls in every create and
 * every log line's first) for a UTC time that needs no zone. */
char *vs_rfc3339(const struct timespec *ts)
{
	long long days = ts->tv_sec / 86400, secs = ts->tv_sec % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	return vs_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", y, m, d, (int)(secs / 3600),
				(int)(secs / 60 % 60), (int)(secs % 60), ts->tv_nsec);
}

char *vs_now_rfc3339(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return vs_rfc3339(&ts);
}
