/* vessel's entry point: global options, then dispatch to cmd_<name>(). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "lib/cleanup.h"
#include "lib/util.h"
#include "oci/oci.h"
#include "runtime/exeseal/exeseal.h"
#include "runtime/rootless/rootless.h"

static const struct vs_command commands[] = {
#define X(n, s) {#n, cmd_##n, s},
    VS_COMMANDS(X)
#undef X
};

static void usage(FILE *out)
{
	const char *name = cli_progname();
	/* runc's first two lines, which scripts check for */
	fprintf(out, "NAME:\n   %s - Open Container Initiative runtime\n\n", name);
	fprintf(out, "usage: %s [global options] COMMAND [options] ARGS\n\n", name);
	fprintf(out, "An OCI container runtime (runtime-spec " OCI_SPEC_VERSION ").\n\n"
		     "commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "  %-11s %s\n", "help", "print this help, or a command's: help COMMAND");
	fprintf(out, "\nglobal options:\n"
		     "  --root DIR             state directory (default " VESSEL_DEFAULT_ROOT ";\n"
		     "                         $XDG_RUNTIME_DIR/vessel for a rootless user)\n"
		     "  --log FILE             also write errors and warnings to FILE (appended)\n"
		     "  --log-format FORMAT    text or json (default text)\n"
		     "  --debug                log debug messages\n"
		     "  --systemd-cgroup       cgroupsPath is slice:prefix:name (needs systemd)\n"
		     "  --rootless MODE        true, false or auto (default auto: detected)\n"
		     "  --criu PATH            the criu binary for checkpoint and restore\n"
		     "  -v, --version          print version information\n"
		     "  -h, --help             print this help\n\n"
		     "Run 'vessel COMMAND --help' for a command's options.\n");
}

static void version(void)
{
	const char *name = cli_progname();
	printf("%s version %s\ncommit: %s\nspec: %s\n", name, VESSEL_VERSION, VESSEL_COMMIT,
	       OCI_SPEC_VERSION);
	/* installed under another name (runc): still say what this is */
	if (strcmp(name, "vessel") != 0)
		printf("runtime: vessel\n");
}

/* An unknown command asked for its help: runc's answer, which scripts
 * match, rather than the full usage. */
static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-help") == 0)
			return true;
	return false;
}

static const struct vs_command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

enum {
	OPT_ROOT = 1000,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG,
	OPT_SYSTEMD_CGROUP,
	OPT_ROOTLESS,
	OPT_CRIU
};

/* What parse_global decided besides filling cli. */
struct global_result {
	int cmd_index; /* argv index of the command name, 0 if none */
	bool show_help;
	bool show_version;
	bool error_usage;     /* print the full usage with the error */
	char *error;	      /* usage error, reported once the log is open */
	char *root_buf;	      /* --root made absolute, or the rootless default */
	bool root_set;	      /* --root given */
	const char *root_how; /* why the rootless default root, for --debug */
};

static int set_log_format(struct vs_cli *cli, const char *arg, struct global_result *r)
{
	if (strcmp(arg, "json") == 0)
		cli->log_format = VS_LOG_JSON;
	else if (strcmp(arg, "text") == 0)
		cli->log_format = VS_LOG_TEXT;
	else {
		r->error =
		    vs_strdup_printf("--log-format: unknown format '%s' (text or json)", arg);
		return -1;
	}
	return 0;
}

static int global_option(struct vs_cli *cli, int c, char **argv, struct global_result *r)
{
	switch (c) {
	case OPT_ROOT:
		if (!*optarg) {
			r->error = vs_strdup("--root: empty path");
			return -1;
		}
		cli->root = optarg;
		r->root_set = true;
		return 0;
	case OPT_LOG:
		cli->log_path = optarg;
		return 0;
	case OPT_LOG_FORMAT:
		return set_log_format(cli, optarg, r);
	case OPT_DEBUG:
		cli->debug = true;
		return 0;
	case OPT_SYSTEMD_CGROUP:
		cli->systemd_cgroup = true;
		return 0;
	case OPT_ROOTLESS:
		/* runc accepts true|false|auto; vessel always decides by itself
		 * (rl_active), so only a choice that contradicts it is refused. */
		if (strcmp(optarg, "auto") == 0 || (strcmp(optarg, "false") == 0 && !rl_active()) ||
		    (strcmp(optarg, "true") == 0 && rl_active()))
			return 0;
		r->error = vs_strdup_printf(
		    "--rootless %s: vessel runs %s here (rootless mode is chosen by the "
		    "effective uid and user namespace)",
		    optarg, rl_active() ? "rootless" : "as root of the host");
		return -1;
	case OPT_CRIU:
		cli->criu_path = optarg;
		return 0;
	case 'v':
		r->show_version = true;
		return 1;
	case 'h':
		r->show_help = true;
		return 1;
	case ':':
		r->error = vs_strdup_printf("option '%s' needs an argument", argv[optind - 1]);
		return -1;
	default:
		r->error_usage = true;
		r->error = vs_strdup_printf("unknown global option '%s'", argv[optind - 1]);
		return -1;
	}
}

/* Parses global options up to the command name.  Errors are kept in
 * r->error rather than printed, so that they can reach --log (opened only
 * once every global option is known). */
