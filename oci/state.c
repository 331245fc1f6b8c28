/* state.json: writer (atomic replace) and reader of struct oci_state. */
#include "oci/state.h"

#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "oci/json-internal.h"

static const char *const statuses[] = {
    OCI_STATUS_CREATING, OCI_STATUS_CREATED, OCI_STATUS_RUNNING,
    OCI_STATUS_PAUSED,	 OCI_STATUS_STOPPED, NULL,
};

void oci_state_free(struct oci_state *s)
{
	if (!s)
		return;
	free(s->oci_version);
	free(s->id);
	free(s->status);
	free(s->bundle);
	oj_kv_free(s->annotations, s->n_annotations);
	free(s->created);
	free(s->owner);
	free(s->rootfs);
	free(s->cgroup_path);
	free(s->config_path);
	oj_kv_free(s->ext, s->n_ext);
	free(s);
}

const char *oci_state_ext_get(const struct oci_state *s, const char *key)
{
	for (size_t i = 0; s && i < s->n_ext; i++)
		if (strcmp(s->ext[i].key, key) == 0)
			return s->ext[i].value;
	return NULL;
}

void oci_state_ext_set(struct oci_state *s, const char *key, const char *value)
{
	for (size_t i = 0; i < s->n_ext; i++)
		if (strcmp(s->ext[i].key, key) == 0) {
			free(s->ext[i].value);
			s->ext[i].value = vs_strdup(value);
			return;
		}
	s->ext = vs_realloc(s->ext, (s->n_ext + 1) * sizeof(*s->ext));
	s->ext[s->n_ext].key = vs_strdup(key);
	s->ext[s->n_ext].value = vs_strdup(value);
	s->n_ext++;
}

/* Field order follows runc's `state` output. */
char *oci_state_to_json(const struct oci_state *s, bool spec_only)
{
	yajl_gen g = oj_gen_new();
	yajl_gen_map_open(g);
	oj_gen_key_str(g, "ociVersion", s->oci_version ? s->oci_version : OCI_SPEC_VERSION);
	oj_gen_key_str(g, "id", s->id ? s->id : "");
	oj_gen_key_i64(g, "pid", s->pid);
	oj_gen_key_str(g, "status", s->status ? s->status : OCI_STATUS_STOPPED);
	oj_gen_key_str(g, "bundle", s->bundle ? s->bundle : "");
	oj_gen_key_str(g, "rootfs", s->rootfs ? s->rootfs : "");
	oj_gen_key_str(g, "created", s->created ? s->created : "");
	oj_gen_key_str(g, "owner", s->owner ? s->owner : "");
	if (s->n_annotations > 0)
		oj_gen_key_kv(g, "annotations", s->annotations, s->n_annotations);
	if (!spec_only) {
		oj_gen_key_u64(g, "initStartTime", s->init_start_time);
		oj_gen_key_str(g, "cgroupPath", s->cgroup_path);
		oj_gen_key_str(g, "configPath", s->config_path);
		oj_gen_key_bool(g, "systemdCgroup", s->systemd_cgroup);
		if (s->n_ext > 0)
			oj_gen_key_kv(g, "vessel", s->ext, s->n_ext);
	}
	yajl_gen_map_close(g);
	return oj_gen_finish(g);
}

int oci_state_write(const char *path, const struct oci_state *state, struct vs_error *err)
{
	_cleanup_free_ char *json = oci_state_to_json(state, false);
	if (vs_write_file_atomic(path, json, strlen(json), 0600, err) < 0)
		return vs_error_wrap(err, "write state");
	return 0;
}

static int parse_state(struct oj_ctx *c, yajl_val v, struct oci_state *s)
{
	uint64_t pid = 0;
	if (oj_string(c, v, "ociVersion", true, &s->oci_version) < 0 ||
	    oj_string(c, v, "id", true, &s->id) < 0 ||
	    oj_string(c, v, "status", true, &s->status) < 0)
		return -1;
	size_t m = oj_push_key(c, "status");
	int r = oj_check_enum(c, s->status, statuses, "status");
	oj_pop(c, m);
	yajl_val pv = oj_member(v, "pid");
	if (r < 0)
		return -1;
	if (pv) {
		m = oj_push_key(c, "pid");
		r = oj_v_u64(c, pv, INT32_MAX, &pid);
		oj_pop(c, m);
		if (r < 0)
			return -1;
	}
	s->pid = (pid_t)pid;
	if (oj_string(c, v, "bundle", true, &s->bundle) < 0 ||
	    oj_kv(c, v, "annotations", &s->annotations, &s->n_annotations) < 0 ||
	    oj_string(c, v, "created", false, &s->created) < 0 ||
	    oj_string(c, v, "owner", false, &s->owner) < 0 ||
	    oj_string(c, v, "rootfs", false, &s->rootfs) < 0 ||
	    oj_u64(c, v, "initStartTime", false, &s->init_start_time) < 0 ||
	    oj_string(c, v, "cgroupPath", false, &s->cgroup_path) < 0 ||
	    oj_string(c, v, "configPath", false, &s->config_path) < 0 ||
	    oj_bool(c, v, "systemdCgroup", &s->systemd_cgroup) < 0 ||
	    oj_kv(c, v, "vessel", &s->ext, &s->n_ext) < 0)
		return -1;
	return 0;
}

int oci_state_parse(const char *json, size_t len, const char *source, struct oci_state **ret_state,
		    struct vs_error *err)
{
	struct oj_ctx c;
	yajl_val tree = NULL;
	oj_ctx_init(&c, source, err);
	int r = oj_parse(&c, json, len, &tree);
	struct oci_state *s = NULL;
	if (r == 0) {
		s = vs_malloc0(sizeof(*s));
		r = parse_state(&c, tree, s);
	}
	yajl_tree_free(tree);
	oj_ctx_done(&c);
	if (r < 0) {
		oci_state_free(s);
		return -1;
	}
	*ret_state = s;
	return 0;
}

int oci_state_read(const char *path, struct oci_state **ret_state, struct vs_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (vs_read_file(path, 0, &buf, &len, err) < 0)
		return -1;
	return oci_state_parse(buf, len, path, ret_state, err);
}
