/* `vessel checkpoint`: runc's command and flags, through CRIU
 * (runtime/criu). */
#include <stdlib.h>

#include "cmd/commands.h"
#include "lib/util.h"
#include "runtime/container/container.h"

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
    {"image-path", OPT_IMAGE_PATH, CLI_ARG, "DIR",
     "where to save the images (default ./checkpoint, made if missing)"},
    {"work-path", OPT_WORK_PATH, CLI_ARG, "DIR", "where criu writes its log (default: image path)"},
    {"parent-path", OPT_PARENT_PATH, CLI_ARG, "DIR",
     "a previous pre-dump, relative to the image path"},
    {"leave-running", OPT_LEAVE_RUNNING, CLI_NOARG, NULL, "keep the container running"},
    {"tcp-established", OPT_TCP_ESTABLISHED, CLI_NOARG, NULL, "dump established TCP connections"},
    {"ext-unix-sk", OPT_EXT_UNIX_SK, CLI_NOARG, NULL, "allow external unix sockets"},
    {"shell-job", OPT_SHELL_JOB, CLI_NOARG, NULL, "allow a shell job (session of a terminal)"},
    {"lazy-pages", OPT_LAZY_PAGES, CLI_NOARG, NULL, "use userfaultfd (not supported)"},
    {"status-fd", OPT_STATUS_FD, CLI_ARG, "FD", "with --lazy-pages (not supported)"},
    {"page-server", OPT_PAGE_SERVER, CLI_ARG, "ADDR:PORT", "send pages to a criu page server"},
    {"file-locks", OPT_FILE_LOCKS, CLI_NOARG, NULL, "dump file locks"},
    {"pre-dump", OPT_PRE_DUMP, CLI_NOARG, NULL, "dump memory only, leave the container running"},
    {"manage-cgroups-mode", OPT_MANAGE_CGROUPS_MODE, CLI_ARG, "MODE",
     "soft|full|strict|ignore (default soft)"},
    {"empty-ns", OPT_EMPTY_NS, CLI_ARG, "NS", "namespace not to checkpoint (not supported)"},
    {"auto-dedup", OPT_AUTO_DEDUP, CLI_NOARG, NULL, "deduplicate the parent's images"},
    {0},
};

static const struct cli_command command = {
    .name = "checkpoint",
    .args = "[options] CONTAINER",
    .summary = "Checkpoint a running container with CRIU.",
    .details = "Dumps the container's processes into the image path; without --leave-running\n"
	       "or --pre-dump the container then stops and is deleted, so that 'vessel restore'\n"
	       "can bring it back, under its id or another.  Needs criu (libcriu) installed.",
    .options = options,
};

/* libcriu 3.17 has no setter for these (lazy_pages, status_fd, empty_ns of
 * criu's RPC): refused rather than silently ignored. */
static int unsupported(struct vs_cli *cli, const char *flag)
{
	struct vs_error err = VS_ERROR_INIT;
	vs_error_set(&err, "%s: not supported by vessel (libcriu has no option for it)", flag);
	return cli_fail(cli, &err);
}

static int parse_opt(struct vs_cli *cli, int c, struct ct_checkpoint_opts *o)
{
	struct vs_error err = VS_ERROR_INIT;
	switch (c) {
	case OPT_IMAGE_PATH:
		o->crit.image_path = optarg;
		return 0;
	case OPT_WORK_PATH:
		o->crit.work_path = optarg;
		return 0;
	case OPT_PARENT_PATH:
		o->parent_path = optarg;
		return 0;
	case OPT_LEAVE_RUNNING:
		o->leave_running = true;
		return 0;
	case OPT_TCP_ESTABLISHED:
		o->crit.tcp_established = true;
		return 0;
	case OPT_EXT_UNIX_SK:
		o->crit.ext_unix_sk = true;
		return 0;
	case OPT_SHELL_JOB:
		o->crit.shell_job = true;
		return 0;
	case OPT_PAGE_SERVER:
		o->page_server = optarg;
		return 0;
	case OPT_FILE_LOCKS:
		o->crit.file_locks = true;
		return 0;
	case OPT_PRE_DUMP:
		o->pre_dump = true;
		return 0;
	case OPT_AUTO_DEDUP:
		o->crit.auto_dedup = true;
		return 0;
	case OPT_LAZY_PAGES:
		return unsupported(cli, "--lazy-pages");
	case OPT_STATUS_FD:
		return unsupported(cli, "--status-fd");
	case OPT_EMPTY_NS:
		return unsupported(cli, "--empty-ns");
	case OPT_MANAGE_CGROUPS_MODE:
		if (cr_parse_cgroups_mode(optarg, &o->crit.cgroups_mode, &err) < 0)
			return cli_fail(cli, &err);
		return 0;
	}
	return cli_usage_error(cli, "unexpected option");
}

int cmd_checkpoint(struct vs_cli *cli, int argc, char **argv)
{
	struct ct_checkpoint_opts o = {.crit = {.image_path = "checkpoint", .cgroups_mode = -1}};
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		if (parse_opt(cli, c, &o))
			return 1;
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 1, "container id"))
		return 1;
	o.crit.criu_path = cli->criu_path;
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_ct_ struct ct_container *ct = NULL;
	if (ct_load(cli->root, argv[optind], CT_LOCK_EXCLUSIVE, &ct, &err) < 0 ||
	    ct_checkpoint(ct, &o, &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}
