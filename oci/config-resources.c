/* linux.resources (also the whole of `update --resources FILE`). */
#include <ctype.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "oci/config-internal.h"

static const char *const rule_types[] = {"a", "c", "b", NULL};

/* runc 1.1.5 reads an access string letter by letter and ignores what is
 * not r, w or m (configs written for it carry "rwa"): drop those letters
 * with a warning.  What is left must still say something. */
static int check_device_access(struct oj_ctx *c, char *access)
{
	size_t kept = 0, len = strlen(access);
	for (size_t i = 0; i < len; i++)
		if (strchr("rwm", access[i]))
			access[kept++] = access[i];
	if (kept == 0)
		return oj_fail_key(c, "access",
				   "no access in \"%.*s\" (expected letters of \"rwm\")", (int)len,
				   access);
	if (kept != len)
		oj_warn_key(c, "access", "letters other than r, w, m are ignored, as runc does");
	access[kept] = '\0';
	return 0;
}

static int parse_device_rule(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_device_rule *d = out;
	_cleanup_free_ char *type = NULL;
	d->type = 'a';
	d->major = d->minor = -1;
	yajl_val allow = oj_member(v, "allow");
	if (!allow)
		return oj_fail_key(c, "allow", "missing required field");
	if (YAJL_IS_NULL(allow))
		return oj_fail_key(c, "allow", "expected a boolean, got null");
	if (oj_bool(c, v, "allow", &d->allow) < 0 || oj_string(c, v, "type", false, &type) < 0)
		return -1;
	if (type) {
		size_t m = oj_push_key(c, "type");
		int r = oj_check_enum(c, type, rule_types, "device type");
		oj_pop(c, m);
		if (r < 0)
			return -1;
		d->type = type[0];
	}
	if (oj_i64(c, v, "major", false, &d->major) < 0 ||
	    oj_i64(c, v, "minor", false, &d->minor) < 0)
		return -1;
	if (d->major < -1 || d->minor < -1)
		return oj_fail_key(c, d->major < -1 ? "major" : "minor",
				   "must be -1 (any) or a device number");
	if (oj_string(c, v, "access", false, &d->access) < 0)
		return -1;
	return d->access ? check_device_access(c, d->access) : 0;
}

static int parse_memory(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_memory **ret = out;
	struct oci_memory *m = *ret = vs_malloc0(sizeof(*m));
	if (oj_opt_i64(c, v, "limit", &m->limit) < 0 ||
	    oj_opt_i64(c, v, "reservation", &m->reservation) < 0 ||
	    oj_opt_i64(c, v, "swap", &m->swap) < 0 || oj_opt_i64(c, v, "kernel", &m->kernel) < 0 ||
	    oj_opt_i64(c, v, "kernelTCP", &m->kernel_tcp) < 0 ||
	    oj_opt_u64(c, v, "swappiness", UINT64_MAX, &m->swappiness) < 0 ||
	    oj_opt_bool(c, v, "disableOOMKiller", &m->disable_oom_killer) < 0 ||
	    oj_opt_bool(c, v, "useHierarchy", &m->use_hierarchy) < 0 ||
	    oj_opt_bool(c, v, "checkBeforeUpdate", &m->check_before_update) < 0)
		return -1;
	/* The spec deprecates kernel and kernelTCP (kernel memory accounting
	 * cannot be limited separately since Linux 5.16, and cgroup v2 never
	 * could); runc ignores them with a warning, and so does vessel, so
	 * that older clients that still fill them in (with any value) run. */
	if (m->kernel.set)
		oj_warn_key(c, "kernel", "deprecated and ignored");
	if (m->kernel_tcp.set)
		oj_warn_key(c, "kernelTCP", "deprecated and ignored");
	m->kernel.set = m->kernel_tcp.set = false;
	return 0;
}

