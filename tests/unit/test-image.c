/* runtime/image: names, digests, tar path rules, image config -> process,
 * user lookup in the image's files, and layer unpacking (whiteouts, unsafe
 * paths, overlay xattrs, diff_id) on tars written here with libarchive. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/util.h"
#include "runtime/image/image-internal.h"
#include "runtime/image/image.h"
#include "tap.h"

static char *tmp;

static void test_names(void)
{
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(img_validate_name("busybox:latest", &err), ==, 0);
	CHECK_INT(img_validate_name("a-b_c.d", &err), ==, 0);
	CHECK_INT(img_validate_name("", &err), <, 0);
	vs_error_clear(&err);
	CHECK_INT(img_validate_name("..", &err), <, 0);
	vs_error_clear(&err);
	CHECK_INT(img_validate_name("library/busybox", &err), <, 0);
	CHECK(err.msg && strstr(err.msg, "'/'"), "the refused character is named");
	vs_error_clear(&err);
	CHECK_INT(img_validate_name(".hidden", &err), <, 0);
	vs_error_clear(&err);
	char long_name[200];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	CHECK_INT(img_validate_name(long_name, &err), <, 0);
	vs_error_clear(&err);
}

static void test_digests(void)
{
	struct vs_error err = VS_ERROR_INIT;
	const char *hex = NULL;
	const char *good =
	    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	CHECK_INT(img_digest_hex(good, &hex, &err), ==, 0);
	CHECK_STR(hex, good + 7);
	CHECK_INT(img_digest_hex("sha512:abcd", &hex, &err), <, 0);
	vs_error_clear(&err);
	CHECK_INT(img_digest_hex(
		      "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
		      &hex, &err),
		  <, 0);
	vs_error_clear(&err);
	CHECK_INT(img_digest_hex("sha256:ba78", &hex, &err), <, 0);
	vs_error_clear(&err);
	char out[IMG_HEX_LEN + 1];
	img_sha256_hex("abc", 3, out);
	CHECK_STR(out, good + 7);
}

static void classify(const char *path, enum img_entry_kind want_kind, const char *want_path)
{
	struct vs_error err = VS_ERROR_INIT;
	enum img_entry_kind kind = IMG_ENTRY_FILE;
	char *out = NULL;
	int r = img_classify_entry(path, &kind, &out, &err);
	CHECK_INT(r, ==, 0);
	CHECK_INT(kind, ==, want_kind);
	CHECK_STR(out, want_path);
	free(out);
	vs_error_clear(&err);
}

static void test_classify(void)
{
	classify("./etc/passwd", IMG_ENTRY_FILE, "etc/passwd");
	classify("/abs//x/", IMG_ENTRY_FILE, "abs/x");
	classify("./", IMG_ENTRY_FILE, "");
	classify("a/b/.wh.c", IMG_ENTRY_WHITEOUT, "a/b/c");
	classify(".wh.top", IMG_ENTRY_WHITEOUT, "top");
	classify("./a/.wh..wh..opq", IMG_ENTRY_OPAQUE, "a");
	classify(".wh..wh..opq", IMG_ENTRY_OPAQUE, "");
	classify("a/.wh..wh.plnk", IMG_ENTRY_META, "a/.wh..wh.plnk");
	classify("a/x.wh.y", IMG_ENTRY_FILE, "a/x.wh.y");
	struct vs_error err = VS_ERROR_INIT;
	enum img_entry_kind kind;
	char *out = NULL;
	CHECK_INT(img_classify_entry("a/../../etc/shadow", &kind, &out, &err), <, 0);
	CHECK(err.msg && strstr(err.msg, ".."), "'..' is named in the error");
	vs_error_clear(&err);
	CHECK_INT(img_classify_entry("a/.wh.", &kind, &out, &err), <, 0);
	vs_error_clear(&err);
	/* a tar header without a name (tests/fuzz/corpus/image-layer/
	 * regress-nameless-entry.tar): an error, not a NULL dereference */
	CHECK_INT(img_classify_entry(NULL, &kind, &out, &err), <, 0);
	CHECK_STR(err.msg, "layer entry without a name");
	vs_error_clear(&err);
}

