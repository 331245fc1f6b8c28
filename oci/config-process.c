/* The `process` section (also the whole of `exec --process FILE`) and the
 * `hooks` section. */
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "oci/config-internal.h"

static int parse_console_size(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_console_size **ret = out;
	struct oci_console_size *cs = *ret = vs_malloc0(sizeof(*cs));
	if (oj_u32(c, v, "height", true, &cs->height) < 0 ||
	    oj_u32(c, v, "width", true, &cs->width) < 0)
		return -1;
	return 0;
}

static int parse_user(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_user *u = out;
	if (oj_u32(c, v, "uid", true, &u->uid) < 0 || oj_u32(c, v, "gid", true, &u->gid) < 0 ||
	    oj_opt_u32(c, v, "umask", 0777, &u->umask) < 0 ||
	    oj_u32_array(c, v, "additionalGids", &u->additional_gids, &u->n_additional_gids) < 0 ||
	    oj_string(c, v, "username", false, &u->username) < 0)
		return -1;
	return 0;
}

static int check_caps(struct oj_ctx *c, const char *key, char **caps)
{
	for (size_t i = 0; caps && caps[i]; i++) {
		if (strncmp(caps[i], "CAP_", 4) == 0 && caps[i][4] != '\0')
			continue;
		char q[96];
		oj_quote(caps[i], q, sizeof(q));
		size_t m = oj_push_key(c, key);
		oj_push_index(c, i);
		oj_fail(c, "invalid capability name %s (expected CAP_*)", q);
		oj_pop(c, m);
		return -1;
	}
	return 0;
}

static int parse_capabilities(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_capabilities **ret = out;
	struct oci_capabilities *caps = *ret = vs_malloc0(sizeof(*caps));
	struct {
		const char *key;
		char ***set;
	} sets[] = {
	    {"bounding", &caps->bounding},	 {"effective", &caps->effective},
	    {"inheritable", &caps->inheritable}, {"permitted", &caps->permitted},
	    {"ambient", &caps->ambient},
	};
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		if (oj_strv(c, v, sets[i].key, false, sets[i].set) < 0 ||
		    check_caps(c, sets[i].key, *sets[i].set) < 0)
			return -1;
	return 0;
}

static int parse_rlimit(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_rlimit *rl = out;
	if (oj_string(c, v, "type", true, &rl->type) < 0 ||
	    oj_u64(c, v, "soft", true, &rl->soft) < 0 || oj_u64(c, v, "hard", true, &rl->hard) < 0)
		return -1;
	size_t m = oj_push_key(c, "type");
	rl->resource = oci_rlimit_resource(rl->type);
	int r = rl->resource < 0 ? oj_check_enum(c, rl->type, oci_rlimit_names, "rlimit type") : 0;
	oj_pop(c, m);
	if (r < 0)
		return -1;
	/* setrlimit() would refuse it later with a bare EINVAL */
	if (rl->soft > rl->hard)
		return oj_fail_key(c, "soft", "soft limit %llu is above the hard limit %llu",
				   (unsigned long long)rl->soft, (unsigned long long)rl->hard);
	return 0;
}

static int check_rlimit_dups(struct oj_ctx *c, const struct oci_process *p)
{
	for (size_t i = 0; i < p->n_rlimits; i++)
		for (size_t j = 0; j < i; j++) {
			if (p->rlimits[i].resource != p->rlimits[j].resource)
				continue;
			size_t m = oj_push_key(c, "rlimits");
			oj_push_index(c, i);
			oj_fail_key(c, "type", "duplicate rlimit type \"%s\" (also rlimits[%zu])",
				    p->rlimits[i].type, j);
			oj_pop(c, m);
			return -1;
		}
	return 0;
}

static int parse_scheduler(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_scheduler **ret = out;
	struct oci_scheduler *s = *ret = vs_malloc0(sizeof(*s));
	if (oj_string(c, v, "policy", true, &s->policy) < 0)
		return -1;
	size_t m = oj_push_key(c, "policy");
	int r = oj_check_enum(c, s->policy, oci_sched_policies, "scheduler policy");
	oj_pop(c, m);
	if (r < 0 || oj_opt_i32(c, v, "nice", -20, 19, &s->nice) < 0 ||
	    oj_opt_i32(c, v, "priority", INT32_MIN, INT32_MAX, &s->priority) < 0 ||
	    oj_strv(c, v, "flags", false, &s->flags) < 0 ||
	    oj_check_strv_enum(c, v, "flags", s->flags, oci_sched_flags, "scheduler flag") < 0 ||
	    oj_opt_u64(c, v, "runtime", UINT64_MAX, &s->runtime) < 0 ||
	    oj_opt_u64(c, v, "deadline", UINT64_MAX, &s->deadline) < 0 ||
	    oj_opt_u64(c, v, "period", UINT64_MAX, &s->period) < 0)
		return -1;
	return 0;
}

