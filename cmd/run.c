/* `vessel run`: create + start; in the foreground, wait for the container,
 * forward signals to it, return its exit status and delete it. */
#include <errno.h>

#include "cmd/commands.h"
#include "cmd/create-opts.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/container/container.h"
#include "runtime/terminal/terminal.h"

enum { OPT_KEEP = CREATE_OPT_END };

static const struct cli_option options[] = {
    CREATE_CLI_OPTIONS,
    {"detach", 'd', CLI_NOARG, NULL, "return once the container has started"},
    {"keep", OPT_KEEP, CLI_NOARG, NULL, "do not delete the container after it exits"},
    {0},
};

static const struct cli_command command = {
    .name = "run",
    .args = "[options] CONTAINER",
    .summary = "Create and start a container.",
    .details = "In the foreground, vessel waits for the container, forwards the signals it\n"
	       "receives (TERM, INT, HUP, QUIT, USR1, USR2, WINCH, ...) to its init, exits\n"
	       "with its exit status (128+N when killed by signal N) and deletes it unless\n"
	       "--keep.  A terminal container without --console-socket is proxied to\n"
	       "vessel's own terminal.",
    .options = options,
};

struct run_opts {
	struct ct_create_opts create;
	bool keep;
};

static int parse_opt(struct vs_cli *cli, int c, struct run_opts *o)
{
	switch (c) {
	case 'd':
		o->create.detach = true;
		return 0;
	case OPT_KEEP:
		o->keep = true;
		return 0;
	}
	return create_parse_opt(cli, c, &o->create);
}

/* Relock the container this run started, if it still holds its id.  While
 * we waited unlocked, a checkpoint may have removed it (its init killed by
 * criu) and a restore under the same id made another container there: that
 * one has another init, and is not ours to delete.  *ours is false then, or
 * when the id is gone. */
static int run_relock_own(struct ct_container *ct, bool *ours, struct vs_error *err)
{
	pid_t pid = ct->state->pid;
	uint64_t start = ct->state->init_start_time;
	*ours = false;
	if (ct_relock(ct, err) < 0) {
		if (err->errnum != ENOENT)
			return -1;
		vs_log_debug("run %s: gone while we waited (checkpointed or deleted)", ct->id);
		vs_error_clear(err);
		return 0;
	}
	*ours = ct->state->pid == pid && ct->state->init_start_time == start;
	if (!*ours)
		vs_log_debug("run %s: the id now names another container (restored?): not deleted",
			     ct->id);
	return 0;
}

/* Foreground: supervise, then delete (the container is stopped by then). */
static int run_wait(struct ct_container *ct, bool keep, int *ret_code, struct vs_error *err)
{
	int pidfd;
	if (ct_pidfd(ct, &pidfd, err) < 0)
		return -1;
	ct_unlock(ct);
	struct term_wait_opts w = {.pid = ct->state->pid, .pidfd = pidfd, .master = ct->pty_master};
	if (term_foreground_wait(&w, ret_code, err) < 0)
		return -1;
	if (keep)
		return 0;
	bool ours;
	if (run_relock_own(ct, &ours, err) < 0)
		return -1;
	return ours ? ct_delete(ct, true, err) : 0;
}

int cmd_run(struct vs_cli *cli, int argc, char **argv)
{
	struct run_opts o = {.create = {.root = cli->root, .systemd_cgroup = cli->systemd_cgroup}};
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		if (parse_opt(cli, c, &o))
			return 1;
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 1, "container id"))
		return 1;
	o.create.id = argv[optind];
	struct vs_error err = VS_ERROR_INIT;
	/* Blocked before the init exists, so a signal that arrives while it
	 * starts is forwarded rather than killing vessel. */
	if (!o.create.detach && term_signals_block(&err) < 0)
		return cli_fail(cli, &err);
	_cleanup_ct_ struct ct_container *ct = NULL;
	if (ct_create(&o.create, &ct, &err) < 0)
		return cli_fail(cli, &err);
	term_pty_inherit_size(ct->pty_master);
	if (ct_start(ct, &err) < 0) {
		struct vs_error ignored = VS_ERROR_INIT;
		if (ct_relock(ct, &ignored) == 0)
			ct_delete(ct, true, &ignored);
		vs_error_clear(&ignored);
		return cli_fail(cli, &err);
	}
	if (o.create.detach)
		return 0;
	int code = 0;
	if (run_wait(ct, o.keep, &code, &err) < 0)
		return cli_fail(cli, &err);
	return code;
}
