/* `image import`: everything is verified and unpacked under
 * <store>/tmp/import-XXXXXX first; only then are the new layers and the
 * image record renamed into place (same filesystem, so each rename is
 * atomic).  A failure before the commit removes the staging dir; a failure
 * during it renames back what had moved.  All under the store's exclusive
 * lock, so no other import or GC sees a half state; what a crash leaves
 * (staging dirs, unreferenced layers) the next import removes. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/image/image-internal.h"
#include "runtime/image/image.h"
#include "runtime/image/libarchive-internal.h"

static void store_closep(struct img_store *s)
{
	img_store_close(s);
}
static void manifest_clearp(struct img_manifest *m)
{
	img_manifest_clear(m);
}

/* Under the exclusive lock nothing else uses tmp/: what is there was left
 * by a crashed import or rm. */
static void clean_tmp(const struct img_store *s)
{
	_cleanup_free_ char *dir = vs_strdup_printf("%s/tmp", s->path);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		_cleanup_free_ char *p = vs_strdup_printf("%s/%s", dir, de->d_name);
		struct vs_error e = VS_ERROR_INIT;
		img_rm_rf(p, &e);
		vs_error_clear(&e);
	}
	closedir(d);
}

static int unpack_layers(const struct img_store *s, const char *layout, const char *stage,
			 const struct img_manifest *m, struct vs_error *err)
{
	for (size_t i = 0; i < m->n_layers; i++) {
		const char *hex = m->diff_ids[i];
		_cleanup_free_ char *have = vs_strdup_printf("%s/layers/%s", s->path, hex);
		_cleanup_free_ char *dest = vs_strdup_printf("%s/layers/%s", stage, hex);
		_cleanup_free_ char *blob = NULL;
		/* Verified even when the layer is already there: a corrupt
		 * source is refused, not silently papered over. */
		if (img_blob_verify(layout, &m->layers[i], &blob, err) < 0)
			return vs_error_wrap(err, "layer %zu", i);
		if (img_is_dir(have) || img_is_dir(dest))
			continue; /* shared with an imported image, or repeated */
		if (mkdir(dest, 0755) < 0)
			return vs_error_errno(err, errno, "mkdir %s", dest);
		if (img_unpack_layer(blob, dest, hex, err) < 0)
			return vs_error_wrap(err, "layer %zu (%s)", i, m->layers[i].digest);
	}
	return 0;
}

static int write_record(const char *dir, const struct img_manifest *m, struct vs_error *err)
{
	if (mkdir(dir, 0700) < 0)
		return vs_error_errno(err, errno, "mkdir %s", dir);
	_cleanup_free_ char *layers = vs_strdup("");
	for (size_t i = 0; i < m->n_layers; i++) {
		char *next = vs_strdup_printf("%s%s\n", layers, m->diff_ids[i]);
		free(layers);
		layers = next;
	}
	_cleanup_free_ char *mp = vs_strdup_printf("%s/manifest.json", dir);
	_cleanup_free_ char *cp = vs_strdup_printf("%s/config.json", dir);
	_cleanup_free_ char *lp = vs_strdup_printf("%s/layers", dir);
	if (vs_write_file(mp, m->manifest_json, strlen(m->manifest_json), err) < 0 ||
	    vs_write_file(cp, m->config_json, strlen(m->config_json), err) < 0 ||
	    vs_write_file(lp, layers, strlen(layers), err) < 0)
		return -1;
	return 0;
}

/* Moves stage/layers/ * into the store, then the record; undoes the layer
 * moves if a later rename fails. */
