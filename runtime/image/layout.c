/* Reading an OCI image layout: oci-layout, index.json, the manifest picked
 * by ref (through a nested index by platform), the config and the layer
 * descriptors.  Every blob read is verified against its descriptor. */
#include <errno.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/image/image-internal.h"
#include "runtime/image/image.h"

#define REF_ANNOTATION "org.opencontainers.image.ref.name"
#define MT_OCI_INDEX   "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_MAN     "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_MAN  "application/vnd.docker.distribution.manifest.v2+json"

#if defined(__x86_64__)
#define HOST_ARCH "amd64"
#elif defined(__aarch64__)
#define HOST_ARCH "arm64"
#else
#define HOST_ARCH "unknown"
#endif

static void yajl_tree_freep(yajl_val *v)
{
	if (*v)
		yajl_tree_free(*v);
}

static const char *ref_of(yajl_val desc)
{
	return img_json_str(img_json_get(desc, "annotations", yajl_t_object), REF_ANNOTATION);
}

static int pick_by_ref(yajl_val list, const char *ref, yajl_val *ret, struct vs_error *err)
{
	size_t n = list->u.array.len;
	const char *want = ref ? ref : (n == 1 ? NULL : "latest");
	for (size_t i = 0; i < n; i++) {
		const char *r = ref_of(list->u.array.values[i]);
		if (!want || (r && strcmp(r, want) == 0)) {
			*ret = list->u.array.values[i];
			return 0;
		}
	}
	_cleanup_free_ char *refs = vs_strdup("");
	for (size_t i = 0; i < n; i++) {
		const char *r = ref_of(list->u.array.values[i]);
		char *next =
		    vs_strdup_printf("%s%s%s", refs, *refs ? ", " : "", r ? r : "(untagged)");
		free(refs);
		refs = next;
	}
	if (ref)
		return vs_error_set(err, "index.json: no manifest has ref \"%s\" (refs: %s)", ref,
				    refs);
	return vs_error_set(err,
			    "index.json: %zu manifests and none is \"latest\"; pick one with "
			    "--ref (refs: %s)",
			    n, refs);
}

static int pick_by_platform(yajl_val list, yajl_val *ret, struct vs_error *err)
{
	for (size_t i = 0; i < list->u.array.len; i++) {
		yajl_val p = img_json_get(list->u.array.values[i], "platform", yajl_t_object);
		const char *os = img_json_str(p, "os");
		const char *arch = img_json_str(p, "architecture");
		if (os && arch && strcmp(os, "linux") == 0 && strcmp(arch, HOST_ARCH) == 0) {
			*ret = list->u.array.values[i];
			return 0;
		}
	}
	return vs_error_set(err, "no manifest for linux/%s in the image index", HOST_ARCH);
}

static bool is_index(const char *mt)
{
	return mt && (strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0);
}

static int check_layout_file(const char *layout, struct vs_error *err)
{
	_cleanup_free_ char *path = vs_strdup_printf("%s/oci-layout", layout);
	_cleanup_free_ char *text = NULL;
	if (vs_read_file(path, 4096, &text, NULL, err) < 0)
		return vs_error_wrap(err, "%s is not an OCI image layout", layout);
	char msg[128] = "";
	_cleanup_(yajl_tree_freep) yajl_val v = yajl_tree_parse(text, msg, sizeof(msg));
	const char *version = img_json_str(v, "imageLayoutVersion");
	if (!version)
		return vs_error_set(err, "%s: no imageLayoutVersion", path);
	if (strncmp(version, "1.", 2) != 0)
		return vs_error_set(err, "%s: unsupported imageLayoutVersion \"%s\"", path,
				    version);
	return 0;
}

/* index.json -> the descriptor of one image manifest (verified blob). */
static int resolve_manifest(const char *layout, const char *ref, struct img_manifest *m,
			    yajl_val *ret_manifest, struct vs_error *err)
{
	_cleanup_free_ char *path = vs_strdup_printf("%s/index.json", layout);
	_cleanup_free_ char *text = NULL;
	if (vs_read_file(path, IMG_JSON_MAX, &text, NULL, err) < 0)
		return -1;
	char msg[256] = "";
	_cleanup_(yajl_tree_freep) yajl_val index = yajl_tree_parse(text, msg, sizeof(msg));
	if (!index)
		return vs_error_set(err, "%s: invalid JSON: %s", path, msg);
	yajl_val list = img_json_get(index, "manifests", yajl_t_array);
	if (!list || list->u.array.len == 0)
		return vs_error_set(err, "%s: no manifests", path);
	yajl_val chosen = NULL;
	if (pick_by_ref(list, ref, &chosen, err) < 0)
		return -1;
	_cleanup_(yajl_tree_freep) yajl_val nested = NULL;
	struct img_desc d = {0};
	for (int depth = 0;; depth++) {
		img_desc_clear(&d);
		free(m->manifest_json);
		m->manifest_json = NULL;
		if (img_desc_parse(chosen, "index.json: manifest", &d, err) < 0)
			return -1;
		yajl_val tree = NULL;
		if (img_blob_read_json(layout, &d, &m->manifest_json, &tree, err) < 0) {
			img_desc_clear(&d);
			return -1;
		}
		const char *mt = d.media_type ? d.media_type : img_json_str(tree, "mediaType");
		if (!is_index(mt)) {
			*ret_manifest = tree;
			m->manifest_digest = TAKE_PTR(d.digest);
			img_desc_clear(&d);
			return 0;
		}
		if (nested)
			yajl_tree_free(nested);
		nested = tree;
		list = img_json_get(nested, "manifests", yajl_t_array);
		if (depth > 4 || !list) {
			vs_error_set(err, "image index %s: no manifests, or nested too deep",
				     d.digest);
			img_desc_clear(&d);
			return -1;
		}
		if (pick_by_platform(list, &chosen, err) < 0) {
			vs_error_wrap(err, "image index %s", d.digest);
			img_desc_clear(&d);
			return -1;
		}
	}
}

