/* `vessel ps`: the processes of a container, from its cgroup (without one,
 * rootless, from the pid namespace it made).
 *
 * As runc: --format json prints the host pids as a JSON array (what
 * containerd reads); table runs the host's ps(1) with the given arguments
 * (default -ef) and keeps the header and the lines whose PID column is one
 * of the container's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/container/container.h"

static const struct cli_option options[] = {
    {"format", 'f', CLI_ARG, "FORMAT", "table (default) or json"},
    {0},
};

static const struct cli_command command = {
    .name = "ps",
    .args = "[options] CONTAINER [-- PS-ARGS...]",
    .summary = "List the processes of a container.",
    .details = "table runs ps(1) with PS-ARGS (default -ef) and keeps the container's lines;\n"
	       "json prints the host pids as a JSON array.",
    .options = options,
    .options_before_operands = true,
};

/* Runs ps with args and returns its whole stdout. */
static int run_ps(char **args, char **ret_out, struct vs_error *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return vs_error_errno(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0)
		return vs_error_errno(err, errno, "fork");
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execvp("ps", args);
		_exit(127);
	}
	close(p[1]);
	int r = vs_read_fd(p[0], 0, ret_out, NULL, err);
	close(p[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return vs_error_set(err, "ps %s failed (exit status %d)%s", args[1] ? args[1] : "",
				    WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				    WIFEXITED(status) && WEXITSTATUS(status) == 127
					? ": ps(1) is not installed (procps)"
					: "");
	return 0;
}

/* Index of the PID column in ps's header, -1 if none. */
static int pid_column(const char *header)
{
	_cleanup_free_ char *h = vs_strdup(header);
	char *save = NULL;
	int i = 0;
	for (char *w = strtok_r(h, " \t", &save); w; w = strtok_r(NULL, " \t", &save), i++)
		if (strcmp(w, "PID") == 0)
			return i;
	return -1;
}

static bool line_has_pid(const char *line, int col, const pid_t *pids, size_t n)
{
	_cleanup_free_ char *l = vs_strdup(line);
	char *save = NULL, *w = strtok_r(l, " \t", &save);
	for (int i = 0; w && i < col; i++)
		w = strtok_r(NULL, " \t", &save);
	int pid;
	if (!w || vs_parse_int(w, &pid) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

static int print_table(char **ps_args, const pid_t *pids, size_t n, struct vs_error *err)
{
	_cleanup_free_ char *out = NULL;
	if (run_ps(ps_args, &out, err) < 0)
		return -1;
	char *nl = strchr(out, '\n');
	if (!nl)
		return vs_error_set(err, "ps printed no header");
	*nl = '\0';
	int col = pid_column(out);
	if (col < 0)
		return vs_error_set(err, "ps output has no PID column (header: \"%s\")", out);
	printf("%s\n", out);
	char *save = NULL;
	for (char *line = strtok_r(nl + 1, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (line_has_pid(line, col, pids, n))
			printf("%s\n", line);
	return 0;
}

int cmd_ps(struct vs_cli *cli, int argc, char **argv)
{
	const char *format = "table";
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		if (c == 'f')
			format = optarg;
	if (c < 0)
		return cli_opt_status(c);
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error(cli, "--format %s: expected table or json", format);
	if (cli_require_min_args(cli, argc, argv, 1, "container id"))
		return 1;
	const char *id = argv[optind];
	char **extra = argv + optind + 1;
	if (*extra && strcmp(*extra, "--") == 0)
		extra++;
	if (strcmp(format, "json") == 0 && *extra)
		return cli_usage_error(cli, "ps arguments cannot be used with --format json");

	struct vs_error err = VS_ERROR_INIT;
	_cleanup_ct_ struct ct_container *ct = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	if (ct_load(cli->root, id, CT_LOCK_SHARED, &ct, &err) < 0 ||
	    ct_pids(ct, &pids, &n, &err) < 0)
		return cli_fail(cli, &err);
	if (strcmp(format, "json") == 0) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		return 0;
	}
	_cleanup_strv_ char **args = NULL;
	vs_strv_push(&args, "ps");
	if (!*extra)
		vs_strv_push(&args, "-ef");
	for (; *extra; extra++)
		vs_strv_push(&args, *extra);
	if (print_table(args, pids, n, &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}
