/* What every cmd/<command>.c shares: the global options and the one place
 * errors are printed.
 *
 * A command is `int cmd_NAME(struct vs_cli *cli, int argc, char **argv)`,
 * argv[0] being the command name; it parses its own options, makes one call
 * into runtime/, and returns the process exit status.  On failure it calls
 * cli_fail(), which prints "vessel: NAME: <error>" once (and logs it to
 * --log as JSON when asked), and returns 1. */
#ifndef VESSEL_CMD_CLI_H
#define VESSEL_CMD_CLI_H

#include <stdbool.h>

#include "lib/error.h"
#include "lib/log.h"

#define VESSEL_DEFAULT_ROOT "/run/vessel"

struct vs_cli {
	const char *root;      /* --root: state directory of all containers */
	const char *log_path;  /* --log */
	enum vs_log_format log_format;
	bool debug;
	bool systemd_cgroup;
	const char *command;   /* the running command's name */
};

typedef int (*vs_cmd_fn)(struct vs_cli *cli, int argc, char **argv);

struct vs_command {
	const char *name;
	vs_cmd_fn fn;
	const char *summary; /* one line for `vessel --help` */
};

/* Print err once (stderr, and --log) as "COMMAND: message"; returns 1. */
int cli_fail(struct vs_cli *cli, struct vs_error *err);
/* Same for a usage error: prints the message and "see 'vessel COMMAND
 * --help'"; returns 1 (runc's exit code for bad usage). */
int cli_usage_error(struct vs_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After getopt: checks that exactly `n` positional arguments remain at
 * argv[optind]; otherwise prints a usage error and returns 1. */
int cli_require_args(struct vs_cli *cli, int argc, char **argv, int n, const char *what);

#endif
