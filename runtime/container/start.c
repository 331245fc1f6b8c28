/* start: release a created container's init, then run its poststart hooks.
 *
 * The hooks are the only thing start needs from the config, so create
 * records in state.json how many there are (ct_note_start) and start reads
 * the config only when there is at least one: parsing it is most of what
 * start does after the release otherwise. */
#include "runtime/container/container-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/hooks/hooks.h"
#include "runtime/spawn/spawn.h"

/* Key in state.json's "vessel" map: the number of poststart hooks, decimal. */
#define EXT_POSTSTART "poststartHooks"

void ct_note_start(struct oci_state *s, const struct oci_config *config)
{
	char n[24];
	snprintf(n, sizeof(n), "%zu", config->hooks[OCI_HOOK_POSTSTART].n);
	oci_state_ext_set(s, EXT_POSTSTART, n);
}

/* A state.json written before the key existed (an older vessel made the
 * container) says nothing: look in the config, as that vessel did. */
static bool may_have_poststart(const struct oci_state *s)
{
	const char *n = oci_state_ext_get(s, EXT_POSTSTART);
	return !n || strcmp(n, "0") != 0;
}

static int run_poststart(struct ct_container *c, struct vs_error *err)
{
	if (!may_have_poststart(c->state))
		return 0;
	struct oci_config *config = NULL;
	if (ct_load_config(c, &config, err) < 0)
		return vs_error_wrap(err, "poststart hooks");
	const struct oci_hook_list *l = &config->hooks[OCI_HOOK_POSTSTART];
	int r = 0;
	if (l->n) {
		/* The user process was started: "running" even if it is
		 * already gone (a short-lived process), as the spec's poststart
		 * state describes the start, not the present. */
		free(c->state->status);
		c->state->status = vs_strdup(OCI_STATUS_RUNNING);
		_cleanup_free_ char *json = oci_state_to_json(c->state, true);
		r = hooks_run_in(OCI_HOOK_POSTSTART, l, json,
				 hooks_default_policy(OCI_HOOK_POSTSTART), c->state->bundle, err);
	}
	oci_config_free(config);
	return r;
}

int ct_start(struct ct_container *c, struct vs_error *err)
{
	const char *status = ct_status(c);
	if (strcmp(status, OCI_STATUS_CREATED) != 0) {
		if (strcmp(status, OCI_STATUS_STOPPED) == 0)
			return vs_error_set(err, "cannot start a container that has stopped");
		return vs_error_set(err, "cannot start an already %s container", status);
	}
	int pidfd;
	if (ct_pidfd(c, &pidfd, err) < 0)
		return -1;
	_cleanup_free_ char *fifo = ct_path(c, CT_FIFO_FILE);
	vs_log_debug("start %s: releasing init pid %d", c->id, (int)c->state->pid);
	int r = spawn_release(fifo, pidfd, err);
	/* Released or dead, it is no longer "created".  Renamed rather than
	 * unlinked: delete removes it with the rest.  On ext4 without a
	 * journal every inode allocation skips, one buffer lookup each, the
	 * free inodes of its group deleted in the last 5 minutes
	 * (find_inode_bit, recently_deleted), so one unlink per start made
	 * each create slower than the one before while containers were
	 * started and none deleted (the density run). */
	_cleanup_free_ char *done = ct_path(c, CT_FIFO_DONE_FILE);
	if (rename(fifo, done) < 0)
		unlink(fifo);
	if (r < 0)
		return -1;
	/* The container runs now and start changes no more state: a poststart
	 * hook may query or pause it (vessel state, pause), which would wait
	 * forever on our lock. */
	ct_unlock(c);
	vs_log_debug("start %s: the user process runs", c->id);
	return run_poststart(c, err);
}
