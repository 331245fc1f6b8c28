/* restore: a container made as create makes one (state dir, config copy,
 * cgroup, state.json), whose processes CRIU brings back from a checkpoint
 * instead of the spawn starting a new init. */
#include "runtime/container/container-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/rootfs/rootfs.h"
#include "runtime/spawn/spawn.h"
#include "runtime/terminal/terminal.h"

struct restore_ctx {
	struct create_ctx x;
	struct ct_restore_opts *o;
	struct cg_handle *cg;
	pid_t pid;
	int pty;
	char *bundle;	  /* --import: the bundle it made, removed on failure */
	bool made_bundle; /* ... and the dir itself was made */
	char *overlay;	  /* an overlay root's mount data */
	char *image_path; /* --import: BUNDLE/checkpoint */
};

static int make_cgroup(struct restore_ctx *r, struct vs_error *err)
{
	const struct oci_linux *l = r->x.config->lnx;
	struct cg_config cc = {
	    .id = r->o->create.id,
	    .cgroups_path = l ? l->cgroups_path : NULL,
	    .resources = l ? l->resources : NULL,
	    .devices = l ? l->devices : NULL,
	    .n_devices = l ? l->n_devices : 0,
	    .systemd = r->o->create.systemd_cgroup,
	};
	if (cg_create(&cc, &r->cg, err) < 0)
		return vs_error_wrap(err, "cgroup");
	r->o->crit.cgroup_dir = cg_handle_dir(r->cg);
	r->o->crit.cgroup_path = cg_handle_path(r->cg);
	return 0;
}

/* The cgroup2 directory vessel itself is in, to go back to it. */
static char *own_cgroup_dir(struct cg_handle *h)
{
	const char *dir = cg_handle_dir(h), *rel = cg_handle_path(h);
	size_t n = strlen(dir) - strlen(rel);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	struct vs_error ignored = VS_ERROR_INIT;
	if (vs_read_file("/proc/self/cgroup", 0, &text, &len, &ignored) < 0) {
		vs_error_clear(&ignored);
		return NULL;
	}
	char *line = strstr(text, "0::");
	if (!line || (line != text && line[-1] != '\n'))
		return NULL;
	line += 3;
	line[strcspn(line, "\n")] = '\0';
	return vs_strdup_printf("%.*s%s", (int)n, dir, line);
}

static void enter_cgroup_dir(const char *dir)
{
	_cleanup_free_ char *procs = vs_strdup_printf("%s/cgroup.procs", dir);
	struct vs_error ignored = VS_ERROR_INIT;
	if (vs_write_file(procs, "0", 1, &ignored) < 0)
		vs_log_warn("restore: cannot go back to cgroup %s: %s", dir, ignored.msg);
	vs_error_clear(&ignored);
}

/* CRIU forks the restored tree from its own process, so vessel steps into
 * the container's cgroup first (`criu swrk` and the tree are then born in
 * it) and leaves it once the tree exists. */
static int run_criu(struct restore_ctx *r, struct vs_error *err)
{
	struct cr_restore_opts ro = {
	    .c = r->o->crit,
	    .rootfs = r->x.rootfs,
	    .overlay = r->overlay,
	    .want_pty = r->x.config->process->terminal,
	};
	ro.c.config = r->x.config;
	_cleanup_free_ char *own = NULL;
	if (cg_handle_path(r->cg)) {
		own = own_cgroup_dir(r->cg);
		if (cg_enter(r->cg, getpid(), err) < 0)
			return vs_error_wrap(err, "enter the container's cgroup");
	}
	int rc = cr_restore(&ro, &r->pid, &r->pty, err);
	if (own)
		enter_cgroup_dir(own);
	return rc;
}

static int send_pty(struct restore_ctx *r, struct vs_error *err)
{
	if (r->pty < 0 || !r->o->create.console_socket)
		return 0;
	_cleanup_close_ int sock = -1;
	if (term_console_socket_connect(r->o->create.console_socket, &sock, err) < 0 ||
	    term_send_fd(sock, r->pty, "/dev/ptmx", strlen("/dev/ptmx"), err) < 0)
		return vs_error_wrap(err, "--console-socket");
	return 0;
}

