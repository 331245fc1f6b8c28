/* `vessel start`: release a created container's init. */
#include "cmd/commands.h"
#include "runtime/container/container.h"

static const struct cli_command command = {
    .name = "start",
    .args = "CONTAINER",
    .summary = "Start a created container: its init executes the user process.",
    .details = "Fails if the container is not in the created state.  Returns once the\n"
	       "container's process has been executed, so a failing startContainer hook or\n"
	       "exec fails start.  poststart hooks run before this returns.",
};

int cmd_start(struct vs_cli *cli, int argc, char **argv)
{
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		;
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 1, "container id"))
		return 1;
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_ct_ struct ct_container *ct = NULL;
	if (ct_load(cli->root, argv[optind], CT_LOCK_EXCLUSIVE, &ct, &err) < 0 ||
	    ct_start(ct, &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}