static void parse_global(struct vs_cli *cli, int argc, char **argv, struct global_result *r)
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
	opterr = 0;
	/* '+': stop at the command name; its options are its own.  Long options
	 * also accept one dash (-root), as runc's CLI library does. */
	while ((c = getopt_long_only(argc, argv, "+:vh", opts, NULL)) != -1)
		if (global_option(cli, c, argv, r) != 0)
			return;
	if (optind >= argc) {
		r->error_usage = true;
		r->error = vs_strdup("missing command");
	} else
		r->cmd_index = optind;
}

/* The state paths end up in state.json and in processes that change
 * directory, so a relative --root is resolved once, here, as runc does. */
static void absolute_root(struct vs_cli *cli, struct global_result *r)
{
	if (cli->root[0] == '/')
		return;
	char *cwd = getcwd(NULL, 0);
	if (!cwd) {
		r->error = vs_strdup_printf("--root %s: cannot resolve the current directory: %m",
					    cli->root);
		return;
	}
	r->root_buf = vs_strdup_printf("%s/%s", cwd, cli->root);
	cli->root = r->root_buf;
	free(cwd);
}

/* Without --root, an unprivileged user's state goes to a directory of its
 * own (runc: $XDG_RUNTIME_DIR/runc), never to /run/vessel it cannot write. */
static void rootless_root(struct vs_cli *cli, struct global_result *r)
{
	if (r->root_set || r->error || !r->cmd_index || !rl_active())
		return;
	struct vs_error err = VS_ERROR_INIT;
	char *root = NULL;
	if (rl_default_root(&root, &r->root_how, &err) < 0) {
		r->error = vs_strdup(err.msg);
		vs_error_clear(&err);
		return;
	}
	r->root_buf = root;
	cli->root = root;
}

/* `vessel help [COMMAND]`. */
static int run_help(struct vs_cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	const struct vs_command *cmd = find_command(argv[1]);
	if (!cmd)
		return cli_usage_error(cli, "help: unknown command '%s'", argv[1]);
	char *help_argv[] = {argv[1], (char *)"--help", NULL};
	cli->command = cmd->name;
	optind = 0;
	return cmd->fn(cli, 2, help_argv);
}

/* The commands whose processes enter a container run from an image of
 * vessel's binary that the container cannot overwrite (CVE-2019-5736): the
 * re-exec comes first, before anything is opened.  Other commands do not
 * pay for it. */
static enum exeseal_kind seal_exe(char **argv, const struct global_result *r, struct vs_error *err)
{
	enum exeseal_kind kind = EXESEAL_WRITABLE;
	const char *name = r->cmd_index ? argv[r->cmd_index] : "";
	if (!r->error &&
	    (strcmp(name, "create") == 0 || strcmp(name, "run") == 0 || strcmp(name, "exec") == 0))
		exeseal_ensure(argv, &kind, err);
	return kind;
}

static int dispatch(struct vs_cli *cli, int argc, char **argv)
{
	if (strcmp(argv[0], "help") == 0)
		return run_help(cli, argc, argv);
	const struct vs_command *cmd = find_command(argv[0]);
	if (!cmd && wants_help(argc, argv))
		return cli_usage_error(cli, "unknown command '%s': No help topic for '%s'", argv[0],
				       argv[0]);
	if (!cmd) {
		usage(stderr);
		return cli_usage_error(cli, "unknown command '%s'", argv[0]);
	}
	cli->command = cmd->name;
	optind = 0; /* reset getopt for the command's own parsing */
	return cmd->fn(cli, argc, argv);
}

int main(int argc, char **argv)
{
	struct vs_cli cli = {.root = VESSEL_DEFAULT_ROOT, .log_format = VS_LOG_TEXT};
	struct global_result r = {0};
	cli_set_progname(argv[0]);
	parse_global(&cli, argc, argv, &r);
	rootless_root(&cli, &r);
	if (!r.error)
		absolute_root(&cli, &r);
	struct vs_error seal_err = VS_ERROR_INIT;
	enum exeseal_kind seal = seal_exe(argv, &r, &seal_err);
	if (r.show_version || r.show_help) {
		if (r.show_version)
			version();
		else
			usage(stdout);
		return 0;
	}
	if (vs_log_open(cli.log_path, cli.log_format, cli.debug) < 0) {
		fprintf(stderr, "vessel: --log %s: %m\n", cli.log_path);
		free(r.error);
		free(r.root_buf);
		return 1;
	}
	int rc;
	if (r.error) {
		if (r.error_usage)
			usage(stderr);
		rc = cli_usage_error(&cli, "%s", r.error);
		free(r.error);
	} else if (vs_error_failed(&seal_err)) {
		cli.command = argv[r.cmd_index];
		rc = cli_fail(&cli, &seal_err);
	} else {
		if (seal != EXESEAL_WRITABLE)
			vs_log(VS_LOG_DEBUG, "exe: %s", exeseal_kind_name(seal));
		if (r.root_how)
			vs_log(VS_LOG_DEBUG, "rootless: state in %s (%s)", cli.root, r.root_how);
		rc = dispatch(&cli, argc - r.cmd_index, argv + r.cmd_index);
	}
	vs_log_close();
	free(r.root_buf);
	return rc;
}
