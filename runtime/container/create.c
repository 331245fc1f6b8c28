/* create (start is in start.c). */
#include "runtime/container/container-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/hooks/hooks.h"
#include "runtime/pidfdsock/pidfdsock.h"
#include "runtime/spawn/spawn.h"
#include "runtime/terminal/terminal.h"

void ct_fill_state(struct create_ctx *x, struct oci_state *s, pid_t pid, const char *status)
{
	s->oci_version = vs_strdup(OCI_SPEC_VERSION);
	s->id = vs_strdup(x->o->id);
	s->status = vs_strdup(status);
	s->pid = pid;
	s->bundle = vs_strdup(x->bundle);
	s->rootfs = vs_strdup(x->rootfs);
	s->created = vs_strdup(x->created);
	/* runc leaves owner empty when run by root. */
	s->owner = vs_strdup("");
	s->n_annotations = x->config->n_annotations;
	s->annotations = vs_malloc0((s->n_annotations + 1) * sizeof(struct oci_kv));
	for (size_t i = 0; i < s->n_annotations; i++) {
		s->annotations[i].key = vs_strdup(x->config->annotations[i].key);
		s->annotations[i].value = vs_strdup(x->config->annotations[i].value);
	}
}

static char *hook_state_json(void *data, pid_t pid, const char *status)
{
	struct create_ctx *x = data;
	struct oci_state *s = vs_malloc0(sizeof(*s));
	ct_fill_state(x, s, pid, status);
	char *json = oci_state_to_json(s, true);
	oci_state_free(s);
	return json;
}

/* The fds --preserve-fds names must be open: otherwise vessel's own fds
 * would take those numbers and leak into the container. */