static bool layer_media_type_ok(const char *mt)
{
	return !mt || strncmp(mt, "application/vnd.oci.image.layer.v1.tar", 38) == 0 ||
	       strncmp(mt, "application/vnd.docker.image.rootfs.", 36) == 0;
}

static int parse_layers(yajl_val manifest, struct img_manifest *m, struct vs_error *err)
{
	yajl_val layers = img_json_get(manifest, "layers", yajl_t_array);
	if (!layers)
		return vs_error_set(err, "manifest %s: no layers", m->manifest_digest);
	m->layers = vs_malloc0((layers->u.array.len + 1) * sizeof(*m->layers));
	for (size_t i = 0; i < layers->u.array.len; i++, m->n_layers++) {
		char where[64];
		snprintf(where, sizeof(where), "manifest layers[%zu]", i);
		if (img_desc_parse(layers->u.array.values[i], where, &m->layers[i], err) < 0)
			return -1;
		if (!layer_media_type_ok(m->layers[i].media_type))
			return vs_error_set(err, "%s: unsupported media type \"%s\"", where,
					    m->layers[i].media_type);
	}
	return 0;
}

static int parse_config(const char *layout, yajl_val manifest, struct img_manifest *m,
			struct vs_error *err)
{
	yajl_val cd = img_json_get(manifest, "config", yajl_t_object);
	if (img_desc_parse(cd, "manifest config", &m->config, err) < 0)
		return -1;
	_cleanup_(yajl_tree_freep) yajl_val config = NULL;
	if (img_blob_read_json(layout, &m->config, &m->config_json, &config, err) < 0)
		return vs_error_wrap(err, "image config");
	yajl_val ids =
	    img_json_get(img_json_get(config, "rootfs", yajl_t_object), "diff_ids", yajl_t_array);
	if (!ids || ids->u.array.len != m->n_layers)
		return vs_error_set(err,
				    "image config %s: rootfs.diff_ids must list one digest per "
				    "layer (%zu layers)",
				    m->config.digest, m->n_layers);
	m->diff_ids = vs_malloc0((m->n_layers + 1) * sizeof(char *));
	for (size_t i = 0; i < m->n_layers; i++) {
		const char *hex;
		yajl_val v = ids->u.array.values[i];
		if (!YAJL_IS_STRING(v) || img_digest_hex(v->u.string, &hex, err) < 0)
			return vs_error_wrap(err, "image config rootfs.diff_ids[%zu]", i);
		m->diff_ids[i] = vs_strdup(hex);
	}
	return 0;
}

int img_layout_read(const char *layout, const char *ref, struct img_manifest *ret,
		    struct vs_error *err)
{
	_cleanup_(yajl_tree_freep) yajl_val manifest = NULL;
	if (check_layout_file(layout, err) < 0 ||
	    resolve_manifest(layout, ref, ret, &manifest, err) < 0)
		return -1;
	const char *mt = img_json_str(manifest, "mediaType");
	if (mt && strcmp(mt, MT_OCI_MAN) != 0 && strcmp(mt, MT_DOCKER_MAN) != 0)
		return vs_error_set(err, "manifest %s: unsupported media type \"%s\"",
				    ret->manifest_digest, mt);
	if (parse_layers(manifest, ret, err) < 0 || parse_config(layout, manifest, ret, err) < 0)
		return -1;
	return 0;
}

void img_manifest_clear(struct img_manifest *m)
{
	free(m->manifest_digest);
	free(m->manifest_json);
	free(m->config_json);
	img_desc_clear(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		img_desc_clear(&m->layers[i]);
	free(m->layers);
	vs_strv_free(m->diff_ids);
	memset(m, 0, sizeof(*m));
}
