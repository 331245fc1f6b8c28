/* The store: opening and locking it, image records, listing, removal and
 * the garbage collection of layers no image or live bundle uses. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/image/image-internal.h"
#include "runtime/image/image.h"

static const char *const subdirs[] = {"layers", "images", "bundles", "tmp"};

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

int img_store_open(const char *path, bool exclusive, struct img_store *ret, struct vs_error *err)
{
	/* 0711: a container in a user namespace reaches its lower dirs by
	 * path; nothing here is listable by others. */
	if (vs_mkdir_p(path, 0711, err) < 0)
		return vs_error_wrap(err, "image store");
	char real[PATH_MAX];
	if (!realpath(path, real))
		return vs_error_errno(err, errno, "image store %s", path);
	if (strpbrk(real, ",:\\"))
		return vs_error_set(err,
				    "image store %s: ',', ':' and '\\' cannot appear in "
				    "overlayfs options",
				    real);
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
		_cleanup_free_ char *d = vs_strdup_printf("%s/%s", real, subdirs[i]);
		if (mkdir(d, i == 0 ? 0711 : 0700) < 0 && errno != EEXIST)
			return vs_error_errno(err, errno, "image store: mkdir %s", d);
	}
	_cleanup_free_ char *lock = vs_strdup_printf("%s/lock", real);
	_cleanup_close_ int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return vs_error_errno(err, errno, "image store: open %s", lock);
	int r;
	do
		r = flock(fd, exclusive ? LOCK_EX : LOCK_SH);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return vs_error_errno(err, errno, "image store: lock %s", lock);
	ret->path = vs_strdup(real);
	ret->lock_fd = TAKE_FD(fd);
	return 0;
}

void img_store_close(struct img_store *s)
{
	free(s->path);
	s->path = NULL;
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
}

/* Reads a file of short lines into a vector. */
static int read_lines(const char *path, char ***ret, struct vs_error *err)
{
	_cleanup_free_ char *text = NULL;
	if (vs_read_file(path, 1 << 20, &text, NULL, err) < 0)
		return -1;
	char **v = NULL;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		vs_strv_push(&v, l);
	*ret = v;
	return 0;
}

int img_store_image_layers(const struct img_store *s, const char *name, char ***ret_layers,
			   struct vs_error *err)
{
	_cleanup_free_ char *path = vs_strdup_printf("%s/images/%s/layers", s->path, name);
	_cleanup_strv_ char **v = NULL;
	if (read_lines(path, &v, err) < 0)
		return -1;
	for (size_t i = 0; v && v[i]; i++)
		if (strlen(v[i]) != IMG_HEX_LEN || strspn(v[i], "0123456789abcdef") != IMG_HEX_LEN)
			return vs_error_set(err, "%s: line %zu is not a layer digest", path, i + 1);
	*ret_layers = TAKE_PTR(v);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir (no dot files), sorted. */
static int list_dir(const char *dir, char ***ret, struct vs_error *err)
{
	_cleanup_(closedirp) DIR *d = opendir(dir);
	if (!d)
		return vs_error_errno(err, errno, "open %s", dir);
	char **v = NULL;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			vs_strv_push(&v, de->d_name);
	size_t n = vs_strv_len(v);
	if (n)
		qsort(v, n, sizeof(char *), cmp_names);
	*ret = v;
	return 0;
}

static int read_info(const struct img_store *s, const char *name, struct img_info *info,
		     struct vs_error *err)
{
	_cleanup_free_ char *mpath = vs_strdup_printf("%s/images/%s/manifest.json", s->path, name);
	_cleanup_free_ char *cpath = vs_strdup_printf("%s/images/%s/config.json", s->path, name);
	_cleanup_free_ char *manifest = NULL;
	_cleanup_free_ char *config = NULL;
	_cleanup_strv_ char **layers = NULL;
	size_t mlen;
	if (vs_read_file(mpath, IMG_JSON_MAX, &manifest, &mlen, err) < 0 ||
	    vs_read_file(cpath, IMG_JSON_MAX, &config, NULL, err) < 0 ||
	    img_store_image_layers(s, name, &layers, err) < 0)
		return vs_error_wrap(err, "image %s", name);
	char hex[IMG_HEX_LEN + 1];
	img_sha256_hex(manifest, mlen, hex);
	info->name = vs_strdup(name);
	info->manifest_digest = vs_strdup_printf("sha256:%s", hex);
	info->n_layers = vs_strv_len(layers);
	yajl_val tree = yajl_tree_parse(config, NULL, 0);
	const char *created = img_json_str(tree, "created");
	info->created = created ? vs_strdup(created) : NULL;
	if (tree)
		yajl_tree_free(tree);
	return 0;
}

int img_list(const char *store, struct img_info **ret, size_t *ret_n, struct vs_error *err)
{
	struct img_store s = {NULL, -1};
	if (!img_is_dir(store)) { /* reading creates no store */
		*ret = vs_malloc0(sizeof(**ret));
		*ret_n = 0;
		return 0;
	}
	if (img_store_open(store, false, &s, err) < 0)
		return -1;
	_cleanup_free_ char *dir = vs_strdup_printf("%s/images", s.path);
	_cleanup_strv_ char **names = NULL;
	int rc = list_dir(dir, &names, err);
	size_t n = vs_strv_len(names);
	struct img_info *v = vs_malloc0((n + 1) * sizeof(*v));
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = read_info(&s, names[i], &v[i], err);
	img_store_close(&s);
	if (rc < 0) {
		img_info_free(v, n);
		return -1;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void img_info_free(struct img_info *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].manifest_digest);
		free(v[i].created);
	}
	free(v);
}

