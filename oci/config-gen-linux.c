/* Serialiser for the `linux` section: resources, seccomp and the rest. */
#include <stdlib.h>

#include "lib/util.h"
#include "oci/config-internal.h"

static void gen_char(yajl_gen g, const char *key, char ch)
{
	char s[2] = {ch, '\0'};
	oj_gen_key_str(g, key, s);
}

static void gen_device_rules(yajl_gen g, const struct oci_device_rule *d, size_t n)
{
	if (!d)
		return;
	oj_gen_key(g, "devices");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		oj_gen_key_bool(g, "allow", d[i].allow);
		/* an absent type means "a" */
		if (d[i].type && d[i].type != 'a')
			gen_char(g, "type", d[i].type);
		if (d[i].major != -1)
			oj_gen_key_i64(g, "major", d[i].major);
		if (d[i].minor != -1)
			oj_gen_key_i64(g, "minor", d[i].minor);
		oj_gen_key_str(g, "access", d[i].access);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_memory(yajl_gen g, const struct oci_memory *m)
{
	if (!m)
		return;
	oj_gen_key(g, "memory");
	yajl_gen_map_open(g);
	oj_gen_key_opt_i64(g, "limit", m->limit);
	oj_gen_key_opt_i64(g, "reservation", m->reservation);
	oj_gen_key_opt_i64(g, "swap", m->swap);
	oj_gen_key_opt_i64(g, "kernel", m->kernel);
	oj_gen_key_opt_i64(g, "kernelTCP", m->kernel_tcp);
	oj_gen_key_opt_u64(g, "swappiness", m->swappiness);
	oj_gen_key_opt_bool(g, "disableOOMKiller", m->disable_oom_killer);
	oj_gen_key_opt_bool(g, "useHierarchy", m->use_hierarchy);
	oj_gen_key_opt_bool(g, "checkBeforeUpdate", m->check_before_update);
	yajl_gen_map_close(g);
}

static void gen_cpu(yajl_gen g, const struct oci_cpu *c)
{
	if (!c)
		return;
	oj_gen_key(g, "cpu");
	yajl_gen_map_open(g);
	oj_gen_key_opt_u64(g, "shares", c->shares);
	oj_gen_key_opt_i64(g, "quota", c->quota);
	oj_gen_key_opt_u64(g, "burst", c->burst);
	oj_gen_key_opt_u64(g, "period", c->period);
	oj_gen_key_opt_i64(g, "realtimeRuntime", c->realtime_runtime);
	oj_gen_key_opt_u64(g, "realtimePeriod", c->realtime_period);
	oj_gen_key_str(g, "cpus", c->cpus);
	oj_gen_key_str(g, "mems", c->mems);
	oj_gen_key_opt_i64(g, "idle", c->idle);
	yajl_gen_map_close(g);
}

static void gen_throttle(yajl_gen g, const char *key, const struct oci_throttle_device *d, size_t n)
{
	if (!d)
		return;
	oj_gen_key(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		oj_gen_key_i64(g, "major", d[i].major);
		oj_gen_key_i64(g, "minor", d[i].minor);
		oj_gen_key_u64(g, "rate", d[i].rate);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_blkio(yajl_gen g, const struct oci_blkio *b)
{
	if (!b)
		return;
	oj_gen_key(g, "blockIO");
	yajl_gen_map_open(g);
	oj_gen_key_opt_u32(g, "weight", b->weight);
	oj_gen_key_opt_u32(g, "leafWeight", b->leaf_weight);
	if (b->weight_devices) {
		oj_gen_key(g, "weightDevice");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < b->n_weight_devices; i++) {
			const struct oci_weight_device *d = &b->weight_devices[i];
			yajl_gen_map_open(g);
			oj_gen_key_i64(g, "major", d->major);
			oj_gen_key_i64(g, "minor", d->minor);
			oj_gen_key_opt_u32(g, "weight", d->weight);
			oj_gen_key_opt_u32(g, "leafWeight", d->leaf_weight);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	gen_throttle(g, "throttleReadBpsDevice", b->throttle_read_bps, b->n_throttle_read_bps);
	gen_throttle(g, "throttleWriteBpsDevice", b->throttle_write_bps, b->n_throttle_write_bps);
	gen_throttle(g, "throttleReadIOPSDevice", b->throttle_read_iops, b->n_throttle_read_iops);
	gen_throttle(g, "throttleWriteIOPSDevice", b->throttle_write_iops,
		     b->n_throttle_write_iops);
	yajl_gen_map_close(g);
}

static void gen_hugepages_network(yajl_gen g, const struct oci_resources *r)
{
	if (r->hugepage_limits) {
		oj_gen_key(g, "hugepageLimits");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < r->n_hugepage_limits; i++) {
			yajl_gen_map_open(g);
			oj_gen_key_str(g, "pageSize", r->hugepage_limits[i].page_size);
			oj_gen_key_u64(g, "limit", r->hugepage_limits[i].limit);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	if (r->network) {
		oj_gen_key(g, "network");
		yajl_gen_map_open(g);
		oj_gen_key_opt_u32(g, "classID", r->network->class_id);
		if (r->network->priorities) {
			oj_gen_key(g, "priorities");
			yajl_gen_array_open(g);
			for (size_t i = 0; i < r->network->n_priorities; i++) {
				yajl_gen_map_open(g);
				oj_gen_key_str(g, "name", r->network->priorities[i].name);
				oj_gen_key_u64(g, "priority", r->network->priorities[i].priority);
				yajl_gen_map_close(g);
			}
			yajl_gen_array_close(g);
		}
		yajl_gen_map_close(g);
	}
}

void oci_gen_resources(yajl_gen g, const struct oci_resources *r)
{
	yajl_gen_map_open(g);
	gen_device_rules(g, r->devices, r->n_devices);
	gen_memory(g, r->memory);
	gen_cpu(g, r->cpu);
	gen_blkio(g, r->block_io);
	gen_hugepages_network(g, r);
	if (r->has_pids || r->pids_limit.set) {
		oj_gen_key(g, "pids");
		yajl_gen_map_open(g);
		oj_gen_key_i64(g, "limit", r->pids_limit.value);
		yajl_gen_map_close(g);
	}
	if (r->rdma) {
		oj_gen_key(g, "rdma");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < r->n_rdma; i++) {
			oj_gen_key(g, r->rdma[i].device);
			yajl_gen_map_open(g);
			oj_gen_key_opt_u32(g, "hcaHandles", r->rdma[i].hca_handles);
			oj_gen_key_opt_u32(g, "hcaObjects", r->rdma[i].hca_objects);
			yajl_gen_map_close(g);
		}
		yajl_gen_map_close(g);
	}
	oj_gen_key_kv(g, "unified", r->unified, r->n_unified);
	yajl_gen_map_close(g);
}

static void gen_syscall(yajl_gen g, const struct oci_seccomp_syscall *s)
{
	yajl_gen_map_open(g);
	oj_gen_key_strv(g, "names", s->names);
	oj_gen_key_str(g, "action", s->action);
	oj_gen_key_opt_u32(g, "errnoRet", s->errno_ret);
	if (s->args) {
		oj_gen_key(g, "args");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < s->n_args; i++) {
			yajl_gen_map_open(g);
			oj_gen_key_u64(g, "index", s->args[i].index);
			oj_gen_key_u64(g, "value", s->args[i].value);
			if (s->args[i].value_two)
				oj_gen_key_u64(g, "valueTwo", s->args[i].value_two);
			oj_gen_key_str(g, "op", s->args[i].op);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

void oci_gen_seccomp(yajl_gen g, const struct oci_seccomp *s)
{
	yajl_gen_map_open(g);
	oj_gen_key_str(g, "defaultAction", s->default_action);
	oj_gen_key_opt_u32(g, "defaultErrnoRet", s->default_errno_ret);
	oj_gen_key_strv(g, "architectures", s->architectures);
	oj_gen_key_strv(g, "flags", s->flags);
	oj_gen_key_str(g, "listenerPath", s->listener_path);
	oj_gen_key_str(g, "listenerMetadata", s->listener_metadata);
	if (s->syscalls) {
		oj_gen_key(g, "syscalls");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < s->n_syscalls; i++)
			gen_syscall(g, &s->syscalls[i]);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_namespaces(yajl_gen g, const struct oci_linux *l)
{
	if (!l->namespaces)
		return;
	oj_gen_key(g, "namespaces");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < l->n_namespaces; i++) {
		yajl_gen_map_open(g);
		oj_gen_key_str(g, "type", oci_ns_type_name(l->namespaces[i].type));
		oj_gen_key_str(g, "path", l->namespaces[i].path);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_time_offset(yajl_gen g, const char *key, const struct oci_time_offset *t)
{
	if (!t->set)
		return;
	oj_gen_key(g, key);
	yajl_gen_map_open(g);
	oj_gen_key_i64(g, "secs", t->secs);
	oj_gen_key_u64(g, "nanosecs", t->nanosecs);
	yajl_gen_map_close(g);
}

static void gen_devices(yajl_gen g, const struct oci_device *d, size_t n)
{
	if (!d)
		return;
	oj_gen_key(g, "devices");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		oj_gen_key_str(g, "path", d[i].path);
		gen_char(g, "type", d[i].type);
		if (d[i].type != 'p' || d[i].major || d[i].minor) {
			oj_gen_key_i64(g, "major", d[i].major);
			oj_gen_key_i64(g, "minor", d[i].minor);
		}
		oj_gen_key_opt_u32(g, "fileMode", d[i].file_mode);
		oj_gen_key_opt_u32(g, "uid", d[i].uid);
		oj_gen_key_opt_u32(g, "gid", d[i].gid);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_linux_misc(yajl_gen g, const struct oci_linux *l)
{
	if (l->intel_rdt) {
		oj_gen_key(g, "intelRdt");
		yajl_gen_map_open(g);
		oj_gen_key_str(g, "closID", l->intel_rdt->clos_id);
		oj_gen_key_str(g, "l3CacheSchema", l->intel_rdt->l3_cache_schema);
		oj_gen_key_str(g, "memBwSchema", l->intel_rdt->mem_bw_schema);
		oj_gen_key_strv(g, "schemata", l->intel_rdt->schemata);
		oj_gen_key_opt_bool(g, "enableMonitoring", l->intel_rdt->enable_monitoring);
		oj_gen_key_opt_bool(g, "enableCMT", l->intel_rdt->enable_cmt);
		oj_gen_key_opt_bool(g, "enableMBM", l->intel_rdt->enable_mbm);
		yajl_gen_map_close(g);
	}
	if (l->memory_policy) {
		oj_gen_key(g, "memoryPolicy");
		yajl_gen_map_open(g);
		oj_gen_key_str(g, "mode", l->memory_policy->mode);
		oj_gen_key_str(g, "nodes", l->memory_policy->nodes);
		oj_gen_key_strv(g, "flags", l->memory_policy->flags);
		yajl_gen_map_close(g);
	}
	if (l->personality) {
		oj_gen_key(g, "personality");
		yajl_gen_map_open(g);
		oj_gen_key_str(g, "domain", l->personality->domain);
		oj_gen_key_strv(g, "flags", l->personality->flags);
		yajl_gen_map_close(g);
	}
	if (l->net_devices) {
		oj_gen_key(g, "netDevices");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < l->n_net_devices; i++) {
			oj_gen_key(g, l->net_devices[i].host_name);
			yajl_gen_map_open(g);
			oj_gen_key_str(g, "name", l->net_devices[i].name);
			yajl_gen_map_close(g);
		}
		yajl_gen_map_close(g);
	}
}

void oci_gen_linux(yajl_gen g, const struct oci_linux *l)
{
	yajl_gen_map_open(g);
	gen_namespaces(g, l);
	oci_gen_id_mappings(g, "uidMappings", l->uid_mappings, l->n_uid_mappings);
	oci_gen_id_mappings(g, "gidMappings", l->gid_mappings, l->n_gid_mappings);
	if (l->time_monotonic.set || l->time_boottime.set) {
		oj_gen_key(g, "timeOffsets");
		yajl_gen_map_open(g);
		gen_time_offset(g, "monotonic", &l->time_monotonic);
		gen_time_offset(g, "boottime", &l->time_boottime);
		yajl_gen_map_close(g);
	}
	gen_devices(g, l->devices, l->n_devices);
	oj_gen_key_str(g, "cgroupsPath", l->cgroups_path);
	if (l->resources) {
		oj_gen_key(g, "resources");
		oci_gen_resources(g, l->resources);
	}
	gen_linux_misc(g, l);
	oj_gen_key_kv(g, "sysctl", l->sysctl, l->n_sysctl);
	if (l->seccomp) {
		oj_gen_key(g, "seccomp");
		oci_gen_seccomp(g, l->seccomp);
	}
	oj_gen_key_str(g, "rootfsPropagation", l->rootfs_propagation);
	oj_gen_key_strv(g, "maskedPaths", l->masked_paths);
	oj_gen_key_strv(g, "readonlyPaths", l->readonly_paths);
	oj_gen_key_str(g, "mountLabel", l->mount_label);
	yajl_gen_map_close(g);
}
