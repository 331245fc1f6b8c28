/* `vessel delete`: remove a container and everything it owns. */
#include <errno.h>

#include "cmd/commands.h"
#include "runtime/container/container.h"

static const struct cli_option options[] = {
    {"force", 'f', CLI_NOARG, NULL, "kill a running or paused container first"},
    {0},
};

static const struct cli_command command = {
    .name = "delete",
    .args = "[options] CONTAINER",
    .summary = "Delete a container: its processes, cgroup and state.",
    .details = "A running container is refused without --force.  poststop hooks run after\n"
	       "the container is gone; their failures are only warnings.  --force on a\n"
	       "container whose create was killed before it finished kills the init that\n"
	       "create recorded (if its pid still has the recorded start time) and removes\n"
	       "its cgroup and state.",
    .options = options,
};

int cmd_delete(struct vs_cli *cli, int argc, char **argv)
{
	bool force = false;
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		if (c == 'f')
			force = true;
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 1, "container id"))
		return 1;
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_ct_ struct ct_container *ct = NULL;
	const char *id = argv[optind];
	if (ct_load(cli->root, id, CT_LOCK_EXCLUSIVE, &ct, &err) < 0) {
		/* As runc: --force on a missing container cleans up what a
		 * crashed create may have left and succeeds. */
		if (force && err.errnum == ENOENT) {
			vs_error_clear(&err);
			return ct_forget(cli->root, id, &err) < 0 ? cli_fail(cli, &err) : 0;
		}
		return cli_fail(cli, &err);
	}
	if (ct_delete(ct, force, &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}
