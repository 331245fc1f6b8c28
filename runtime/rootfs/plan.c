/* The parent side: validate the config's filesystem pieces and turn them into
 * a plan the init can apply without parsing anything. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/rootfs/rootfs-internal.h"
#include "runtime/rootless/rootless.h"

static const char *annotation(const struct rootfs_config *cfg, const char *key)
{
	for (size_t i = 0; i < cfg->n_annotations; i++)
		if (cfg->annotations[i].key && strcmp(cfg->annotations[i].key, key) == 0)
			return cfg->annotations[i].value;
	return NULL;
}

static int check_dir(const char *what, const char *path, struct vs_error *err)
{
	struct stat st;
	if (!path || path[0] != '/')
		return vs_error_set(err, "%s: \"%s\" is not an absolute path", what,
				    path ? path : "");
	if (strpbrk(path, ",:\\"))
		return vs_error_set(err,
				    "%s: \"%s\" contains ',', ':' or '\\', which overlayfs "
				    "options cannot carry",
				    what, path);
	if (stat(path, &st) < 0)
		return vs_error_errno(err, errno, "%s: %s", what, path);
	if (!S_ISDIR(st.st_mode))
		return vs_error_set(err, "%s: %s is not a directory", what, path);
	return 0;
}

static int plan_overlay(struct rootfs_plan *plan, const struct rootfs_config *cfg,
			struct vs_error *err)
{
	const char *lower = annotation(cfg, ROOTFS_ANN_OVERLAY_LOWER);
	const char *upper = annotation(cfg, ROOTFS_ANN_OVERLAY_UPPER);
	const char *work = annotation(cfg, ROOTFS_ANN_OVERLAY_WORK);
	if (!lower && !upper && !work)
		return 0;
	if (!lower || !upper || !work)
		return vs_error_set(err, "annotations: an overlay root needs all of %s, %s and %s",
				    ROOTFS_ANN_OVERLAY_LOWER, ROOTFS_ANN_OVERLAY_UPPER,
				    ROOTFS_ANN_OVERLAY_WORK);
	_cleanup_free_ char *copy = vs_strdup(lower);
	char *save = NULL;
	size_t n = 0;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save), n++)
		if (check_dir("annotations." ROOTFS_ANN_OVERLAY_LOWER, d, err) < 0)
			return -1;
	if (n == 0)
		return vs_error_set(err, "annotations.%s: no lower directory",
				    ROOTFS_ANN_OVERLAY_LOWER);
	if (check_dir("annotations." ROOTFS_ANN_OVERLAY_UPPER, upper, err) < 0 ||
	    check_dir("annotations." ROOTFS_ANN_OVERLAY_WORK, work, err) < 0)
		return -1;
	plan->overlay_data =
	    vs_strdup_printf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
	return 0;
}

char *rootfs_plan_root_joined(const struct rootfs_config *cfg)
{
	if (cfg->root->path[0] == '/')
		return vs_strdup(cfg->root->path);
	return vs_strdup_printf("%s/%s", cfg->bundle ? cfg->bundle : ".", cfg->root->path);
}

static int plan_root(struct rootfs_plan *plan, const struct rootfs_config *cfg,
		     struct vs_error *err)
{
	if (!cfg->root || !cfg->root->path || !cfg->root->path[0])
		return vs_error_set(err, "root.path: missing");
	_cleanup_free_ char *joined =
	    cfg->root->path[0] == '/'
		? vs_strdup(cfg->root->path)
		: vs_strdup_printf("%s/%s", cfg->bundle ? cfg->bundle : ".", cfg->root->path);
	char real[PATH_MAX];
	if (!realpath(joined, real))
		return vs_error_errno(err, errno, "root.path: %s", joined);
	struct stat st;
	if (stat(real, &st) < 0)
		return vs_error_errno(err, errno, "root.path: %s", real);
	if (!S_ISDIR(st.st_mode))
		return vs_error_set(err, "root.path: %s is not a directory", real);
	if (strcmp(real, "/") == 0)
		return vs_error_set(err, "root.path: the host's / cannot be a container root");
	plan->root = vs_strdup(real);
	plan->readonly = cfg->root->readonly;
	return 0;
}

static int plan_devices(struct rootfs_plan *plan, const struct rootfs_config *cfg,
			struct vs_error *err)
{
	plan->devs = vs_malloc0((cfg->n_devices + 1) * sizeof(*plan->devs));
	for (size_t i = 0; i < cfg->n_devices; i++, plan->n_devs++) {
		const struct oci_device *d = &cfg->devices[i];
		struct rootfs_dev *o = &plan->devs[i];
		if (rootfs_clean_path(d->path, &o->path, err) < 0)
			return vs_error_wrap(err, "linux.devices[%zu].path", i);
		if (strcmp(o->path, "/") == 0)
			return vs_error_set(err, "linux.devices[%zu].path: \"/\" is not a file", i);
		if (!strchr("cbup", d->type) || d->type == '\0')
			return vs_error_set(err,
					    "linux.devices[%zu].type: \"%c\" is not c, b, u or p",
					    i, d->type ? d->type : '?');
		o->type = d->type == 'u' ? 'c' : d->type;
		if (o->type != 'p' &&
		    (d->major < 0 || d->minor < 0 || d->major > 0xfff || d->minor > 0xfffff))
			return vs_error_set(err, "linux.devices[%zu]: bad major/minor %lld:%lld", i,
					    (long long)d->major, (long long)d->minor);
		o->rdev = o->type == 'p' ? 0 : makedev(d->major, d->minor);
		o->mode = d->file_mode.set ? (d->file_mode.value & 07777) : 0666;
		o->uid = d->uid.set ? d->uid.value : 0;
		o->gid = d->gid.set ? d->gid.value : 0;
	}
	return 0;
}

static int plan_paths(char *const *in, const char *what, char ***ret, struct vs_error *err)
{
	_cleanup_strv_ char **out = vs_malloc0(sizeof(char *));
	for (size_t i = 0; in && in[i]; i++) {
		_cleanup_free_ char *clean = NULL;
		if (rootfs_clean_path(in[i], &clean, err) < 0)
			return vs_error_wrap(err, "%s[%zu]", what, i);
		vs_strv_push(&out, clean);
	}
	*ret = TAKE_PTR(out);
	return 0;
}

static bool selinux_enabled(void)
{
	return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

static int plan_misc(struct rootfs_plan *plan, const struct rootfs_config *cfg,
		     struct vs_error *err)
{
	long prop = MS_PRIVATE | MS_REC;
	if (cfg->propagation && cfg->propagation[0]) {
		prop = rootfs_parse_propagation(cfg->propagation);
		if (prop < 0)
			return vs_error_set(err, "linux.rootfsPropagation: unknown value \"%s\"",
					    cfg->propagation);
	}
	plan->propagation = (unsigned long)prop;
	if (cfg->mount_label && cfg->mount_label[0] && selinux_enabled())
		return vs_error_set(err, "linux.mountLabel: SELinux mount labels are not supported "
					 "by vessel");
	plan->terminal = cfg->terminal;
	plan->no_pivot = cfg->no_pivot;
	/* Rootless without a user namespace of the container's own (podman
	 * runs its runtime in its own): no mknod, no fresh sysfs either. */
	plan->rootless = rl_active();
	plan->userns = cfg->userns || plan->rootless;
	plan->cgroupns = cfg->cgroupns;
	plan->cgroup_dir = vs_strdup(cfg->cgroup_dir);
	plan->cgroup_v1 = vs_malloc0((cfg->n_cgroup_v1 + 1) * sizeof(*plan->cgroup_v1));
	for (size_t i = 0; i < cfg->n_cgroup_v1; i++)
		plan->cgroup_v1[i] = (struct rootfs_cgroup_v1){
		    vs_strdup(cfg->cgroup_v1[i].name), vs_strdup(cfg->cgroup_v1[i].options),
		    vs_strdup(cfg->cgroup_v1[i].host_dir)};
	plan->n_cgroup_v1 = cfg->n_cgroup_v1;
	return 0;
}

