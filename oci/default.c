#include "oci/default.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"

#define DEFAULT_HOSTNAME "vessel"

static const char *const default_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "TERM=xterm",
    NULL,
};

/* runc's set.  Inheritable and ambient stay empty: filling them let a
 * non-root process gain capabilities across execve (CVE-2022-29162). */
static const char *const default_caps[] = {
    "CAP_AUDIT_WRITE",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE",
    NULL,
};

/* Kernel interfaces that leak host information or allow host-wide actions;
 * /sys/devices/virtual/powercap exposes energy counters usable as a side
 * channel (Platypus, CVE-2020-8694). */
static const char *const default_masked[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
    NULL,
};

static const char *const default_readonly[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

struct mount_tmpl {
	const char *destination;
	const char *type;
	const char *source;
	const char *options[8];
};

/* Order matters: /dev before what lives below it. */
static const struct mount_tmpl default_mounts[] = {
    {"/proc", "proc", "proc", {NULL}},
    {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
    {"/dev/pts",
     "devpts",
     "devpts",
     {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
    {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
    {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
    {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}},
    {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

static const struct mount_tmpl rootless_sysfs = {
    "/sys",
    "none",
    "/sys",
    {"rbind", "nosuid", "noexec", "nodev", "ro", NULL},
};

static const struct mount_tmpl rootless_devpts = {
    "/dev/pts",
    "devpts",
    "devpts",
    {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL},
};

static char **strv_of(const char *const *list)
{
	return vs_strv_copy((char *const *)list);
}

static void fill_mount(struct oci_mount *m, const struct mount_tmpl *t)
{
	m->destination = vs_strdup(t->destination);
	m->type = vs_strdup(t->type);
	m->source = vs_strdup(t->source);
	m->options = t->options[0] ? strv_of(t->options) : NULL;
}

static void fill_mounts(struct oci_config *c, bool rootless)
{
	c->n_mounts = ARRAY_SIZE(default_mounts);
	c->mounts = vs_malloc0(c->n_mounts * sizeof(*c->mounts));
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct mount_tmpl *t = &default_mounts[i];
		if (rootless && strcmp(t->destination, "/sys") == 0)
			t = &rootless_sysfs;
		else if (rootless && strcmp(t->destination, "/dev/pts") == 0)
			t = &rootless_devpts;
		fill_mount(&c->mounts[i], t);
	}
}

static struct oci_process *default_process(void)
{
	struct oci_process *p = vs_malloc0(sizeof(*p));
	p->terminal = true;
	p->args = vs_malloc0(2 * sizeof(char *));
	p->args[0] = vs_strdup("sh");
	p->env = strv_of(default_env);
	p->cwd = vs_strdup("/");
	p->capabilities = vs_malloc0(sizeof(*p->capabilities));
	p->capabilities->bounding = strv_of(default_caps);
	p->capabilities->effective = strv_of(default_caps);
	p->capabilities->permitted = strv_of(default_caps);
	p->n_rlimits = 1;
	p->rlimits = vs_malloc0(sizeof(*p->rlimits));
	p->rlimits[0].type = vs_strdup("RLIMIT_NOFILE");
	p->rlimits[0].resource = RLIMIT_NOFILE;
	p->rlimits[0].hard = 1024;
	p->rlimits[0].soft = 1024;
	p->no_new_privileges = true;
	return p;
}

static void add_namespace(struct oci_linux *l, enum oci_ns_type type)
{
	l->namespaces = vs_realloc(l->namespaces, (l->n_namespaces + 1) * sizeof(*l->namespaces));
	l->namespaces[l->n_namespaces++] = (struct oci_namespace){.type = type, .path = NULL};
}

static struct oci_id_mapping *single_mapping(uint32_t host_id)
{
	struct oci_id_mapping *m = vs_malloc0(sizeof(*m));
	*m = (struct oci_id_mapping){.container_id = 0, .host_id = host_id, .size = 1};
	return m;
}

static struct oci_linux *default_linux(bool rootless)
{
	struct oci_linux *l = vs_malloc0(sizeof(*l));
	add_namespace(l, OCI_NS_PID);
	if (!rootless)
		add_namespace(l, OCI_NS_NETWORK);
	add_namespace(l, OCI_NS_IPC);
	add_namespace(l, OCI_NS_UTS);
	add_namespace(l, OCI_NS_MOUNT);
	add_namespace(l, OCI_NS_CGROUP);
	if (rootless) {
		add_namespace(l, OCI_NS_USER);
		l->uid_mappings = single_mapping(getuid());
		l->n_uid_mappings = 1;
		l->gid_mappings = single_mapping(getgid());
		l->n_gid_mappings = 1;
	} else {
		/* Deny every device node access; the /dev the runtime creates
		 * (null, zero, full, random, urandom, tty, ptmx) is allowed on
		 * top of this by the runtime itself, as runc does. */
		l->resources = vs_malloc0(sizeof(*l->resources));
		l->resources->n_devices = 1;
		l->resources->devices = vs_malloc0(sizeof(*l->resources->devices));
		l->resources->devices[0] = (struct oci_device_rule){.allow = false,
								    .type = 'a',
								    .major = -1,
								    .minor = -1,
								    .access = vs_strdup("rwm")};
	}
	l->masked_paths = strv_of(default_masked);
	l->readonly_paths = strv_of(default_readonly);
	return l;
}

struct oci_config *oci_config_default(bool rootless)
{
	struct oci_config *c = vs_malloc0(sizeof(*c));
	c->oci_version = vs_strdup(OCI_SPEC_VERSION);
	c->root = vs_malloc0(sizeof(*c->root));
	c->root->path = vs_strdup("rootfs");
	c->root->readonly = true;
	c->process = default_process();
	c->hostname = vs_strdup(DEFAULT_HOSTNAME);
	fill_mounts(c, rootless);
	c->lnx = default_linux(rootless);
	return c;
}