static void test_proc(void)
{
	struct vs_error err = VS_ERROR_INIT;
	struct img_proc p = {0};
	const char *cfg = "{\"config\":{\"Entrypoint\":[\"/bin/ep\"],\"Cmd\":[\"a\",\"b\"],"
			  "\"Env\":[\"X=1\"],\"WorkingDir\":\"srv\",\"User\":\"1:2\","
			  "\"ExposedPorts\":{\"80/tcp\":{}}}}";
	CHECK_INT(img_proc_from_config(cfg, NULL, &p, &err), ==, 0);
	CHECK_INT(vs_strv_len(p.args), ==, 3);
	CHECK_STR(p.args[0], "/bin/ep");
	CHECK_STR(p.args[2], "b");
	CHECK_INT(vs_strv_len(p.env), ==, 2);
	CHECK(p.env && p.env[1] && strncmp(p.env[1], "PATH=", 5) == 0, "a default PATH is added");
	CHECK_STR(p.cwd, "/srv");
	CHECK_STR(p.user, "1:2");
	img_proc_clear(&p);

	char *over[] = {"x", NULL};
	CHECK_INT(img_proc_from_config(cfg, over, &p, &err), ==, 0);
	CHECK_INT(vs_strv_len(p.args), ==, 2);
	CHECK_STR(p.args[1], "x");
	img_proc_clear(&p);

	CHECK_INT(img_proc_from_config("{\"config\":{\"Env\":[\"PATH=/x\"]}}", NULL, &p, &err), <,
		  0);
	CHECK(err.msg && strstr(err.msg, "Cmd"), "no command is explained");
	vs_error_clear(&err);
	CHECK_INT(img_proc_from_config("{\"config\":{\"Cmd\":[\"sh\"],\"Env\":[\"NOEQUALS\"]}}",
				       NULL, &p, &err),
		  <, 0);
	vs_error_clear(&err);
	CHECK_INT(img_proc_from_config("{\"config\":{\"Cmd\":[\"sh\"]}}", NULL, &p, &err), ==, 0);
	CHECK_STR(p.cwd, "/");
	CHECK(p.user == NULL, "no User: NULL");
	img_proc_clear(&p);
}

static void write_at(const char *rel, const char *text)
{
	char *p = vs_strdup_printf("%s/%s", tmp, rel);
	char *dir = vs_strdup(p);
	*strrchr(dir, '/') = '\0';
	struct vs_error err = VS_ERROR_INIT;
	vs_mkdir_p(dir, 0755, &err);
	vs_write_file(p, text, strlen(text), &err);
	vs_error_clear(&err);
	free(dir);
	free(p);
}

static void test_users(void)
{
	write_at("top/etc/passwd", "root:x:0:0::/:/bin/sh\nu:x:1234:55::/:/bin/sh\n");
	write_at("top/etc/group", "root:x:0:\ng:x:77:\n");
	write_at("bottom/etc/passwd", "old:x:9:9::/:/bin/sh\n");
	char *top = vs_strdup_printf("%s/top", tmp);
	char *bottom = vs_strdup_printf("%s/bottom", tmp);
	char *lowers[] = {top, bottom, NULL};
	struct vs_error err = VS_ERROR_INIT;
	uint32_t uid = 99, gid = 99;
	CHECK_INT(img_resolve_user(NULL, lowers, &uid, &gid, &err), ==, 0);
	CHECK_INT(uid, ==, 0);
	CHECK_INT(img_resolve_user("u", lowers, &uid, &gid, &err), ==, 0);
	CHECK_INT(uid, ==, 1234);
	CHECK_INT(gid, ==, 55);
	CHECK_INT(img_resolve_user("u:g", lowers, &uid, &gid, &err), ==, 0);
	CHECK_INT(gid, ==, 77);
	CHECK_INT(img_resolve_user("1234", lowers, &uid, &gid, &err), ==, 0);
	CHECK_INT(gid, ==, 55);
	CHECK_INT(img_resolve_user("5:6", lowers, &uid, &gid, &err), ==, 0);
	CHECK_INT(uid, ==, 5);
	CHECK_INT(gid, ==, 6);
	/* the top layer's passwd hides the bottom one's */
	CHECK_INT(img_resolve_user("old", lowers, &uid, &gid, &err), <, 0);
	CHECK(err.msg && strstr(err.msg, "\"old\""), "the missing user is named");
	vs_error_clear(&err);
	CHECK_INT(img_resolve_user("u:nogroup", lowers, &uid, &gid, &err), <, 0);
	vs_error_clear(&err);
	/* a whiteout of the top passwd: no passwd at all */
	char *p = vs_strdup_printf("%s/top/etc/passwd", tmp);
	unlink(p);
	CHECK_INT(mknod(p, S_IFCHR, makedev(0, 0)), ==, 0);
	CHECK_INT(img_resolve_user("old", lowers, &uid, &gid, &err), <, 0);
	vs_error_clear(&err);
	free(p);
	free(top);
	free(bottom);
}

