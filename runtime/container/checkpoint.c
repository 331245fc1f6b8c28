/* checkpoint: hand a running container's process tree to CRIU (restore is
 * in restore.c). */
#include "runtime/container/container-internal.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/rootfs/rootfs.h"

static void cg_handle_freep(struct cg_handle **h)
{
	cg_handle_free(*h);
}

static void config_freep(struct oci_config **c)
{
	oci_config_free(*c);
}

/* runc makes the image dir when it is missing; so does vessel, after every
 * check that can refuse the request (a refused checkpoint leaves no empty
 * dir behind). */
static int make_image_dir(const char *path, bool *ret_made, struct vs_error *err)
{
	*ret_made = mkdir(path, 0700) == 0;
	if (!*ret_made && errno != EEXIST)
		return vs_error_errno(err, errno, "--image-path: mkdir %s", path);
	return 0;
}

/* CRIU opens the parent images relative to the image directory
 * (--prev-images-dir): an absolute path would name another directory than
 * the user meant, and a missing one makes criu fail after it froze the
 * container.  Both are refused before anything is done, as runc does. */
static int check_parent_path(const char *image_path, const char *parent, struct vs_error *err)
{
	if (!parent)
		return 0;
	if (parent[0] == '/')
		return vs_error_set(err,
				    "--parent-path %s: must be relative to --image-path %s "
				    "(CRIU resolves it from the image directory)",
				    parent, image_path);
	_cleanup_free_ char *dir = vs_strdup_printf("%s/%s", image_path, parent);
	struct stat st;
	if (stat(dir, &st) < 0)
		return vs_error_errno(err, errno, "--parent-path %s: %s", parent, dir);
	if (!S_ISDIR(st.st_mode))
		return vs_error_errno(err, ENOTDIR, "--parent-path %s: %s", parent, dir);
	return 0;
}

/* CRIU thaws what it froze when it fails; a container found frozen
 * afterwards (criu killed half-way) is thawed, as it was running before.
 * One paused before (containerd pauses the task around its checkpoint)
 * stays paused. */
static void make_sure_thawed(struct cg_handle *h, bool was_paused)
{
	struct vs_error ignored = VS_ERROR_INIT;
	bool frozen = false;
	if (h && !was_paused && cg_is_frozen(h, &frozen, &ignored) == 0 && frozen) {
		vs_log_warn("checkpoint failed with the container frozen: thawing it");
		cg_thaw(h, 1000, &ignored);
	}
	vs_error_clear(&ignored);
}

static int dump_container(struct ct_container *c, struct ct_checkpoint_opts *o, struct cg_handle *h,
			  bool was_paused, struct vs_error *err)
{
	struct cr_dump_opts d = {
	    .c = o->crit,
	    .pid = c->state->pid,
	    .rootfs = c->state->rootfs,
	    .parent_path = o->parent_path,
	    .page_server = o->page_server,
	    .status_fd = o->status_fd,
	    .leave_running = o->leave_running,
	    .pre_dump = o->pre_dump,
	};
	d.c.cgroup_dir = h ? cg_handle_dir(h) : NULL;
	d.c.cgroup_path = h ? cg_handle_path(h) : NULL;
	if (cr_dump(&d, err) < 0) {
		make_sure_thawed(h, was_paused);
		return vs_error_wrap(err, "checkpoint %s", c->id);
	}
	return 0;
}

/* The config as the archive carries it: a root that is not an overlay
 * stays where it is, so a relative root.path is made absolute (the
 * import's bundle has no rootfs of its own then). */
static char *export_config(struct ct_container *c, struct oci_config *config)
{
	const char *root = config->root ? config->root->path : NULL;
	if (root && root[0] != '/' && !oci_annotation(config, ROOTFS_ANN_OVERLAY_UPPER)) {
		char *abs = vs_strdup_printf("%s/%s", c->state->bundle, root);
		free(config->root->path);
		config->root->path = abs;
	}
	return oci_config_to_json(config);
}

/* --export, once the dump is there: images, config and the overlay upper
 * dir (the tree is frozen or gone, its writes are all in). */
