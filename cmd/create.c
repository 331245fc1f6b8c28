/* `vessel create`: set up a container whose init waits for `vessel start`. */
#include <stdlib.h>

#include "cmd/commands.h"
#include "cmd/create-opts.h"
#include "lib/util.h"
#include "runtime/container/container.h"

static const struct cli_option options[] = {
    CREATE_CLI_OPTIONS,
    {0},
};

static const struct cli_command command = {
    .name = "create",
    .args = "[options] CONTAINER",
    .summary = "Create a container from a bundle; it waits for 'vessel start'.",
    .details = "The container's init is set up completely and blocks before executing the\n"
	       "user process.  It outlives vessel (a subreaper, such as containerd's shim,\n"
	       "becomes its parent).",
    .options = options,
};

int create_parse_opt(struct vs_cli *cli, int c, struct ct_create_opts *o)
{
	switch (c) {
	case 'b':
		o->bundle = optarg;
		return 0;
	case CREATE_OPT_PID_FILE:
		o->pid_file = optarg;
		return 0;
	case CREATE_OPT_CONSOLE_SOCKET:
		o->console_socket = optarg;
		return 0;
	case CREATE_OPT_PIDFD_SOCKET:
		o->pidfd_socket = optarg;
		return 0;
	case CREATE_OPT_NO_PIVOT:
		o->no_pivot = true;
		return 0;
	case CREATE_OPT_NO_NEW_KEYRING:
		o->no_new_keyring = true;
		return 0;
	case CREATE_OPT_PRESERVE_FDS:
		if (vs_parse_int(optarg, &o->preserve_fds) < 0 || o->preserve_fds < 0)
			return cli_usage_error(cli, "--preserve-fds: invalid number '%s'", optarg);
		return 0;
	}
	return cli_usage_error(cli, "unexpected option");
}

int cmd_create(struct vs_cli *cli, int argc, char **argv)
{
	struct ct_create_opts o = {
	    .root = cli->root, .systemd_cgroup = cli->systemd_cgroup, .detach = true};
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		if (create_parse_opt(cli, c, &o))
			return 1;
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 1, "container id"))
		return 1;
	o.id = argv[optind];
	struct vs_error err = VS_ERROR_INIT;
	struct ct_container *ct = NULL;
	if (ct_create(&o, &ct, &err) < 0)
		return cli_fail(cli, &err);
	ct_free(ct);
	return 0;
}