/* A layer tar written with libarchive: entries "path" (file with content),
 * "path/" (dir), "path -> target" (symlink). */
static char *make_tar(const char *name, const char *const *entries, bool gzip, char *ret_diff)
{
	char *path = vs_strdup_printf("%s/%s", tmp, name);
	char *raw = vs_strdup_printf("%s/%s.raw", tmp, name);
	for (int pass = 0; pass < 2; pass++) {
		struct archive *a = archive_write_new();
		archive_write_set_format_pax_restricted(a);
		if (pass == 1 && gzip)
			archive_write_add_filter_gzip(a);
		archive_write_open_filename(a, pass == 0 ? raw : path);
		for (size_t i = 0; entries[i]; i++) {
			struct archive_entry *e = archive_entry_new();
			char *spec = vs_strdup(entries[i]);
			char *arrow = strstr(spec, " -> ");
			char *hard = strstr(spec, " => ");
			size_t len = strlen(spec);
			if (hard) {
				*hard = '\0';
				archive_entry_set_filetype(e, AE_IFREG);
				archive_entry_set_hardlink(e, hard + 4);
			} else if (arrow) {
				*arrow = '\0';
				archive_entry_set_filetype(e, AE_IFLNK);
				archive_entry_set_symlink(e, arrow + 4);
			} else if (spec[len - 1] == '/') {
				archive_entry_set_filetype(e, AE_IFDIR);
			} else {
				archive_entry_set_filetype(e, AE_IFREG);
				archive_entry_set_size(e, 2);
			}
			archive_entry_set_pathname(e, spec);
			archive_entry_set_perm(e, 0755);
			if (strstr(spec, "xattr"))
				archive_entry_xattr_add_entry(e, "trusted.overlay.redirect", "/x",
							      2);
			archive_write_header(a, e);
			if (archive_entry_filetype(e) == AE_IFREG && !hard)
				archive_write_data(a, "x\n", 2);
			archive_entry_free(e);
			free(spec);
		}
		archive_write_close(a);
		archive_write_free(a);
		if (!gzip)
			break;
	}
	char hex[IMG_HEX_LEN + 1];
	struct vs_error err = VS_ERROR_INIT;
	img_sha256_file(raw, hex, NULL, &err);
	vs_error_clear(&err);
	if (!gzip)
		rename(raw, path);
	strcpy(ret_diff, hex);
	free(raw);
	return path;
}

static char *fresh_dir(const char *name)
{
	char *d = vs_strdup_printf("%s/%s", tmp, name);
	mkdir(d, 0755);
	return d;
}

static bool exists(const char *dir, const char *rel, mode_t type)
{
	char *p = vs_strdup_printf("%s/%s", dir, rel);
	struct stat st;
	bool ok = lstat(p, &st) == 0 && (st.st_mode & S_IFMT) == type;
	free(p);
	return ok;
}

