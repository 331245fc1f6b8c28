/* The systemd cgroup driver: unit names, the scope's creation around a
 * placeholder process, update and stop (see systemd-internal.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/systemd-internal.h"
#include "runtime/rootless/rootless.h"

#define DEFAULT_SLICE  "system.slice"
#define USER_SLICE     "user.slice"
#define DEFAULT_PREFIX "vessel"

void cg_sd_name_clear(struct cg_sd_name *n)
{
	free(n->slice);
	free(n->unit);
	free(n->path);
	*n = (struct cg_sd_name){0};
}

/* systemd's slice naming: "a-b-c.slice" lives in "a.slice/a-b.slice";
 * "-.slice" is the root.  No empty component, no '/'. */
static int expand_slice(const char *slice, char **ret, struct vs_error *err)
{
	size_t len = strlen(slice);
	if (len <= 6 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/'))
		return vs_error_set(err, "\"%s\" is not a slice name (NAME.slice)", slice);
	if (strcmp(slice, "-.slice") == 0) {
		*ret = vs_strdup("");
		return 0;
	}
	_cleanup_free_ char *base = vs_strdup_printf("%.*s", (int)(len - 6), slice);
	_cleanup_free_ char *path = vs_strdup("");
	for (char *dash = base;; dash++) {
		if (*dash != '-' && *dash != '\0')
			continue;
		if (dash == base || dash[-1] == '-' || (*dash == '-' && dash[1] == '\0'))
			return vs_error_set(err, "\"%s\": a slice name has no empty part", slice);
		char *p = vs_strdup_printf("%s/%.*s.slice", path, (int)(dash - base), base);
		free(path);
		path = p;
		if (*dash == '\0')
			break;
	}
	*ret = TAKE_PTR(path);
	return 0;
}

/* Characters systemd accepts in a unit name (unit_name_is_valid). */
static bool unit_chars_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(":-_.\\@", *s)))
			return false;
	return true;
}

static int parse_parts(const char *p, const char *id, bool user, char **slice, char **prefix,
		       char **name, struct vs_error *err)
{
	const char *dflt = user ? USER_SLICE : DEFAULT_SLICE;
	if (!*p) {
		*slice = vs_strdup(dflt);
		*prefix = vs_strdup(DEFAULT_PREFIX);
		*name = vs_strdup(id ? id : "");
		return 0;
	}
	const char *c1 = strchr(p, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || !c2 || strchr(c2 + 1, ':'))
		return vs_error_set(err,
				    "--systemd-cgroup: linux.cgroupsPath \"%s\" is not of the form "
				    "\"slice:prefix:name\" (a path is for the cgroupfs driver)",
				    p);
	*slice = c1 == p ? vs_strdup(dflt) : vs_strdup_printf("%.*s", (int)(c1 - p), p);
	*prefix = vs_strdup_printf("%.*s", (int)(c2 - c1 - 1), c1 + 1);
	*name = vs_strdup(c2 + 1);
	return 0;
}

int cg_sd_parse(const char *cgroups_path, const char *id, bool user, struct cg_sd_name *ret,
		struct vs_error *err)
{
	const char *p = cgroups_path ? cgroups_path : "";
	_cleanup_free_ char *slice = NULL, *prefix = NULL, *name = NULL, *slice_path = NULL;
	if (parse_parts(p, id, user, &slice, &prefix, &name, err) < 0)
		return -1;
	if (!*name)
		return vs_error_set(err, "--systemd-cgroup: linux.cgroupsPath \"%s\": no name", p);
	size_t nl = strlen(name);
	if (nl > 6 && strcmp(name + nl - 6, ".slice") == 0)
		return vs_error_set(err,
				    "--systemd-cgroup: linux.cgroupsPath \"%s\": a slice as the "
				    "container's unit is not supported; name a scope",
				    p);
	_cleanup_free_ char *unit = *prefix ? vs_strdup_printf("%s-%s.scope", prefix, name)
					    : vs_strdup_printf("%s.scope", name);
	if (!unit_chars_ok(unit) || strlen(unit) > 255)
		return vs_error_set(err,
				    "--systemd-cgroup: linux.cgroupsPath \"%s\": \"%s\" is not "
				    "a valid unit name",
				    p, unit);
	if (expand_slice(slice, &slice_path, err) < 0)
		return vs_error_wrap(err, "--systemd-cgroup: linux.cgroupsPath \"%s\"", p);
	ret->path = vs_strdup_printf("%s/%s", slice_path, unit);
	ret->slice = TAKE_PTR(slice);
	ret->unit = TAKE_PTR(unit);
	return 0;
}

