/* kill and delete. */
#include "runtime/container/container-internal.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/pidfd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/hooks/hooks.h"
#include "runtime/image/image.h"

static void cg_handle_freep(struct cg_handle **h)
{
	cg_handle_free(*h);
}

static int open_cgroup(struct ct_container *c, struct cg_handle **ret, struct vs_error *err)
{
	return cg_open(c->state->cgroup_path, ret, err);
}

/* Without a cgroup, "every process of the container" is every process in
 * the pid namespace the container made.  In a shared one (the host's, or
 * another container's) they cannot be told apart: signalling only the init
 * would pass for --all and leave the rest running, so refuse. */
static int kill_pidns(struct ct_container *c, int sig, struct vs_error *err)
{
	struct stat init_ns, st;
	_cleanup_free_ char *p = vs_strdup_printf("/proc/%d/ns/pid", (int)c->state->pid);
	if (stat(p, &init_ns) < 0)
		return vs_error_set(err, "container not running");
	if (!ct_init_owns_pidns(c->state->pid))
		return vs_error_set(
		    err,
		    "kill --all: container \"%s\" has no cgroup and shares its pid "
		    "namespace (the host's or another container's), so its other "
		    "processes cannot be found; signal its init alone (without --all)",
		    c->id);
	DIR *d = opendir("/proc");
	if (!d)
		return vs_error_errno(err, errno, "open /proc");
	struct dirent *e;
	while ((e = readdir(d))) {
		int pid;
		if (vs_parse_int(e->d_name, &pid) < 0 || pid == c->state->pid)
			continue;
		_cleanup_free_ char *np = vs_strdup_printf("/proc/%d/ns/pid", pid);
		int fd = pidfd_open(pid, 0);
		/* Checked after the pidfd exists, so the pid cannot be reused
		 * between the check and the signal. */
		if (fd >= 0 && stat(np, &st) == 0 && st.st_ino == init_ns.st_ino &&
		    st.st_dev == init_ns.st_dev)
			pidfd_send_signal(fd, sig, NULL, 0);
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
	return 0;
}

int ct_kill(struct ct_container *c, int sig, bool all, struct vs_error *err)
{
	vs_log_debug("kill %s: signal %d to %s", c->id, sig, all ? "every process" : "the init");
	int pidfd;
	bool alive = ct_pidfd(c, &pidfd, err) == 0;
	if (!alive && !all)
		return -1;
	/* As runc: `kill --all` also reaches what outlived the init (the shim
	 * sends it when an init without its own pid namespace exits), and a
	 * stopped container with nothing left is not an error. */
	if (!alive)
		vs_error_clear(err);
	if (all && c->state->cgroup_path && c->state->cgroup_path[0]) {
		__attribute__((cleanup(cg_handle_freep))) struct cg_handle *h = NULL;
		if (open_cgroup(c, &h, err) < 0)
			return -1;
		/* systemd removes an emptied scope's cgroup itself: a stopped
		 * container whose cgroup is gone has nothing left to signal
		 * (runc alike; containerd's CRI sends kill --all after every
		 * exit and retries the exit until it succeeds). */
		if (cg_signal_all(h, sig, err) < 0 && !(!alive && err->errnum == ENOENT))
			return -1;
		vs_error_clear(err);
		return 0;
	}
	if (!alive)
		return 0;
	if (all && kill_pidns(c, sig, err) < 0)
		return -1;
	if (pidfd_send_signal(pidfd, sig, NULL, 0) < 0) {
		if (errno == ESRCH)
			return vs_error_set(err, "container not running");
		return vs_error_errno(err, errno, "signal %d to container init", sig);
	}
	return 0;
}

/* Kill the init and wait until it has exited (reaped or a zombie of some
 * other reaper: the pidfd becomes readable either way). */
static int kill_and_wait(struct ct_container *c, struct vs_error *err)
{
	int pidfd;
	if (ct_pidfd(c, &pidfd, err) < 0) {
		vs_error_clear(err);
		return 0; /* already gone */
	}
	return ct_kill_wait(pidfd, c->state->pid, err);
}

static void run_poststop(struct ct_container *c, const struct oci_config *config)
{
	struct vs_error err = VS_ERROR_INIT;
	const struct oci_hook_list *l = &config->hooks[OCI_HOOK_POSTSTOP];
	if (l->n) {
		free(c->state->status);
		c->state->status = vs_strdup(OCI_STATUS_STOPPED);
		_cleanup_free_ char *json = oci_state_to_json(c->state, true);
		if (hooks_run(OCI_HOOK_POSTSTOP, l, json, HOOKS_WARN, &err) < 0)
			vs_log_warn("%s", err.msg);
		vs_error_clear(&err);
	}
}

/* A bundle made by `vessel bundle` owns its overlay upper dir: delete
 * removes it (runtime/image decides, from the annotations and its store's
 * record).  A failure is a warning: the container itself is gone. */
static void release_image_bundle(struct ct_container *c, const struct oci_config *config)
{
	struct vs_error err = VS_ERROR_INIT;
	if (img_release_bundle(config, &err) < 0)
		vs_log_warn("delete %s: %s", c->id, err.msg);
	vs_error_clear(&err);
}

/* Keys in state.json's "vessel" map: the number of poststop hooks, and
 * "1" when the config names an image store (delete may have a bundle to
 * release).  With both "0" delete need not read config.json: parsing it
 * (14 KB with the default seccomp profile) was the largest single step of
 * a `run`'s teardown. */
#define EXT_POSTSTOP	"poststopHooks"
#define EXT_IMAGE_STORE "imageStore"

void ct_note_delete(struct oci_state *s, const struct oci_config *config)
{
	char n[24];
	snprintf(n, sizeof(n), "%zu", config->hooks[OCI_HOOK_POSTSTOP].n);
	oci_state_ext_set(s, EXT_POSTSTOP, n);
	oci_state_ext_set(s, EXT_IMAGE_STORE, oci_annotation(config, IMG_ANN_STORE) ? "1" : "0");
}

/* A state.json written before the keys existed says nothing: read the
 * config, as the vessel that wrote it did. */
static bool delete_needs_config(const struct oci_state *s)
{
	const char *hooks = oci_state_ext_get(s, EXT_POSTSTOP);
	const char *store = oci_state_ext_get(s, EXT_IMAGE_STORE);
	return !hooks || !store || strcmp(hooks, "0") != 0 || strcmp(store, "0") != 0;
}

/* The kept config, for what delete does after the state dir is gone.  An
 * unreadable config is a warning: the container itself is gone. */
static struct oci_config *config_for_release(struct ct_container *c)
{
	struct vs_error err = VS_ERROR_INIT;
	struct oci_config *config = NULL;
	if (!delete_needs_config(c->state))
		return NULL;
	if (ct_load_config(c, &config, &err) < 0) {
		vs_log_warn("delete %s: poststop hooks and image bundle: %s", c->id, err.msg);
		vs_error_clear(&err);
		return NULL;
	}
	return config;
}

int ct_delete(struct ct_container *c, bool force, struct vs_error *err)
{
	const char *status = ct_status(c);
	bool stopped = strcmp(status, OCI_STATUS_STOPPED) == 0;
	bool created = strcmp(status, OCI_STATUS_CREATED) == 0;
	if (!stopped && !created && !force)
		return vs_error_set(err, "cannot delete container %s that is not stopped: %s",
				    c->id, status);
	vs_log_debug("delete %s: status %s%s", c->id, status,
		     stopped ? "" : ", killing the init and waiting for it");
	if (!stopped && kill_and_wait(c, err) < 0)
		return -1;
	if (c->state->cgroup_path && c->state->cgroup_path[0]) {
		__attribute__((cleanup(cg_handle_freep))) struct cg_handle *h = NULL;
		vs_log_debug("delete %s: removing cgroup %s", c->id, c->state->cgroup_path);
		if (open_cgroup(c, &h, err) < 0 || cg_destroy(h, err) < 0)
			return vs_error_wrap(err, "remove cgroup");
	}
	struct oci_config *config = config_for_release(c);
	vs_log_debug("delete %s: removing state dir %s", c->id, c->dir);
	if (ct_remove_dir(c->dir, err) < 0) {
		oci_config_free(config);
		return -1;
	}
	/* The container is gone (as runc, poststop hooks run after its state):
	 * a hook that runs vessel state or list must not wait on our lock. */
	ct_unlock(c);
	if (config) {
		run_poststop(c, config);
		release_image_bundle(c, config);
		oci_config_free(config);
	}
	return 0;
}