static void test_unpack(void)
{
	static const char *const good[] = {"./",
					   "a/",
					   "a/file",
					   "a/.wh.gone",
					   "b/",
					   "b/.wh..wh..opq",
					   "b/new",
					   ".wh.toplevel",
					   "c/.wh..wh.plnk",
					   "xattr-file",
					   "./a/hl => ./a/file",
					   NULL};
	char diff[IMG_HEX_LEN + 1];
	char *tar = make_tar("good.tar.gz", good, true, diff);
	char *dest = fresh_dir("good");
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(img_unpack_layer(tar, dest, diff, &err), ==, 0);
	if (err.msg)
		printf("# %s\n", err.msg);
	vs_error_clear(&err);
	CHECK(exists(dest, "a/file", S_IFREG), "a/file unpacked");
	CHECK(exists(dest, "a/gone", S_IFCHR), "a/.wh.gone became a char device");
	CHECK(exists(dest, "toplevel", S_IFCHR), ".wh.toplevel became a char device");
	struct stat st1, st2;
	char *f1 = vs_strdup_printf("%s/a/file", dest);
	char *f2 = vs_strdup_printf("%s/a/hl", dest);
	CHECK(stat(f1, &st1) == 0 && stat(f2, &st2) == 0 && st1.st_ino == st2.st_ino,
	      "a hard link inside the layer is a hard link");
	free(f1);
	free(f2);
	CHECK(!exists(dest, "a/.wh.gone", S_IFREG), "no .wh. file is left");
	CHECK(!exists(dest, "b/.wh..wh..opq", S_IFREG), "no opaque marker file is left");
	CHECK(!exists(dest, "c/.wh..wh.plnk", S_IFREG), "AUFS metadata is dropped");
	char *b = vs_strdup_printf("%s/b", dest);
	char val[8] = "";
	CHECK_INT(getxattr(b, "trusted.overlay.opaque", val, sizeof(val)), ==, 1);
	CHECK_INT(val[0], ==, 'y');
	char *xf = vs_strdup_printf("%s/xattr-file", dest);
	CHECK_INT(getxattr(xf, "trusted.overlay.redirect", val, sizeof(val)), <, 0);
	struct stat st;
	char *gone = vs_strdup_printf("%s/a/gone", dest);
	CHECK(stat(gone, &st) == 0 && st.st_rdev == makedev(0, 0), "the whiteout is 0:0");
	free(gone);
	free(xf);
	free(b);

	/* the same tar, the wrong diff_id */
	char *dest2 = fresh_dir("good2");
	char wrong[IMG_HEX_LEN + 1];
	memset(wrong, 'a', IMG_HEX_LEN);
	wrong[IMG_HEX_LEN] = '\0';
	CHECK_INT(img_unpack_layer(tar, dest2, wrong, &err), <, 0);
	CHECK(err.msg && strstr(err.msg, "diff_id mismatch"), "diff_id mismatch reported");
	vs_error_clear(&err);
	free(dest2);
	free(tar);
	free(dest);
}

