/* Unpacking layers with libarchive (loaded at first use: libarchive.c).
 *
 * One pass per layer, two readers stacked: the outer one only decompresses
 * (format "raw", any filter), the inner one reads tar from the outer's
 * output through a callback that also hashes it, so the diff_id (sha256 of
 * the uncompressed tar) is checked without a second decompression.  A
 * truncated or corrupt stream fails in the outer reader and surfaces as the
 * inner reader's error.
 *
 * Whiteouts become what overlayfs reads: ".wh.NAME" a 0:0 character device
 * NAME, ".wh..wh..opq" the xattr trusted.overlay.opaque="y" on its
 * directory.  Overlay xattrs carried in the tar itself are dropped, so a
 * layer cannot forge a redirect or an opaque dir. */
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/image/image-internal.h"
#include "runtime/image/image.h"
#include "runtime/image/libarchive-internal.h"

#define BLOCK 65536

/* archive_write_disk resolves entry paths against the cwd; the secure flags
 * keep them below it (no "..", no absolute path, no symlink followed). */
#define DISK_FLAGS                                                                                 \
	(ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |                       \
	 ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME)
#define LAYER_FLAGS                                                                                \
	(DISK_FLAGS | ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL)

static void archive_read_freep(struct archive **a)
{
	if (*a)
		sym_archive_read_free(*a);
}
static void archive_write_freep(struct archive **a)
{
	if (*a)
		sym_archive_write_free(*a);
}
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

static int ar_error(struct archive *a, struct vs_error *err, const char *what)
{
	const char *msg = sym_archive_error_string(a);
	return vs_error_set(err, "%s: %s", what, msg ? msg : "unknown libarchive error");
}

struct stream {
	struct archive *outer;
	struct sha256_ctx md;
	char buf[BLOCK];
};

static la_ssize_t stream_read(struct archive *inner, void *data, const void **ret_buf)
{
	struct stream *s = data;
	la_ssize_t n = sym_archive_read_data(s->outer, s->buf, sizeof(s->buf));
	if (n < 0) {
		const char *msg = sym_archive_error_string(s->outer);
		sym_archive_set_error(inner, sym_archive_errno(s->outer), "%s",
				      msg ? msg : "read error");
		return -1;
	}
	sha256_update(&s->md, (size_t)n, (const uint8_t *)s->buf);
	*ret_buf = s->buf;
	return n;
}

static void drop_overlay_xattrs(struct archive_entry *e)
{
	if (sym_archive_entry_xattr_reset(e) == 0)
		return;
	struct keep {
		char *name;
		void *value;
		size_t size;
	} *kept = NULL;
	size_t n = 0;
	const char *name;
	const void *value;
	size_t size;
	bool dropped = false;
	while (sym_archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		/* trusted.overlay.*, user.overlay.*: any namespace overlayfs reads */
		const char *dot = strchr(name, '.');
		if (dot && strncmp(dot + 1, "overlay.", 8) == 0) {
			dropped = true;
			continue;
		}
		kept = vs_realloc(kept, (n + 1) * sizeof(*kept));
		kept[n].name = vs_strdup(name);
		kept[n].value = vs_malloc0(size + 1);
		memcpy(kept[n].value, value, size);
		kept[n++].size = size;
	}
	if (dropped) {
		sym_archive_entry_xattr_clear(e);
		for (size_t i = 0; i < n; i++)
			sym_archive_entry_xattr_add_entry(e, kept[i].name, kept[i].value,
							  kept[i].size);
	}
	for (size_t i = 0; i < n; i++) {
		free(kept[i].name);
		free(kept[i].value);
	}
	free(kept);
}

static int make_whiteout(int destfd, const char *rel, struct vs_error *err)
{
	_cleanup_free_ char *parent = vs_strdup(rel);
	char *slash = strrchr(parent, '/');
	const char *name = slash ? slash + 1 : rel;
	if (slash)
		*slash = '\0';
	_cleanup_close_ int pfd = -1;
	if (img_open_dir_at(destfd, slash ? parent : ".", true, &pfd, err) < 0)
		return vs_error_wrap(err, "whiteout %s", rel);
	if (mknodat(pfd, name, S_IFCHR | 0000, makedev(0, 0)) < 0)
		return vs_error_errno(err, errno, "whiteout %s: mknod", rel);
	return 0;
}

