/* Serialiser for config.json: top level, root, mounts, process, hooks.
 * Emits every field the parser reads, so parse(serialize(c)) equals c;
 * absent optional members (NULL pointers, unset oci_opt_*) are left out, and
 * so are false booleans and default values whose absence means the same (as
 * Go's runtime-spec bindings do with omitempty). */
#include <stdlib.h>

#include "lib/util.h"
#include "oci/config-internal.h"

void oci_gen_id_mappings(yajl_gen g, const char *key, const struct oci_id_mapping *m, size_t n)
{
	if (!m)
		return;
	oj_gen_key(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		oj_gen_key_u64(g, "containerID", m[i].container_id);
		oj_gen_key_u64(g, "hostID", m[i].host_id);
		oj_gen_key_u64(g, "size", m[i].size);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_mounts(yajl_gen g, const struct oci_mount *m, size_t n)
{
	if (!m)
		return;
	oj_gen_key(g, "mounts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		oj_gen_key_str(g, "destination", m[i].destination);
		oj_gen_key_str(g, "type", m[i].type);
		oj_gen_key_str(g, "source", m[i].source);
		oj_gen_key_strv(g, "options", m[i].options);
		oci_gen_id_mappings(g, "uidMappings", m[i].uid_mappings, m[i].n_uid_mappings);
		oci_gen_id_mappings(g, "gidMappings", m[i].gid_mappings, m[i].n_gid_mappings);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_user(yajl_gen g, const struct oci_user *u)
{
	oj_gen_key(g, "user");
	yajl_gen_map_open(g);
	oj_gen_key_u64(g, "uid", u->uid);
	oj_gen_key_u64(g, "gid", u->gid);
	oj_gen_key_opt_u32(g, "umask", u->umask);
	if (u->additional_gids) {
		oj_gen_key(g, "additionalGids");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < u->n_additional_gids; i++)
			yajl_gen_integer(g, u->additional_gids[i]);
		yajl_gen_array_close(g);
	}
	oj_gen_key_str(g, "username", u->username);
	yajl_gen_map_close(g);
}

static void gen_capabilities(yajl_gen g, const struct oci_capabilities *c)
{
	if (!c)
		return;
	oj_gen_key(g, "capabilities");
	yajl_gen_map_open(g);
	oj_gen_key_strv(g, "bounding", c->bounding);
	oj_gen_key_strv(g, "effective", c->effective);
	oj_gen_key_strv(g, "inheritable", c->inheritable);
	oj_gen_key_strv(g, "permitted", c->permitted);
	oj_gen_key_strv(g, "ambient", c->ambient);
	yajl_gen_map_close(g);
}

static void gen_rlimits(yajl_gen g, const struct oci_rlimit *rl, size_t n)
{
	if (!rl)
		return;
	oj_gen_key(g, "rlimits");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		oj_gen_key_str(g, "type", rl[i].type);
		oj_gen_key_u64(g, "hard", rl[i].hard);
		oj_gen_key_u64(g, "soft", rl[i].soft);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_scheduler(yajl_gen g, const struct oci_scheduler *s)
{
	if (!s)
		return;
	oj_gen_key(g, "scheduler");
	yajl_gen_map_open(g);
	oj_gen_key_str(g, "policy", s->policy);
	oj_gen_key_opt_i32(g, "nice", s->nice);
	oj_gen_key_opt_i32(g, "priority", s->priority);
	oj_gen_key_strv(g, "flags", s->flags);
	oj_gen_key_opt_u64(g, "runtime", s->runtime);
	oj_gen_key_opt_u64(g, "deadline", s->deadline);
	oj_gen_key_opt_u64(g, "period", s->period);
	yajl_gen_map_close(g);
}

static void gen_process_tail(yajl_gen g, const struct oci_process *p)
{
	gen_capabilities(g, p->capabilities);
	gen_rlimits(g, p->rlimits, p->n_rlimits);
	if (p->no_new_privileges)
		oj_gen_key_bool(g, "noNewPrivileges", true);
	oj_gen_key_str(g, "apparmorProfile", p->apparmor_profile);
	oj_gen_key_str(g, "selinuxLabel", p->selinux_label);
	oj_gen_key_opt_i32(g, "oomScoreAdj", p->oom_score_adj);
	gen_scheduler(g, p->scheduler);
	if (p->io_priority) {
		oj_gen_key(g, "ioPriority");
		yajl_gen_map_open(g);
		oj_gen_key_str(g, "class", p->io_priority->class);
		oj_gen_key_i64(g, "priority", p->io_priority->priority);
		yajl_gen_map_close(g);
	}
	if (p->exec_cpu_affinity) {
		oj_gen_key(g, "execCPUAffinity");
		yajl_gen_map_open(g);
		oj_gen_key_str(g, "initial", p->exec_cpu_affinity->initial);
		oj_gen_key_str(g, "final", p->exec_cpu_affinity->final);
		yajl_gen_map_close(g);
	}
}

void oci_gen_process(yajl_gen g, const struct oci_process *p)
{
	yajl_gen_map_open(g);
	if (p->terminal)
		oj_gen_key_bool(g, "terminal", true);
	if (p->console_size) {
		oj_gen_key(g, "consoleSize");
		yajl_gen_map_open(g);
		oj_gen_key_u64(g, "height", p->console_size->height);
		oj_gen_key_u64(g, "width", p->console_size->width);
		yajl_gen_map_close(g);
	}
	gen_user(g, &p->user);
	oj_gen_key_strv(g, "args", p->args);
	oj_gen_key_strv(g, "env", p->env);
	oj_gen_key_str(g, "cwd", p->cwd);
	gen_process_tail(g, p);
	yajl_gen_map_close(g);
}

void oci_gen_hooks(yajl_gen g, const struct oci_hook_list *hooks)
{
	yajl_gen_map_open(g);
	for (int k = 0; k < OCI_HOOK_KIND_COUNT; k++) {
		if (!hooks[k].hooks)
			continue;
		oj_gen_key(g, oci_hook_kind_name(k));
		yajl_gen_array_open(g);
		for (size_t i = 0; i < hooks[k].n; i++) {
			const struct oci_hook *h = &hooks[k].hooks[i];
			yajl_gen_map_open(g);
			oj_gen_key_str(g, "path", h->path);
			oj_gen_key_strv(g, "args", h->args);
			oj_gen_key_strv(g, "env", h->env);
			oj_gen_key_opt_i32(g, "timeout", h->timeout);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

static bool has_hooks(const struct oci_config *c)
{
	for (int k = 0; k < OCI_HOOK_KIND_COUNT; k++)
		if (c->hooks[k].hooks)
			return true;
	return false;
}

char *oci_config_to_json(const struct oci_config *c)
{
	yajl_gen g = oj_gen_new();
	yajl_gen_map_open(g);
	oj_gen_key_str(g, "ociVersion", c->oci_version ? c->oci_version : OCI_SPEC_VERSION);
	if (c->process) {
		oj_gen_key(g, "process");
		oci_gen_process(g, c->process);
	}
	if (c->root) {
		oj_gen_key(g, "root");
		yajl_gen_map_open(g);
		oj_gen_key_str(g, "path", c->root->path);
		if (c->root->readonly)
			oj_gen_key_bool(g, "readonly", true);
		yajl_gen_map_close(g);
	}
	oj_gen_key_str(g, "hostname", c->hostname);
	oj_gen_key_str(g, "domainname", c->domainname);
	gen_mounts(g, c->mounts, c->n_mounts);
	if (has_hooks(c)) {
		oj_gen_key(g, "hooks");
		oci_gen_hooks(g, c->hooks);
	}
	oj_gen_key_kv(g, "annotations", c->annotations, c->n_annotations);
	if (c->lnx) {
		oj_gen_key(g, "linux");
		oci_gen_linux(g, c->lnx);
	}
	yajl_gen_map_close(g);
	return oj_gen_finish(g);
}

char *oci_resources_to_json(const struct oci_resources *r)
{
	yajl_gen g = oj_gen_new();
	oci_gen_resources(g, r);
	return oj_gen_finish(g);
}