static int check_cpu_list_field(struct oj_ctx *c, const char *key, const char *value)
{
	if (!value)
		return 0;
	size_t m = oj_push_key(c, key);
	int r = oci_check_cpu_list(c, value);
	oj_pop(c, m);
	return r;
}

static int parse_cpu(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_cpu **ret = out;
	struct oci_cpu *cpu = *ret = vs_malloc0(sizeof(*cpu));
	if (oj_opt_u64(c, v, "shares", UINT64_MAX, &cpu->shares) < 0 ||
	    oj_opt_i64(c, v, "quota", &cpu->quota) < 0 ||
	    oj_opt_u64(c, v, "burst", UINT64_MAX, &cpu->burst) < 0 ||
	    oj_opt_u64(c, v, "period", UINT64_MAX, &cpu->period) < 0 ||
	    oj_opt_i64(c, v, "realtimeRuntime", &cpu->realtime_runtime) < 0 ||
	    oj_opt_u64(c, v, "realtimePeriod", UINT64_MAX, &cpu->realtime_period) < 0 ||
	    oj_string(c, v, "cpus", false, &cpu->cpus) < 0 ||
	    check_cpu_list_field(c, "cpus", cpu->cpus) < 0 ||
	    oj_string(c, v, "mems", false, &cpu->mems) < 0 ||
	    check_cpu_list_field(c, "mems", cpu->mems) < 0 ||
	    oj_opt_i64(c, v, "idle", &cpu->idle) < 0)
		return -1;
	return 0;
}

static int parse_major_minor(struct oj_ctx *c, yajl_val v, int64_t *major, int64_t *minor)
{
	if (oj_i64(c, v, "major", true, major) < 0 || oj_i64(c, v, "minor", true, minor) < 0)
		return -1;
	if (*major < 0 || *minor < 0)
		return oj_fail_key(c, *major < 0 ? "major" : "minor", "must not be negative");
	return 0;
}

static int parse_weight_device(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_weight_device *d = out;
	if (parse_major_minor(c, v, &d->major, &d->minor) < 0 ||
	    oj_opt_u32(c, v, "weight", UINT16_MAX, &d->weight) < 0 ||
	    oj_opt_u32(c, v, "leafWeight", UINT16_MAX, &d->leaf_weight) < 0)
		return -1;
	return 0;
}

static int parse_throttle_device(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_throttle_device *d = out;
	if (parse_major_minor(c, v, &d->major, &d->minor) < 0 ||
	    oj_u64(c, v, "rate", true, &d->rate) < 0)
		return -1;
	return 0;
}

static int parse_blkio(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_blkio **ret = out;
	struct oci_blkio *b = *ret = vs_malloc0(sizeof(*b));
	struct {
		const char *key;
		struct oci_throttle_device **arr;
		size_t *n;
	} thr[] = {
	    {"throttleReadBpsDevice", &b->throttle_read_bps, &b->n_throttle_read_bps},
	    {"throttleWriteBpsDevice", &b->throttle_write_bps, &b->n_throttle_write_bps},
	    {"throttleReadIOPSDevice", &b->throttle_read_iops, &b->n_throttle_read_iops},
	    {"throttleWriteIOPSDevice", &b->throttle_write_iops, &b->n_throttle_write_iops},
	};
	if (oj_opt_u32(c, v, "weight", UINT16_MAX, &b->weight) < 0 ||
	    oj_opt_u32(c, v, "leafWeight", UINT16_MAX, &b->leaf_weight) < 0 ||
	    oj_array(c, v, "weightDevice", false, sizeof(struct oci_weight_device),
		     (void **)&b->weight_devices, &b->n_weight_devices, parse_weight_device) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(thr); i++)
		if (oj_array(c, v, thr[i].key, false, sizeof(struct oci_throttle_device),
			     (void **)thr[i].arr, thr[i].n, parse_throttle_device) < 0)
			return -1;
	return 0;
}

