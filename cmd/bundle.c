/* `vessel bundle IMAGE DIR`: a bundle whose root is an overlayfs of an
 * imported image's layers (runtime/image), ready for create/run. */
#include <stdio.h>

#include "cmd/commands.h"
#include "lib/cleanup.h"
#include "oci/default.h"
#include "oci/oci.h"
#include "runtime/image/image.h"
#include "runtime/seccomp/seccomp.h"

enum { OPT_STORE = CLI_OPT_LONG, OPT_KEEP_UPPER };

static const struct cli_option options[] = {
    {"store", OPT_STORE, CLI_ARG, "DIR",
     "image store (default $" IMG_STORE_ENV ", else " IMG_DEFAULT_STORE ")"},
    {"tty", 't', CLI_NOARG, NULL, "process.terminal true (default false)"},
    {"keep-upper", OPT_KEEP_UPPER, CLI_NOARG, NULL,
     "'vessel delete' keeps the container's upper dir (its writes)"},
    {0},
};

static const struct cli_command command = {
    .name = "bundle",
    .args = "[options] IMAGE DIR [COMMAND [ARG...]]",
    .summary = "Make a bundle in DIR that runs IMAGE on a copy-on-write overlay root.",
    .details = "DIR (new, or empty) gets config.json (the default config of 'vessel spec' with\n"
	       "the image's Entrypoint, Cmd, Env, WorkingDir and User; COMMAND replaces Cmd),\n"
	       "an empty rootfs/ on which the container mounts an overlayfs of the image's\n"
	       "layers, and upper/ and work/, where the container's writes go.  The image's\n"
	       "layers are never written.  One bundle is one container: 'vessel delete'\n"
	       "removes upper/ and work/ unless --keep-upper was given.",
    .options = options,
    .options_before_operands = true,
};

static void oci_config_freep(struct oci_config **c)
{
	oci_config_free(*c);
}

int cmd_bundle(struct vs_cli *cli, int argc, char **argv)
{
	struct img_bundle_opts o = {0};
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0) {
		switch (c) {
		case OPT_STORE:
			o.store = optarg;
			break;
		case 't':
			o.terminal = true;
			break;
		case OPT_KEEP_UPPER:
			o.keep_upper = true;
			break;
		}
	}
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_min_args(cli, argc, argv, 2, "IMAGE and DIR"))
		return 1;
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_(oci_config_freep) struct oci_config *base = oci_config_default(false);
	base->lnx->seccomp = sc_default_profile();
	if (!base->lnx->seccomp) {
		vs_error_set(&err, "the built-in default seccomp profile is unavailable");
		return cli_fail(cli, &err);
	}
	o.base = base;
	o.store = img_store_path(o.store);
	o.name = argv[optind];
	o.dir = argv[optind + 1];
	o.args = argc > optind + 2 ? argv + optind + 2 : NULL;
	if (img_make_bundle(&o, &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}
