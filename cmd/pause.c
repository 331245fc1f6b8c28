/* `vessel pause`: freeze a container through its cgroup's cgroup.freeze. */
#include <string.h>

#include "cmd/commands.h"
#include "lib/cleanup.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/container/container.h"

static const struct cli_command command = {
    .name = "pause",
    .args = "CONTAINER",
    .summary = "Freeze every process of a container (cgroup.freeze).",
    .details = "Waits until the kernel reports the cgroup frozen (cgroup.events).  Signals\n"
	       "other than SIGKILL sent to a paused container stay pending until resume.",
    .options = NULL,
};

static void handle_freep(struct cg_handle **h)
{
	cg_handle_free(*h);
}

int cmd_pause(struct vs_cli *cli, int argc, char **argv)
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
	if (ct_load(cli->root, argv[optind], CT_LOCK_EXCLUSIVE, &ct, &err) < 0)
		return cli_fail(cli, &err);
	const char *status = ct_status(ct);
	/* runc's wording and rule: only a created or running container. */
	if (strcmp(status, OCI_STATUS_RUNNING) != 0 && strcmp(status, OCI_STATUS_CREATED) != 0) {
		vs_error_set(&err, "container not running");
		return cli_fail(cli, &err);
	}
	_cleanup_(handle_freep) struct cg_handle *h = NULL;
	if (cg_open(ct->state->cgroup_path, &h, &err) < 0 || cg_freeze(h, 0, &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}