static int save_state(struct restore_ctx *r, struct vs_error *err)
{
	struct create_ctx *x = &r->x;
	uint64_t start;
	char st;
	x->c->pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
	if (x->c->pidfd < 0)
		return vs_error_errno(err, errno, "pidfd_open %d", (int)r->pid);
	if (spawn_proc_stat(r->pid, &start, &st, err) < 0 ||
	    ct_record_init(x, r->pid, start, err) < 0)
		return -1;
	struct oci_state *s = vs_malloc0(sizeof(*s));
	x->c->state = s;
	ct_fill_state(x, s, r->pid, OCI_STATUS_RUNNING);
	ct_note_start(s, x->config);
	s->init_start_time = start;
	s->cgroup_path = vs_strdup(cg_handle_path(r->cg));
	s->config_path = ct_path(x->c, CT_CONFIG_FILE);
	s->systemd_cgroup = r->o->create.systemd_cgroup;
	_cleanup_free_ char *path = ct_path(x->c, CT_STATE_FILE);
	if (oci_state_write(path, s, err) < 0)
		return -1;
	return ct_write_pid_file(r->o->create.pid_file, r->pid, err);
}

static int resolve_rootfs(struct create_ctx *x, struct vs_error *err)
{
	char buf[PATH_MAX];
	const char *p = x->config->root ? x->config->root->path : NULL;
	if (!p)
		return vs_error_set(err, "config.json: root.path: required to restore");
	_cleanup_free_ char *full =
	    p[0] == '/' ? vs_strdup(p) : vs_strdup_printf("%s/%s", x->bundle, p);
	if (!realpath(full, buf))
		return vs_error_errno(err, errno, "root.path %s", full);
	x->rootfs = vs_strdup(buf);
	return 0;
}

static void set_annotation(struct oci_config *c, const char *key, const char *value)
{
	for (size_t i = 0; i < c->n_annotations; i++)
		if (strcmp(c->annotations[i].key, key) == 0) {
			free(c->annotations[i].value);
			c->annotations[i].value = vs_strdup(value);
		}
}

/* The image layers (the lower dirs) are not in the archive: they must be
 * in this host's store, under the same paths. */
static int check_lowers(const char *lower, struct vs_error *err)
{
	_cleanup_free_ char *copy = vs_strdup(lower);
	char *save = NULL;
	struct stat st;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		int e = stat(d, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
		if (e)
			return vs_error_errno(err, e,
					      "the image layer %s of the overlay root is not on "
					      "this host (import the image into its store first)",
					      d);
	}
	return 0;
}

/* An overlay root moves with its upper dir: the bundle's own upper/, a new
 * work/ and rootfs/ mount point, the same image layers. */
static int import_overlay(const char *bundle, struct oci_config *c, struct vs_error *err)
{
	const char *lower = oci_annotation(c, ROOTFS_ANN_OVERLAY_LOWER);
	_cleanup_free_ char *upper = vs_strdup_printf("%s/%s", bundle, CR_ARCHIVE_UPPER);
	_cleanup_free_ char *work = vs_strdup_printf("%s/work", bundle);
	_cleanup_free_ char *rootfs = vs_strdup_printf("%s/rootfs", bundle);
	struct stat st;
	if (!lower || !oci_annotation(c, ROOTFS_ANN_OVERLAY_WORK))
		return vs_error_set(err,
				    "config.json: an overlay root needs the annotations %s "
				    "and %s",
				    ROOTFS_ANN_OVERLAY_LOWER, ROOTFS_ANN_OVERLAY_WORK);
	if (stat(upper, &st) < 0 || !S_ISDIR(st.st_mode))
		return vs_error_set(err, "the archive has an overlay root but no %s/ dir",
				    CR_ARCHIVE_UPPER);
	if (check_lowers(lower, err) < 0)
		return -1;
	if (mkdir(work, 0700) < 0 || mkdir(rootfs, 0755) < 0)
		return vs_error_errno(err, errno, "mkdir %s/{work,rootfs}", bundle);
	set_annotation(c, ROOTFS_ANN_OVERLAY_UPPER, upper);
	set_annotation(c, ROOTFS_ANN_OVERLAY_WORK, work);
	free(c->root->path);
	c->root->path = vs_strdup("rootfs");
	return 0;
}

static void oci_config_freep(struct oci_config **c)
{
	oci_config_free(*c);
}

static int import_config(const char *bundle, struct vs_error *err)
{
	_cleanup_free_ char *path = vs_strdup_printf("%s/%s", bundle, CR_ARCHIVE_CONFIG);
	_cleanup_(oci_config_freep) struct oci_config *c = NULL;
	if (oci_config_load(path, &c, err) < 0)
		return -1;
	if (!c->root || !c->root->path)
		return vs_error_set(err, "%s: root.path: required to restore", path);
	if (oci_annotation(c, ROOTFS_ANN_OVERLAY_UPPER) && import_overlay(bundle, c, err) < 0)
		return -1;
	_cleanup_free_ char *json = oci_config_to_json(c);
	return vs_write_file_atomic(path, json, strlen(json), 0644, err);
}

