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

static void cg_handle_freep(struct cg_handle **h)
{
	cg_handle_free(*h);
}

static void config_freep(struct oci_config **c)
{
	oci_config_free(*c);
}

/* runc makes the image dir when it is missing; so does vessel. */
static int make_image_dir(const char *path, struct vs_error *err)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
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

int ct_checkpoint(struct ct_container *c, struct ct_checkpoint_opts *o, struct vs_error *err)
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
	_cleanup_(config_freep) struct oci_config *config = NULL;
	if (ct_load_config(c, &config, err) < 0)
		return -1;
	if (config->process && config->process->terminal && !o->crit.shell_job)
		vs_log_debug("checkpoint %s: terminal container, criu keeps its pty", c->id);
	o->crit.config = config;
	if (make_image_dir(o->crit.image_path, err) < 0 ||
	    check_parent_path(o->crit.image_path, o->parent_path, err) < 0)
		return -1;
	__attribute__((cleanup(cg_handle_freep))) struct cg_handle *h = NULL;
	if (c->state->cgroup_path && c->state->cgroup_path[0] &&
	    cg_open(c->state->cgroup_path, &h, err) < 0)
		return vs_error_wrap(err, "checkpoint %s: cgroup", c->id);
	if (dump_container(c, o, h, paused, err) < 0)
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
