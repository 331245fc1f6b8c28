/* `vessel bundle`: a bundle whose root is an overlayfs of an image's
 * layers, and the delete hook that removes its upper dir again. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/image/image-internal.h"
#include "runtime/image/image.h"
#include "runtime/rootfs/rootfs.h"

static void store_closep(struct img_store *s)
{
	img_store_close(s);
}
static void proc_clearp(struct img_proc *p)
{
	img_proc_clear(p);
}
static void rec_clearp(struct img_bundle_rec *r)
{
	img_rec_clear(r);
}

static void add_annotation(struct oci_config *c, const char *key, const char *value)
{
	for (size_t i = 0; i < c->n_annotations; i++)
		if (strcmp(c->annotations[i].key, key) == 0) {
			free(c->annotations[i].value);
			c->annotations[i].value = vs_strdup(value);
			return;
		}
	c->annotations = vs_realloc(c->annotations, (c->n_annotations + 1) * sizeof(struct oci_kv));
	c->annotations[c->n_annotations].key = vs_strdup(key);
	c->annotations[c->n_annotations++].value = vs_strdup(value);
}

/* A new directory, or an existing empty one; *ret_made says which. */
static int prepare_dir(const char *dir, bool *ret_made, struct vs_error *err)
{
	DIR *d = opendir(dir);
	if (!d && errno != ENOENT)
		return vs_error_errno(err, errno, "bundle directory %s", dir);
	if (d) {
		struct dirent *de;
		bool empty = true;
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				empty = false;
		closedir(d);
		if (!empty)
			return vs_error_set(err, "bundle directory %s exists and is not empty",
					    dir);
		*ret_made = false;
		return 0;
	}
	/* Not mkdir -p: undoing a failed bundle removes only what it made. */
	if (mkdir(dir, 0711) < 0)
		return vs_error_errno(err, errno, "bundle directory %s", dir);
	*ret_made = true;
	return 0;
}

static int set_process(struct oci_config *c, const struct img_proc *p, char *const *lowers,
		       bool terminal, struct vs_error *err)
{
	struct oci_process *proc = c->process;
	if (img_resolve_user(p->user, lowers, &proc->user.uid, &proc->user.gid, err) < 0)
		return -1;
	vs_strv_free(proc->args);
	proc->args = vs_strv_copy(p->args);
	vs_strv_free(proc->env);
	proc->env = vs_strv_copy(p->env);
	if (terminal)
		vs_strv_push(&proc->env, "TERM=xterm");
	free(proc->cwd);
	proc->cwd = vs_strdup(p->cwd);
	proc->terminal = terminal;
	free(c->root->path);
	c->root->path = vs_strdup("rootfs");
	c->root->readonly = false;
	return 0;
}

/* lowers: the layer dirs top-most first, as overlayfs lists them. */
static char **layer_dirs(const struct img_store *s, char *const *layers)
{
	char **v = NULL;
	for (size_t n = vs_strv_len(layers); n > 0; n--) {
		_cleanup_free_ char *d = vs_strdup_printf("%s/layers/%s", s->path, layers[n - 1]);
		vs_strv_push(&v, d);
	}
	return v;
}

static int write_config(const struct img_bundle_opts *o, const char *dir, struct vs_error *err)
{
	_cleanup_free_ char *json = oci_config_to_json(o->base);
	if (!json)
		return vs_error_set(err, "cannot serialise the bundle's config");
	_cleanup_free_ char *path = vs_strdup_printf("%s/config.json", dir);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return vs_error_errno(err, errno, "create %s", path);
	if (vs_write_all(fd, json, strlen(json)) < 0 || vs_write_all(fd, "\n", 1) < 0)
		return vs_error_errno(err, errno, "write %s", path);
	return 0;
}

static int fill_bundle(const struct img_store *s, const struct img_bundle_opts *o, const char *dir,
		       struct vs_error *err)
{
	_cleanup_strv_ char **layers = NULL;
	_cleanup_free_ char *config = NULL;
	_cleanup_free_ char *cpath = vs_strdup_printf("%s/images/%s/config.json", s->path, o->name);
	_cleanup_(proc_clearp) struct img_proc p = {0};
	if (img_store_image_layers(s, o->name, &layers, err) < 0 ||
	    vs_read_file(cpath, IMG_JSON_MAX, &config, NULL, err) < 0 ||
	    img_proc_from_config(config, o->args, &p, err) < 0)
		return vs_error_wrap(err, "image %s", o->name);
	_cleanup_strv_ char **lowers = layer_dirs(s, layers);
	if (set_process(o->base, &p, lowers, o->terminal, err) < 0)
		return -1;
	_cleanup_free_ char *lower = vs_strdup(lowers && lowers[0] ? lowers[0] : "");
	for (size_t i = 1; lowers && lowers[i]; i++) {
		char *next = vs_strdup_printf("%s:%s", lower, lowers[i]);
		free(lower);
		lower = next;
	}
	/* mount(2) copies at most one page of options: with long paths and
	 * many layers the overlay could not be mounted at create. */
	size_t opts_len =
	    strlen("lowerdir=,upperdir=/upper,workdir=/work") + strlen(lower) + 2 * strlen(dir);
	if (opts_len >= 4096)
		return vs_error_set(err,
				    "the overlay options for %zu layers would be %zu bytes, over "
				    "the kernel's 4096 (use a shorter store or bundle path)",
				    vs_strv_len(layers), opts_len);
	struct img_bundle_rec rec = {
	    .image = (char *)o->name,
	    .bundle = (char *)dir,
	    .upper = vs_strdup_printf("%s/upper", dir),
	    .work = vs_strdup_printf("%s/work", dir),
	    .layers = layers,
	};
	_cleanup_free_ char *rootfs = vs_strdup_printf("%s/rootfs", dir);
	int rc = -1;
	if (mkdir(rootfs, 0755) < 0 || mkdir(rec.upper, 0755) < 0 || mkdir(rec.work, 0700) < 0)
		vs_error_errno(err, errno, "%s: create rootfs, upper and work", dir);
	else {
		add_annotation(o->base, ROOTFS_ANN_OVERLAY_LOWER, lower);
		add_annotation(o->base, ROOTFS_ANN_OVERLAY_UPPER, rec.upper);
		add_annotation(o->base, ROOTFS_ANN_OVERLAY_WORK, rec.work);
		add_annotation(o->base, IMG_ANN_NAME, o->name);
		add_annotation(o->base, IMG_ANN_STORE, s->path);
		add_annotation(o->base, IMG_ANN_KEEP_UPPER, o->keep_upper ? "true" : "false");
		rc = write_config(o, dir, err) < 0 || img_rec_write(s, &rec, err) < 0 ? -1 : 0;
	}
	free(rec.upper);
	free(rec.work);
	return rc;
}

