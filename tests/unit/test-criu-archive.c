/* runtime/criu/archive.c: the --export / --import round trip, without
 * criu: an image dir (named with a trailing '/') and an overlay upper dir
 * with what overlayfs writes there (a 0:0 whiteout, an opaque dir's
 * trusted.overlay.opaque, a symlink, owners and modes) come back as they
 * were; what is not one of vessel's archives is refused and leaves
 * nothing.  Root only (mknod, trusted xattrs): skipped otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/criu/criu.h"
#include "tap.h"

static char base[] = "/tmp/vessel-test-archive-XXXXXX";

static char *at(const char *rel)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", base, rel);
	return buf[i];
}

static void put(const char *rel, const char *text)
{
	struct vs_error err = VS_ERROR_INIT;
	if (vs_write_file_atomic(at(rel), text, strlen(text), 0640, &err) < 0)
		printf("# put %s: %s\n", rel, err.msg);
	vs_error_clear(&err);
}

static char *get(const char *rel)
{
	struct vs_error err = VS_ERROR_INIT;
	char *text = NULL;
	size_t len;
	if (vs_read_file(at(rel), 0, &text, &len, &err) < 0)
		vs_error_clear(&err);
	return text;
}

static void make_tree(void)
{
	mkdir(at("img"), 0700);
	put("img/inventory.img", "inv");
	mkdir(at("upper"), 0755);
	mkdir(at("upper/data"), 0750);
	put("upper/data/new", "written");
	mkdir(at("upper/opq"), 0755);
	if (chown(at("upper/data/new"), 1000, 1001) < 0 ||
	    mknod(at("upper/data/keep"), S_IFCHR | 0000, makedev(0, 0)) < 0 ||
	    setxattr(at("upper/opq"), "trusted.overlay.opaque", "y", 1, 0) < 0 ||
	    symlink("../data/new", at("upper/opq/link")) < 0)
		printf("# make the tree: %s\n", strerror(errno));
}

static void check_round_trip(void)
{
	struct vs_error err = VS_ERROR_INIT;
	struct cr_export_opts o = {.file = at("ct.tar"),
				   .config_json = "{\"x\":1}",
				   .image_path = at("img/"),
				   .upper = at("upper")};
	CHECK_INT(cr_export(&o, &err), ==, 0);
	bool made = false;
	CHECK_INT(cr_import(at("ct.tar"), at("b"), &made, &err), ==, 0);
	if (err.msg)
		printf("# %s\n", err.msg);
	CHECK(made, "the bundle dir was made");
	char *t;
	CHECK_STR(t = get("b/config.json"), "{\"x\":1}");
	free(t);
	CHECK_STR(t = get("b/checkpoint/inventory.img"), "inv");
	free(t);
	CHECK_STR(t = get("b/upper/data/new"), "written");
	free(t);
	struct stat st;
	CHECK_INT(lstat(at("b/upper/data/new"), &st), ==, 0);
	CHECK_INT(st.st_uid, ==, 1000);
	CHECK_INT(st.st_mode & 07777, ==, 0640);
	CHECK_INT(lstat(at("b/upper/data/keep"), &st), ==, 0);
	CHECK(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0), "the whiteout is a 0:0 device");
	char v[8] = "";
	CHECK_INT(getxattr(at("b/upper/opq"), "trusted.overlay.opaque", v, sizeof(v)), ==, 1);
	CHECK_STR(v, "y");
	char link[64] = "";
	CHECK_INT(readlink(at("b/upper/opq/link"), link, sizeof(link) - 1), >, 0);
	CHECK_STR(link, "../data/new");
	vs_error_clear(&err);
}

static void check_refusals(void)
{
	struct vs_error err = VS_ERROR_INIT;
	bool made;
	/* into a dir that is not empty: refused, left as it was */
	CHECK_INT(cr_import(at("ct.tar"), at("b"), &made, &err), <, 0);
	CHECK(err.msg && strstr(err.msg, "not empty"), "a non-empty bundle is named");
	vs_error_clear(&err);
	/* a tar without the marker: refused, the dir it made removed */
	put("other.tar", "not a tar at all, far too short");
	CHECK_INT(cr_import(at("other.tar"), at("c"), &made, &err), <, 0);
	CHECK_INT(access(at("c"), F_OK), ==, -1);
	vs_error_clear(&err);
}

int main(void)
{
	if (geteuid() != 0 || !mkdtemp(base)) {
		printf("1..0 # SKIP needs root and a tmp dir\n");
		return 0;
	}
	make_tree();
	check_round_trip();
	check_refusals();
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", base);
	return tap_done();
}
