/* What every cmd/<command>.c shares: the global options, per-command option
 * parsing with a generated --help, and the one place errors are printed.
 *
 * A command is `int cmd_NAME(struct vs_cli *cli, int argc, char **argv)`,
 * argv[0] being the command name; it parses its own options, makes one call
 * into runtime/, and returns the process exit status.  On failure it calls
 * cli_fail(), which prints "vessel: NAME: <error>" once (and logs it to
 * --log as JSON when asked), and returns 1.
 *
 * Options: describe them once in a table; cli_getopt() parses with it and
 * `--help`/`-h` prints usage generated from it, so every command's help
 * looks the same.  An id that is a printable ASCII letter is also the short
 * option (-d); long-only options use ids >= CLI_OPT_LONG.
 *
 *     enum { OPT_PID_FILE = CLI_OPT_LONG, OPT_NO_PIVOT };
 *     static const struct cli_option options[] = {
 *             {"bundle", 'b', CLI_ARG, "DIR", "path to the bundle (default: .)"},
 *             {"pid-file", OPT_PID_FILE, CLI_ARG, "FILE", "write the init's pid to FILE"},
 *             {"no-pivot", OPT_NO_PIVOT, CLI_NOARG, NULL, "use chroot, not pivot_root"},
 *             {0},
 *     };
 *     static const struct cli_command command = {
 *             .name = "create",
 *             .args = "[options] CONTAINER",
 *             .summary = "Create a container from a bundle.",
 *             .details = "The container waits for 'vessel start'.",   // optional
 *             .options = options,
 *     };
 *
 *     int cmd_create(struct vs_cli *cli, int argc, char **argv)
 *     {
 *             const char *bundle = ".";
 *             int c;
 *             while ((c = cli_getopt(cli, &command, argc, argv)) > 0) {
 *                     switch (c) {
 *                     case 'b': bundle = optarg; break;
 *                     case OPT_PID_FILE: ...; break;
 *                     }
 *             }
 *             if (c < 0)
 *                     return cli_opt_status(c);  // 0 after --help, 1 after a usage error
 *             if (cli_require_args(cli, argc, argv, 1, "container id"))
 *                     return 1;
 *             const char *id = argv[optind];
 *             ...
 *     }
 *
 * Parsing stops at the first non-option argument (so `exec ID ls -l` keeps
 * "-l" for ls), and a long option may be written with one dash (-bundle) as
 * runc's CLI library allows.  A NULL help string hides an option from --help
 * (accepted for compatibility, documented elsewhere). */
#ifndef VESSEL_CMD_CLI_H
#define VESSEL_CMD_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "lib/error.h"
#include "lib/log.h"

#define VESSEL_DEFAULT_ROOT "/run/vessel"

struct vs_cli {
	const char *root;     /* --root: state directory of all containers */
	const char *log_path; /* --log */
	enum vs_log_format log_format;
	bool debug;
	bool systemd_cgroup;
	const char *criu_path; /* --criu: the criu binary (checkpoint, restore) */
	const char *command;   /* the running command's name */
};

typedef int (*vs_cmd_fn)(struct vs_cli *cli, int argc, char **argv);

struct vs_command {
	const char *name;
	vs_cmd_fn fn;
	const char *summary; /* one line for `vessel --help` */
};

/* ---- per-command options ---------------------------------------------- */

enum { CLI_NOARG = no_argument, CLI_ARG = required_argument, CLI_OPTARG = optional_argument };

/* First id for long-only options (above every char). */
#define CLI_OPT_LONG 256

/* cli_getopt() results besides an option id. */
#define CLI_OPT_END  0	  /* options done; positional args start at argv[optind] */
#define CLI_OPT_HELP (-1) /* --help was printed: exit 0 */
#define CLI_OPT_FAIL (-2) /* a usage error was printed: exit 1 */

struct cli_option {
	const char *name;     /* long name without dashes: "bundle" */
	int id;		      /* returned by cli_getopt; a letter is also -X */
	int has_arg;	      /* CLI_NOARG, CLI_ARG, CLI_OPTARG */
	const char *arg_name; /* "DIR" in the help; NULL for flags */
	const char *help;     /* one line; NULL hides the option */
};

struct cli_command {
	const char *name;		  /* "create" */
	const char *args;		  /* "[options] CONTAINER" */
	const char *summary;		  /* one sentence */
	const char *details;		  /* optional paragraph(s) after the options */
	const struct cli_option *options; /* terminated by {0}; may be NULL */
	/* Options end at the first operand, for commands whose trailing
	 * operands are another program's argv (exec, ps, bundle) or a
	 * subcommand (image): runc's SkipArgReorder.  Otherwise options may
	 * also follow the operands (`update ID --pids-limit 5`), as in runc. */
	bool options_before_operands;
};

/* getopt_long_only over cmd->options (+ --help/-h).  Returns an option id
 * (optarg set as getopt does), CLI_OPT_END, CLI_OPT_HELP or CLI_OPT_FAIL.
 * Unknown options and missing arguments are reported here as usage
 * errors. */
int cli_getopt(struct vs_cli *cli, const struct cli_command *cmd, int argc, char **argv);
/* Exit status for a negative cli_getopt() result. */
static inline int cli_opt_status(int c)
{
	return c == CLI_OPT_HELP ? 0 : 1;
}
/* Print cmd's --help text to stdout. */
void cli_print_help(const struct cli_command *cmd);

/* The name vessel was invoked as (basename of argv[0], "vessel" until set).
 * Installed as `runc` for a client that only knows that name, vessel's help
 * and version speak of "runc ...", as the tools parsing them expect; error
 * messages keep saying "vessel". */
void cli_set_progname(const char *argv0);
const char *cli_progname(void);

/* ---- errors ------------------------------------------------------------ */

/* Print err once (stderr, and --log) as "COMMAND: message"; returns 1. */
int cli_fail(struct vs_cli *cli, struct vs_error *err);
/* Same for a usage error: prints the message and "see 'vessel COMMAND
 * --help'"; returns 1 (runc's exit code for bad usage). */
int cli_usage_error(struct vs_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After getopt: checks that exactly `n` positional arguments remain at
 * argv[optind]; otherwise prints a usage error and returns 1. */
int cli_require_args(struct vs_cli *cli, int argc, char **argv, int n, const char *what);
/* Same, for "at least n" (exec CONTAINER [COMMAND ARGS...]). */
int cli_require_min_args(struct vs_cli *cli, int argc, char **argv, int n, const char *what);

#endif
