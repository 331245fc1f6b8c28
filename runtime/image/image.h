/* OCI images: a local store of imported images and bundles whose root is
 * an overlayfs of an image's layers.
 *
 * Store layout (default IMG_DEFAULT_STORE, or --store DIR):
 *
 *   <store>/lock                 flock: exclusive for import, rm, bundle and
 *                                the delete hook; shared for list
 *   <store>/layers/<hex>/        one unpacked layer, named by its diff_id
 *                                (sha256 of the uncompressed tar), shared by
 *                                every image that has it; whiteouts already
 *                                in overlayfs form (0:0 char device, opaque
 *                                dir = xattr trusted.overlay.opaque "y")
 *   <store>/images/<name>/       manifest.json and config.json (the verified
 *                                blobs, verbatim) and `layers` (one diff_id
 *                                hex a line, bottom-most first)
 *   <store>/bundles/<key>        one per bundle made from an image: its
 *                                upper and work dirs and the image name; the
 *                                delete hook only removes dirs named here
 *   <store>/tmp/                 staging: an import unpacks everything here
 *                                and renames it into place at the end, so a
 *                                failed or interrupted import leaves nothing
 *                                (leftovers of a crash are removed by the
 *                                next import, under the lock)
 *
 * Layers are never written after their rename into layers/: containers get
 * them as overlayfs lower dirs, writes go to the bundle's upper dir. */
#ifndef VESSEL_RUNTIME_IMAGE_IMAGE_H
#define VESSEL_RUNTIME_IMAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "oci/oci.h"

#define IMG_DEFAULT_STORE "/var/lib/vessel"
/* Environment variable overriding the default store (tests, packaging). */
#define IMG_STORE_ENV "VESSEL_STORE"

/* Annotations `vessel bundle` writes next to the rootfs overlay ones. */
#define IMG_ANN_NAME	   "run.vessel.image.name"
#define IMG_ANN_STORE	   "run.vessel.image.store"
#define IMG_ANN_KEEP_UPPER "run.vessel.image.keep-upper" /* "true": delete keeps it */

/* The store to use: explicit, else $VESSEL_STORE, else the default. */
const char *img_store_path(const char *explicit_store);

/* ---- pure helpers (unit-tested) ----------------------------------------- */

/* Image names: 1-128 chars of [A-Za-z0-9_.:-], starting with a letter or
 * digit (a directory name in the store: no '/', never "." or ".."). */
int img_validate_name(const char *name, struct vs_error *err);
/* "sha256:<64 lower-case hex>" -> the hex part (a pointer into digest). */
int img_digest_hex(const char *digest, const char **ret_hex, struct vs_error *err);

enum img_entry_kind { IMG_ENTRY_FILE, IMG_ENTRY_WHITEOUT, IMG_ENTRY_OPAQUE, IMG_ENTRY_META };
/* Classifies a layer tar path and normalises it (no leading "./" or "/").
 * For a whiteout, *ret_path is the path it deletes; for an opaque marker,
 * the directory it makes opaque ("" for the layer's root); META is an AUFS
 * ".wh..wh.*" file that is dropped.  Paths with a ".." component are
 * refused. */
int img_classify_entry(const char *tar_path, enum img_entry_kind *ret_kind, char **ret_path,
		       struct vs_error *err);

/* ---- store ---------------------------------------------------------------- */

struct img_info {
	char *name;
	char *manifest_digest;
	char *created; /* image config "created", may be NULL */
	size_t n_layers;
};

/* Import an OCI image layout directory, or an OCI archive (a tar of one),
 * as NAME.  ref picks a manifest of the index by its
 * org.opencontainers.image.ref.name; NULL takes the only one, or "latest".
 * All or nothing: on failure the store is as before. */
int img_import(const char *store, const char *source, const char *name, const char *ref,
	       struct vs_error *err);
/* Every image, sorted by name (none when the store does not exist: list,
 * rm and bundle never create a store, import does). */
int img_list(const char *store, struct img_info **ret, size_t *ret_n, struct vs_error *err);
void img_info_free(struct img_info *v, size_t n);
/* Remove an image, and the layers no other image has.  Refused while a
 * bundle made from it still has its upper dir, unless force. */
int img_remove(const char *store, const char *name, bool force, struct vs_error *err);

/* ---- bundles -------------------------------------------------------------- */

struct img_bundle_opts {
	/* The config to start from (vessel spec's default with its seccomp
	 * profile): process, root and annotations are filled in here. */
	struct oci_config *base;
	const char *store;
	const char *name;  /* image */
	const char *dir;   /* bundle directory: created, must not exist or be empty */
	char *const *args; /* NULL: Entrypoint + Cmd; else Entrypoint + args */
	bool terminal;
	bool keep_upper; /* delete keeps the upper dir */
};

/* Write DIR/config.json (the base config with the image's
 * Entrypoint, Cmd, Env, WorkingDir and User; ExposedPorts, Volumes...
 * ignored; root writable), an empty DIR/rootfs mount point, DIR/upper and
 * DIR/work, and the overlay annotations naming the image's layers; record
 * the bundle in the store.  One bundle is meant for one container: once
 * its container is deleted (without keep_upper) upper/ and work/ are gone
 * and a new bundle is needed.  On failure DIR is as before. */
int img_make_bundle(const struct img_bundle_opts *o, struct vs_error *err);

/* The delete hook: when config came from `vessel bundle` (its annotations
 * name a store whose bundle record matches the upper and work dirs) and
 * keep-upper is not set, remove the upper and work dirs and the record.
 * A config without those annotations is left alone (returns 0). */
int img_release_bundle(const struct oci_config *config, struct vs_error *err);

#endif
