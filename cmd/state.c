/* `vessel state`: the runtime-spec state of a container, live. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/commands.h"
#include "runtime/container/container.h"

static const struct cli_command command = {
    .name = "state",
    .args = "CONTAINER",
    .summary = "Print the state of a container as JSON.",
    .details = "status is checked live: created, running, paused or stopped.",
};

int cmd_state(struct vs_cli *cli, int argc, char **argv)
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
	if (ct_load(cli->root, argv[optind], CT_LOCK_SHARED, &ct, &err) < 0)
		return cli_fail(cli, &err);
	char *json = ct_state_json(ct);
	printf("%s\n", json);
	free(json);
	return 0;
}
