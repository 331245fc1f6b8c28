/* Pure parts of runtime/rootfs: mount option parsing and path cleaning. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/error.h"
#include "runtime/rootfs/rootfs.h"
#include "tap.h"

static void test_options(void)
{
	char *opts[] = {"ro",	  "nosuid",   "nodev",	 "rbind", "rro",    "rnoatime",
			"shared", "mode=755", "size=1k", "idmap", "rslave", NULL};
	struct rootfs_mount_opts o;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(rootfs_parse_mount_options(opts, &o, &err), ==, 0);
	unsigned long want = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_BIND | MS_REC;
	CHECK_INT(o.flags & want, ==, want);
	CHECK_INT(o.clear, ==, 0);
	CHECK_INT(o.rec_attr_set, ==, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOATIME);
	CHECK_INT(o.rec_attr_clr, ==, MOUNT_ATTR__ATIME);
	CHECK_INT(o.n_propagation, ==, 2);
	CHECK_INT(o.propagation[0], ==, MS_SHARED);
	CHECK_INT(o.propagation[1], ==, MS_SLAVE | MS_REC);
	CHECK_STR(o.data, "mode=755,size=1k");
	CHECK(o.idmap && !o.ridmap, "idmap set, ridmap not");
	rootfs_mount_opts_free(&o);
}

static void test_options_override(void)
{
	char *opts[] = {"ro", "rw", "nosuid", "suid", "noexec", "rro", "rrw", "ridmap", NULL};
	struct rootfs_mount_opts o;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(rootfs_parse_mount_options(opts, &o, &err), ==, 0);
	CHECK_INT(o.flags & MS_RDONLY, ==, 0);
	CHECK_INT(o.flags & MS_NOSUID, ==, 0);
	CHECK_INT(o.flags & MS_NOEXEC, ==, MS_NOEXEC);
	CHECK_INT(o.clear & (MS_RDONLY | MS_NOSUID), ==, MS_RDONLY | MS_NOSUID);
	CHECK_INT(o.rec_attr_set, ==, 0);
	CHECK_INT(o.rec_attr_clr, ==, MOUNT_ATTR_RDONLY);
	CHECK(o.ridmap, "ridmap set");
	CHECK(o.data == NULL, "no data for known options");
	rootfs_mount_opts_free(&o);

	char *none[] = {NULL};
	CHECK_INT(rootfs_parse_mount_options(none, &o, &err), ==, 0);
	CHECK_INT(o.flags | o.clear | o.rec_attr_set | o.n_propagation, ==, 0);
	CHECK_INT(rootfs_parse_mount_options(NULL, &o, &err), ==, 0);

	char *bad[] = {"ro", "", NULL};
	CHECK_INT(rootfs_parse_mount_options(bad, &o, &err), ==, -1);
	CHECK(err.msg && strstr(err.msg, "options[1]"), "error names the bad option's index");
	vs_error_clear(&err);
}

static void test_atime_attrs(void)
{
	char *opts[] = {"rstrictatime", NULL};
	struct rootfs_mount_opts o;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(rootfs_parse_mount_options(opts, &o, &err), ==, 0);
	CHECK_INT(o.rec_attr_set, ==, MOUNT_ATTR_STRICTATIME);
	CHECK_INT(o.rec_attr_clr, ==, MOUNT_ATTR__ATIME);
	char *opts2[] = {"rnoatime", "ratime", NULL};
	CHECK_INT(rootfs_parse_mount_options(opts2, &o, &err), ==, 0);
	CHECK_INT(o.rec_attr_set, ==, 0);
	CHECK_INT(o.rec_attr_clr, ==, MOUNT_ATTR__ATIME);
}

static void test_flags_to_attr(void)
{
	uint64_t s, c;
	rootfs_flags_to_attr(MS_RDONLY | MS_NOATIME | MS_NOEXEC, MS_NOSUID, &s, &c);
	CHECK_INT(s, ==, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOATIME | MOUNT_ATTR_NOEXEC);
	CHECK_INT(c, ==, MOUNT_ATTR__ATIME | MOUNT_ATTR_NOSUID);
	rootfs_flags_to_attr(MS_BIND | MS_REC, 0, &s, &c);
	CHECK_INT(s | c, ==, 0);
	rootfs_flags_to_attr(MS_STRICTATIME, 0, &s, &c);
	CHECK_INT(s, ==, MOUNT_ATTR_STRICTATIME);
}

static void test_propagation(void)
{
	CHECK_INT(rootfs_parse_propagation("rslave"), ==, MS_SLAVE | MS_REC);
	CHECK_INT(rootfs_parse_propagation("private"), ==, MS_PRIVATE);
	CHECK_INT(rootfs_parse_propagation("runbindable"), ==, MS_UNBINDABLE | MS_REC);
	CHECK_INT(rootfs_parse_propagation("shared"), ==, MS_SHARED);
	CHECK_INT(rootfs_parse_propagation("bogus"), ==, -1);
	CHECK_INT(rootfs_parse_propagation(NULL), ==, -1);
}

static void clean_ok(const char *in, const char *want)
{
	char *out = NULL;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(rootfs_clean_path(in, &out, &err), ==, 0);
	CHECK_STR(out, want);
	free(out);
}

static void clean_bad(const char *in, const char *msg_part)
{
	char *out = NULL;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(rootfs_clean_path(in, &out, &err), ==, -1);
	CHECK(err.msg && strstr(err.msg, msg_part), msg_part);
	vs_error_clear(&err);
}

static void test_clean_path(void)
{
	clean_ok("/a//b/./c/../d", "/a/b/d");
	clean_ok("/", "/");
	clean_ok("//", "/");
	clean_ok("/a/b/..", "/a");
	clean_ok("/a/..", "/");
	clean_ok("/dev/pts/", "/dev/pts");
	clean_ok("/a/../b/../c", "/c");
	clean_bad("/..", "climbs above");
	clean_bad("/../../etc", "climbs above");
	clean_bad("/a/../../etc", "climbs above");
	clean_bad("etc", "not an absolute path");
	clean_bad("", "empty path");
}

static void test_known(void)
{
	const char *const *k = rootfs_known_mount_options();
	int have_rro = 0, have_ridmap = 0, have_bind = 0, n = 0;
	for (; k[n]; n++) {
		have_rro |= strcmp(k[n], "rro") == 0;
		have_ridmap |= strcmp(k[n], "ridmap") == 0;
		have_bind |= strcmp(k[n], "rbind") == 0;
	}
	CHECK(have_rro && have_ridmap && have_bind, "known options list rro, ridmap, rbind");
	CHECK_INT(n, >, 50);
}

int main(void)
{
	test_options();
	test_options_override();
	test_atime_attrs();
	test_flags_to_attr();
	test_propagation();
	test_clean_path();
	test_known();
	return tap_done();
}
