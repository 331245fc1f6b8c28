/* Bundle records: one small "key=value" file per bundle made from an
 * image, keyed by the sha256 of its upper dir's path. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/image/image-internal.h"

char *img_rec_path(const struct img_store *s, const char *upper)
{
	char hex[IMG_HEX_LEN + 1];
	img_sha256_hex(upper, strlen(upper), hex);
	hex[32] = '\0';
	return vs_strdup_printf("%s/bundles/%s", s->path, hex);
}

int img_rec_write(const struct img_store *s, const struct img_bundle_rec *r, struct vs_error *err)
{
	_cleanup_free_ char *layers = vs_strdup("");
	for (size_t i = 0; r->layers && r->layers[i]; i++) {
		char *next = vs_strdup_printf("%s%s%s", layers, i ? ":" : "", r->layers[i]);
		free(layers);
		layers = next;
	}
	_cleanup_free_ char *text =
	    vs_strdup_printf("image=%s\nbundle=%s\nupper=%s\nwork=%s\nlayers=%s\n", r->image,
			     r->bundle, r->upper, r->work, layers);
	_cleanup_free_ char *path = img_rec_path(s, r->upper);
	return vs_write_file_durable(path, text, strlen(text), 0600, err);
}

void img_rec_clear(struct img_bundle_rec *r)
{
	free(r->image);
	free(r->bundle);
	free(r->upper);
	free(r->work);
	vs_strv_free(r->layers);
	memset(r, 0, sizeof(*r));
}

static void rec_set(struct img_bundle_rec *r, const char *key, const char *value)
{
	char **slot = strcmp(key, "image") == 0	   ? &r->image
		      : strcmp(key, "bundle") == 0 ? &r->bundle
		      : strcmp(key, "upper") == 0  ? &r->upper
		      : strcmp(key, "work") == 0   ? &r->work
						   : NULL;
	if (slot) {
		free(*slot);
		*slot = vs_strdup(value);
		return;
	}
	if (strcmp(key, "layers") != 0)
		return;
	_cleanup_free_ char *copy = vs_strdup(value);
	char *save = NULL;
	for (char *l = strtok_r(copy, ":", &save); l; l = strtok_r(NULL, ":", &save))
		vs_strv_push(&r->layers, l);
}

int img_rec_read(const char *path, struct img_bundle_rec *ret, struct vs_error *err)
{
	_cleanup_free_ char *text = NULL;
	if (vs_read_file(path, 1 << 16, &text, NULL, err) < 0)
		return -1;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');
		if (!eq)
			continue;
		*eq = '\0';
		rec_set(ret, l, eq + 1);
	}
	if (!ret->image || !ret->upper || !ret->work || !ret->bundle) {
		img_rec_clear(ret);
		return vs_error_set(err, "bundle record %s: incomplete", path);
	}
	return 0;
}

typedef int (*rec_fn)(const struct img_bundle_rec *r, void *data);

/* Calls fn for every live record; drops stale ones.  fn returns 1 to
 * stop. */
static int for_each_live(const struct img_store *s, rec_fn fn, void *data, struct vs_error *err)
{
	_cleanup_free_ char *dir = vs_strdup_printf("%s/bundles", s->path);
	DIR *d = opendir(dir);
	if (!d)
		return vs_error_errno(err, errno, "open %s", dir);
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = vs_strdup_printf("%s/%s", dir, de->d_name);
		struct img_bundle_rec r = {0};
		struct vs_error e = VS_ERROR_INIT;
		if (img_rec_read(p, &r, &e) < 0 || !img_is_dir(r.upper)) {
			/* unreadable or stale: the bundle it described is gone */
			vs_error_clear(&e);
			unlink(p);
		} else {
			rc = fn(&r, data);
		}
		img_rec_clear(&r);
	}
	closedir(d);
	return 0;
}

static int push_layers(const struct img_bundle_rec *r, void *data)
{
	for (size_t i = 0; r->layers && r->layers[i]; i++)
		vs_strv_push((char ***)data, r->layers[i]);
	return 0;
}

int img_store_bundle_layers(const struct img_store *s, char ***keep, struct vs_error *err)
{
	return for_each_live(s, push_layers, keep, err);
}

struct find_image {
	const char *name;
	char *bundle;
};

static int match_image(const struct img_bundle_rec *r, void *data)
{
	struct find_image *f = data;
	if (strcmp(r->image, f->name) != 0)
		return 0;
	f->bundle = vs_strdup(r->bundle);
	return 1;
}

int img_store_bundle_of(const struct img_store *s, const char *name, char **ret_bundle,
			struct vs_error *err)
{
	struct find_image f = {name, NULL};
	if (for_each_live(s, match_image, &f, err) < 0)
		return -1;
	*ret_bundle = f.bundle;
	return 0;
}