/* Rename into tmp/ first, so the entry disappears at once even when the
 * removal of its files is interrupted. */
static int remove_entry(const struct img_store *s, const char *path, struct vs_error *err)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_free_ char *tmpdir = vs_strdup_printf("%s/tmp", s->path);
	if (img_mkdtemp(tmpdir, "rm-", &tmp, err) < 0)
		return -1;
	_cleanup_free_ char *target = vs_strdup_printf("%s/x", tmp);
	if (rename(path, target) < 0) {
		int saved = errno;
		rmdir(tmp);
		return vs_error_errno(err, saved, "remove %s", path);
	}
	return img_rm_rf(tmp, err);
}

int img_store_gc(const struct img_store *s, struct vs_error *err)
{
	_cleanup_strv_ char **keep = NULL;
	_cleanup_strv_ char **images = NULL;
	_cleanup_strv_ char **layers = NULL;
	_cleanup_free_ char *idir = vs_strdup_printf("%s/images", s->path);
	_cleanup_free_ char *ldir = vs_strdup_printf("%s/layers", s->path);
	if (list_dir(idir, &images, err) < 0 || list_dir(ldir, &layers, err) < 0 ||
	    img_store_bundle_layers(s, &keep, err) < 0)
		return -1;
	for (size_t i = 0; images && images[i]; i++) {
		_cleanup_strv_ char **l = NULL;
		if (img_store_image_layers(s, images[i], &l, err) < 0)
			return -1;
		for (size_t j = 0; l && l[j]; j++)
			vs_strv_push(&keep, l[j]);
	}
	for (size_t i = 0; layers && layers[i]; i++) {
		if (vs_strv_contains(keep, layers[i]))
			continue;
		_cleanup_free_ char *p = vs_strdup_printf("%s/%s", ldir, layers[i]);
		if (remove_entry(s, p, err) < 0)
			return vs_error_wrap(err, "remove unused layer %s", layers[i]);
	}
	return 0;
}

int img_remove(const char *store, const char *name, bool force, struct vs_error *err)
{
	if (img_validate_name(name, err) < 0)
		return -1;
	struct img_store s = {NULL, -1};
	if (!img_is_dir(store))
		return vs_error_set(err, "image \"%s\" does not exist: no image store at %s", name,
				    store);
	if (img_store_open(store, true, &s, err) < 0)
		return -1;
	_cleanup_free_ char *dir = vs_strdup_printf("%s/images/%s", s.path, name);
	_cleanup_free_ char *user = NULL;
	int rc = 0;
	if (!img_is_dir(dir))
		rc = vs_error_set(err, "image \"%s\" does not exist in %s", name, s.path);
	else if (img_store_bundle_of(&s, name, &user, err) < 0)
		rc = -1;
	else if (user && !force)
		rc = vs_error_set(err,
				  "image \"%s\" is used by the bundle %s (delete its container "
				  "first, or --force: its layers stay until it is deleted)",
				  name, user);
	else if (remove_entry(&s, dir, err) < 0 || img_store_gc(&s, err) < 0)
		rc = -1;
	img_store_close(&s);
	return rc;
}