/* Without a mount namespace every mount would be the host's. */
static int check_no_mountns(const struct rootfs_config *cfg, struct vs_error *err)
{
	const char *what = NULL;
	if (cfg->n_mounts)
		what = "mounts";
	else if (cfg->masked_paths && cfg->masked_paths[0])
		what = "linux.maskedPaths";
	else if (cfg->readonly_paths && cfg->readonly_paths[0])
		what = "linux.readonlyPaths";
	else if (cfg->n_devices)
		what = "linux.devices";
	else if (cfg->root->readonly)
		what = "root.readonly";
	else if (cfg->propagation && cfg->propagation[0])
		what = "linux.rootfsPropagation";
	else if (cfg->terminal)
		what = "process.terminal (the /dev/console mount)";
	else if (annotation(cfg, ROOTFS_ANN_OVERLAY_LOWER))
		what = "the overlay root";
	if (!what)
		return 0;
	return vs_error_set(err,
			    "%s: needs a mount namespace (linux.namespaces has none, so the "
			    "container shares the host's and vessel mounts nothing)",
			    what);
}

int rootfs_plan_new(const struct rootfs_config *cfg, struct rootfs_plan **ret_plan,
		    struct vs_error *err)
{
	_cleanup_rootfs_plan_ struct rootfs_plan *plan = vs_malloc0(sizeof(*plan));
	plan->root_fd = -1;
	plan->no_mountns = cfg->no_mountns;
	if (plan_root(plan, cfg, err) < 0 || (cfg->no_mountns && check_no_mountns(cfg, err) < 0) ||
	    plan_misc(plan, cfg, err) < 0 || plan_overlay(plan, cfg, err) < 0 ||
	    rootfs_plan_mounts(plan, cfg, err) < 0 || plan_devices(plan, cfg, err) < 0 ||
	    plan_paths(cfg->masked_paths, "linux.maskedPaths", &plan->masked, err) < 0 ||
	    plan_paths(cfg->readonly_paths, "linux.readonlyPaths", &plan->readonly_paths, err) < 0)
		return vs_error_wrap(err, "rootfs");
	*ret_plan = TAKE_PTR(plan);
	return 0;
}

