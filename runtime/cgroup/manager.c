/* The container's cgroup: create (with rollback), open, enter, destroy. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"
#include "runtime/rootless/rootless.h"
#include "runtime/cgroup/systemd-internal.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* Directories vessel made carry this mark, so delete removes them (once
 * empty) and never a parent someone else made. */

static void handle_freep(struct cg_handle **h)
{
	cg_handle_free(*h);
}
#define _cleanup_handle_ _cleanup_(handle_freep)

void cg_handle_free(struct cg_handle *h)
{
	if (!h)
		return;
	cg_sd_release(h);
	vs_closep(&h->fd);
	free(h->root);
	free(h->path);
	free(h->dir);
	free(h->v1_path);
	vs_strv_free(h->v1_sub_mounts);
	vs_strv_free(h->v1_sub_dirs);
	vs_strv_free(h->available);
	free(h);
}

int cg_handle_fd(const struct cg_handle *h)
{
	return h ? h->fd : -1;
}

const char *cg_handle_path(const struct cg_handle *h)
{
	return h && h->fd >= 0 ? h->path : NULL;
}

const char *cg_handle_dir(const struct cg_handle *h)
{
	return h && h->fd >= 0 ? h->dir : NULL;
}

static struct cg_handle *handle_new(const char *root, const char *path)
{
	struct cg_handle *h = vs_malloc0(sizeof(*h));
	h->fd = -1;
	if (root) {
		h->root = vs_strdup(root);
		h->path = vs_strdup(path);
		h->dir = vs_strdup_printf("%s%s", root, path);
	}
	return h;
}

/* Reads the root's cgroup.controllers: what can be enabled below it. */
static int load_available(struct cg_handle *h, struct vs_error *err)
{
	_cleanup_free_ char *file = vs_strdup_printf("%s/cgroup.controllers", h->root);
	_cleanup_free_ char *buf = NULL;
	if (vs_read_file(file, 0, &buf, NULL, err) < 0)
		return vs_error_wrap(err, "cgroup2 hierarchy at %s", h->root);
	char *save = NULL;
	for (char *c = strtok_r(buf, " \n", &save); c; c = strtok_r(NULL, " \n", &save))
		vs_strv_push(&h->available, c);
	if (!h->available)
		h->available = vs_malloc0(sizeof(char *));
	struct statfs sfs;
	if (statfs(h->root, &sfs) < 0)
		return vs_error_errno(err, errno, "statfs %s", h->root);
	h->fake = sfs.f_type != CGROUP2_SUPER_MAGIC;
	return 0;
}