static void test_unpack_refusals(void)
{
	static const char *const dotdot[] = {"a/", "a/../../escape", NULL};
	static const char *const symlink_escape[] = {"lnk -> /tmp", "lnk/vessel-unit-escape", NULL};
	struct vs_error err = VS_ERROR_INIT;
	char diff[IMG_HEX_LEN + 1];
	char *tar = make_tar("dotdot.tar", dotdot, false, diff);
	char *dest = fresh_dir("dotdot");
	CHECK_INT(img_unpack_layer(tar, dest, diff, &err), <, 0);
	CHECK(err.msg && strstr(err.msg, ".."), "a '..' entry is refused");
	vs_error_clear(&err);
	free(tar);
	free(dest);

	/* A failed unpack must not apply libarchive's pending directory
	 * fixups to the caller's cwd: "a" here keeps its mode and mtime. */
	char *cwd_dir = vs_strdup_printf("%s/cwdcheck", tmp);
	char *cwd_a = vs_strdup_printf("%s/cwdcheck/a", tmp);
	mkdir(cwd_dir, 0755);
	mkdir(cwd_a, 0711);
	chmod(cwd_a, 0711);
	struct stat before, after;
	stat(cwd_a, &before);
	tar = make_tar("dotdot2.tar", dotdot, false, diff);
	dest = fresh_dir("dotdot2");
	CHECK_INT(chdir(cwd_dir), ==, 0);
	CHECK_INT(img_unpack_layer(tar, dest, diff, &err), <, 0);
	vs_error_clear(&err);
	CHECK_INT(chdir("/"), ==, 0);
	stat(cwd_a, &after);
	CHECK_INT(after.st_mode & 07777, ==, 0711);
	CHECK_INT(after.st_mtime, ==, before.st_mtime);
	free(cwd_dir);
	free(cwd_a);
	free(tar);
	free(dest);

	tar = make_tar("symlink.tar", symlink_escape, false, diff);
	dest = fresh_dir("symlink");
	CHECK_INT(img_unpack_layer(tar, dest, diff, &err), <, 0);
	vs_error_clear(&err);
	CHECK_INT(access("/tmp/vessel-unit-escape", F_OK), <, 0);
	free(tar);
	free(dest);

	/* a hard link through a symlink of the layer to a host file */
	char *outside = vs_strdup_printf("%s/outside-file", tmp);
	char *lnk_spec = vs_strdup_printf("lnk -> %s", tmp);
	const char *const hardlink_escape[] = {lnk_spec, "hl => lnk/outside-file", NULL};
	struct vs_error e2 = VS_ERROR_INIT;
	vs_write_file(outside, "secret", 6, &e2);
	tar = make_tar("hardlink.tar", hardlink_escape, false, diff);
	dest = fresh_dir("hardlink");
	img_unpack_layer(tar, dest, diff, &err);
	vs_error_clear(&err);
	struct stat so, sh;
	char *hl = vs_strdup_printf("%s/hl", dest);
	stat(outside, &so);
	CHECK(stat(hl, &sh) < 0 || sh.st_ino != so.st_ino,
	      "a hard link cannot reach a host file through a symlink");
	free(hl);
	free(outside);
	free(lnk_spec);
	free(tar);
	free(dest);

	/* whiteouts and opaque markers never act through a symlink */
	char *wh_spec = vs_strdup_printf("lnk -> %s", tmp);
	const char *const wh_escape[] = {wh_spec, "lnk/.wh.vessel-wh-escape", NULL};
	const char *const opq_escape[] = {wh_spec, "lnk/.wh..wh..opq", NULL};
	tar = make_tar("wh.tar", wh_escape, false, diff);
	dest = fresh_dir("wh");
	CHECK_INT(img_unpack_layer(tar, dest, diff, &err), <, 0);
	vs_error_clear(&err);
	char *escaped = vs_strdup_printf("%s/vessel-wh-escape", tmp);
	CHECK_INT(access(escaped, F_OK), <, 0);
	free(escaped);
	free(tar);
	free(dest);
	tar = make_tar("opq.tar", opq_escape, false, diff);
	dest = fresh_dir("opq");
	CHECK_INT(img_unpack_layer(tar, dest, diff, &err), <, 0);
	vs_error_clear(&err);
	char v[4];
	CHECK_INT(getxattr(tmp, "trusted.overlay.opaque", v, sizeof(v)), <, 0);
	free(wh_spec);
	free(tar);
	free(dest);

	/* a truncated gzip stream */
	static const char *const some[] = {"a/", "a/f", "a/g", "a/h", NULL};
	tar = make_tar("trunc.tar.gz", some, true, diff);
	struct stat st;
	stat(tar, &st);
	CHECK_INT(truncate(tar, st.st_size / 2), ==, 0);
	dest = fresh_dir("trunc");
	CHECK_INT(img_unpack_layer(tar, dest, diff, &err), <, 0);
	CHECK(err.msg != NULL, "a truncated layer is an error");
	if (err.msg)
		printf("# %s\n", err.msg);
	vs_error_clear(&err);
	free(tar);
	free(dest);
}

int main(void)
{
	char templ[] = "/tmp/vessel-test-image-XXXXXX";
	tmp = mkdtemp(templ);
	if (!tmp)
		return 1;
	test_names();
	test_digests();
	test_classify();
	test_proc();
	test_users();
	if (geteuid() == 0) {
		test_unpack();
		test_unpack_refusals();
	} else {
		printf("ok %d - # SKIP unpack tests need root (owners, mknod, trusted xattrs)\n",
		       ++tap_n);
	}
	struct vs_error err = VS_ERROR_INIT;
	img_rm_rf(tmp, &err);
	vs_error_clear(&err);
	return tap_done();
}
