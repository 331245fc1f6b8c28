/* vessel exec: run a new process inside a running container. */
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/exec/exec.h"

enum {
	OPT_CONSOLE_SOCKET = CLI_OPT_LONG,
	OPT_CWD,
	OPT_PID_FILE,
	OPT_PROCESS_LABEL,
	OPT_APPARMOR,
	OPT_NO_NEW_PRIVS,
	OPT_PRESERVE_FDS,
	OPT_IGNORE_PAUSED,
	OPT_CGROUP,
	OPT_PIDFD_SOCKET,
};

static const struct cli_option options[] = {
    {"process", 'p', CLI_ARG, "FILE",
     "runtime-spec process JSON to run (instead of COMMAND and the flags that change the process)"},
    {"tty", 't', CLI_NOARG, NULL, "allocate a pseudo-TTY"},
    {"console-socket", OPT_CONSOLE_SOCKET, CLI_ARG, "SOCK",
     "send the pty master to this unix socket (with -t)"},
    {"pidfd-socket", OPT_PIDFD_SOCKET, CLI_ARG, "SOCK",
     "send a pidfd of the new process to this unix socket"},
    {"detach", 'd', CLI_NOARG, NULL, "return once the process runs"},
    {"pid-file", OPT_PID_FILE, CLI_ARG, "FILE", "write the process's pid to FILE"},
    {"env", 'e', CLI_ARG, "KEY=VALUE", "set an environment variable (repeatable)"},
    {"cwd", OPT_CWD, CLI_ARG, "DIR", "working directory in the container"},
    {"user", 'u', CLI_ARG, "UID[:GID]", "run as this user"},
    {"additional-gids", 'g', CLI_ARG, "GID", "add a supplementary group (repeatable)"},
    {"cap", 'c', CLI_ARG, "CAP", "add a capability (repeatable)"},
    {"no-new-privs", OPT_NO_NEW_PRIVS, CLI_NOARG, NULL, "set no_new_privs for the process"},
    {"apparmor", OPT_APPARMOR, CLI_ARG, "PROFILE", "AppArmor profile for the process"},
    {"process-label", OPT_PROCESS_LABEL, CLI_ARG, "LABEL", "SELinux label for the process"},
    {"preserve-fds", OPT_PRESERVE_FDS, CLI_ARG, "N", "pass fds 3..3+N-1 to the process"},
    {"ignore-paused", OPT_IGNORE_PAUSED, CLI_NOARG, NULL, "exec even if the container is paused"},
    {"cgroup", OPT_CGROUP, CLI_ARG, "[CTRL[,CTRL...]:]PATH",
     "run in this existing sub-cgroup of the container's (repeatable)"},
    {0},
};

static const struct cli_command command = {
    .name = "exec",
    .args = "[options] CONTAINER [COMMAND [ARGS...]]",
    .summary = "Run a new process inside a running container.",
    .details = "Without --process, the container's own process is the base: COMMAND\n"
	       "replaces its args, -e adds to its env, --cap adds to its capability sets.\n"
	       "The exit status is the process's own (128+N if killed by signal N); 255\n"
	       "when vessel itself fails.",
    .options = options,
    .options_before_operands = true,
};

/* --additional-gids 1,2 and repeated flags both add. */
static void push_split(char ***v, const char *s)
{
	_cleanup_free_ char *copy = vs_strdup(s);
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		vs_strv_push(v, t);
}

struct exec_args {
	struct exec_request req;
	char **env, **gids, **caps, **cgroups;
};

static int parse(struct vs_cli *cli, int argc, char **argv, struct exec_args *a)
{
	struct exec_request *r = &a->req;
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0) {
		switch (c) {
		case 'p':
			r->process_file = optarg;
			break;
		case 't':
			r->ov.tty = true;
			break;
		case OPT_CONSOLE_SOCKET:
			r->console_socket = optarg;
			break;
		case OPT_PIDFD_SOCKET:
			r->pidfd_socket = optarg;
			break;
		case 'd':
			r->detach = true;
			break;
		case OPT_PID_FILE:
			r->pid_file = optarg;
			break;
		case 'e':
			vs_strv_push(&a->env, optarg);
			break;
		case OPT_CWD:
			r->ov.cwd = optarg;
			break;
		case 'u':
			r->ov.user = optarg;
			break;
		case 'g':
			push_split(&a->gids, optarg);
			break;
		case 'c':
			vs_strv_push(&a->caps, optarg);
			break;
		case OPT_NO_NEW_PRIVS:
			r->ov.no_new_privs = true;
			break;
		case OPT_APPARMOR:
			r->ov.apparmor = optarg;
			break;
		case OPT_PROCESS_LABEL:
			r->ov.label = optarg;
			break;
		case OPT_PRESERVE_FDS:
			if (vs_parse_int(optarg, &r->preserve_fds) < 0 || r->preserve_fds < 0) {
				cli_usage_error(cli,
						"--preserve-fds: \"%s\" is not a non-negative "
						"number",
						optarg);
				return CLI_OPT_FAIL;
			}
			break;
		case OPT_IGNORE_PAUSED:
			r->ignore_paused = true;
			break;
		case OPT_CGROUP:
			vs_strv_push(&a->cgroups, optarg);
			break;
		}
	}
	if (c < 0)
		return c;
	if (cli_require_min_args(cli, argc, argv, 1, "container id"))
		return CLI_OPT_FAIL;
	r->id = argv[optind];
	r->ov.args = argc - optind > 1 ? argv + optind + 1 : NULL;
	if (!r->process_file && !r->ov.args) {
		cli_usage_error(cli, "missing command to run (or --process FILE)");
		return CLI_OPT_FAIL;
	}
	return 0;
}

int cmd_exec(struct vs_cli *cli, int argc, char **argv)
{
	struct exec_args a = {0};
	a.req.root = cli->root;
	int r = parse(cli, argc, argv, &a);
	if (r == 0) {
		a.req.ov.env = a.env;
		a.req.ov.additional_gids = a.gids;
		a.req.ov.caps = a.caps;
		a.req.cgroups = a.cgroups;
		struct vs_error err = VS_ERROR_INIT;
		int code = 0;
		if (exec_container(&a.req, &code, &err) < 0) {
			cli_fail(cli, &err);
			code = 255;
		}
		r = code;
	} else {
		r = r == CLI_OPT_HELP ? 0 : 1;
	}
	vs_strv_free(a.env);
	vs_strv_free(a.gids);
	vs_strv_free(a.caps);
	vs_strv_free(a.cgroups);
	return r;
}
