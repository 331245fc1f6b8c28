/* `vessel checkpoint`: runc's command and flags, through CRIU
 * (runtime/criu); the flags it shares with restore are in criu-opts.c. */
#include <fcntl.h>
#include <stdlib.h>

#include "cmd/commands.h"
#include "cmd/criu-opts.h"
#include "lib/util.h"
#include "runtime/container/container.h"

enum {
	OPT_PARENT_PATH = CLI_OPT_LONG,
	OPT_LEAVE_RUNNING,
	OPT_STATUS_FD,
	OPT_PAGE_SERVER,
	OPT_PRE_DUMP,
	OPT_EXPORT,
};

static const struct cli_option options[] = {
    {"parent-path", OPT_PARENT_PATH, CLI_ARG, "DIR",
     "a previous pre-dump, relative to the image path"},
    {"leave-running", OPT_LEAVE_RUNNING, CLI_NOARG, NULL, "keep the container running"},
    {"status-fd", OPT_STATUS_FD, CLI_ARG, "FD", "with --lazy-pages (not supported)"},
    {"page-server", OPT_PAGE_SERVER, CLI_ARG, "ADDR:PORT", "send pages to a criu page server"},
    {"pre-dump", OPT_PRE_DUMP, CLI_NOARG, NULL, "dump memory only, leave the container running"},
    {"export", OPT_EXPORT, CLI_ARG, "FILE",
     "also write one archive of the images, the config and an overlay root's writes"},
    CRIU_COMMON_OPTIONS,
    {0},
};

static const struct cli_command command = {
    .name = "checkpoint",
    .args = "[options] CONTAINER",
    .summary = "Checkpoint a running container with CRIU.",
    .details = "Dumps the container's processes into the image path; without --leave-running\n"
	       "or --pre-dump the container then stops and is deleted, so that 'vessel restore'\n"
	       "can bring it back, under its id or another.  Needs criu (libcriu) installed.\n"
	       "--export FILE: 'vessel restore --import FILE' restores it elsewhere.",
    .options = options,
};

static int parse_opt(struct vs_cli *cli, int c, struct ct_checkpoint_opts *o)
{
	struct vs_error err = VS_ERROR_INIT;
	switch (c) {
	case OPT_PARENT_PATH:
		o->parent_path = optarg;
		return 0;
	case OPT_LEAVE_RUNNING:
		o->leave_running = true;
		return 0;
	case OPT_PAGE_SERVER:
		o->page_server = optarg;
		return 0;
	case OPT_PRE_DUMP:
		o->pre_dump = true;
		return 0;
	case OPT_EXPORT:
		o->export_file = optarg;
		return 0;
	case OPT_STATUS_FD:
		if (vs_parse_int(optarg, &o->status_fd) < 0 || o->status_fd < 0 ||
		    fcntl(o->status_fd, F_GETFD) < 0) {
			vs_error_set(&err, "--status-fd: '%s' is not an open fd", optarg);
			return cli_fail(cli, &err);
		}
		return 0;
	}
	int r = criu_parse_common(cli, c, &o->crit);
	return r >= 0 ? r : cli_usage_error(cli, "unexpected option");
}

int cmd_checkpoint(struct vs_cli *cli, int argc, char **argv)
{
	struct ct_checkpoint_opts o = {
	    .crit = {.image_path = "checkpoint", .cgroups_mode = -1},
	    .status_fd = -1,
	};
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		if (parse_opt(cli, c, &o))
			return 1;
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 1, "container id"))
		return 1;
	struct vs_error e = VS_ERROR_INIT;
	if (o.status_fd >= 0 && !o.crit.lazy_pages) {
		vs_error_set(&e, "--status-fd: only with --lazy-pages");
		return cli_fail(cli, &e);
	}
	o.crit.criu_path = cli->criu_path;
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_ct_ struct ct_container *ct = NULL;
	if (ct_load(cli->root, argv[optind], CT_LOCK_EXCLUSIVE, &ct, &err) < 0 ||
	    ct_checkpoint(ct, &o, &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}
