/* Destructors of the config model.  All accept NULL and partially filled
 * structs (what a failed parse leaves). */
#include <stdlib.h>

#include "lib/cleanup.h"
#include "oci/config-internal.h"

static void mounts_free(struct oci_mount *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].destination);
		free(m[i].type);
		free(m[i].source);
		vs_strv_free(m[i].options);
		free(m[i].uid_mappings);
		free(m[i].gid_mappings);
	}
	free(m);
}

static void capabilities_free(struct oci_capabilities *c)
{
	if (!c)
		return;
	vs_strv_free(c->bounding);
	vs_strv_free(c->effective);
	vs_strv_free(c->inheritable);
	vs_strv_free(c->permitted);
	vs_strv_free(c->ambient);
	free(c);
}

static void scheduler_free(struct oci_scheduler *s)
{
	if (!s)
		return;
	free(s->policy);
	vs_strv_free(s->flags);
	free(s);
}

void oci_process_free(struct oci_process *p)
{
	if (!p)
		return;
	free(p->console_size);
	free(p->user.additional_gids);
	free(p->user.username);
	vs_strv_free(p->args);
	free(p->command_line);
	vs_strv_free(p->env);
	free(p->cwd);
	capabilities_free(p->capabilities);
	for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	scheduler_free(p->scheduler);
	if (p->io_priority)
		free(p->io_priority->class);
	free(p->io_priority);
	if (p->exec_cpu_affinity) {
		free(p->exec_cpu_affinity->initial);
		free(p->exec_cpu_affinity->final);
	}
	free(p->exec_cpu_affinity);
	free(p);
}

void oci_hook_list_free(struct oci_hook_list *l)
{
	for (size_t i = 0; l->hooks && i < l->n; i++) {
		free(l->hooks[i].path);
		vs_strv_free(l->hooks[i].args);
		vs_strv_free(l->hooks[i].env);
	}
	free(l->hooks);
	l->hooks = NULL;
	l->n = 0;
}

static void blkio_free(struct oci_blkio *b)
{
	if (!b)
		return;
	free(b->weight_devices);
	free(b->throttle_read_bps);
	free(b->throttle_write_bps);
	free(b->throttle_read_iops);
	free(b->throttle_write_iops);
	free(b);
}

void oci_resources_free(struct oci_resources *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->devices && i < r->n_devices; i++)
		free(r->devices[i].access);
	free(r->devices);
	free(r->memory);
	vs_strv_free(r->warnings);
	if (r->cpu) {
		free(r->cpu->cpus);
		free(r->cpu->mems);
	}
	free(r->cpu);
	blkio_free(r->block_io);
	for (size_t i = 0; r->hugepage_limits && i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	if (r->network) {
		for (size_t i = 0; r->network->priorities && i < r->network->n_priorities; i++)
			free(r->network->priorities[i].name);
		free(r->network->priorities);
	}
	free(r->network);
	for (size_t i = 0; r->rdma && i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	oj_kv_free(r->unified, r->n_unified);
	free(r);
}

void oci_seccomp_free(struct oci_seccomp *s)
{
	if (!s)
		return;
	free(s->default_action);
	vs_strv_free(s->architectures);
	vs_strv_free(s->flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; s->syscalls && i < s->n_syscalls; i++) {
		struct oci_seccomp_syscall *sc = &s->syscalls[i];
		vs_strv_free(sc->names);
		free(sc->action);
		for (size_t j = 0; sc->args && j < sc->n_args; j++)
			free(sc->args[j].op);
		free(sc->args);
	}
	free(s->syscalls);
	free(s);
}

static void linux_lists_free(struct oci_linux *l)
{
	for (size_t i = 0; l->namespaces && i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; l->devices && i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	for (size_t i = 0; l->net_devices && i < l->n_net_devices; i++) {
		free(l->net_devices[i].host_name);
		free(l->net_devices[i].name);
	}
	free(l->net_devices);
}

void oci_linux_free(struct oci_linux *l)
{
	if (!l)
		return;
	linux_lists_free(l);
	free(l->cgroups_path);
	oci_resources_free(l->resources);
	if (l->intel_rdt) {
		free(l->intel_rdt->clos_id);
		free(l->intel_rdt->l3_cache_schema);
		free(l->intel_rdt->mem_bw_schema);
		vs_strv_free(l->intel_rdt->schemata);
	}
	free(l->intel_rdt);
	oj_kv_free(l->sysctl, l->n_sysctl);
	oci_seccomp_free(l->seccomp);
	free(l->rootfs_propagation);
	vs_strv_free(l->masked_paths);
	vs_strv_free(l->readonly_paths);
	free(l->mount_label);
	if (l->personality) {
		free(l->personality->domain);
		vs_strv_free(l->personality->flags);
	}
	free(l->personality);
	if (l->memory_policy) {
		free(l->memory_policy->mode);
		free(l->memory_policy->nodes);
		vs_strv_free(l->memory_policy->flags);
	}
	free(l->memory_policy);
	free(l);
}

void oci_config_free(struct oci_config *c)
{
	if (!c)
		return;
	free(c->oci_version);
	if (c->root)
		free(c->root->path);
	free(c->root);
	mounts_free(c->mounts, c->n_mounts);
	oci_process_free(c->process);
	free(c->hostname);
	free(c->domainname);
	vs_strv_free(c->warnings);
	for (int k = 0; k < OCI_HOOK_KIND_COUNT; k++)
		oci_hook_list_free(&c->hooks[k]);
	oj_kv_free(c->annotations, c->n_annotations);
	oci_linux_free(c->lnx);
	free(c);
}
