/* `vessel kill`: signal a container's init (or all its processes). */
#include <signal.h>

#include "cmd/commands.h"
#include "runtime/container/container.h"

static const struct cli_option options[] = {
    {"all", 'a', CLI_NOARG, NULL, "signal every process of the container"},
    {0},
};

static const struct cli_command command = {
    .name = "kill",
    .args = "[options] CONTAINER [SIGNAL]",
    .summary = "Send a signal (default SIGTERM) to a container's init.",
    .details = "SIGNAL is a name (KILL, SIGKILL) or a number.  Delivered through a pidfd, so\n"
	       "a recycled pid is never signalled.  --all reaches the processes of the\n"
	       "container's cgroup; without a cgroup, those of the pid namespace it made, and\n"
	       "it is refused when the container shares its pid namespace.",
    .options = options,
};

int cmd_kill(struct vs_cli *cli, int argc, char **argv)
{
	bool all = false;
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		if (c == 'a')
			all = true;
	if (c < 0)
		return cli_opt_status(c);
	if (argc - optind < 1)
		return cli_usage_error(cli, "missing container id");
	if (argc - optind > 2)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[optind + 2]);
	struct vs_error err = VS_ERROR_INIT;
	int sig = SIGTERM;
	if (argc - optind == 2 && ct_parse_signal(argv[optind + 1], &sig, &err) < 0)
		return cli_fail(cli, &err);
	_cleanup_ct_ struct ct_container *ct = NULL;
	if (ct_load(cli->root, argv[optind], CT_LOCK_EXCLUSIVE, &ct, &err) < 0 ||
	    ct_kill(ct, sig, all, &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}