static int parse_io_priority(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_io_priority **ret = out;
	struct oci_io_priority *io = *ret = vs_malloc0(sizeof(*io));
	oci_opt_i32 prio = {0};
	if (oj_string(c, v, "class", true, &io->class) < 0)
		return -1;
	size_t m = oj_push_key(c, "class");
	int r = oj_check_enum(c, io->class, oci_ioprio_classes, "io priority class");
	oj_pop(c, m);
	if (r < 0 || oj_opt_i32(c, v, "priority", 0, 7, &prio) < 0)
		return -1;
	if (!prio.set)
		return oj_fail_key(c, "priority", "missing required field");
	io->priority = prio.value;
	return 0;
}

static int parse_cpu_affinity(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_cpu_affinity **ret = out;
	struct oci_cpu_affinity *a = *ret = vs_malloc0(sizeof(*a));
	const char *keys[] = {"initial", "final"};
	char **vals[] = {&a->initial, &a->final};
	for (size_t i = 0; i < 2; i++) {
		if (oj_string(c, v, keys[i], false, vals[i]) < 0)
			return -1;
		if (!*vals[i])
			continue;
		size_t m = oj_push_key(c, keys[i]);
		int r = oci_check_cpu_list(c, *vals[i]);
		oj_pop(c, m);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* runc refuses these at exec time; refusing them here names the entry. */
static int check_env(struct oj_ctx *c, char **env)
{
	for (size_t i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		if (eq && eq != env[i])
			continue;
		char q[96];
		oj_quote(env[i], q, sizeof(q));
		size_t m = oj_push_key(c, "env");
		oj_push_index(c, i);
		oj_fail(c, "invalid environment variable %s: %s", q,
			eq ? "empty name" : "missing '='");
		oj_pop(c, m);
		return -1;
	}
	return 0;
}

static int parse_process_ids(struct oj_ctx *c, yajl_val v, struct oci_process *p)
{
	if (oj_bool(c, v, "terminal", &p->terminal) < 0 ||
	    oj_object(c, v, "consoleSize", false, parse_console_size, &p->console_size) < 0 ||
	    oj_object(c, v, "user", !c->user_optional, parse_user, &p->user) < 0 ||
	    oj_strv(c, v, "args", true, &p->args) < 0)
		return -1;
	p->user_given = yajl_tree_get(v, (const char *[]){"user", NULL}, yajl_t_object) != NULL;
	if (!p->args[0])
		return oj_fail_key(c, "args", "must contain at least one element");
	if (oj_strv(c, v, "env", false, &p->env) < 0 || check_env(c, p->env) < 0 ||
	    oj_string(c, v, "cwd", true, &p->cwd) < 0)
		return -1;
	size_t m = oj_push_key(c, "cwd");
	int r = oj_check_abs(c, p->cwd);
	oj_pop(c, m);
	return r;
}

int oci_parse_process(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_process **ret = out;
	struct oci_process *p = *ret = vs_malloc0(sizeof(*p));
	/* commandLine is Windows-only: deliberately not read */
	if (parse_process_ids(c, v, p) < 0 ||
	    oj_object(c, v, "capabilities", false, parse_capabilities, &p->capabilities) < 0 ||
	    oj_array(c, v, "rlimits", false, sizeof(struct oci_rlimit), (void **)&p->rlimits,
		     &p->n_rlimits, parse_rlimit) < 0 ||
	    check_rlimit_dups(c, p) < 0 ||
	    oj_bool(c, v, "noNewPrivileges", &p->no_new_privileges) < 0 ||
	    oj_string(c, v, "apparmorProfile", false, &p->apparmor_profile) < 0 ||
	    oj_string(c, v, "selinuxLabel", false, &p->selinux_label) < 0 ||
	    oj_opt_i32(c, v, "oomScoreAdj", -1000, 1000, &p->oom_score_adj) < 0 ||
	    oj_object(c, v, "scheduler", false, parse_scheduler, &p->scheduler) < 0 ||
	    oj_object(c, v, "ioPriority", false, parse_io_priority, &p->io_priority) < 0 ||
	    oj_object(c, v, "execCPUAffinity", false, parse_cpu_affinity, &p->exec_cpu_affinity) <
		0)
		return -1;
	return 0;
}

/* ---- hooks ------------------------------------------------------------------ */

static int parse_hook(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_hook *h = out;
	if (oj_string(c, v, "path", true, &h->path) < 0)
		return -1;
	size_t m = oj_push_key(c, "path");
	int r = oj_check_abs(c, h->path);
	oj_pop(c, m);
	if (r < 0 || oj_strv(c, v, "args", false, &h->args) < 0 ||
	    oj_strv(c, v, "env", false, &h->env) < 0 ||
	    oj_opt_i32(c, v, "timeout", INT32_MIN, INT32_MAX, &h->timeout) < 0)
		return -1;
	if (h->timeout.set && h->timeout.value <= 0)
		return oj_fail_key(c, "timeout", "must be greater than zero, got %d",
				   h->timeout.value);
	return 0;
}

int oci_parse_hooks(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_hook_list *hooks = out;
	for (int k = 0; k < OCI_HOOK_KIND_COUNT; k++)
		if (oj_array(c, v, oci_hook_kind_name(k), false, sizeof(struct oci_hook),
			     (void **)&hooks[k].hooks, &hooks[k].n, parse_hook) < 0)
			return -1;
	return 0;
}
