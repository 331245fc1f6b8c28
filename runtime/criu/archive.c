/* checkpoint --export / restore --import: one tar that carries a checkpoint
 * with what a restore elsewhere needs (criu.h has the layout).  The writer
 * walks directories with libarchive's disk reader, so ownership, modes,
 * xattrs (trusted.overlay.opaque of an opaque dir) and device nodes (the
 * 0:0 whiteouts of an overlay upper dir) go into the tar as they are, and
 * the extractor writes them back as root. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/criu/criu.h"
#include "runtime/criu/libarchive-internal.h"

#define MARKER_NAME "vessel-checkpoint"
#define MARKER_TEXT "vessel-checkpoint 1\n"

static void archive_read_freep(struct archive **a)
{
	if (*a)
		cr_archive_read_free(*a);
}
static void archive_write_freep(struct archive **a)
{
	if (*a)
		cr_archive_write_free(*a);
}
static void archive_entry_freep(struct archive_entry **e)
{
	if (*e)
		cr_archive_entry_free(*e);
}

static int ar_error(struct archive *a, const char *what, struct vs_error *err)
{
	const char *msg = cr_archive_error_string(a);
	return vs_error_set(err, "%s: %s", what, msg ? msg : "unknown libarchive error");
}

static int add_memory_file(struct archive *w, const char *name, const char *data, size_t len,
			   struct vs_error *err)
{
	_cleanup_(archive_entry_freep) struct archive_entry *e = cr_archive_entry_new();
	cr_archive_entry_set_pathname(e, name);
	cr_archive_entry_set_filetype(e, AE_IFREG);
	cr_archive_entry_set_perm(e, 0600);
	cr_archive_entry_set_size(e, (la_int64_t)len);
	if (cr_archive_write_header(w, e) != ARCHIVE_OK ||
	    cr_archive_write_data(w, data, len) != (la_ssize_t)len)
		return ar_error(w, name, err);
	return 0;
}

/* A regular file's data; holes (read as gaps between blocks) are written
 * as zeros, the restricted pax format having no sparse entries. */
static int copy_data(struct archive *disk, struct archive *w, const char *name,
		     struct vs_error *err)
{
	static const char zeros[4096];
	const void *buf;
	size_t size;
	la_int64_t off, pos = 0;
	int r;
	while ((r = cr_archive_read_data_block(disk, &buf, &size, &off)) == ARCHIVE_OK) {
		while (pos < off) {
			size_t n = (size_t)(off - pos) < sizeof(zeros) ? (size_t)(off - pos)
								       : sizeof(zeros);
			if (cr_archive_write_data(w, zeros, n) < 0)
				return ar_error(w, name, err);
			pos += (la_int64_t)n;
		}
		if (size && cr_archive_write_data(w, buf, size) < 0)
			return ar_error(w, name, err);
		pos = off + (la_int64_t)size;
	}
	return r == ARCHIVE_EOF ? 0 : ar_error(disk, name, err);
}

