/* lib/util.c's replace-by-rename writers: vs_write_file_atomic (runtime
 * state, no fsync) and vs_write_file_durable (fsync of file and dir).  Both
 * must leave the new content with the asked mode, replace an existing file,
 * leave no temp file, and on failure name the path and leave nothing. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "tap.h"

typedef int (*writer_fn)(const char *path, const void *data, size_t len, mode_t mode,
			 struct vs_error *err);

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_writer(const char *name, writer_fn write_fn)
{
	char tmpl[] = "/tmp/vessel-test-util.XXXXXX";
	char *dir = mkdtemp(tmpl);
	CHECK(dir != NULL, "mkdtemp");
	if (!dir)
		return;
	printf("# %s\n", name);
	_cleanup_free_ char *path = vs_strdup_printf("%s/state.json", dir);
	struct vs_error err = VS_ERROR_INIT;

	CHECK_INT(write_fn(path, "first", 5, 0600, &err), ==, 0);
	CHECK_INT(write_fn(path, "second", 6, 0600, &err), ==, 0);
	_cleanup_free_ char *buf = NULL;
	CHECK_INT(vs_read_file(path, 0, &buf, NULL, &err), ==, 0);
	CHECK_STR(buf, "second");
	struct stat st;
	CHECK_INT(stat(path, &st), ==, 0);
	CHECK_INT(st.st_mode & 07777, ==, 0600);
	CHECK_INT(count_entries(dir), ==, 1); /* no temp file left */

	_cleanup_free_ char *missing = vs_strdup_printf("%s/no-such-dir/x", dir);
	CHECK_INT(write_fn(missing, "x", 1, 0600, &err), ==, -1);
	CHECK_INT(err.errnum, ==, ENOENT);
	CHECK(err.msg && strstr(err.msg, missing), "the error names the path");
	vs_error_clear(&err);
	CHECK_INT(count_entries(dir), ==, 1);

	unlink(path);
	rmdir(dir);
}

/* vs_rfc3339 formats without gmtime_r (which reads /etc/localtime): it
 * must agree with gmtime_r + strftime from before 1970 to past 2100, leap
 * days and centuries included. */
static void test_rfc3339(void)
{
	int bad = 0;
	for (long long t = -86400LL * 1000; t < 86400LL * 60000; t += 86400 * 3 + 3599) {
		struct timespec ts = {.tv_sec = (time_t)t, .tv_nsec = 5};
		struct tm tm;
		char want[80], tail[16];
		gmtime_r(&ts.tv_sec, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(tail, sizeof(tail), ".%09dZ", 5);
		strcat(want, tail);
		_cleanup_free_ char *got = vs_rfc3339(&ts);
		if (strcmp(got, want) != 0 && bad++ < 3)
			printf("# %lld: %s, want %s\n", t, got, want);
	}
	CHECK_INT(bad, ==, 0);
	struct timespec leap = {.tv_sec = 951825600, .tv_nsec = 123456789};
	_cleanup_free_ char *s = vs_rfc3339(&leap);
	CHECK_STR(s, "2000-02-29T12:00:00.123456789Z");
}

int main(void)
{
	test_rfc3339();
	test_writer("vs_write_file_atomic", vs_write_file_atomic);
	test_writer("vs_write_file_durable", vs_write_file_durable);
	return tap_done();
}