int cg_sd_resolve(const struct cg_config *cfg, char **ret_path, struct vs_error *err)
{
	*ret_path = NULL;
	/* Without systemd the create fails before anything exists. */
	if (access("/run/systemd/system", F_OK) < 0)
		return 0;
	struct cg_sd_name n = {0};
	bool user = rl_active();
	if (cg_sd_parse(cfg->cgroups_path, cfg->id, user, &n, err) < 0)
		return -1;
	/* The user's instance roots its tree in its own service's cgroup,
	 * where logind's user-UID.slice puts user@UID.service. */
	if (user) {
		unsigned uid = (unsigned)geteuid();
		*ret_path = vs_strdup_printf("/user.slice/user-%u.slice/user@%u.service%s", uid,
					     uid, n.path);
	} else
		*ret_path = TAKE_PTR(n.path);
	cg_sd_name_clear(&n);
	return 0;
}

static void kill_placeholder(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
		;
	*pid = 0;
}

/* A process that only waits to be killed: the scope's first member until
 * the init is cloned into the scope's cgroup.  It dies with vessel. */
static int fork_placeholder(pid_t *ret, struct vs_error *err)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return vs_error_errno(err, errno, "fork the scope's placeholder process");
	if (pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != parent)
			_exit(0);
		/* It must not hold the container's fds (console, preserved fds) */
		(void)syscall(SYS_close_range, 3U, ~0U, 0U);
		for (;;)
			pause();
	}
	*ret = pid;
	return 0;
}

struct start_data {
	const struct cg_config *cfg;
	const struct cg_sd_name *name;
	pid_t pid;
};

static int start_props(sd_bus_message *m, void *data, struct vs_error *err)
{
	const struct start_data *d = data;
	_cleanup_free_ char *desc = vs_strdup_printf("vessel container %s", d->cfg->id);
	int r = cg_sd_append_prop(m, "Description", "s", desc);
	if (r >= 0)
		r = cg_sd_append_prop(m, "Slice", "s", d->name->slice);
	/* Delegate: the cgroup below the scope is the container's to manage
	 * (a nested runtime, systemd in the container), systemd leaves it. */
	if (r >= 0)
		r = cg_sd_append_prop(m, "Delegate", "b", 1);
	if (r >= 0)
		r = cg_sym_sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t)d->pid);
	static const char *const accounting[] = {"MemoryAccounting", "CPUAccounting",
						 "IOAccounting", "TasksAccounting"};
	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(accounting); i++)
		r = cg_sd_append_prop(m, accounting[i], "b", 1);
	/* No ordering against shutdown.target and the like: the container
	 * lives as long as its processes, as runc's scopes do. */
	if (r >= 0)
		r = cg_sd_append_prop(m, "DefaultDependencies", "b", 0);
	if (r < 0)
		return vs_error_errno(err, -r, "unit properties");
	if (cg_sd_props_resources(m, d->cfg->resources, rl_active(), err) < 0)
		return -1;
	return cg_sd_props_annotations(m, d->cfg->annotations, d->cfg->n_annotations, err);
}

/* The cgroup systemd put the placeholder in: "0::" of /proc/PID/cgroup. */
static int placeholder_cgroup(pid_t pid, char **ret, struct vs_error *err)
{
	_cleanup_free_ char *file = vs_strdup_printf("/proc/%d/cgroup", (int)pid);
	_cleanup_free_ char *buf = NULL;
	if (vs_read_file(file, 0, &buf, NULL, err) < 0)
		return -1;
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, "0::/", 4) == 0) {
			*ret = vs_strdup(line + 3);
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return vs_error_set(err, "%s: no cgroup2 line", file);
}

/* Rootless: the kernel moves a process into a cgroup, CLONE_INTO_CGROUP
 * included, only for a caller that may write cgroup.procs of the common
 * ancestor of both cgroups (cgroup_attach_permissions).  From a login
 * session (session-N.scope) or a system service, that ancestor is root's,
 * and the init could not be born in the scope. */
static int check_clone_into(const char *path, struct vs_error *err)
{
	_cleanup_free_ char *root = cg_find_cgroup2_mount();
	_cleanup_free_ char *own = cg_own_cgroup();
	if (root && cg_rootless_usable(root, path, own))
		return 0;
	return vs_error_set(err,
			    "--systemd-cgroup (rootless): vessel runs in cgroup %s, outside uid "
			    "%u's systemd instance (user@%u.service): the kernel lets it start "
			    "the container only in a cgroup under an ancestor it may write; run "
			    "vessel in a unit of the user's instance (systemd-run --user --scope "
			    "vessel ..., as podman does)",
			    own ? own : "(unknown)", (unsigned)geteuid(), (unsigned)geteuid());
}

