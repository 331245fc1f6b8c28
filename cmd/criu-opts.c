/* The CRIU flags checkpoint and restore share: see criu-opts.h. */
#include <string.h>

#include "cmd/criu-opts.h"

int criu_parse_common(struct vs_cli *cli, int c, struct cr_common *o)
{
	struct vs_error err = VS_ERROR_INIT;
	switch (c) {
	case OPT_CR_IMAGE_PATH:
		o->image_path = optarg;
		return 0;
	case OPT_CR_WORK_PATH:
		o->work_path = optarg;
		return 0;
	case OPT_CR_TCP_ESTABLISHED:
		o->tcp_established = true;
		return 0;
	case OPT_CR_EXT_UNIX_SK:
		o->ext_unix_sk = true;
		return 0;
	case OPT_CR_SHELL_JOB:
		o->shell_job = true;
		return 0;
	case OPT_CR_FILE_LOCKS:
		o->file_locks = true;
		return 0;
	case OPT_CR_AUTO_DEDUP:
		o->auto_dedup = true;
		return 0;
	case OPT_CR_MANAGE_CGROUPS_MODE:
		if (cr_parse_cgroups_mode(optarg, &o->cgroups_mode, &err) < 0)
			return cli_fail(cli, &err);
		return 0;
	case OPT_CR_EMPTY_NS:
		/* runc's rule: the network namespace only, which a hook or the
		 * caller fills again after the restore */
		if (strcmp(optarg, "network") != 0) {
			vs_error_set(&err, "--empty-ns: '%s': only 'network' is supported", optarg);
			return cli_fail(cli, &err);
		}
		o->empty_net = true;
		return 0;
	case OPT_CR_LAZY_PAGES:
		o->lazy_pages = true;
		return 0;
	}
	return -1;
}
