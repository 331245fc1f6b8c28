/* devices: the allow/deny list a container gets, turned into a
 * BPF_PROG_TYPE_CGROUP_DEVICE program (bpf-devices.c) attached to its
 * cgroup.  cgroup v2 has no devices.allow file; the program is the only
 * enforcement, and it also works on a hybrid host because the kernel runs
 * cgroup BPF programs from the task's cgroup2 membership. */
#include <string.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"
#include "runtime/rootless/rootless.h"

/* The nodes every container may use whatever its config says, as runc and
 * crun allow them: mknod of any node (creating one is harmless without
 * access), the pseudo devices, the terminal nodes. */
static const struct cg_dev_rule standard_rules[] = {
    {true, 'c', -1, -1, CG_DEV_MKNOD},
    {true, 'b', -1, -1, CG_DEV_MKNOD},
    {true, 'c', 1, 3, CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE},    /* /dev/null */
    {true, 'c', 1, 5, CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE},    /* /dev/zero */
    {true, 'c', 1, 7, CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE},    /* /dev/full */
    {true, 'c', 1, 8, CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE},    /* /dev/random */
    {true, 'c', 1, 9, CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE},    /* /dev/urandom */
    {true, 'c', 5, 0, CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE},    /* /dev/tty */
    {true, 'c', 5, 1, CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE},    /* /dev/console */
    {true, 'c', 5, 2, CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE},    /* /dev/ptmx */
    {true, 'c', 136, -1, CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE}, /* /dev/pts/N */
};

int cg_dev_access_parse(const char *s, unsigned *ret)
{
	unsigned a = 0;
	if (!s) {
		*ret = CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE;
		return 0;
	}
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			a |= CG_DEV_READ;
			break;
		case 'w':
			a |= CG_DEV_WRITE;
			break;
		case 'm':
			a |= CG_DEV_MKNOD;
			break;
		default:
			return -1;
		}
	}
	*ret = a;
	return 0;
}

static void push(struct cg_dev_rule **v, size_t *n, struct cg_dev_rule r)
{
	*v = vs_realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = r;
}

static int push_config_rules(const struct oci_resources *res, struct cg_dev_rule **v, size_t *n,
			     struct vs_error *err)
{
	for (size_t i = 0; res && i < res->n_devices; i++) {
		const struct oci_device_rule *d = &res->devices[i];
		struct cg_dev_rule r = {d->allow, d->type ? d->type : 'a', d->major, d->minor, 0};
		if (r.type != 'a' && r.type != 'c' && r.type != 'b')
			return vs_error_set(err,
					    "linux.resources.devices[%zu].type \"%c\": expected "
					    "a, c or b",
					    i, r.type);
		if (cg_dev_access_parse(d->access, &r.access) < 0)
			return vs_error_set(err,
					    "linux.resources.devices[%zu].access \"%s\": "
					    "expected letters of \"rwm\"",
					    i, d->access);
		push(v, n, r);
	}
	return 0;
}

int cg_dev_rules_build(const struct oci_resources *res, const struct oci_device *devs,
		       size_t n_devs, struct cg_dev_rule **ret_rules, size_t *ret_n,
		       struct vs_error *err)
{
	_cleanup_free_ struct cg_dev_rule *v = NULL;
	size_t n = 0;
	/* No rules at all means "deny everything" in the spec's model; the
	 * standard nodes below are then the only ones allowed. */
	if (push_config_rules(res, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(standard_rules); i++)
		push(&v, &n, standard_rules[i]);
	/* linux.devices only creates nodes: access to them is what the rules
	 * above say, as in runc (a node the config creates under a "deny all"
	 * stays unusable unless a rule allows it; podman and Docker add one). */
	(void)devs;
	(void)n_devs;
	*ret_rules = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

int cg_devices_apply(struct cg_handle *h, const struct oci_resources *res,
		     const struct oci_device *devs, size_t n_devs, struct vs_error *err)
{
	_cleanup_free_ struct cg_dev_rule *rules = NULL;
	_cleanup_free_ struct bpf_insn *insns = NULL;
	size_t n_rules, n_insns;
	if (cg_dev_rules_build(res, devs, n_devs, &rules, &n_rules, err) < 0 ||
	    cg_bpf_dev_generate(rules, n_rules, &insns, &n_insns, err) < 0)
		return vs_error_wrap(err, "linux.resources.devices");
	/* A plain directory (unit tests) cannot hold a BPF program. */
	if (h->fake)
		return 0;
	/* Loading one needs CAP_BPF or CAP_SYS_ADMIN in the initial user
	 * namespace: a rootless container, even in a delegated cgroup, has
	 * only the nodes bound into its /dev (runc's rootless mode too). */
	if (rl_active()) {
		vs_log(VS_LOG_DEBUG,
		       "rootless: no device program on cgroup %s: the container "
		       "only reaches the device nodes bound into its /dev",
		       h->path);
		return 0;
	}
	if (cg_bpf_dev_install(h->fd, insns, n_insns, err) < 0)
		return vs_error_wrap(err, "linux.resources.devices: install the device program");
	return 0;
}
