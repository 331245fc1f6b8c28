/* `vessel create`: set up a container whose init waits for `vessel start`. */
#include <stdlib.h>

#include "cmd/commands.h"
#include "lib/util.h"
#include "runtime/container/container.h"

enum {
	OPT_PID_FILE = CLI_OPT_LONG,
	OPT_CONSOLE_SOCKET,
	OPT_NO_PIVOT,
	OPT_NO_NEW_KEYRING,
	OPT_PRESERVE_FDS
};

static const struct cli_option options[] = {
    {"bundle", 'b', CLI_ARG, "DIR", "path to the bundle (default: the current directory)"},
    {"pid-file", OPT_PID_FILE, CLI_ARG, "FILE", "write the init's pid to FILE"},
    {"console-socket", OPT_CONSOLE_SOCKET, CLI_ARG, "SOCK",
     "send the pty master of a terminal container to this unix socket"},
    {"no-pivot", OPT_NO_PIVOT, CLI_NOARG, NULL, "use chroot instead of pivot_root"},
    {"no-new-keyring", OPT_NO_NEW_KEYRING, CLI_NOARG, NULL, "keep the caller's session keyring"},
    {"preserve-fds", OPT_PRESERVE_FDS, CLI_ARG, "N", "pass fds 3..3+N-1 to the container"},
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

static int parse_opt(struct vs_cli *cli, int c, struct ct_create_opts *o)
{
	switch (c) {
	case 'b':
		o->bundle = optarg;
		return 0;
	case OPT_PID_FILE:
		o->pid_file = optarg;
		return 0;
	case OPT_CONSOLE_SOCKET:
		o->console_socket = optarg;
		return 0;
	case OPT_NO_PIVOT:
		o->no_pivot = true;
		return 0;
	case OPT_NO_NEW_KEYRING:
		o->no_new_keyring = true;
		return 0;
	case OPT_PRESERVE_FDS:
		if (vs_parse_int(optarg, &o->preserve_fds) < 0 || o->preserve_fds < 0)
			return cli_usage_error(cli, "--preserve-fds: invalid number '%s'", optarg);
		return 0;
	}
	return 1;
}

int cmd_create(struct vs_cli *cli, int argc, char **argv)
{
	struct ct_create_opts o = {
	    .root = cli->root, .systemd_cgroup = cli->systemd_cgroup, .detach = true};
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		if (parse_opt(cli, c, &o))
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
