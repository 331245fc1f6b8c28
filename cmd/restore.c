/* `vessel restore`: the counterpart of checkpoint; runc's flags parse, the
 * command always fails (no CRIU integration). */
#include "cmd/commands.h"

enum {
	OPT_CONSOLE_SOCKET = CLI_OPT_LONG,
	OPT_IMAGE_PATH,
	OPT_WORK_PATH,
	OPT_TCP_ESTABLISHED,
	OPT_EXT_UNIX_SK,
	OPT_SHELL_JOB,
	OPT_FILE_LOCKS,
	OPT_MANAGE_CGROUPS_MODE,
	OPT_PID_FILE,
	OPT_NO_SUBREAPER,
	OPT_NO_PIVOT,
	OPT_EMPTY_NS,
	OPT_AUTO_DEDUP,
	OPT_LAZY_PAGES,
	OPT_LSM_PROFILE,
	OPT_LSM_MOUNT_CONTEXT,
};

static const struct cli_option options[] = {
    {"bundle", 'b', CLI_ARG, "DIR", "path to the bundle (ignored)"},
    {"detach", 'd', CLI_NOARG, NULL, "detach from the container (ignored)"},
    {"console-socket", OPT_CONSOLE_SOCKET, CLI_ARG, "PATH", "socket for the pty master (ignored)"},
    {"image-path", OPT_IMAGE_PATH, CLI_ARG, "DIR", "where the images are (ignored)"},
    {"work-path", OPT_WORK_PATH, CLI_ARG, "DIR", "where to save CRIU logs (ignored)"},
    {"tcp-established", OPT_TCP_ESTABLISHED, CLI_NOARG, NULL, "restore TCP connections (ignored)"},
    {"ext-unix-sk", OPT_EXT_UNIX_SK, CLI_NOARG, NULL, "allow external unix sockets (ignored)"},
    {"shell-job", OPT_SHELL_JOB, CLI_NOARG, NULL, "allow shell jobs (ignored)"},
    {"file-locks", OPT_FILE_LOCKS, CLI_NOARG, NULL, "restore file locks (ignored)"},
    {"manage-cgroups-mode", OPT_MANAGE_CGROUPS_MODE, CLI_ARG, "MODE",
     "soft|full|strict|ignore (ignored)"},
    {"pid-file", OPT_PID_FILE, CLI_ARG, "FILE", "write the pid to FILE (ignored)"},
    {"no-subreaper", OPT_NO_SUBREAPER, CLI_NOARG, NULL, "do not become a subreaper (ignored)"},
    {"no-pivot", OPT_NO_PIVOT, CLI_NOARG, NULL, "do not use pivot_root (ignored)"},
    {"empty-ns", OPT_EMPTY_NS, CLI_ARG, "NS", "namespace not restored (ignored)"},
    {"auto-dedup", OPT_AUTO_DEDUP, CLI_NOARG, NULL, "deduplicate images (ignored)"},
    {"lazy-pages", OPT_LAZY_PAGES, CLI_NOARG, NULL, "use userfaultfd (ignored)"},
    {"lsm-profile", OPT_LSM_PROFILE, CLI_ARG, "TYPE:LABEL", "LSM profile (ignored)"},
    {"lsm-mount-context", OPT_LSM_MOUNT_CONTEXT, CLI_ARG, "CONTEXT", "LSM mount context (ignored)"},
    {0},
};

static const struct cli_command command = {
    .name = "restore",
    .args = "[options] CONTAINER",
    .summary = "Restore a container from a checkpoint (not supported).",
    .details = "vessel has no CRIU integration: this command always fails with exit status 1.\n"
	       "runc's options are accepted so that callers get this reason, not a usage error.",
    .options = options,
};

int cmd_restore(struct vs_cli *cli, int argc, char **argv)
{
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		; /* every option is accepted and ignored: the command cannot run */
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 1, "container id"))
		return 1;
	struct vs_error err = VS_ERROR_INIT;
	vs_error_set(&err, "restore is not supported by vessel (no CRIU integration)");
	return cli_fail(cli, &err);
}
