/* Shared inside runtime/image only. */
#ifndef VESSEL_RUNTIME_IMAGE_IMAGE_INTERNAL_H
#define VESSEL_RUNTIME_IMAGE_IMAGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "lib/error.h"

#define IMG_HEX_LEN 64
/* Manifests, indexes and configs are small; a bigger one is refused
 * rather than read into memory. */
#define IMG_JSON_MAX (4u << 20)

/* ---- store (store.c) ---------------------------------------------------- */

struct img_store {
	char *path;
	int lock_fd;
};

/* Creates the store's directories if needed and takes its lock. */
int img_store_open(const char *path, bool exclusive, struct img_store *ret, struct vs_error *err);
void img_store_close(struct img_store *s);
/* Lines of <store>/images/<name>/layers: diff_id hexes, bottom first. */
int img_store_image_layers(const struct img_store *s, const char *name, char ***ret_layers,
			   struct vs_error *err);

/* Removes layers that no image and no live bundle record names. */
int img_store_gc(const struct img_store *s, struct vs_error *err);

/* ---- bundle records (records.c) ---------------------------------------- */

/* <store>/bundles/<key>: what `vessel bundle` made, so that the delete hook
 * removes only dirs it made and GC keeps layers a live bundle mounts.  A
 * record whose upper dir is gone is stale and dropped. */
struct img_bundle_rec {
	char *image;
	char *bundle;
	char *upper;
	char *work;
	char **layers; /* diff_id hexes */
};
char *img_rec_path(const struct img_store *s, const char *upper);
int img_rec_write(const struct img_store *s, const struct img_bundle_rec *r, struct vs_error *err);
/* ENOENT in err->errnum when there is no record. */
int img_rec_read(const char *path, struct img_bundle_rec *ret, struct vs_error *err);
void img_rec_clear(struct img_bundle_rec *r);
/* Layers of every live bundle (appended to *keep). */
int img_store_bundle_layers(const struct img_store *s, char ***keep, struct vs_error *err);
/* The bundle dir of a live bundle made from image name, or NULL. */
int img_store_bundle_of(const struct img_store *s, const char *name, char **ret_bundle,
			struct vs_error *err);

/* ---- files (fs.c) ------------------------------------------------------- */

/* rm -rf that never crosses into another mount or follows a symlink;
 * a missing path is fine. */
int img_rm_rf(const char *path, struct vs_error *err);
/* Open (O_PATH-free, O_DIRECTORY) the directory rel below dirfd, one
 * component at a time with O_NOFOLLOW, so a symlink planted by a layer
 * cannot lead outside; with create, missing components are made 0755. */
int img_open_dir_at(int dirfd, const char *rel, bool create, int *ret_fd, struct vs_error *err);
/* mkdtemp of <dir>/<prefix>XXXXXX. */
int img_mkdtemp(const char *dir, const char *prefix, char **ret_path, struct vs_error *err);
bool img_is_dir(const char *path);

/* ---- digests (digest.c) ------------------------------------------------- */

/* sha256 is nettle's: no initialisation, 0.1 ms to load, where libcrypto
 * (what this used first) reads openssl.cnf and sets up its providers on
 * first use, about 3 ms of every command that hashes (bench/NOTES.md). */
void img_sha256_hex(const void *data, size_t len, char ret_hex[IMG_HEX_LEN + 1]);
/* Ends ctx (nettle resets it) and writes its digest as hex. */
void img_sha256_digest_hex(struct sha256_ctx *ctx, char ret_hex[IMG_HEX_LEN + 1]);
/* Streams the file through sha256. */
int img_sha256_file(const char *path, char ret_hex[IMG_HEX_LEN + 1], uint64_t *ret_size,
		    struct vs_error *err);

/* An OCI content descriptor. */
struct img_desc {
	char *media_type;
	char *digest;
	int64_t size;
};
void img_desc_clear(struct img_desc *d);
int img_desc_parse(yajl_val v, const char *where, struct img_desc *ret, struct vs_error *err);
/* <layout>/blobs/sha256/<hex> after checking size and digest. */
int img_blob_verify(const char *layout, const struct img_desc *d, char **ret_path,
		    struct vs_error *err);
/* Read a small JSON blob, verified, and parse it. */
int img_blob_read_json(const char *layout, const struct img_desc *d, char **ret_text,
		       yajl_val *ret_tree, struct vs_error *err);

/* yajl_tree lookups of one key: NULL when absent or of another type. */
yajl_val img_json_get(yajl_val obj, const char *key, yajl_type type);
const char *img_json_str(yajl_val obj, const char *key);

/* ---- layout (layout.c) -------------------------------------------------- */

struct img_manifest {
	char *manifest_digest;
	char *manifest_json;
	char *config_json;
	struct img_desc config;
	struct img_desc *layers;
	char **diff_ids; /* hex, one per layer, bottom first */
	size_t n_layers;
};
int img_layout_read(const char *layout, const char *ref, struct img_manifest *ret,
		    struct vs_error *err);
void img_manifest_clear(struct img_manifest *m);

/* ---- image config -> process (imgconfig.c) ----------------------------- */

struct img_proc {
	char **args; /* Entrypoint + (args, or else Cmd) */
	char **env;  /* Env, with a default PATH when it has none */
	char *cwd;   /* WorkingDir, "/" when empty */
	char *user;  /* User as written, NULL when empty */
};
int img_proc_from_config(const char *config_json, char *const *args, struct img_proc *ret,
			 struct vs_error *err);
void img_proc_clear(struct img_proc *p);
/* "uid", "uid:gid", "name", "name:group": names looked up in the image's
 * etc/passwd and etc/group (lowers top-most first).  Without a group, the
 * user's primary gid from passwd, else 0. */
int img_resolve_user(const char *user, char *const *lowers, uint32_t *ret_uid, uint32_t *ret_gid,
		     struct vs_error *err);

/* ---- unpacking (unpack.c) ----------------------------------------------- */

/* Unpack one verified layer blob (tar, possibly compressed) into the new
 * directory dest, converting whiteouts, and check that the uncompressed
 * stream hashes to diff_id_hex. */
int img_unpack_layer(const char *blob, const char *dest, const char *diff_id_hex,
		     struct vs_error *err);
/* Extract an OCI archive (plain tar of a layout) into the new dir dest. */
int img_extract_archive(const char *archive, const char *dest, struct vs_error *err);

#endif