/* After the unit started: the cgroup, its mark, the cgroupfs part. */
static int adopt_scope(const struct cg_config *cfg, const struct cg_sd_name *n, pid_t pid,
		       struct cg_handle **ret_handle, struct vs_error *err)
{
	_cleanup_free_ char *path = NULL;
	if (placeholder_cgroup(pid, &path, err) < 0)
		return -1;
	size_t pl = strlen(path), ul = strlen(n->unit);
	if (pl <= ul || strcmp(path + pl - ul, n->unit) != 0 || path[pl - ul - 1] != '/')
		return vs_error_set(err, "systemd put the scope's process in %s, not in %s", path,
				    n->unit);
	if (rl_active() && check_clone_into(path, err) < 0)
		return -1;
	struct cg_handle *h = NULL;
	if (cg_create_in(cfg, path, &h, err) < 0)
		return -1;
	const char *mark = h->sd_user ? SD_UNIT_XATTR_USER : SD_UNIT_XATTR;
	if (fsetxattr(h->fd, mark, n->unit, strlen(n->unit), 0) < 0) {
		int e = errno;
		cg_handle_free(h);
		return vs_error_errno(err, e, "mark cgroup %s with its unit", path);
	}
	h->sd_unit = vs_strdup(n->unit);
	h->sd_placeholder = pid;
	*ret_handle = h;
	return 0;
}

int cg_sd_create(const struct cg_config *cfg, struct cg_handle **ret_handle, struct vs_error *err)
{
	struct cg_sd_name n = {0};
	struct cg_sd_bus *b = NULL;
	pid_t pid = 0;
	bool user = rl_active();
	int r = cg_sd_parse(cfg->cgroups_path, cfg->id, user, &n, err);
	if (r == 0)
		r = cg_sd_bus_open(user, &b, err);
	if (r == 0)
		r = fork_placeholder(&pid, err);
	if (r == 0) {
		struct start_data d = {cfg, &n, pid};
		r = cg_sd_bus_start(b, n.unit, start_props, &d, err);
		if (r == 0 && adopt_scope(cfg, &n, pid, ret_handle, err) < 0) {
			struct vs_error ignored = VS_ERROR_INIT;
			kill_placeholder(&pid);
			(void)cg_sd_bus_stop(b, n.unit, &ignored);
			vs_error_clear(&ignored);
			r = -1;
		}
		if (r == 0)
			pid = 0; /* the handle's now */
	}
	kill_placeholder(&pid);
	cg_sd_bus_close(b);
	cg_sd_name_clear(&n);
	return r;
}

int cg_sd_user_available(struct cg_handle *h, struct vs_error *err)
{
	_cleanup_free_ char *file = vs_strdup_printf("%s/cgroup.controllers", h->dir);
	_cleanup_free_ char *buf = NULL;
	if (vs_read_file(file, 0, &buf, NULL, err) < 0)
		return vs_error_wrap(err, "the controllers uid %u's systemd instance delegates",
				     (unsigned)geteuid());
	vs_strv_free(h->available);
	h->available = vs_malloc0(sizeof(char *));
	char *save = NULL;
	for (char *c = strtok_r(buf, " \n", &save); c; c = strtok_r(NULL, " \n", &save))
		vs_strv_push(&h->available, c);
	h->sd_user = true;
	return 0;
}

void cg_sd_adopt(struct cg_handle *h)
{
	char unit[256];
	bool user = rl_active();
	const char *mark = user ? SD_UNIT_XATTR_USER : SD_UNIT_XATTR;
	ssize_t n = h->fd >= 0 ? fgetxattr(h->fd, mark, unit, sizeof(unit) - 1) : -1;
	if (n <= 0)
		return;
	unit[n] = '\0';
	/* The scope's cgroup is named after it: whatever the mark says, no
	 * other unit is ever stopped (see SD_UNIT_XATTR_USER). */
	const char *base = strrchr(h->path, '/');
	size_t len = (size_t)n;
	if (!base || strcmp(base + 1, unit) != 0 || len <= 6 ||
	    strcmp(unit + len - 6, ".scope") != 0)
		return;
	struct vs_error ignored = VS_ERROR_INIT;
	if (user && cg_sd_user_available(h, &ignored) < 0)
		vs_error_clear(&ignored); /* the root's list, as before */
	h->sd_unit = vs_strdup(unit);
}

void cg_sd_release(struct cg_handle *h)
{
	kill_placeholder(&h->sd_placeholder);
	free(h->sd_unit);
	h->sd_unit = NULL;
}

static int update_props(sd_bus_message *m, void *data, struct vs_error *err)
{
	return cg_sd_props_resources(m, data, rl_active(), err);
}

int cg_sd_update(struct cg_handle *h, const struct oci_resources *res, struct vs_error *err)
{
	if (!h->sd_unit || !res)
		return 0;
	struct cg_sd_bus *b = NULL;
	if (cg_sd_bus_open(h->sd_user, &b, err) < 0)
		return -1;
	int r = cg_sd_bus_set(b, h->sd_unit, update_props, (void *)res, err);
	cg_sd_bus_close(b);
	return r;
}

int cg_sd_stop(struct cg_handle *h, struct vs_error *err)
{
	if (!h->sd_unit)
		return 0;
	struct cg_sd_bus *b = NULL;
	if (cg_sd_bus_open(h->sd_user, &b, err) < 0)
		return -1;
	int r = cg_sd_bus_stop(b, h->sd_unit, err);
	cg_sd_bus_close(b);
	return r;
}