static int export_archive(struct ct_container *c, struct ct_checkpoint_opts *o,
			  struct oci_config *config, struct vs_error *err)
{
	_cleanup_free_ char *json = export_config(c, config);
	struct cr_export_opts e = {
	    .file = o->export_file,
	    .config_json = json,
	    .image_path = o->crit.image_path,
	    .upper = oci_annotation(config, ROOTFS_ANN_OVERLAY_UPPER),
	};
	if (cr_export(&e, err) < 0) {
		if (o->leave_running)
			return vs_error_wrap(err, "checkpoint %s: dumped into %s", c->id,
					     o->crit.image_path);
		return vs_error_wrap(err,
				     "checkpoint %s: dumped into %s (the container is left "
				     "stopped, its files with it)",
				     c->id, o->crit.image_path);
	}
	return 0;
}

static int check_request(struct ct_container *c, struct ct_checkpoint_opts *o, struct vs_error *err)
{
	/* Paused too, as runc: containerd pauses the task before it asks for
	 * the checkpoint and resumes it after; CRIU's cgroup freeze finds it
	 * frozen and leaves it so. */
	const char *status = ct_status(c);
	bool paused = strcmp(status, OCI_STATUS_PAUSED) == 0;
	if (strcmp(status, OCI_STATUS_RUNNING) != 0 && !paused)
		return vs_error_set(err,
				    "container %s is %s: only a running or paused container "
				    "can be checkpointed",
				    c->id, status);
	if (o->export_file && o->pre_dump)
		return vs_error_set(err, "--export: a pre-dump cannot be restored on its own; "
					 "export the final dump (--parent-path) instead");
	if (o->export_file && o->parent_path)
		return vs_error_set(err, "--export: the images of a dump with --parent-path "
					 "need their parent; export a dump without it");
	if (o->export_file && cr_export_check(o->export_file, err) < 0)
		return -1;
	return 0;
}

/* The image dir, and the parent's check that needs it (the kernel resolves
 * IMG/../pre through IMG): a refusal removes the dir when it was made
 * here. */
static int prepare_image_dir(struct ct_checkpoint_opts *o, struct vs_error *err)
{
	bool made;
	if (make_image_dir(o->crit.image_path, &made, err) < 0)
		return -1;
	if (check_parent_path(o->crit.image_path, o->parent_path, err) < 0) {
		if (made)
			rmdir(o->crit.image_path);
		return -1;
	}
	return 0;
}

int ct_checkpoint(struct ct_container *c, struct ct_checkpoint_opts *o, struct vs_error *err)
{
	if (check_request(c, o, err) < 0)
		return -1;
	_cleanup_(config_freep) struct oci_config *config = NULL;
	if (ct_load_config(c, &config, err) < 0)
		return -1;
	if (config->process && config->process->terminal && !o->crit.shell_job)
		vs_log_debug("checkpoint %s: terminal container, criu keeps its pty", c->id);
	o->crit.config = config;
	__attribute__((cleanup(cg_handle_freep))) struct cg_handle *h = NULL;
	if (c->state->cgroup_path && c->state->cgroup_path[0] &&
	    cg_open(c->state->cgroup_path, &h, err) < 0)
		return vs_error_wrap(err, "checkpoint %s: cgroup", c->id);
	bool paused = strcmp(ct_status(c), OCI_STATUS_PAUSED) == 0;
	if (prepare_image_dir(o, err) < 0 || dump_container(c, o, h, paused, err) < 0)
		return -1;
	if (o->export_file && export_archive(c, o, config, err) < 0)
		return -1;
	if (o->leave_running || o->pre_dump)
		return 0;
	/* CRIU killed the tree: the container is stopped, and goes, so that
	 * restore can bring it back under the same id. */
	vs_log_debug("checkpoint %s: dumped, deleting the container", c->id);
	if (ct_delete(c, true, err) < 0)
		return vs_error_wrap(err, "checkpoint %s: dumped, but delete", c->id);
	return 0;
}