const char *rootfs_plan_root(const struct rootfs_plan *plan)
{
	return plan->root;
}

size_t rootfs_plan_fds(const struct rootfs_plan *plan, int *ret_fds, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; plan && i < plan->n_mounts; i++) {
		int fd = plan->mounts[i].idmap_tree_fd;
		if (fd >= 0 && n++ < max)
			ret_fds[n - 1] = fd;
	}
	return n;
}

void rootfs_plan_free(struct rootfs_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n_mounts; i++) {
		struct rootfs_mnt *m = &plan->mounts[i];
		free(m->label);
		free(m->destination);
		free(m->source);
		free(m->source_in_root);
		free(m->type);
		rootfs_mount_opts_free(&m->opts);
		vs_closep(&m->idmap_tree_fd);
	}
	free(plan->mounts);
	for (size_t i = 0; i < plan->n_devs; i++)
		free(plan->devs[i].path);
	free(plan->devs);
	vs_strv_free(plan->masked);
	vs_strv_free(plan->readonly_paths);
	free(plan->cgroup_dir);
	for (size_t i = 0; i < plan->n_cgroup_v1; i++) {
		free((char *)plan->cgroup_v1[i].name);
		free((char *)plan->cgroup_v1[i].options);
		free((char *)plan->cgroup_v1[i].host_dir);
	}
	free(plan->cgroup_v1);
	free(plan->overlay_data);
	free(plan->root);
	vs_closep(&plan->root_fd);
	free(plan);
}