static int commit(const struct img_store *s, const char *stage, const char *name,
		  struct vs_error *err)
{
	_cleanup_free_ char *sl = vs_strdup_printf("%s/layers", stage);
	DIR *d = opendir(sl);
	if (!d)
		return vs_error_errno(err, errno, "open %s", sl);
	_cleanup_strv_ char **moved = NULL;
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *from = vs_strdup_printf("%s/%s", sl, de->d_name);
		_cleanup_free_ char *to = vs_strdup_printf("%s/layers/%s", s->path, de->d_name);
		if (rename(from, to) < 0)
			rc = vs_error_errno(err, errno, "rename %s to %s", from, to);
		else
			vs_strv_push(&moved, de->d_name);
	}
	closedir(d);
	_cleanup_free_ char *from = vs_strdup_printf("%s/image", stage);
	_cleanup_free_ char *to = vs_strdup_printf("%s/images/%s", s->path, name);
	if (rc == 0 && rename(from, to) < 0)
		rc = vs_error_errno(err, errno, "rename %s to %s", from, to);
	for (size_t i = 0; rc < 0 && moved && moved[i]; i++) {
		_cleanup_free_ char *back = vs_strdup_printf("%s/%s", sl, moved[i]);
		_cleanup_free_ char *there = vs_strdup_printf("%s/layers/%s", s->path, moved[i]);
		rename(there, back);
	}
	return rc;
}

static int import_staged(const struct img_store *s, const char *stage, const char *source,
			 const char *name, const char *ref, struct vs_error *err)
{
	_cleanup_free_ char *layout = NULL;
	if (img_is_dir(source)) {
		layout = vs_strdup(source);
	} else {
		layout = vs_strdup_printf("%s/layout", stage);
		if (mkdir(layout, 0700) < 0)
			return vs_error_errno(err, errno, "mkdir %s", layout);
		if (img_extract_archive(source, layout, err) < 0)
			return vs_error_wrap(err, "OCI archive");
	}
	_cleanup_(manifest_clearp) struct img_manifest m = {0};
	_cleanup_free_ char *sl = vs_strdup_printf("%s/layers", stage);
	_cleanup_free_ char *image = vs_strdup_printf("%s/image", stage);
	if (img_layout_read(layout, ref, &m, err) < 0)
		return -1;
	if (mkdir(sl, 0700) < 0)
		return vs_error_errno(err, errno, "mkdir %s", sl);
	if (unpack_layers(s, layout, stage, &m, err) < 0 || write_record(image, &m, err) < 0)
		return -1;
	return commit(s, stage, name, err);
}

int img_import(const char *store, const char *source, const char *name, const char *ref,
	       struct vs_error *err)
{
	struct stat st;
	if (img_validate_name(name, err) < 0)
		return -1;
	if (stat(source, &st) < 0)
		return vs_error_errno(err, errno, "import %s", source);
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return vs_error_set(err,
				    "import %s: not a directory (OCI layout) or a file (OCI "
				    "archive)",
				    source);
	/* Before the store is touched: without libarchive, nothing to undo. */
	if (img_load_libarchive(err) < 0)
		return vs_error_wrap(err, "import %s", source);
	_cleanup_(store_closep) struct img_store s = {NULL, -1};
	if (img_store_open(store, true, &s, err) < 0)
		return -1;
	clean_tmp(&s);
	/* Layers an interrupted commit renamed into place without their image
	 * record are unreferenced: collected here, under the same lock. */
	if (img_store_gc(&s, err) < 0)
		return vs_error_wrap(err, "import %s", source);
	_cleanup_free_ char *existing = vs_strdup_printf("%s/images/%s", s.path, name);
	if (img_is_dir(existing))
		return vs_error_set(err,
				    "image \"%s\" already exists (remove it first: vessel image "
				    "rm %s)",
				    name, name);
	_cleanup_free_ char *tmpdir = vs_strdup_printf("%s/tmp", s.path);
	_cleanup_free_ char *stage = NULL;
	if (img_mkdtemp(tmpdir, "import-", &stage, err) < 0)
		return -1;
	int rc = import_staged(&s, stage, source, name, ref, err);
	struct vs_error e = VS_ERROR_INIT;
	if (img_rm_rf(stage, &e) < 0 && rc == 0)
		vs_error_clear(&e); /* imported; the next import cleans tmp/ */
	vs_error_clear(&e);
	if (rc < 0)
		return vs_error_wrap(err, "import %s", source);
	return 0;
}
