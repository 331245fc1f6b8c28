/* The `linux` section, except resources and seccomp (their own files). */
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "oci/config-internal.h"

int oci_parse_id_mapping(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_id_mapping *m = out;
	if (oj_u32(c, v, "containerID", true, &m->container_id) < 0 ||
	    oj_u32(c, v, "hostID", true, &m->host_id) < 0 ||
	    oj_u32(c, v, "size", true, &m->size) < 0)
		return -1;
	if (m->size == 0)
		return oj_fail_key(c, "size", "must be greater than zero");
	return 0;
}

/* Check a string field against an enumeration, naming the field. */
static int check_field_enum(struct oj_ctx *c, const char *key, const char *value,
			    const char *const *allowed, const char *what)
{
	if (!value)
		return 0;
	size_t m = oj_push_key(c, key);
	int r = oj_check_enum(c, value, allowed, what);
	oj_pop(c, m);
	return r;
}

static int check_field_abs(struct oj_ctx *c, const char *key, const char *value)
{
	if (!value)
		return 0;
	size_t m = oj_push_key(c, key);
	int r = oj_check_abs(c, value);
	oj_pop(c, m);
	return r;
}

static int parse_namespace(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_namespace *ns = out;
	_cleanup_free_ char *type = NULL;
	if (oj_string(c, v, "type", true, &type) < 0 ||
	    check_field_enum(c, "type", type, oci_ns_names, "namespace type") < 0)
		return -1;
	for (int t = 0; t < OCI_NS_COUNT; t++)
		if (strcmp(type, oci_ns_names[t]) == 0)
			ns->type = t;
	if (oj_string(c, v, "path", false, &ns->path) < 0 ||
	    check_field_abs(c, "path", ns->path) < 0)
		return -1;
	return 0;
}

static int check_ns_dups(struct oj_ctx *c, const struct oci_linux *l)
{
	for (size_t i = 0; i < l->n_namespaces; i++)
		for (size_t j = 0; j < i; j++) {
			if (l->namespaces[i].type != l->namespaces[j].type)
				continue;
			size_t m = oj_push_key(c, "namespaces");
			oj_push_index(c, i);
			oj_fail_key(c, "type",
				    "duplicate namespace type \"%s\" (also namespaces[%zu])",
				    oci_ns_type_name(l->namespaces[i].type), j);
			oj_pop(c, m);
			return -1;
		}
	return 0;
}

static int parse_time_offset(struct oj_ctx *c, yajl_val v, struct oci_time_offset *t)
{
	if (oj_v_object(c, v) < 0 || oj_i64(c, v, "secs", false, &t->secs) < 0 ||
	    oj_u32(c, v, "nanosecs", false, &t->nanosecs) < 0)
		return -1;
	if (t->nanosecs >= 1000000000u)
		return oj_fail_key(c, "nanosecs", "must be below 1000000000, got %u", t->nanosecs);
	t->set = true;
	return 0;
}

static int parse_time_offsets(struct oj_ctx *c, yajl_val obj, struct oci_linux *l)
{
	yajl_val v = NULL;
	size_t m;
	int r = oj_field(c, obj, "timeOffsets", false, yajl_t_object, &v, &m);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < v->u.object.len && r >= 0; i++) {
		const char *k = v->u.object.keys[i];
		size_t mk = oj_push_key(c, k);
		if (strcmp(k, "monotonic") == 0)
			r = parse_time_offset(c, v->u.object.values[i], &l->time_monotonic);
		else if (strcmp(k, "boottime") == 0)
			r = parse_time_offset(c, v->u.object.values[i], &l->time_boottime);
		else
			r = oj_fail(c, "unknown clock (expected monotonic or boottime)");
		oj_pop(c, mk);
	}
	oj_pop(c, m);
	return r < 0 ? -1 : 0;
}

static const char *const device_types[] = {"c", "b", "u", "p", NULL};

static int parse_device(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_device *d = out;
	_cleanup_free_ char *type = NULL;
	if (oj_string(c, v, "path", true, &d->path) < 0 ||
	    check_field_abs(c, "path", d->path) < 0 || oj_string(c, v, "type", true, &type) < 0 ||
	    check_field_enum(c, "type", type, device_types, "device type") < 0)
		return -1;
	d->type = type[0];
	/* a fifo has no device number; the others need both */
	bool need = d->type != 'p';
	if (oj_i64(c, v, "major", need, &d->major) < 0 ||
	    oj_i64(c, v, "minor", need, &d->minor) < 0)
		return -1;
	if (d->major < 0 || d->minor < 0)
		return oj_fail_key(c, d->major < 0 ? "major" : "minor", "must not be negative");
	if (oj_opt_u32(c, v, "fileMode", UINT32_MAX, &d->file_mode) < 0 ||
	    oj_opt_u32(c, v, "uid", UINT32_MAX, &d->uid) < 0 ||
	    oj_opt_u32(c, v, "gid", UINT32_MAX, &d->gid) < 0)
		return -1;
	return 0;
}

static int parse_intel_rdt(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_intel_rdt **ret = out;
	struct oci_intel_rdt *rdt = *ret = vs_malloc0(sizeof(*rdt));
	if (oj_string(c, v, "closID", false, &rdt->clos_id) < 0 ||
	    oj_string(c, v, "l3CacheSchema", false, &rdt->l3_cache_schema) < 0 ||
	    oj_string(c, v, "memBwSchema", false, &rdt->mem_bw_schema) < 0 ||
	    oj_strv(c, v, "schemata", false, &rdt->schemata) < 0 ||
	    oj_opt_bool(c, v, "enableMonitoring", &rdt->enable_monitoring) < 0 ||
	    oj_opt_bool(c, v, "enableCMT", &rdt->enable_cmt) < 0 ||
	    oj_opt_bool(c, v, "enableMBM", &rdt->enable_mbm) < 0)
		return -1;
	return 0;
}

