/* vessel's entry point: global options, then dispatch to cmd_<name>(). */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "lib/cleanup.h"
#include "oci/oci.h"

static const struct vs_command commands[] = {
#define X(n, s) {#n, cmd_##n, s},
	VS_COMMANDS(X)
#undef X
};

/* Commands still being written link against these weak definitions and fail
 * clearly; a cmd/<name>.c defining the real one replaces it at link time. */
#define X(n, s)                                                                                    \
	__attribute__((weak)) int cmd_##n(struct vs_cli *cli, int argc, char **argv)               \
	{                                                                                          \
		struct vs_error err = VS_ERROR_INIT;                                               \
		vs_error_set(&err, "not implemented yet");                                         \
		return cli_fail(cli, &err);                                                        \
	}
VS_COMMANDS(X)
#undef X

int cli_fail(struct vs_cli *cli, struct vs_error *err)
{
	vs_log_error("%s: %s", cli->command ? cli->command : "vessel",
		     err->msg ? err->msg : "unknown error");
	vs_error_clear(err);
	return 1;
}

int cli_usage_error(struct vs_cli *cli, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	vs_log_error("%s: %s (see 'vessel %s --help')", cli->command ? cli->command : "vessel",
		     msg ? msg : "bad usage", cli->command ? cli->command : "");
	free(msg);
	return 1;
}

int cli_require_args(struct vs_cli *cli, int argc, char **argv, int n, const char *what)
{
	if (argc - optind < n)
		return cli_usage_error(cli, "missing %s", what);
	if (argc - optind > n)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[optind + n]);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: vessel [global options] COMMAND [options] ARGS\n\n"
		     "An OCI container runtime (runtime-spec " OCI_SPEC_VERSION ").\n\n"
		     "commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nglobal options:\n"
		     "  --root DIR             state directory (default " VESSEL_DEFAULT_ROOT ")\n"
		     "  --log FILE             also write errors and warnings to FILE\n"
		     "  --log-format FORMAT    text or json (default text)\n"
		     "  --debug                log debug messages\n"
		     "  --systemd-cgroup       cgroupsPath is slice:prefix:name (needs systemd)\n"
		     "  -v, --version          print version information\n"
		     "  -h, --help             print this help\n\n"
		     "Run 'vessel COMMAND --help' for a command's options.\n");
}

static void version(void)
{
	printf("vessel version %s\ncommit: %s\nspec: %s\n", VESSEL_VERSION, VESSEL_COMMIT,
	       OCI_SPEC_VERSION);
}

static const struct vs_command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

enum { OPT_ROOT = 1000, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD_CGROUP, OPT_ROOTLESS, OPT_CRIU };

/* Parses global options up to the command name.  Returns the index of the
 * command in argv, 0 when the program should exit with *ret_exit. */
static int parse_global(struct vs_cli *cli, int argc, char **argv, int *ret_exit)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, OPT_ROOT},
		{"log", required_argument, NULL, OPT_LOG},
		{"log-format", required_argument, NULL, OPT_LOG_FORMAT},
		{"debug", no_argument, NULL, OPT_DEBUG},
		{"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP},
		{"rootless", required_argument, NULL, OPT_ROOTLESS},
		{"criu", required_argument, NULL, OPT_CRIU},
		{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;
	/* '+': stop at the command name; its options are its own.  Long options
	 * also accept one dash (-root), as runc's CLI library does. */
	while ((c = getopt_long_only(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT: cli->root = optarg; break;
		case OPT_LOG: cli->log_path = optarg; break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "json") == 0)
				cli->log_format = VS_LOG_JSON;
			else if (strcmp(optarg, "text") == 0)
				cli->log_format = VS_LOG_TEXT;
			else {
				fprintf(stderr, "vessel: --log-format: unknown format '%s' (text or json)\n", optarg);
				*ret_exit = 1;
				return 0;
			}
			break;
		case OPT_DEBUG: cli->debug = true; break;
		case OPT_SYSTEMD_CGROUP: cli->systemd_cgroup = true; break;
		case OPT_ROOTLESS:
			/* runc accepts true|false|auto; vessel runs as root only. */
			if (strcmp(optarg, "false") != 0 && strcmp(optarg, "auto") != 0) {
				fprintf(stderr, "vessel: --rootless %s: rootless mode is not supported\n", optarg);
				*ret_exit = 1;
				return 0;
			}
			break;
		case OPT_CRIU:
			break; /* accepted for runc compatibility; checkpoint is unsupported */
		case 'v': version(); *ret_exit = 0; return 0;
		case 'h': usage(stdout); *ret_exit = 0; return 0;
		default: usage(stderr); *ret_exit = 1; return 0;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		*ret_exit = 1;
		return 0;
	}
	return optind;
}

int main(int argc, char **argv)
{
	struct vs_cli cli = {.root = VESSEL_DEFAULT_ROOT, .log_format = VS_LOG_TEXT};
	int rc = 1;
	int idx = parse_global(&cli, argc, argv, &rc);
	if (idx == 0)
		return rc;
	if (vs_log_open(cli.log_path, cli.log_format, cli.debug) < 0) {
		fprintf(stderr, "vessel: --log %s: %m\n", cli.log_path);
		return 1;
	}
	const char *name = argv[idx];
	if (strcmp(name, "help") == 0) {
		usage(stdout);
		return 0;
	}
	const struct vs_command *cmd = find_command(name);
	if (!cmd) {
		vs_log_error("unknown command '%s' (see 'vessel --help')", name);
		return 1;
	}
	cli.command = cmd->name;
	optind = 0; /* reset getopt for the command's own parsing */
	rc = cmd->fn(&cli, argc - idx, argv + idx);
	vs_log_close();
	return rc;
}