static int open_dir(struct cg_handle *h, struct vs_error *err)
{
	h->fd = open(h->dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (h->fd < 0)
		return vs_error_errno(err, errno, "open cgroup %s", h->dir);
	return 0;
}

int cg_open_at(const char *root, const char *path, struct cg_handle **ret_handle,
	       struct vs_error *err)
{
	if (!path || !*path) {
		*ret_handle = handle_new(NULL, NULL);
		return 0;
	}
	_cleanup_free_ char *detected = root ? NULL : cg_find_cgroup2_mount();
	if (!root && !detected)
		return vs_error_set(err, "cgroup %s: no cgroup2 hierarchy is mounted", path);
	_cleanup_handle_ struct cg_handle *h = handle_new(root ? root : detected, path);
	if (load_available(h, err) < 0)
		return -1;
	if (open_dir(h, err) < 0) {
		if (err->errnum != ENOENT)
			return -1;
		/* Removed already (a delete that died half-way, a reboot):
		 * destroy has nothing to do, the rest say it is gone. */
		vs_error_clear(err);
		h->gone = true;
	}
	cg_sd_adopt(h);
	*ret_handle = TAKE_PTR(h);
	return 0;
}

int cg_open(const char *path, struct cg_handle **ret_handle, struct vs_error *err)
{
	return cg_open_at(NULL, path, ret_handle, err);
}

int cg_enter(struct cg_handle *h, pid_t pid, struct vs_error *err)
{
	if (h->fd < 0)
		return 0; /* no cgroup2 on this host: the process stays where it is */
	char buf[24];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (cg_write(h, "cgroup.procs", buf, err) < 0)
		return vs_error_wrap(err, "move pid %d into cgroup %s", (int)pid, h->path);
	return 0;
}

/* Removes, deepest first, the directories of `path` (relative, under root)
 * that carry the owned mark, stopping at the first that is not ours or not
 * empty. */
void cg_remove_owned_parents(const char *root, const char *path, bool fake)
{
	_cleanup_free_ char *p = vs_strdup(path);
	char *slash;
	while ((slash = strrchr(p, '/')) && slash != p) {
		*slash = '\0';
		_cleanup_free_ char *dir = vs_strdup_printf("%s%s", root, p);
		char v;
		if (getxattr(dir, OWNED_XATTR, &v, 1) < 0)
			return;
		if (fake) {
			_cleanup_free_ char *f = vs_strdup_printf("%s/cgroup.subtree_control", dir);
			(void)unlink(f);
		}
		if (rmdir(dir) < 0)
			return;
	}
}

/* mkdir each missing component; marks what it made.  *ret_made says
 * whether the leaf itself was made here. */
static int make_dirs(const struct cg_handle *h, bool *ret_made, struct vs_error *err)
{
	_cleanup_free_ char *p = vs_strdup(h->path);
	*ret_made = false;
	for (char *s = p + 1;; s++) {
		bool last = *s == '\0';
		if (*s != '/' && !last)
			continue;
		*s = '\0';
		_cleanup_free_ char *dir = vs_strdup_printf("%s%s", h->root, p);
		if (mkdir(dir, 0755) == 0) {
			/* Best effort: without the mark the parent merely stays. */
			(void)setxattr(dir, OWNED_XATTR, "1", 1, 0);
			if (last)
				*ret_made = true;
		} else if (errno != EEXIST) {
			int e = errno;
			cg_remove_owned_parents(h->root, p, h->fake);
			return vs_error_errno(err, e, "mkdir cgroup %s", dir);
		}
		if (last)
			return 0;
		*s = '/';
	}
}

/* runc goes on, with a warning, when the cgroup it is told to use already
 * has processes (a pod's shared cgroup, a sandbox's). */
static int warn_if_populated(struct cg_handle *h, struct vs_error *err)
{
	_cleanup_free_ char *procs = NULL;
	if (cg_read(h, "cgroup.procs", &procs, err) < 0) {
		if (h->fake && err->errnum == ENOENT) {
			vs_error_clear(err);
			return 0;
		}
		return -1;
	}
	if (procs[0] != '\0')
		vs_log_warn("container's cgroup is not empty: %s already has processes in it; "
			    "the container joins them",
			    h->path);
	return 0;
}

/* A task that joins a frozen cgroup freezes at once, in the middle of the
 * spawn (runc refuses too: "container's cgroup unexpectedly frozen").
 * cgroup.events' "frozen" is the effective state, a frozen ancestor
 * included; a v1 freezer cgroup at the same path counts as well. */
static int refuse_frozen(struct cg_handle *h, struct vs_error *err)
{
	uint64_t frozen = 0;
	struct vs_error e = VS_ERROR_INIT;
	if (!h->fake && cg_read_key(h, "cgroup.events", "frozen", &frozen, &e) < 0)
		frozen = 0; /* before 5.2: no freezer in cgroup2 */
	vs_error_clear(&e);
	if (frozen == 1 || (h->fake && cg_file_exists(h, "cgroup.freeze") &&
			    cg_read_u64(h, "cgroup.freeze", &frozen, &e) == 0 && frozen == 1))
		return vs_error_set(err, "container's cgroup unexpectedly frozen: %s", h->dir);
	vs_error_clear(&e);
	if (!h->fake && cg_v1_frozen(h->path))
		return vs_error_set(
		    err, "container's cgroup unexpectedly frozen: the v1 freezer cgroup %s",
		    h->path);
	return 0;
}

/* Everything after the directory exists; the caller rolls back on error. */
static int setup_leaf(struct cg_handle *h, const struct cg_config *cfg, bool made,
		      struct vs_error *err)
{
	if (cg_enable_controllers(h, cfg->resources, err) < 0 || open_dir(h, err) < 0)
		return -1;
	if (refuse_frozen(h, err) < 0)
		return -1;
	if (!made && warn_if_populated(h, err) < 0)
		return -1;
	if (cfg->resources && cg_apply_all(h, cfg->resources, false, err) < 0)
		return -1;
	return cg_devices_apply(h, cfg->resources, cfg->devices, cfg->n_devices, err);
}

/* No cgroup2 hierarchy: run without a cgroup if nothing must be enforced. */
static int create_without_cgroup(const struct cg_config *cfg, struct cg_handle **ret_handle,
				 struct vs_error *err)
{
	if (cfg->resources && cg_check_enforceable(NULL, cfg->resources, err) < 0)
		return -1;
	if (cfg->resources && cfg->resources->n_devices)
		vs_log_warn("no cgroup2 hierarchy is mounted: linux.resources.devices cannot be "
			    "enforced; the container only has the device nodes in its /dev");
	*ret_handle = handle_new(NULL, NULL);
	return 0;
}

int cg_resolve(const struct cg_config *cfg, char **ret_path, struct vs_error *err)
{
	*ret_path = NULL;
	_cleanup_free_ char *detected = cfg->root ? NULL : cg_find_cgroup2_mount();
	if (cfg->systemd)
		return cg_sd_resolve(cfg, ret_path, err);
	if (!cfg->root && !detected)
		return 0;
	_cleanup_free_ char *own = cg_own_cgroup();
	if (cg_resolve_path(cfg->cgroups_path, cfg->id, own, ret_path, err) < 0)
		return -1;
	if (!cfg->root && rl_active() && !cg_rootless_usable(detected, *ret_path, own)) {
		free(*ret_path); /* rootless.c: no cgroup will be made */
		*ret_path = NULL;
	}
	return 0;
}

int cg_create(const struct cg_config *cfg, struct cg_handle **ret_handle, struct vs_error *err)
{
	if (cfg->systemd)
		return cg_sd_create(cfg, ret_handle, err);
	_cleanup_free_ char *detected = cfg->root ? NULL : cg_find_cgroup2_mount();
	const char *root = cfg->root ? cfg->root : detected;
	if (!root)
		return create_without_cgroup(cfg, ret_handle, err);

	_cleanup_free_ char *own = cg_own_cgroup();
	_cleanup_free_ char *path = NULL;
	if (cg_resolve_path(cfg->cgroups_path, cfg->id, own, &path, err) < 0)
		return -1;
	if (!cfg->root && rl_active() && !cg_rootless_usable(root, path, own))
		return cg_rootless_without(cfg, root, path, ret_handle, err);
	_cleanup_handle_ struct cg_handle *h = handle_new(root, path);
	if (load_available(h, err) < 0)
		return -1;
	if (cfg->resources && cg_check_enforceable(h, cfg->resources, err) < 0)
		return -1;
	bool made;
	if (make_dirs(h, &made, err) < 0)
		return -1;
	if (setup_leaf(h, cfg, made, err) < 0) {
		vs_closep(&h->fd);
		h->fd = -1;
		struct vs_error ignored = VS_ERROR_INIT;
		if (made && cg_remove_tree(h->dir, h->fake, &ignored) == 0)
			cg_remove_owned_parents(h->root, h->path, h->fake);
		/* v1-limits.c may have made v1 directories already; only
		 * those it made go (a pre-made leaf stays) */
		if (!h->fake)
			cg_v1_remove(h->path, true);
		vs_error_clear(&ignored);
		return vs_error_wrap(err, "cgroup %s", h->path);
	}
	*ret_handle = TAKE_PTR(h);
	return 0;
}

int cg_create_in(const struct cg_config *cfg, const char *path, struct cg_handle **ret_handle,
		 struct vs_error *err)
{
	_cleanup_free_ char *root = cg_find_cgroup2_mount();
	if (!root)
		return vs_error_set(err, "cgroup %s: no cgroup2 hierarchy is mounted", path);
	_cleanup_handle_ struct cg_handle *h = handle_new(root, path);
	if (load_available(h, err) < 0 || (rl_active() && cg_sd_user_available(h, err) < 0))
		return -1;
	if ((cfg->resources && cg_check_enforceable(h, cfg->resources, err) < 0) ||
	    setup_leaf(h, cfg, true, err) < 0) {
		vs_closep(&h->fd);
		h->fd = -1;
		cg_v1_remove(h->path, true);
		return vs_error_wrap(err, "cgroup %s", h->path);
	}
	*ret_handle = TAKE_PTR(h);
	return 0;
}

int cg_update(struct cg_handle *h, const struct oci_resources *res, struct vs_error *err)
{
	if (h->gone)
		return cg_require(h, "update", err);
	if (h->fd < 0) {
		if (cg_check_enforceable(NULL, res, err) < 0)
			return vs_error_wrap(err, "update");
		return 0;
	}
	/* Files first: their checks (checkBeforeUpdate, what cannot be
	 * enforced) must refuse before systemd writes a property's value. */
	if (cg_apply_all(h, res, true, err) < 0 || cg_sd_update(h, res, err) < 0)
		return vs_error_wrap(err, "update cgroup %s", h->path);
	return 0;
}
