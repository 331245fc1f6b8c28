/* config.json: the top-level object, the entry points of oci.h, lookups. */
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "oci/config-internal.h"

static int parse_root(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_root **ret = out;
	struct oci_root *r = *ret = vs_malloc0(sizeof(*r));
	if (oj_string(c, v, "path", true, &r->path) < 0 ||
	    oj_bool(c, v, "readonly", &r->readonly) < 0)
		return -1;
	if (r->path[0] == '\0')
		return oj_fail_key(c, "path", "must not be empty");
	return 0;
}

/* The spec (since 1.1) allows a relative destination, meaning relative to
 * "/", and deprecates it; it is kept as written so `spec` round-trips, and
 * the rootfs module resolves it against "/".  runc 1.1.5 does the same and
 * logs a warning (its "make this an error" is still a TODO), so vessel
 * warns too rather than refuse configs runc runs. */
static int parse_mount(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_mount *m = out;
	if (oj_string(c, v, "destination", true, &m->destination) < 0)
		return -1;
	if (m->destination[0] == '\0')
		return oj_fail_key(c, "destination", "must not be empty");
	if (m->destination[0] != '/') {
		char q[96];
		oj_quote(m->destination, q, sizeof(q));
		oj_warn_key(c, "destination",
			    "%s is not absolute: taken as relative to \"/\" (deprecated)", q);
	}
	if (oj_string(c, v, "type", false, &m->type) < 0 ||
	    oj_string(c, v, "source", false, &m->source) < 0 ||
	    oj_strv(c, v, "options", false, &m->options) < 0 ||
	    oj_array(c, v, "uidMappings", false, sizeof(struct oci_id_mapping),
		     (void **)&m->uid_mappings, &m->n_uid_mappings, oci_parse_id_mapping) < 0 ||
	    oj_array(c, v, "gidMappings", false, sizeof(struct oci_id_mapping),
		     (void **)&m->gid_mappings, &m->n_gid_mappings, oci_parse_id_mapping) < 0)
		return -1;
	return 0;
}

/* Minor versions are compatible both ways within a major version. */
static int check_version(struct oj_ctx *c, const char *version)
{
	if (strncmp(version, "1.", 2) == 0 && version[2] >= '0' && version[2] <= '9')
		return 0;
	char q[96];
	oj_quote(version, q, sizeof(q));
	return oj_fail_key(c, "ociVersion", "unsupported version %s (expected 1.x)", q);
}

static int parse_config(struct oj_ctx *c, yajl_val v, struct oci_config *cfg)
{
	if (oj_string(c, v, "ociVersion", true, &cfg->oci_version) < 0 ||
	    check_version(c, cfg->oci_version) < 0 ||
	    oj_object(c, v, "root", true, parse_root, &cfg->root) < 0 ||
	    oj_array(c, v, "mounts", false, sizeof(struct oci_mount), (void **)&cfg->mounts,
		     &cfg->n_mounts, parse_mount) < 0 ||
	    oj_object(c, v, "process", false, oci_parse_process, &cfg->process) < 0 ||
	    oj_string(c, v, "hostname", false, &cfg->hostname) < 0 ||
	    oj_string(c, v, "domainname", false, &cfg->domainname) < 0 ||
	    oj_object(c, v, "hooks", false, oci_parse_hooks, cfg->hooks) < 0 ||
	    oj_kv(c, v, "annotations", &cfg->annotations, &cfg->n_annotations) < 0 ||
	    oj_object(c, v, "linux", false, oci_parse_linux, &cfg->lnx) < 0)
		return -1;
	return 0;
}

int oci_config_parse(const char *json, size_t len, const char *source,
		     struct oci_config **ret_config, struct vs_error *err)
{
	struct oj_ctx c;
	yajl_val tree = NULL;
	oj_ctx_init(&c, source, err);
	int r = oj_parse(&c, json, len, &tree);
	struct oci_config *cfg = NULL;
	if (r == 0) {
		cfg = vs_malloc0(sizeof(*cfg));
		r = parse_config(&c, tree, cfg);
		cfg->warnings = TAKE_PTR(c.warnings);
	}
	yajl_tree_free(tree);
	oj_ctx_done(&c);
	if (r < 0) {
		oci_config_free(cfg);
		return -1;
	}
	*ret_config = cfg;
	return 0;
}

int oci_config_load(const char *path, struct oci_config **ret_config, struct vs_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (vs_read_file(path, 0, &buf, &len, err) < 0)
		return -1;
	return oci_config_parse(buf, len, path, ret_config, err);
}

/* A bare object parsed by one section parser (exec --process,
 * update --resources). */
static int parse_bare(const char *json, size_t len, const char *source, oj_parse_fn fn, void *out,
		      char ***ret_warnings, struct vs_error *err)
{
	struct oj_ctx c;
	yajl_val tree = NULL;
	oj_ctx_init(&c, source, err);
	int r = oj_parse(&c, json, len, &tree);
	if (r == 0)
		r = fn(&c, tree, out);
	if (ret_warnings)
		*ret_warnings = TAKE_PTR(c.warnings);
	yajl_tree_free(tree);
	oj_ctx_done(&c);
	return r < 0 ? -1 : 0;
}

/* exec --process: runc takes a process without "user"; exec gives it the
 * container's user. */
static int parse_exec_process(struct oj_ctx *c, yajl_val v, void *out)
{
	c->user_optional = true;
	return oci_parse_process(c, v, out);
}

int oci_process_parse(const char *json, size_t len, const char *source,
		      struct oci_process **ret_process, struct vs_error *err)
{
	struct oci_process *p = NULL;
	if (parse_bare(json, len, source, parse_exec_process, &p, NULL, err) < 0) {
		oci_process_free(p);
		return -1;
	}
	*ret_process = p;
	return 0;
}

int oci_resources_parse(const char *json, size_t len, const char *source,
			struct oci_resources **ret_resources, struct vs_error *err)
{
	struct oci_resources *r = NULL;
	char **warnings = NULL;
	if (parse_bare(json, len, source, oci_parse_resources, &r, &warnings, err) < 0) {
		vs_strv_free(warnings);
		oci_resources_free(r);
		return -1;
	}
	r->warnings = warnings;
	*ret_resources = r;
	return 0;
}

const struct oci_namespace *oci_config_namespace(const struct oci_config *c, enum oci_ns_type t)
{
	if (!c || !c->lnx)
		return NULL;
	for (size_t i = 0; i < c->lnx->n_namespaces; i++)
		if (c->lnx->namespaces[i].type == t)
			return &c->lnx->namespaces[i];
	return NULL;
}

const char *oci_annotation(const struct oci_config *c, const char *key)
{
	for (size_t i = 0; c && i < c->n_annotations; i++)
		if (strcmp(c->annotations[i].key, key) == 0)
			return c->annotations[i].value;
	return NULL;
}