static int check_preserved_fds(int n, struct vs_error *err)
{
	if (n < 0)
		return vs_error_set(err, "--preserve-fds: must not be negative");
	for (int fd = 3; fd < 3 + n; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			return vs_error_set(err, "--preserve-fds %d: fd %d is not open", n, fd);
	return 0;
}

int ct_make_state_dir(struct create_ctx *x, struct vs_error *err)
{
	const struct ct_create_opts *o = x->o;
	if (vs_mkdir_p(o->root, 0711, err) < 0)
		return vs_error_wrap(err, "--root");
	x->c = ct_new(o->root, o->id);
	if (mkdir(x->c->dir, 0700) < 0) {
		int e = errno;
		ct_free(x->c);
		x->c = NULL;
		if (e == EEXIST)
			return vs_error_set(err, "container \"%s\" already exists", o->id);
		return vs_error_errno(err, e, "mkdir %s", o->root);
	}
	return ct_lock(x->c, CT_LOCK_EXCLUSIVE, true, err);
}

int ct_load_bundle(struct create_ctx *x, struct vs_error *err)
{
	char buf[PATH_MAX];
	const char *b = x->o->bundle ? x->o->bundle : ".";
	if (!realpath(b, buf))
		return vs_error_errno(err, errno, "bundle %s", b);
	x->bundle = vs_strdup(buf);
	_cleanup_free_ char *cfg = vs_strdup_printf("%s/config.json", x->bundle);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (vs_read_file(cfg, 0, &text, &len, err) < 0)
		return -1;
	if (oci_config_parse(text, len, "config.json", &x->config, err) < 0)
		return -1;
	for (char **w = x->config->warnings; w && *w; w++)
		vs_log_warn("%s", *w);
	if (!x->config->process)
		return vs_error_set(err, "config.json: process: required to create a container");
	if (term_check_flags(x->config->process->terminal, x->o->detach, x->o->console_socket,
			     err) < 0)
		return -1;
	/* Keep the config as it was: poststop hooks and exec read it later. */
	_cleanup_free_ char *copy = ct_path(x->c, CT_CONFIG_FILE);
	return vs_write_file_atomic(copy, text, len, 0600, err);
}

static int make_fifo(struct create_ctx *x, struct vs_error *err)
{
	_cleanup_free_ char *fifo = ct_path(x->c, CT_FIFO_FILE);
	/* 0622: the init may already be an unprivileged user of a user
	 * namespace when it opens the FIFO for writing (through its own fd, so
	 * the 0700 state dir does not stop it). */
	if (mkfifo(fifo, 0622) < 0 || chmod(fifo, 0622) < 0)
		return vs_error_errno(err, errno, "mkfifo %s", fifo);
	return 0;
}

/* Record the cgroup path before the spawn makes the cgroup (and, on hybrid
 * hosts, its v1 twins): until state.json exists it is the only way a
 * delete --force after a killed create can find them, and the init, which
 * is cloned into that cgroup.  Written first, so there is no moment where
 * the cgroup exists unrecorded; a path recorded but never made is fine
 * (cg_open gives a "gone" handle that destroys as a no-op). */
int ct_record_cgroup(struct create_ctx *x, struct vs_error *err)
{
	const struct oci_linux *l = x->config->lnx;
	struct cg_config cc = {
	    .id = x->o->id,
	    .cgroups_path = l ? l->cgroups_path : NULL,
	    .systemd = x->o->systemd_cgroup,
	};
	_cleanup_free_ char *cg = NULL;
	struct vs_error ignored = VS_ERROR_INIT;
	/* A bad cgroupsPath is the spawn's to report (cg_create fails the
	 * same way, with its usual context); then no cgroup is made. */
	if (cg_resolve(&cc, &cg, &ignored) < 0) {
		vs_error_clear(&ignored);
		return 0;
	}
	if (!cg)
		return 0; /* no cgroup2 (or systemd, refused by the spawn) */
	_cleanup_free_ char *path = ct_path(x->c, CT_CGROUP_FILE);
	return vs_write_file_atomic(path, cg, strlen(cg), 0600, err);
}

/* "PID START_TIME\n": the init as spawn_init reports it right after the
 * clone.  Replaced atomically, so a reader sees a whole record or none. */
int ct_record_init(void *data, pid_t pid, uint64_t start_time, struct vs_error *err)
{
	struct create_ctx *x = data;
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%d %llu\n", (int)pid, (unsigned long long)start_time);
	_cleanup_free_ char *path = ct_path(x->c, CT_INIT_FILE);
	return vs_write_file_atomic(path, buf, (size_t)n, 0600, err);
}

int ct_write_pid_file(const char *path, pid_t pid, struct vs_error *err)
{
	if (!path)
		return 0;
	_cleanup_free_ char *data = vs_strdup_printf("%d", (int)pid);
	if (vs_write_file_atomic(path, data, strlen(data), 0644, err) < 0)
		return vs_error_wrap(err, "--pid-file");
	return 0;
}

static int spawn_container(struct create_ctx *x, struct spawn_result *r, struct vs_error *err)
{
	_cleanup_free_ char *fifo = ct_path(x->c, CT_FIFO_FILE);
	_cleanup_free_ char *sc_cache = ct_cache_dir(x->o->root, "seccomp");
	struct spawn_config sc = {
	    .config = x->config,
	    .id = x->o->id,
	    .bundle = x->bundle,
	    .exec_fifo = fifo,
	    .console_socket = x->o->console_socket,
	    .pty_to_parent =
		x->config->process && x->config->process->terminal && !x->o->console_socket,
	    .preserve_fds = x->o->preserve_fds,
	    .no_pivot = x->o->no_pivot,
	    .no_new_keyring = x->o->no_new_keyring,
	    .systemd_cgroup = x->o->systemd_cgroup,
	    .seccomp_cache_dir = sc_cache,
	    .close_in_init = x->c->lock_fd,
	    .state_json = hook_state_json,
	    .state_data = x,
	    .started = ct_record_init,
	};
	return spawn_init(&sc, r, err);
}

static int save_state(struct create_ctx *x, struct spawn_result *r, struct vs_error *err)
{
	struct oci_state *s = vs_malloc0(sizeof(*s));
	x->c->state = s;
	ct_fill_state(x, s, r->pid, OCI_STATUS_CREATED);
	ct_note_start(s, x->config);
	ct_note_delete(s, x->config);
	s->init_start_time = r->start_time;
	s->cgroup_path = vs_strdup(r->cgroup_path);
	s->config_path = ct_path(x->c, CT_CONFIG_FILE);
	s->systemd_cgroup = x->o->systemd_cgroup;
	_cleanup_free_ char *path = ct_path(x->c, CT_STATE_FILE);
	if (oci_state_write(path, s, err) < 0)
		return -1;
	return ct_write_pid_file(x->o->pid_file, r->pid, err);
}

static int create_steps(struct create_ctx *x, struct vs_error *err)
{
	struct spawn_result r = {.pidfd = -1, .pty_master = -1};
	_cleanup_close_ int pidfd_sock = -1;
	if (ct_load_bundle(x, err) < 0 || make_fifo(x, err) < 0 || ct_record_cgroup(x, err) < 0)
		return -1;
	/* Connected before the spawn: a bad path fails before the init exists. */
	if (x->o->pidfd_socket && pfd_socket_connect(x->o->pidfd_socket, &pidfd_sock, err) < 0)
		return -1;
	vs_log_debug("create %s: bundle %s, state in %s", x->o->id, x->bundle, x->c->dir);
	x->created = vs_now_rfc3339();
	/* The rootfs as the spawn resolves it; the state keeps it. */
	x->rootfs = x->config->root && x->config->root->path
			? (x->config->root->path[0] == '/'
			       ? vs_strdup(x->config->root->path)
			       : vs_strdup_printf("%s/%s", x->bundle, x->config->root->path))
			: vs_strdup("");
	if (spawn_container(x, &r, err) < 0)
		return -1;
	free(x->rootfs);
	x->rootfs = TAKE_PTR(r.rootfs);
	x->c->pidfd = TAKE_FD(r.pidfd);
	x->c->pty_master = TAKE_FD(r.pty_master);
	vs_log_debug("create %s: init pid %d waits on the exec fifo, cgroup %s", x->o->id,
		     (int)r.pid, r.cgroup_path ? r.cgroup_path : "(none)");
	int rc = save_state(x, &r, err);
	spawn_result_clear(&r);
	if (rc == 0 && pidfd_sock >= 0)
		rc = pfd_socket_send(pidfd_sock, x->c->pidfd, PFD_KIND_INIT, err);
	return rc;
}

/* Undo a create that failed after the init existed: kill it (the pidfd
 * is ours, from clone3) and remove its cgroup. */
static void create_rollback(struct create_ctx *x)
{
	struct vs_error ignored = VS_ERROR_INIT;
	vs_log_debug("create %s: failed, removing what it made", x->o->id);
	if (x->c->state && x->c->pidfd >= 0)
		ct_delete(x->c, true, &ignored);
	vs_error_clear(&ignored);
	ct_remove_dir(x->c->dir, &ignored);
	vs_error_clear(&ignored);
}

int ct_create(const struct ct_create_opts *o, struct ct_container **ret, struct vs_error *err)
{
	struct create_ctx x = {.o = o};
	if (ct_validate_id(o->id, err) < 0 || check_preserved_fds(o->preserve_fds, err) < 0)
		return -1;
	if (ct_make_state_dir(&x, err) < 0) {
		if (x.c)
			ct_remove_dir(x.c->dir, &(struct vs_error)VS_ERROR_INIT);
		ct_free(x.c);
		return -1;
	}
	int r = create_steps(&x, err);
	if (r < 0)
		create_rollback(&x);
	oci_config_free(x.config);
	free(x.bundle);
	free(x.created);
	free(x.rootfs);
	if (r < 0) {
		ct_free(x.c);
		return -1;
	}
	vs_log_debug("create %s: created", o->id);
	*ret = x.c;
	return 0;
}