/* Undo a failed bundle: the whole dir if we made it, else what we added. */
static void undo_bundle(const struct img_store *s, const char *dir, bool made)
{
	struct vs_error e = VS_ERROR_INIT;
	static const char *const parts[] = {"rootfs", "upper", "work", "config.json"};
	_cleanup_free_ char *upper = vs_strdup_printf("%s/upper", dir);
	_cleanup_free_ char *rec = img_rec_path(s, upper);
	unlink(rec);
	if (made) {
		img_rm_rf(dir, &e);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
			_cleanup_free_ char *p = vs_strdup_printf("%s/%s", dir, parts[i]);
			img_rm_rf(p, &e);
			vs_error_clear(&e);
		}
	}
	vs_error_clear(&e);
}

int img_make_bundle(const struct img_bundle_opts *o, struct vs_error *err)
{
	if (img_validate_name(o->name, err) < 0)
		return -1;
	if (strchr(o->dir, '\n'))
		return vs_error_set(err,
				    "bundle directory: a newline in the path is not supported");
	_cleanup_(store_closep) struct img_store s = {NULL, -1};
	if (!img_is_dir(o->store))
		return vs_error_set(err, "image \"%s\" does not exist: no image store at %s",
				    o->name, o->store);
	if (img_store_open(o->store, true, &s, err) < 0)
		return -1;
	_cleanup_free_ char *idir = vs_strdup_printf("%s/images/%s", s.path, o->name);
	if (!img_is_dir(idir))
		return vs_error_set(err, "image \"%s\" does not exist in %s", o->name, s.path);
	bool made = false;
	if (prepare_dir(o->dir, &made, err) < 0)
		return -1;
	char real[PATH_MAX];
	if (!realpath(o->dir, real)) {
		int saved = errno;
		undo_bundle(&s, o->dir, made);
		return vs_error_errno(err, saved, "bundle directory %s", o->dir);
	}
	if (strpbrk(real, ",:\\")) {
		undo_bundle(&s, real, made);
		return vs_error_set(err,
				    "bundle directory %s: ',', ':' and '\\' cannot appear in "
				    "overlayfs options",
				    real);
	}
	if (fill_bundle(&s, o, real, err) < 0) {
		undo_bundle(&s, real, made);
		return vs_error_wrap(err, "bundle %s", real);
	}
	return 0;
}

int img_release_bundle(const struct oci_config *config, struct vs_error *err)
{
	const char *store = oci_annotation(config, IMG_ANN_STORE);
	const char *upper = oci_annotation(config, ROOTFS_ANN_OVERLAY_UPPER);
	const char *work = oci_annotation(config, ROOTFS_ANN_OVERLAY_WORK);
	const char *keep = oci_annotation(config, IMG_ANN_KEEP_UPPER);
	if (!store || !upper || !work || (keep && strcmp(keep, "true") == 0))
		return 0;
	_cleanup_(store_closep) struct img_store s = {NULL, -1};
	if (!img_is_dir(store) || img_store_open(store, true, &s, err) < 0)
		return vs_error_failed(err) ? vs_error_wrap(err, "release the image bundle") : 0;
	_cleanup_free_ char *path = img_rec_path(&s, upper);
	_cleanup_(rec_clearp) struct img_bundle_rec rec = {0};
	struct vs_error e = VS_ERROR_INIT;
	if (img_rec_read(path, &rec, &e) < 0) {
		vs_error_clear(&e);
		return 0; /* already released, or not a bundle this store made */
	}
	/* Only dirs this store created for this bundle are ever removed, never
	 * whatever a config's annotations happen to name. */
	if (strcmp(rec.upper, upper) != 0 || strcmp(rec.work, work) != 0)
		return 0;
	if (img_rm_rf(upper, err) < 0 || img_rm_rf(work, err) < 0)
		return vs_error_wrap(err, "remove the container's upper layer");
	unlink(path);
	/* Layers of an image removed with --force were kept for this bundle. */
	return img_store_gc(&s, err);
}