static int make_opaque(int destfd, const char *rel, struct vs_error *err)
{
	_cleanup_close_ int fd = -1;
	if (img_open_dir_at(destfd, *rel ? rel : ".", true, &fd, err) < 0)
		return vs_error_wrap(err, "opaque directory /%s", rel);
	if (fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
		return vs_error_errno(err, errno,
				      "opaque directory /%s: set trusted.overlay.opaque", rel);
	return 0;
}

static int copy_data(struct archive *in, struct archive *out, const char *path,
		     struct vs_error *err)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	for (;;) {
		int r = sym_archive_read_data_block(in, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return ar_error(in, err, path);
		if (sym_archive_write_data_block(out, buf, size, off) < ARCHIVE_WARN)
			return ar_error(out, err, path);
	}
}

/* Writes one ordinary entry below the cwd (the destination). */
static int write_entry(struct archive *in, struct archive *out, struct archive_entry *e,
		       const char *rel, struct vs_error *err)
{
	const char *link = sym_archive_entry_hardlink(e);
	if (link) {
		enum img_entry_kind kind;
		_cleanup_free_ char *target = NULL;
		if (img_classify_entry(link, &kind, &target, err) < 0)
			return -1;
		sym_archive_entry_set_hardlink(e, target);
	}
	sym_archive_entry_set_pathname(e, rel);
	drop_overlay_xattrs(e);
	if (sym_archive_write_header(out, e) < ARCHIVE_WARN)
		return ar_error(out, err, rel);
	if (sym_archive_entry_size(e) > 0 && copy_data(in, out, rel, err) < 0)
		return -1;
	if (sym_archive_write_finish_entry(out) < ARCHIVE_WARN)
		return ar_error(out, err, rel);
	return 0;
}

/* Opaque markers are applied after every entry: the tar may list the
 * marker before the directory's own entry, which would reset it. */
static int extract_entries(struct archive *in, struct archive *out, int destfd, bool layer,
			   char ***opaque, struct vs_error *err)
{
	struct archive_entry *e;
	for (;;) {
		int r = sym_archive_read_next_header(in, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return ar_error(in, err, "read tar");
		enum img_entry_kind kind;
		_cleanup_free_ char *rel = NULL;
		if (img_classify_entry(sym_archive_entry_pathname(e), &kind, &rel, err) < 0)
			return -1;
		if (!layer) {
			/* An OCI archive holds a layout: plain files and dirs.
			 * Anything else (a device node, a symlink) is refused
			 * rather than created on the host. */
			mode_t type = sym_archive_entry_filetype(e);
			if (type != AE_IFREG && type != AE_IFDIR)
				return vs_error_set(err,
						    "entry %s: only files and directories "
						    "belong in an OCI archive",
						    sym_archive_entry_pathname(e));
			if (sym_archive_entry_hardlink(e))
				return vs_error_set(err,
						    "entry %s: hard links do not belong in "
						    "an OCI archive",
						    sym_archive_entry_pathname(e));
			kind = IMG_ENTRY_FILE;
		}
		if (kind == IMG_ENTRY_FILE && *rel == '\0')
			continue; /* the root itself: its attributes come from the upper dir */
		if (kind == IMG_ENTRY_WHITEOUT && make_whiteout(destfd, rel, err) < 0)
			return -1;
		if (kind == IMG_ENTRY_OPAQUE)
			vs_strv_push(opaque, rel);
		if (kind == IMG_ENTRY_FILE && write_entry(in, out, e, rel, err) < 0)
			return -1;
	}
}

static int open_disk_writer(int flags, struct archive **ret, struct vs_error *err)
{
	struct archive *out = sym_archive_write_disk_new();
	if (!out)
		return vs_error_set(err, "libarchive: out of memory");
	/* No user lookup: layers carry numeric ids meant for the container,
	 * never to be mapped through the host's /etc/passwd. */
	if (sym_archive_write_disk_set_options(out, flags) != ARCHIVE_OK) {
		sym_archive_write_free(out);
		return vs_error_set(err, "libarchive: cannot set extraction options");
	}
	*ret = out;
	return 0;
}

/* Runs the extraction with the cwd in dest, then puts the cwd back. */
static int extract_into(struct archive *in, const char *dest, bool layer, struct vs_error *err)
{
	_cleanup_close_ int destfd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (destfd < 0)
		return vs_error_errno(err, errno, "open %s", dest);
	/* Declared before the writer, so it is freed first: freeing it runs
	 * its pending directory fixups (modes, times) by relative path, which
	 * must still resolve in dest, not in the caller's cwd. */
	_cleanup_(restore_cwdp) int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return vs_error_errno(err, errno, "open the current directory");
	_cleanup_(archive_write_freep) struct archive *out = NULL;
	if (open_disk_writer(layer ? LAYER_FLAGS : DISK_FLAGS, &out, err) < 0)
		return -1;
	if (fchdir(destfd) < 0)
		return vs_error_errno(err, errno, "enter %s", dest);
	_cleanup_strv_ char **opaque = NULL;
	if (extract_entries(in, out, destfd, layer, &opaque, err) < 0)
		return -1;
	if (sym_archive_write_close(out) != ARCHIVE_OK)
		return ar_error(out, err, "finish extraction");
	for (size_t i = 0; opaque && opaque[i]; i++)
		if (make_opaque(destfd, opaque[i], err) < 0)
			return -1;
	return 0;
}

static int open_outer(const char *blob, struct archive **ret, struct vs_error *err)
{
	_cleanup_(archive_read_freep) struct archive *a = sym_archive_read_new();
	struct archive_entry *e;
	if (!a)
		return vs_error_set(err, "libarchive: out of memory");
	sym_archive_read_support_filter_all(a);
	sym_archive_read_support_format_raw(a);
	if (sym_archive_read_open_filename(a, blob, BLOCK) != ARCHIVE_OK ||
	    sym_archive_read_next_header(a, &e) != ARCHIVE_OK)
		return ar_error(a, err, "decompress");
	*ret = TAKE_PTR(a);
	return 0;
}

/* The tar reader stops at the end-of-archive blocks; what follows (more
 * zero padding) is part of the diff_id too. */
static int drain(struct stream *s, struct vs_error *err)
{
	la_ssize_t n;
	while ((n = sym_archive_read_data(s->outer, s->buf, sizeof(s->buf))) > 0)
		sha256_update(&s->md, (size_t)n, (const uint8_t *)s->buf);
	return n < 0 ? ar_error(s->outer, err, "decompress") : 0;
}

int img_unpack_layer(const char *blob, const char *dest, const char *diff_id_hex,
		     struct vs_error *err)
{
	_cleanup_free_ struct stream *s = vs_malloc0(sizeof(*s));
	_cleanup_(archive_read_freep) struct archive *outer = NULL;
	if (img_load_libarchive(err) < 0 || open_outer(blob, &outer, err) < 0)
		return -1;
	s->outer = outer;
	sha256_init(&s->md);
	_cleanup_(archive_read_freep) struct archive *in = sym_archive_read_new();
	if (!in)
		return vs_error_set(err, "libarchive: out of memory");
	sym_archive_read_support_format_tar(in);
	if (sym_archive_read_open(in, s, NULL, stream_read, NULL) != ARCHIVE_OK)
		return ar_error(in, err, "read tar");
	if (extract_into(in, dest, true, err) < 0 || drain(s, err) < 0)
		return -1;
	char got[IMG_HEX_LEN + 1];
	img_sha256_digest_hex(&s->md, got);
	if (strcmp(got, diff_id_hex) != 0)
		return vs_error_set(err,
				    "diff_id mismatch: the uncompressed layer hashes to "
				    "sha256:%s, the image config says sha256:%s",
				    got, diff_id_hex);
	return 0;
}

int img_extract_archive(const char *archive, const char *dest, struct vs_error *err)
{
	if (img_load_libarchive(err) < 0)
		return -1;
	_cleanup_(archive_read_freep) struct archive *in = sym_archive_read_new();
	if (!in)
		return vs_error_set(err, "libarchive: out of memory");
	sym_archive_read_support_filter_all(in);
	sym_archive_read_support_format_tar(in);
	if (sym_archive_read_open_filename(in, archive, BLOCK) != ARCHIVE_OK)
		return ar_error(in, err, archive);
	if (extract_into(in, dest, false, err) < 0)
		return vs_error_wrap(err, "%s", archive);
	return 0;
}