/* "2MB", "1GB", "64KB": what the hugetlb controller names its files by. */
static bool valid_page_size(const char *s)
{
	size_t d = strspn(s, "0123456789");
	if (d == 0 || s[0] == '0')
		return false;
	const char *units[] = {"KB", "MB", "GB", "TB", "PB"};
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (strcmp(s + d, units[i]) == 0)
			return true;
	return false;
}

static int parse_hugepage_limit(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_hugepage_limit *h = out;
	if (oj_string(c, v, "pageSize", true, &h->page_size) < 0)
		return -1;
	if (!valid_page_size(h->page_size))
		return oj_fail_key(c, "pageSize",
				   "invalid page size \"%s\" (expected e.g. \"2MB\")",
				   h->page_size);
	return oj_u64(c, v, "limit", true, &h->limit);
}

static int parse_net_priority(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_net_priority *p = out;
	if (oj_string(c, v, "name", true, &p->name) < 0 ||
	    oj_u32(c, v, "priority", true, &p->priority) < 0)
		return -1;
	return 0;
}

static int parse_network(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_network_resources **ret = out;
	struct oci_network_resources *n = *ret = vs_malloc0(sizeof(*n));
	if (oj_opt_u32(c, v, "classID", UINT32_MAX, &n->class_id) < 0 ||
	    oj_array(c, v, "priorities", false, sizeof(struct oci_net_priority),
		     (void **)&n->priorities, &n->n_priorities, parse_net_priority) < 0)
		return -1;
	return 0;
}

static int parse_pids(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_resources *r = out;
	r->has_pids = true;
	if (oj_i64(c, v, "limit", true, &r->pids_limit.value) < 0)
		return -1;
	r->pids_limit.set = true;
	return 0;
}

static int parse_rdma(struct oj_ctx *c, const char *key, yajl_val v, void *out)
{
	struct oci_rdma *r = out;
	r->device = vs_strdup(key);
	if (oj_opt_u32(c, v, "hcaHandles", UINT32_MAX, &r->hca_handles) < 0 ||
	    oj_opt_u32(c, v, "hcaObjects", UINT32_MAX, &r->hca_objects) < 0)
		return -1;
	return 0;
}

/* Keys name files in the container's cgroup directory: "memory.high". */
static int check_unified(struct oj_ctx *c, const struct oci_resources *r)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;
		const char *dot = strchr(k, '.');
		if (!strchr(k, '/') && dot && dot != k && dot[1] != '\0')
			continue;
		size_t m = oj_push_key(c, "unified");
		oj_push_mapkey(c, k);
		oj_fail(c, "invalid cgroup file name (expected \"<controller>.<file>\")");
		oj_pop(c, m);
		return -1;
	}
	return 0;
}

int oci_parse_resources(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_resources **ret = out;
	struct oci_resources *r = *ret = vs_malloc0(sizeof(*r));
	if (oj_array(c, v, "devices", false, sizeof(struct oci_device_rule), (void **)&r->devices,
		     &r->n_devices, parse_device_rule) < 0 ||
	    oj_object(c, v, "memory", false, parse_memory, &r->memory) < 0 ||
	    oj_object(c, v, "cpu", false, parse_cpu, &r->cpu) < 0 ||
	    oj_object(c, v, "blockIO", false, parse_blkio, &r->block_io) < 0 ||
	    oj_array(c, v, "hugepageLimits", false, sizeof(struct oci_hugepage_limit),
		     (void **)&r->hugepage_limits, &r->n_hugepage_limits,
		     parse_hugepage_limit) < 0 ||
	    oj_object(c, v, "network", false, parse_network, &r->network) < 0 ||
	    oj_object(c, v, "pids", false, parse_pids, r) < 0 ||
	    oj_map(c, v, "rdma", sizeof(struct oci_rdma), (void **)&r->rdma, &r->n_rdma,
		   parse_rdma) < 0 ||
	    oj_kv(c, v, "unified", &r->unified, &r->n_unified) < 0 || check_unified(c, r) < 0)
		return -1;
	return 0;
}
