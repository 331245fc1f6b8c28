/* `vessel image import|list|rm`: the local image store (runtime/image). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "lib/cleanup.h"
#include "runtime/image/image.h"

enum { OPT_STORE = CLI_OPT_LONG, OPT_REF };

static const struct cli_option options[] = {
    {"store", OPT_STORE, CLI_ARG, "DIR",
     "image store (default $" IMG_STORE_ENV ", else " IMG_DEFAULT_STORE ")"},
    {0},
};

static const struct cli_command command = {
    .name = "image",
    .args = "[--store DIR] import|list|rm ...",
    .summary = "Manage the local store of OCI images.",
    .details = "  import [--ref REF] SOURCE NAME   import an OCI image layout directory or an\n"
	       "                                  OCI archive; every blob's sha256 is checked\n"
	       "  list [-q]                       list the imported images\n"
	       "  rm [--force] NAME...            remove images and the layers no other uses\n"
	       "Run 'vessel image SUBCOMMAND --help' for a subcommand's options.",
    .options = options,
    .options_before_operands = true,
};

#define STORE_OPTION                                                                               \
	{                                                                                          \
		"store", OPT_STORE, CLI_ARG, "DIR",                                                \
		    "image store (also accepted before the subcommand)"                            \
	}

static const struct cli_option import_options[] = {
    STORE_OPTION,
    {"ref", OPT_REF, CLI_ARG, "REF",
     "the manifest whose org.opencontainers.image.ref.name is REF (default: the only one, "
     "or \"latest\")"},
    {0},
};
static const struct cli_command import_command = {
    .name = "image import",
    .args = "[--ref REF] SOURCE NAME",
    .summary = "Import an OCI image layout (a directory) or an OCI archive (a tar of one).",
    .details = "Blobs are checked against their sha256 digests and sizes, layers unpacked once\n"
	       "(whiteouts converted for overlayfs) and shared with the images that have them.\n"
	       "On any error nothing is left in the store.",
    .options = import_options,
};

static const struct cli_option list_options[] = {
    STORE_OPTION,
    {"quiet", 'q', CLI_NOARG, NULL, "print the names only"},
    {0},
};
static const struct cli_command list_command = {
    .name = "image list",
    .args = "[-q]",
    .summary = "List the imported images.",
    .options = list_options,
};

static const struct cli_option rm_options[] = {
    STORE_OPTION,
    {"force", 'f', CLI_NOARG, NULL,
     "remove even while a bundle made from it exists (its layers stay until it is deleted)"},
    {0},
};
static const struct cli_command rm_command = {
    .name = "image rm",
    .args = "[--force] NAME...",
    .summary = "Remove images, and the layers no remaining image or bundle uses.",
    .options = rm_options,
};

static int image_import(struct vs_cli *cli, const char *store, int argc, char **argv)
{
	const char *ref = NULL;
	int c;
	while ((c = cli_getopt(cli, &import_command, argc, argv)) > 0) {
		if (c == OPT_REF)
			ref = optarg;
		else if (c == OPT_STORE)
			store = optarg;
	}
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 2, "SOURCE and NAME"))
		return 1;
	struct vs_error err = VS_ERROR_INIT;
	if (img_import(store, argv[optind], argv[optind + 1], ref, &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}

static int image_list(struct vs_cli *cli, const char *store, int argc, char **argv)
{
	bool quiet = false;
	int c;
	while ((c = cli_getopt(cli, &list_command, argc, argv)) > 0) {
		if (c == 'q')
			quiet = true;
		else if (c == OPT_STORE)
			store = optarg;
	}
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 0, "nothing"))
		return 1;
	struct vs_error err = VS_ERROR_INIT;
	struct img_info *v = NULL;
	size_t n = 0;
	if (img_list(store, &v, &n, &err) < 0)
		return cli_fail(cli, &err);
	if (!quiet)
		printf("%-24s %-8s %-20s %s\n", "NAME", "LAYERS", "CREATED", "DIGEST");
	for (size_t i = 0; i < n; i++) {
		if (quiet)
			printf("%s\n", v[i].name);
		else
			printf("%-24s %-8zu %-20s %s\n", v[i].name, v[i].n_layers,
			       v[i].created ? v[i].created : "-", v[i].manifest_digest);
	}
	img_info_free(v, n);
	return 0;
}

static int image_rm(struct vs_cli *cli, const char *store, int argc, char **argv)
{
	bool force = false;
	int c;
	while ((c = cli_getopt(cli, &rm_command, argc, argv)) > 0) {
		if (c == 'f')
			force = true;
		else if (c == OPT_STORE)
			store = optarg;
	}
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_min_args(cli, argc, argv, 1, "image name"))
		return 1;
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		struct vs_error err = VS_ERROR_INIT;
		if (img_remove(store, argv[i], force, &err) < 0)
			rc = cli_fail(cli, &err);
	}
	return rc;
}

int cmd_image(struct vs_cli *cli, int argc, char **argv)
{
	const char *store = NULL;
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		if (c == OPT_STORE)
			store = optarg;
	if (c < 0)
		return cli_opt_status(c);
	if (optind >= argc)
		return cli_usage_error(cli, "missing subcommand (import, list or rm)");
	store = img_store_path(store);
	const char *sub = argv[optind];
	int sub_argc = argc - optind;
	char **sub_argv = argv + optind;
	optind = 0; /* the subcommand parses its own options */
	if (strcmp(sub, "import") == 0)
		return image_import(cli, store, sub_argc, sub_argv);
	if (strcmp(sub, "list") == 0 || strcmp(sub, "ls") == 0)
		return image_list(cli, store, sub_argc, sub_argv);
	if (strcmp(sub, "rm") == 0)
		return image_rm(cli, store, sub_argc, sub_argv);
	return cli_usage_error(cli, "unknown subcommand '%s' (import, list or rm)", sub);
}
