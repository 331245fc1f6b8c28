/* `vessel checkpoint`: runc's flags parse, so a caller gets the real
 * reason rather than "unknown option"; the command itself always fails
 * because vessel has no CRIU integration. */
#include "cmd/commands.h"

enum {
	OPT_IMAGE_PATH = CLI_OPT_LONG,
	OPT_WORK_PATH,
	OPT_PARENT_PATH,
	OPT_LEAVE_RUNNING,
	OPT_TCP_ESTABLISHED,
	OPT_EXT_UNIX_SK,
	OPT_SHELL_JOB,
	OPT_LAZY_PAGES,
	OPT_STATUS_FD,
	OPT_PAGE_SERVER,
	OPT_FILE_LOCKS,
	OPT_PRE_DUMP,
	OPT_MANAGE_CGROUPS_MODE,
	OPT_EMPTY_NS,
	OPT_AUTO_DEDUP,
};

static const struct cli_option options[] = {
    {"image-path", OPT_IMAGE_PATH, CLI_ARG, "DIR", "where to save the images (ignored)"},
    {"work-path", OPT_WORK_PATH, CLI_ARG, "DIR", "where to save CRIU logs (ignored)"},
    {"parent-path", OPT_PARENT_PATH, CLI_ARG, "DIR", "previous pre-dump (ignored)"},
    {"leave-running", OPT_LEAVE_RUNNING, CLI_NOARG, NULL, "keep the container running (ignored)"},
    {"tcp-established", OPT_TCP_ESTABLISHED, CLI_NOARG, NULL, "dump TCP connections (ignored)"},
    {"ext-unix-sk", OPT_EXT_UNIX_SK, CLI_NOARG, NULL, "allow external unix sockets (ignored)"},
    {"shell-job", OPT_SHELL_JOB, CLI_NOARG, NULL, "allow shell jobs (ignored)"},
    {"lazy-pages", OPT_LAZY_PAGES, CLI_NOARG, NULL, "use userfaultfd (ignored)"},
    {"status-fd", OPT_STATUS_FD, CLI_ARG, "FD", "report readiness on FD (ignored)"},
    {"page-server", OPT_PAGE_SERVER, CLI_ARG, "ADDR:PORT", "CRIU page server (ignored)"},
    {"file-locks", OPT_FILE_LOCKS, CLI_NOARG, NULL, "dump file locks (ignored)"},
    {"pre-dump", OPT_PRE_DUMP, CLI_NOARG, NULL, "dump memory only (ignored)"},
    {"manage-cgroups-mode", OPT_MANAGE_CGROUPS_MODE, CLI_ARG, "MODE",
     "soft|full|strict|ignore (ignored)"},
    {"empty-ns", OPT_EMPTY_NS, CLI_ARG, "NS", "namespace not to checkpoint (ignored)"},
    {"auto-dedup", OPT_AUTO_DEDUP, CLI_NOARG, NULL, "deduplicate images (ignored)"},
    {0},
};

static const struct cli_command command = {
    .name = "checkpoint",
    .args = "[options] CONTAINER",
    .summary = "Checkpoint a running container (not supported).",
    .details = "vessel has no CRIU integration: this command always fails with exit status 1.\n"
	       "runc's options are accepted so that callers get this reason, not a usage error.",
    .options = options,
};

int cmd_checkpoint(struct vs_cli *cli, int argc, char **argv)
{
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		; /* every option is accepted and ignored: the command cannot run */
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 1, "container id"))
		return 1;
	struct vs_error err = VS_ERROR_INIT;
	vs_error_set(&err, "checkpoint is not supported by vessel (no CRIU integration)");
	return cli_fail(cli, &err);
}
