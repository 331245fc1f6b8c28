/* The parent's half of runtime/process: everything that parses or looks
 * things up, so the child only applies ready values. */
#include "runtime/process/process-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"

int proc_cpulist_parse(const char *list, cpu_set_t *ret, struct vs_error *err)
{
	CPU_ZERO(ret);
	_cleanup_free_ char *copy = vs_strdup(list);
	char *save = NULL;
	int n = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		int lo, hi;
		if (dash)
			*dash = '\0';
		if (vs_parse_int(tok, &lo) < 0 || (dash && vs_parse_int(dash + 1, &hi) < 0))
			return vs_error_set(err, "invalid cpu list \"%s\"", list);
		if (!dash)
			hi = lo;
		if (lo < 0 || hi < lo || hi >= CPU_SETSIZE)
			return vs_error_set(err, "invalid cpu range in \"%s\"", list);
		for (int c = lo; c <= hi; c++, n++)
			CPU_SET(c, ret);
	}
	if (n == 0)
		return vs_error_set(err, "empty cpu list \"%s\"", list);
	return 0;
}

static const char *const ipc_sysctls[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

int proc_sysctl_check(const char *key, const struct proc_ns_info *ns, struct vs_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(ipc_sysctls); i++)
		if (strcmp(key, ipc_sysctls[i]) == 0)
			goto ipc;
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		goto ipc;
	if (strncmp(key, "net.", 4) == 0) {
		if (!ns->net)
			return vs_error_set(err, "sysctl \"%s\" needs a network namespace", key);
		if (ns->net_is_host)
			return vs_error_set(err,
					    "sysctl \"%s\" not allowed in the host network "
					    "namespace",
					    key);
		return 0;
	}
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0) {
		if (!ns->uts)
			return vs_error_set(err, "sysctl \"%s\" needs a uts namespace", key);
		return 0;
	}
	return vs_error_set(err, "sysctl \"%s\" is not in a separate kernel namespace", key);
ipc:
	if (!ns->ipc)
		return vs_error_set(err, "sysctl \"%s\" needs an ipc namespace", key);
	return 0;
}

int proc_apply_sysctl(const struct proc_plan *plan, struct vs_error *err)
{
	for (size_t i = 0; i < plan->n_sysctl; i++) {
		const struct oci_kv *kv = &plan->sysctl[i];
		_cleanup_free_ char *path = vs_strdup_printf("sys/%s", kv->key);
		for (char *c = path + 4; *c; c++)
			if (*c == '.')
				*c = '/';
		if (proc_write_procfs(path, false, kv->value, err) < 0)
			return vs_error_wrap(err, "linux.sysctl \"%s\"", kv->key);
	}
	return 0;
}

static int prepare_personality(const struct oci_personality *p, unsigned long *ret,
			       struct vs_error *err)
{
	*ret = (unsigned long)-1;
	if (!p)
		return 0;
	if (strcmp(p->domain, "LINUX") == 0)
		*ret = PER_LINUX;
	else if (strcmp(p->domain, "LINUX32") == 0)
		*ret = PER_LINUX32;
	else
		return vs_error_set(err, "linux.personality.domain: unknown \"%s\"", p->domain);
	if (p->flags && p->flags[0])
		return vs_error_set(err, "linux.personality.flags: \"%s\" is not supported",
				    p->flags[0]);
	return 0;
}

static int prepare_lsm(const struct oci_process *p, struct vs_error *err)
{
	if (p->apparmor_profile && p->apparmor_profile[0] &&
	    access("/proc/self/attr/apparmor/exec", W_OK) < 0)
		return vs_error_set(err,
				    "process.apparmorProfile \"%s\": AppArmor is not enabled "
				    "on this host",
				    p->apparmor_profile);
	if (p->selinux_label && p->selinux_label[0] && access("/sys/fs/selinux/enforce", F_OK) < 0)
		return vs_error_set(err,
				    "process.selinuxLabel \"%s\": SELinux is not enabled on "
				    "this host",
				    p->selinux_label);
	return 0;
}

static int prepare_affinity(const struct oci_process *p, struct proc_plan *plan,
			    struct vs_error *err)
{
	const struct oci_cpu_affinity *a = p->exec_cpu_affinity;
	if (!a)
		return 0;
	if (a->initial && a->initial[0]) {
		if (proc_cpulist_parse(a->initial, &plan->affinity_initial, err) < 0)
			return vs_error_wrap(err, "process.execCPUAffinity.initial");
		plan->has_affinity_initial = true;
	}
	if (a->final && a->final[0]) {
		if (proc_cpulist_parse(a->final, &plan->affinity_final, err) < 0)
			return vs_error_wrap(err, "process.execCPUAffinity.final");
		plan->has_affinity_final = true;
	}
	return 0;
}

int proc_prepare(const struct oci_process *process, const struct oci_personality *personality,
		 const struct oci_kv *sysctl, size_t n_sysctl, const struct proc_ns_info *ns,
		 struct proc_plan *ret_plan, struct vs_error *err)
{
	struct proc_plan plan = {.process = process, .sysctl = sysctl, .n_sysctl = n_sysctl};
	if (!process || !process->args || !process->args[0])
		return vs_error_set(err, "process.args: at least one argument is required");
	for (size_t i = 0; i < n_sysctl; i++)
		if (proc_sysctl_check(sysctl[i].key, ns, err) < 0)
			return vs_error_wrap(err, "linux.sysctl");
	if (proc_caps_parse(process->capabilities, &plan.caps, err) < 0 ||
	    prepare_personality(personality, &plan.personality, err) < 0 ||
	    prepare_lsm(process, err) < 0 || prepare_affinity(process, &plan, err) < 0 ||
	    proc_scheduler_check(process->scheduler, err) < 0)
		return -1;
	plan.env = vs_strv_copy(process->env);
	*ret_plan = plan;
	return 0;
}

void proc_plan_clear(struct proc_plan *plan)
{
	vs_strv_free(plan->env);
	plan->env = NULL;
	free(plan->exe);
	plan->exe = NULL;
}
