/* The options `create` and `run` share (runc's create flags), declared once:
 * their ids, their --help entries and their parser, which lives in
 * cmd/create.c. */
#ifndef VESSEL_CMD_CREATE_OPTS_H
#define VESSEL_CMD_CREATE_OPTS_H

#include "cmd/cli.h"
#include "runtime/container/container.h"

enum {
	CREATE_OPT_PID_FILE = CLI_OPT_LONG,
	CREATE_OPT_CONSOLE_SOCKET,
	CREATE_OPT_PIDFD_SOCKET,
	CREATE_OPT_NO_PIVOT,
	CREATE_OPT_NO_NEW_KEYRING,
	CREATE_OPT_PRESERVE_FDS,
	CREATE_OPT_END /* a command's own long-only ids start here */
};

/* One option per line; clang-format would reflow the continuation lines. */
/* clang-format off */
#define CREATE_CLI_OPTIONS \
	{"bundle", 'b', CLI_ARG, "DIR", "path to the bundle (default: the current directory)"}, \
	{"pid-file", CREATE_OPT_PID_FILE, CLI_ARG, "FILE", "write the init's pid to FILE"}, \
	{"console-socket", CREATE_OPT_CONSOLE_SOCKET, CLI_ARG, "SOCK", \
	 "send the pty master of a terminal container to this unix socket"}, \
	{"pidfd-socket", CREATE_OPT_PIDFD_SOCKET, CLI_ARG, "SOCK", \
	 "send a pidfd of the container's init to this unix socket"}, \
	{"no-pivot", CREATE_OPT_NO_PIVOT, CLI_NOARG, NULL, "use chroot instead of pivot_root"}, \
	{"no-new-keyring", CREATE_OPT_NO_NEW_KEYRING, CLI_NOARG, NULL, \
	 "keep the caller's session keyring"}, \
	{"preserve-fds", CREATE_OPT_PRESERVE_FDS, CLI_ARG, "N", "pass fds 3..3+N-1 to the container"}
/* clang-format on */

/* Applies option c to o.  Returns 0, or 1 after printing a usage error (also
 * for an option that is not one of these). */
int create_parse_opt(struct vs_cli *cli, int c, struct ct_create_opts *o);

#endif