/* Every file under dir, named prefix/<path below dir>. */
static int add_tree(struct archive *w, const char *path, const char *prefix, struct vs_error *err)
{
	_cleanup_(archive_read_freep) struct archive *disk = cr_archive_read_disk_new();
	_cleanup_(archive_entry_freep) struct archive_entry *e = cr_archive_entry_new();
	/* "img/" walks as "img//x" or "img/x": names are cut after "img" */
	_cleanup_free_ char *dir = vs_strdup(path);
	size_t dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dir[--dlen] = '\0';
	cr_archive_read_disk_set_symlink_physical(disk);
	cr_archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
	if (cr_archive_read_disk_open(disk, dir) != ARCHIVE_OK)
		return ar_error(disk, dir, err);
	for (;;) {
		int r = cr_archive_read_next_header2(disk, e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return ar_error(disk, dir, err);
		cr_archive_read_disk_descend(disk);
		const char *walked = cr_archive_entry_pathname(e);
		if (strncmp(walked, dir, dlen) != 0)
			return vs_error_set(err, "%s: unexpected path %s", dir, walked);
		const char *rel = walked + dlen;
		while (rel[0] == '/' && rel[1] == '/')
			rel++;
		_cleanup_free_ char *name = vs_strdup_printf("%s%s", prefix, rel);
		cr_archive_entry_set_pathname(e, name);
		if (cr_archive_write_header(w, e) < ARCHIVE_WARN)
			return ar_error(w, name, err);
		if (cr_archive_entry_filetype(e) == AE_IFREG && cr_archive_entry_size(e) > 0 &&
		    copy_data(disk, w, name, err) < 0)
			return -1;
	}
}

static int write_archive(int fd, const struct cr_export_opts *o, struct vs_error *err)
{
	_cleanup_(archive_write_freep) struct archive *w = cr_archive_write_new();
	if (cr_archive_write_set_format_pax_restricted(w) != ARCHIVE_OK ||
	    cr_archive_write_open_fd(w, fd) != ARCHIVE_OK)
		return ar_error(w, "tar", err);
	if (add_memory_file(w, MARKER_NAME, MARKER_TEXT, strlen(MARKER_TEXT), err) < 0 ||
	    add_memory_file(w, CR_ARCHIVE_CONFIG, o->config_json, strlen(o->config_json), err) <
		0 ||
	    add_tree(w, o->image_path, CR_ARCHIVE_IMAGES, err) < 0 ||
	    (o->upper && add_tree(w, o->upper, CR_ARCHIVE_UPPER, err) < 0))
		return -1;
	if (cr_archive_write_close(w) != ARCHIVE_OK)
		return ar_error(w, "tar", err);
	return 0;
}

int cr_export_check(const char *file, struct vs_error *err)
{
	_cleanup_free_ char *copy = vs_strdup(file);
	char *slash = strrchr(copy, '/');
	const char *dir = slash ? (slash == copy ? "/" : (*slash = '\0', copy)) : ".";
	struct stat st;
	if (stat(file, &st) == 0 && S_ISDIR(st.st_mode))
		return vs_error_errno(err, EISDIR, "--export %s", file);
	if (access(dir, W_OK) < 0)
		return vs_error_errno(err, errno, "--export %s: directory %s", file, dir);
	return 0;
}

int cr_export(const struct cr_export_opts *o, struct vs_error *err)
{
	if (cr_load_libarchive(err) < 0)
		return vs_error_wrap(err, "--export: load libarchive");
	_cleanup_free_ char *tmp = vs_strdup_printf("%s.tmp-XXXXXX", o->file);
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "--export: create %s", tmp);
	int r = write_archive(fd, o, err);
	if (r == 0 && fchmod(fd, 0600) < 0)
		r = vs_error_errno(err, errno, "fchmod %s", tmp);
	if (r == 0 && fsync(fd) < 0)
		r = vs_error_errno(err, errno, "fsync %s", tmp);
	if (r == 0 && rename(tmp, o->file) < 0)
		r = vs_error_errno(err, errno, "rename %s to %s", tmp, o->file);
	if (r < 0) {
		unlink(tmp);
		return vs_error_wrap(err, "--export %s", o->file);
	}
	return 0;
}

/* ---- import ------------------------------------------------------------ */

/* archive_write_disk resolves entry paths against the cwd (the bundle
 * dir); the secure flags keep them below it (no "..", no absolute path, no
 * symlink followed). */
#define EXTRACT_FLAGS                                                                              \
	(ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |                       \
	 ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |    \
	 ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_XATTR)

/* The cwd is process-wide: every extraction puts it back. */
static void restore_cwdp(int *fd)
{
	if (*fd >= 0) {
		if (fchdir(*fd) < 0) {
			/* nothing better to do: the command ends soon after */
		}
		close(*fd);
	}
}