/* --import: the archive unpacked as the bundle, its config pointed at the
 * bundle's own copies; the images are BUNDLE/checkpoint. */
static int restore_import(struct restore_ctx *r, struct vs_error *err)
{
	const char *dir = r->o->create.bundle;
	char buf[PATH_MAX];
	if (cr_import(r->o->import_file, dir, &r->made_bundle, err) < 0)
		return -1;
	r->bundle = vs_strdup(dir);
	if (!realpath(dir, buf))
		return vs_error_errno(err, errno, "bundle %s", dir);
	r->image_path = vs_strdup_printf("%s/%s", buf, CR_ARCHIVE_IMAGES);
	r->o->crit.image_path = r->image_path;
	if (import_config(buf, err) < 0)
		return vs_error_wrap(err, "--import %s", r->o->import_file);
	return 0;
}

/* An overlay root (its annotations, as `vessel bundle` writes them) is
 * mounted for CRIU as the container's init mounted it. */
static void overlay_data(struct restore_ctx *r)
{
	const struct oci_config *c = r->x.config;
	const char *lower = oci_annotation(c, ROOTFS_ANN_OVERLAY_LOWER);
	const char *upper = oci_annotation(c, ROOTFS_ANN_OVERLAY_UPPER);
	const char *work = oci_annotation(c, ROOTFS_ANN_OVERLAY_WORK);
	if (lower && upper && work)
		r->overlay =
		    vs_strdup_printf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
}

static int restore_steps(struct restore_ctx *r, struct vs_error *err)
{
	struct create_ctx *x = &r->x;
	if (r->o->import_file && restore_import(r, err) < 0)
		return -1;
	if (ct_load_bundle(x, err) < 0 || ct_record_cgroup(x, err) < 0 ||
	    resolve_rootfs(x, err) < 0)
		return -1;
	overlay_data(r);
	if (x->config->process->terminal && !r->o->create.console_socket)
		return vs_error_set(err, "restore of a container with a terminal needs "
					 "--console-socket");
	x->created = vs_now_rfc3339();
	if (ct_restore_mountpoints(x->config, x->rootfs, err) < 0 || make_cgroup(r, err) < 0 ||
	    run_criu(r, err) < 0)
		return -1;
	vs_log_debug("restore %s: pid %d, cgroup %s", r->o->create.id, (int)r->pid,
		     cg_handle_path(r->cg) ? cg_handle_path(r->cg) : "(none)");
	if (send_pty(r, err) < 0 || save_state(r, err) < 0)
		return -1;
	return 0;
}

/* Undo a restore that failed: the tree (our child) killed and reaped, the
 * cgroup and the state dir removed. */
static void restore_rollback(struct restore_ctx *r)
{
	struct vs_error ignored = VS_ERROR_INIT;
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	if (r->cg && cg_destroy(r->cg, &ignored) < 0)
		vs_log_warn("restore: remove cgroup: %s", ignored.msg);
	vs_error_clear(&ignored);
	if (r->x.c && ct_remove_dir(r->x.c->dir, &ignored) < 0)
		vs_log_warn("restore: remove state dir: %s", ignored.msg);
	vs_error_clear(&ignored);
	if (r->bundle)
		cr_import_undo(r->bundle, r->made_bundle);
}

int ct_restore(struct ct_restore_opts *o, struct ct_container **ret, struct vs_error *err)
{
	struct restore_ctx r = {.o = o, .x = {.o = &o->create}, .pid = -1, .pty = -1};
	if (ct_validate_id(o->create.id, err) < 0)
		return -1;
	/* Before anything is made: no images, nothing to restore. */
	if (o->import_file && !o->create.bundle)
		return vs_error_set(err, "--import needs --bundle DIR: the bundle it makes");
	if (!o->import_file && access(o->crit.image_path, F_OK) < 0)
		return vs_error_errno(err, errno, "--image-path %s", o->crit.image_path);
	int rc = ct_make_state_dir(&r.x, err);
	if (rc == 0)
		rc = restore_steps(&r, err);
	if (rc < 0 && r.x.c)
		restore_rollback(&r);
	if (r.pty >= 0)
		close(r.pty);
	cg_handle_free(r.cg);
	oci_config_free(r.x.config);
	free(r.x.bundle);
	free(r.x.created);
	free(r.x.rootfs);
	free(r.overlay);
	free(r.bundle);
	free(r.image_path);
	if (rc < 0) {
		ct_free(r.x.c);
		return -1;
	}
	*ret = r.x.c;
	return 0;
}
