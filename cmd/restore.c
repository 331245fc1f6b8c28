/* `vessel restore`: runc's command and flags; makes a container from its
 * bundle as create/run do, with the processes of a checkpoint in it. */
#include <stdlib.h>

#include "cmd/commands.h"
#include "cmd/criu-opts.h"
#include "lib/util.h"
#include "runtime/container/container.h"
#include "runtime/terminal/terminal.h"

enum {
	OPT_CONSOLE_SOCKET = CLI_OPT_LONG,
	OPT_PID_FILE,
	OPT_NO_SUBREAPER,
	OPT_NO_PIVOT,
	OPT_LSM_PROFILE,
	OPT_LSM_MOUNT_CONTEXT,
	OPT_IMPORT,
};

static const struct cli_option options[] = {
    {"bundle", 'b', CLI_ARG, "DIR", "path to the bundle (default .)"},
    {"detach", 'd', CLI_NOARG, NULL, "detach from the container"},
    {"console-socket", OPT_CONSOLE_SOCKET, CLI_ARG, "PATH", "socket to send the pty master to"},
    {"pid-file", OPT_PID_FILE, CLI_ARG, "FILE", "write the init's pid to FILE"},
    {"no-subreaper", OPT_NO_SUBREAPER, CLI_NOARG, NULL,
     "accepted: vessel restores the tree as its child, never as a subreaper"},
    {"no-pivot", OPT_NO_PIVOT, CLI_NOARG, NULL,
     "accepted: criu restores the root as it was dumped"},
    {"lsm-profile", OPT_LSM_PROFILE, CLI_ARG, "TYPE:LABEL", "LSM profile (not supported)"},
    {"lsm-mount-context", OPT_LSM_MOUNT_CONTEXT, CLI_ARG, "CONTEXT",
     "LSM mount context (not supported)"},
    {"import", OPT_IMPORT, CLI_ARG, "FILE",
     "restore from an archive of 'checkpoint --export', unpacked as the new bundle --bundle"},
    CRIU_COMMON_OPTIONS,
    {0},
};

static const struct cli_command command = {
    .name = "restore",
    .args = "[options] CONTAINER",
    .summary = "Restore a container from a checkpoint made by 'vessel checkpoint'.",
    .details = "The container is made from the bundle's config as 'vessel create' makes it\n"
	       "(state, cgroup), and criu brings the checkpoint's processes back into it.\n"
	       "Without --detach vessel waits for the container, then deletes it, as 'run'.",
    .options = options,
};

static int unsupported(struct vs_cli *cli, const char *flag)
{
	struct vs_error err = VS_ERROR_INIT;
	vs_error_set(&err, "%s: not supported by vessel", flag);
	return cli_fail(cli, &err);
}

static int parse_opt(struct vs_cli *cli, int c, struct ct_restore_opts *o)
{
	switch (c) {
	case 'b':
		o->create.bundle = optarg;
		return 0;
	case 'd':
		o->create.detach = true;
		return 0;
	case OPT_CONSOLE_SOCKET:
		o->create.console_socket = optarg;
		return 0;
	case OPT_PID_FILE:
		o->create.pid_file = optarg;
		return 0;
	case OPT_NO_PIVOT:
		o->create.no_pivot = true;
		return 0;
	case OPT_NO_SUBREAPER:
		return 0;
	case OPT_IMPORT:
		o->import_file = optarg;
		return 0;
	case OPT_LSM_PROFILE:
		return unsupported(cli, "--lsm-profile");
	case OPT_LSM_MOUNT_CONTEXT:
		return unsupported(cli, "--lsm-mount-context");
	}
	int r = criu_parse_common(cli, c, &o->crit);
	return r >= 0 ? r : cli_usage_error(cli, "unexpected option");
}

/* Foreground, as run: wait for the restored init (vessel's child), then
 * delete the container. */
static int restore_wait(struct ct_container *ct, int *ret_code, struct vs_error *err)
{
	int pidfd;
	if (ct_pidfd(ct, &pidfd, err) < 0)
		return -1;
	ct_unlock(ct);
	struct term_wait_opts w = {.pid = ct->state->pid, .pidfd = pidfd, .master = -1};
	if (term_foreground_wait(&w, ret_code, err) < 0)
		return -1;
	if (ct_relock(ct, err) < 0)
		return -1;
	return ct_delete(ct, true, err);
}

int cmd_restore(struct vs_cli *cli, int argc, char **argv)
{
	struct ct_restore_opts o = {
	    .create = {.root = cli->root, .systemd_cgroup = cli->systemd_cgroup},
	    .crit = {.cgroups_mode = -1},
	};
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		if (parse_opt(cli, c, &o))
			return 1;
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 1, "container id"))
		return 1;
	o.create.id = argv[optind];
	o.crit.criu_path = cli->criu_path;
	struct vs_error err = VS_ERROR_INIT;
	if (o.import_file && o.crit.image_path) {
		vs_error_set(&err, "--import: the images are the archive's (unpacked into the "
				   "bundle); --image-path cannot be used with it");
		return cli_fail(cli, &err);
	}
	if (!o.crit.image_path)
		o.crit.image_path = "checkpoint";
	if (!o.create.detach && term_signals_block(&err) < 0)
		return cli_fail(cli, &err);
	_cleanup_ct_ struct ct_container *ct = NULL;
	if (ct_restore(&o, &ct, &err) < 0)
		return cli_fail(cli, &err);
	if (o.create.detach)
		return 0;
	int code = 0;
	if (restore_wait(ct, &code, &err) < 0)
		return cli_fail(cli, &err);
	return code;
}