static bool under(const char *path, const char *top)
{
	size_t n = strlen(top);
	return strncmp(path, top, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Only what export writes: anything else is not one of vessel's. */
static bool known_entry(const char *path)
{
	return strcmp(path, CR_ARCHIVE_CONFIG) == 0 || under(path, CR_ARCHIVE_IMAGES) ||
	       under(path, CR_ARCHIVE_UPPER);
}

static int read_marker(struct archive *a, const char *file, struct vs_error *err)
{
	struct archive_entry *e;
	char text[sizeof(MARKER_TEXT)] = "";
	int r = cr_archive_read_next_header(a, &e);
	if (r < ARCHIVE_WARN)
		return ar_error(a, file, err);
	if (r == ARCHIVE_EOF || strcmp(cr_archive_entry_pathname(e), MARKER_NAME) != 0)
		return vs_error_set(err,
				    "%s: not a checkpoint made by vessel checkpoint --export "
				    "(no " MARKER_NAME " entry first)",
				    file);
	la_ssize_t n = cr_archive_read_data(a, text, sizeof(text) - 1);
	if (n < 0)
		return ar_error(a, file, err);
	if (strcmp(text, MARKER_TEXT) != 0)
		return vs_error_set(err, "%s: unsupported format '%.*s'", file,
				    (int)strcspn(text, "\n"), text);
	return 0;
}

static int extract_all(struct archive *a, const char *file, struct vs_error *err)
{
	_cleanup_(archive_write_freep) struct archive *disk = cr_archive_write_disk_new();
	struct archive_entry *e;
	if (cr_archive_write_disk_set_options(disk, EXTRACT_FLAGS) != ARCHIVE_OK)
		return ar_error(disk, file, err);
	for (;;) {
		int r = cr_archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return ar_error(a, file, err);
		const char *path = cr_archive_entry_pathname(e);
		const char *link = cr_archive_entry_hardlink(e);
		if (!known_entry(path) || (link && !known_entry(link)))
			return vs_error_set(err, "%s: unexpected entry %s", file, path);
		if (cr_archive_read_extract2(a, e, disk) < ARCHIVE_WARN)
			return ar_error(disk, path, err);
	}
	if (cr_archive_write_close(disk) != ARCHIVE_OK)
		return ar_error(disk, file, err);
	return 0;
}

static int unpack_into(const char *file, int dirfd, struct vs_error *err)
{
	_cleanup_(restore_cwdp) int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return vs_error_errno(err, errno, "open the cwd");
	_cleanup_(archive_read_freep) struct archive *a = cr_archive_read_new();
	cr_archive_read_support_filter_all(a);
	cr_archive_read_support_format_tar(a);
	if (cr_archive_read_open_filename(a, file, 65536) != ARCHIVE_OK)
		return ar_error(a, file, err);
	if (read_marker(a, file, err) < 0)
		return -1;
	if (fchdir(dirfd) < 0)
		return vs_error_errno(err, errno, "chdir");
	return extract_all(a, file, err);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (ftw->level > 0)
		remove(path);
	return 0;
}

/* What an import put into dir (its own files only: dir was empty). */
static void empty_dir(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* dir: made, or an empty directory; *ret_made says which. */
static int prepare_dir(const char *dir, bool *ret_made, struct vs_error *err)
{
	*ret_made = mkdir(dir, 0755) == 0;
	if (*ret_made)
		return 0;
	if (errno != EEXIST)
		return vs_error_errno(err, errno, "mkdir %s", dir);
	_cleanup_(closedirp) DIR *d = opendir(dir);
	if (!d)
		return vs_error_errno(err, errno, "open %s", dir);
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			return vs_error_set(err, "%s: not empty (the import makes the bundle)",
					    dir);
	return 0;
}

int cr_import(const char *file, const char *dir, bool *ret_made, struct vs_error *err)
{
	*ret_made = false;
	if (cr_load_libarchive(err) < 0)
		return vs_error_wrap(err, "--import: load libarchive");
	if (access(file, R_OK) < 0)
		return vs_error_errno(err, errno, "--import %s", file);
	bool made;
	if (prepare_dir(dir, &made, err) < 0)
		return vs_error_wrap(err, "--import: --bundle");
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = fd < 0 ? vs_error_errno(err, errno, "open %s", dir) : unpack_into(file, fd, err);
	if (r < 0) {
		cr_import_undo(dir, made);
		return vs_error_wrap(err, "--import");
	}
	*ret_made = made;
	return 0;
}

void cr_import_undo(const char *dir, bool made)
{
	empty_dir(dir);
	if (made)
		rmdir(dir);
}
