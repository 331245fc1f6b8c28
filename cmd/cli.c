/* Shared CLI plumbing: error printing and the table-driven option parser
 * every cmd/<name>.c uses (see cmd/cli.h). */
#include "cmd/cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"

#define HELP_ID 'h'

static const char *progname = "vessel";

void cli_set_progname(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	const char *base = slash ? slash + 1 : argv0;
	if (base && *base)
		progname = base;
}

const char *cli_progname(void)
{
	return progname;
}

static const char *command_name(const struct vs_cli *cli)
{
	return cli->command ? cli->command : "vessel";
}

int cli_fail(struct vs_cli *cli, struct vs_error *err)
{
	vs_log_error("%s: %s", command_name(cli), err->msg ? err->msg : "unknown error");
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
	if (cli->command)
		vs_log_error("%s: %s (see 'vessel %s --help')", cli->command,
			     msg ? msg : "bad usage", cli->command);
	else
		vs_log_error("%s (see 'vessel --help')", msg ? msg : "bad usage");
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

int cli_require_min_args(struct vs_cli *cli, int argc, char **argv, int n, const char *what)
{
	if (argc - optind < n)
		return cli_usage_error(cli, "missing %s", what);
	return 0;
}

static bool is_short(int id)
{
	return id > 0 && id < 128 && isalnum(id);
}

static size_t count_options(const struct cli_option *o)
{
	size_t n = 0;
	while (o && o[n].name)
		n++;
	return n;
}

/* The getopt tables are rebuilt per call: commands call cli_getopt a
 * handful of times, and keeping no state keeps the API a plain loop. */
static void build_tables(const struct cli_command *cmd, struct option *longs, char *shorts)
{
	size_t n = count_options(cmd->options), k = 0;
	char *s = shorts;
	/* '+': stop at the first operand (otherwise getopt moves the options
	 * found after operands to the front, as runc's CLI library does);
	 * ':': report missing arguments as ':'. */
	if (cmd->options_before_operands)
		*s++ = '+';
	*s++ = ':';
	for (size_t i = 0; i < n; i++) {
		const struct cli_option *o = &cmd->options[i];
		longs[k++] = (struct option){o->name, o->has_arg, NULL, o->id};
		if (is_short(o->id)) {
			*s++ = (char)o->id;
			if (o->has_arg != CLI_NOARG)
				*s++ = ':';
			if (o->has_arg == CLI_OPTARG)
				*s++ = ':';
		}
	}
	longs[k++] = (struct option){"help", no_argument, NULL, HELP_ID};
	longs[k] = (struct option){0};
	*s++ = HELP_ID;
	*s = '\0';
}

static bool is_option_id(const struct cli_command *cmd, int id)
{
	for (size_t i = 0, n = count_options(cmd->options); i < n; i++)
		if (cmd->options[i].id == id)
			return true;
	return id == HELP_ID;
}

static int report_bad_option(struct vs_cli *cli, const struct cli_command *cmd, int c, char **argv)
{
	const char *word = optind > 0 ? argv[optind - 1] : "?";
	if (c == ':')
		return cli_usage_error(cli, "option '%s' needs an argument", word);
	/* getopt sets optopt to a known option's id when that option was
	 * given "=VALUE" it does not take; to the letter for an unknown letter
	 * inside a cluster (-dz); to 0 for an unknown long option. */
	if (optopt != 0 && is_option_id(cmd, optopt) && strchr(word, '='))
		return cli_usage_error(cli, "option '%.*s' takes no argument",
				       (int)(strchr(word, '=') - word), word);
	if (optopt > 0 && optopt < 128 && isalnum(optopt) && strncmp(word, "--", 2) != 0)
		return cli_usage_error(cli, "unknown option '-%c'", optopt);
	return cli_usage_error(cli, "unknown option '%s'", word);
}

int cli_getopt(struct vs_cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	size_t n = count_options(cmd->options);
	_cleanup_free_ struct option *longs = vs_malloc0((n + 2) * sizeof(*longs));
	_cleanup_free_ char *shorts = vs_malloc0(n * 3 + 4);
	build_tables(cmd, longs, shorts);

	opterr = 0; /* our messages, not getopt's, so they go to --log too */
	int c = getopt_long_only(argc, argv, shorts, longs, NULL);
	if (c == -1)
		return CLI_OPT_END;
	if (c == HELP_ID) {
		cli_print_help(cmd);
		return CLI_OPT_HELP;
	}
	if (c == '?' || c == ':') {
		report_bad_option(cli, cmd, c, argv);
		return CLI_OPT_FAIL;
	}
	return c;
}

static void print_option(const struct cli_option *o)
{
	char left[64];
	char sh[8] = "    ";
	if (is_short(o->id))
		snprintf(sh, sizeof(sh), "-%c, ", o->id);
	if (o->has_arg == CLI_ARG)
		snprintf(left, sizeof(left), "%s--%s %s", sh, o->name,
			 o->arg_name ? o->arg_name : "VALUE");
	else if (o->has_arg == CLI_OPTARG)
		snprintf(left, sizeof(left), "%s--%s[=%s]", sh, o->name,
			 o->arg_name ? o->arg_name : "VALUE");
	else
		snprintf(left, sizeof(left), "%s--%s", sh, o->name);
	if (strlen(left) > 26)
		printf("  %s\n  %-26s  %s\n", left, "", o->help);
	else
		printf("  %-26s  %s\n", left, o->help);
}

void cli_print_help(const struct cli_command *cmd)
{
	/* A NAME header first, as runc's help has: scripts look for
	 * "NAME:" then "runc COMMAND" on the next line. */
	printf("NAME:\n   %s %s", progname, cmd->name);
	if (cmd->summary)
		printf(" - %s", cmd->summary);
	printf("\n\nusage: %s %s %s\n\n", progname, cmd->name, cmd->args ? cmd->args : "[options]");
	printf("options:\n");
	for (size_t i = 0, n = count_options(cmd->options); i < n; i++)
		if (cmd->options[i].help)
			print_option(&cmd->options[i]);
	printf("  %-26s  %s\n", "-h, --help", "print this help");
	if (cmd->details)
		printf("\n%s\n", cmd->details);
}