static int parse_memory_policy(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_memory_policy **ret = out;
	struct oci_memory_policy *m = *ret = vs_malloc0(sizeof(*m));
	if (oj_string(c, v, "mode", true, &m->mode) < 0 ||
	    check_field_enum(c, "mode", m->mode, oci_mempolicy_modes, "memory policy mode") < 0 ||
	    oj_string(c, v, "nodes", false, &m->nodes) < 0 ||
	    oj_strv(c, v, "flags", false, &m->flags) < 0 ||
	    oj_check_strv_enum(c, v, "flags", m->flags, oci_mempolicy_flags, "memory policy flag") <
		0)
		return -1;
	return 0;
}

static int parse_personality(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_personality **ret = out;
	struct oci_personality *p = *ret = vs_malloc0(sizeof(*p));
	if (oj_string(c, v, "domain", true, &p->domain) < 0 ||
	    check_field_enum(c, "domain", p->domain, oci_personality_domains,
			     "personality domain") < 0 ||
	    oj_strv(c, v, "flags", false, &p->flags) < 0)
		return -1;
	return 0;
}

/* What the kernel takes as an interface name (dev_valid_name()). */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= 16 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ' ' || (unsigned char)*s < 0x21)
			return false;
	return true;
}

static int parse_net_device(struct oj_ctx *c, const char *key, yajl_val v, void *out)
{
	struct oci_net_device *d = out;
	d->host_name = vs_strdup(key);
	if (!valid_ifname(key))
		return oj_fail(c, "invalid interface name");
	if (oj_string(c, v, "name", false, &d->name) < 0)
		return -1;
	if (d->name && !valid_ifname(d->name))
		return oj_fail_key(c, "name", "invalid interface name \"%s\"", d->name);
	return 0;
}

static int check_paths_abs(struct oj_ctx *c, const char *key, char **paths)
{
	for (size_t i = 0; paths && paths[i]; i++) {
		size_t m = oj_push_key(c, key);
		oj_push_index(c, i);
		int r = oj_check_abs(c, paths[i]);
		oj_pop(c, m);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Mappings are written for a user namespace the container creates; without
 * one they would be ignored, and the container would run with host ids its
 * author meant to map away (runc refuses this too). */
static int check_mappings_need_userns(struct oj_ctx *c, const struct oci_linux *l)
{
	if (l->n_uid_mappings == 0 && l->n_gid_mappings == 0)
		return 0;
	for (size_t i = 0; i < l->n_namespaces; i++)
		if (l->namespaces[i].type == OCI_NS_USER)
			return 0;
	return oj_fail_key(c, l->n_uid_mappings ? "uidMappings" : "gidMappings",
			   "id mappings given, but linux.namespaces has no user namespace");
}

static int parse_linux_lists(struct oj_ctx *c, yajl_val v, struct oci_linux *l)
{
	if (oj_array(c, v, "namespaces", false, sizeof(struct oci_namespace),
		     (void **)&l->namespaces, &l->n_namespaces, parse_namespace) < 0 ||
	    check_ns_dups(c, l) < 0 ||
	    oj_array(c, v, "uidMappings", false, sizeof(struct oci_id_mapping),
		     (void **)&l->uid_mappings, &l->n_uid_mappings, oci_parse_id_mapping) < 0 ||
	    oj_array(c, v, "gidMappings", false, sizeof(struct oci_id_mapping),
		     (void **)&l->gid_mappings, &l->n_gid_mappings, oci_parse_id_mapping) < 0 ||
	    check_mappings_need_userns(c, l) < 0 || parse_time_offsets(c, v, l) < 0 ||
	    oj_array(c, v, "devices", false, sizeof(struct oci_device), (void **)&l->devices,
		     &l->n_devices, parse_device) < 0)
		return -1;
	return 0;
}

int oci_parse_linux(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_linux **ret = out;
	struct oci_linux *l = *ret = vs_malloc0(sizeof(*l));
	if (parse_linux_lists(c, v, l) < 0 ||
	    oj_string(c, v, "cgroupsPath", false, &l->cgroups_path) < 0 ||
	    oj_object(c, v, "resources", false, oci_parse_resources, &l->resources) < 0 ||
	    oj_object(c, v, "intelRdt", false, parse_intel_rdt, &l->intel_rdt) < 0 ||
	    oj_kv(c, v, "sysctl", &l->sysctl, &l->n_sysctl) < 0 ||
	    oj_object(c, v, "seccomp", false, oci_parse_seccomp, &l->seccomp) < 0 ||
	    oj_string(c, v, "rootfsPropagation", false, &l->rootfs_propagation) < 0 ||
	    check_field_enum(c, "rootfsPropagation", l->rootfs_propagation, oci_propagations,
			     "mount propagation") < 0 ||
	    oj_strv(c, v, "maskedPaths", false, &l->masked_paths) < 0 ||
	    check_paths_abs(c, "maskedPaths", l->masked_paths) < 0 ||
	    oj_strv(c, v, "readonlyPaths", false, &l->readonly_paths) < 0 ||
	    check_paths_abs(c, "readonlyPaths", l->readonly_paths) < 0 ||
	    oj_string(c, v, "mountLabel", false, &l->mount_label) < 0 ||
	    oj_object(c, v, "personality", false, parse_personality, &l->personality) < 0 ||
	    oj_map(c, v, "netDevices", sizeof(struct oci_net_device), (void **)&l->net_devices,
		   &l->n_net_devices, parse_net_device) < 0 ||
	    oj_object(c, v, "memoryPolicy", false, parse_memory_policy, &l->memory_policy) < 0)
		return -1;
	return 0;
}
