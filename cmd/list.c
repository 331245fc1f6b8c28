/* `vessel list`: every container under --root, as a table or JSON. */
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "cmd/commands.h"
#include "lib/cleanup.h"
#include "runtime/container/container.h"

static const struct cli_option options[] = {
    {"format", 'f', CLI_ARG, "FORMAT", "table (default) or json"},
    {"quiet", 'q', CLI_NOARG, NULL, "print only the container ids"},
    {0},
};

static const struct cli_command command = {
    .name = "list",
    .args = "[options]",
    .summary = "List the containers under --root.",
    .options = options,
};

static void gen_str(yajl_gen g, const char *k, const char *v)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
	v = v ? v : "";
	yajl_gen_string(g, (const unsigned char *)v, strlen(v));
}

static void gen_container(yajl_gen g, struct ct_container *ct)
{
	const struct oci_state *s = ct->state;
	const char *status = ct_status(ct);
	yajl_gen_map_open(g);
	gen_str(g, "ociVersion", s->oci_version);
	gen_str(g, "id", s->id);
	yajl_gen_string(g, (const unsigned char *)"pid", 3);
	yajl_gen_integer(g, strcmp(status, OCI_STATUS_STOPPED) == 0 ? 0 : s->pid);
	gen_str(g, "status", status);
	gen_str(g, "bundle", s->bundle);
	gen_str(g, "rootfs", s->rootfs);
	gen_str(g, "created", s->created);
	gen_str(g, "owner", s->owner);
	yajl_gen_map_close(g);
}

static void print_one(struct ct_container *ct, const char *format, bool quiet, yajl_gen g)
{
	if (quiet) {
		printf("%s\n", ct->id);
	} else if (g) {
		gen_container(g, ct);
	} else {
		const char *status = ct_status(ct);
		int pid = strcmp(status, OCI_STATUS_STOPPED) == 0 ? 0 : ct->state->pid;
		printf("%-12s %-8d %-10s %-40s %-32s %s\n", ct->id, pid, status, ct->state->bundle,
		       ct->state->created ? ct->state->created : "",
		       ct->state->owner ? ct->state->owner : "");
	}
}

static int list_all(struct vs_cli *cli, const char *format, bool quiet, struct vs_error *err)
{
	_cleanup_strv_ char **ids = NULL;
	if (ct_list(cli->root, &ids, err) < 0)
		return -1;
	yajl_gen g = NULL;
	if (!quiet && strcmp(format, "json") == 0) {
		g = yajl_gen_alloc(NULL);
		yajl_gen_array_open(g);
	} else if (!quiet) {
		printf("%-12s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	}
	for (size_t i = 0; ids[i]; i++) {
		struct vs_error e = VS_ERROR_INIT;
		_cleanup_ct_ struct ct_container *ct = NULL;
		/* One that vanished (deleted meanwhile) is simply not listed. */
		if (ct_load(cli->root, ids[i], CT_LOCK_SHARED, &ct, &e) < 0) {
			vs_error_clear(&e);
			continue;
		}
		print_one(ct, format, quiet, g);
	}
	if (g) {
		const unsigned char *buf;
		size_t len;
		yajl_gen_array_close(g);
		yajl_gen_get_buf(g, &buf, &len);
		printf("%.*s\n", (int)len, buf);
		yajl_gen_free(g);
	}
	return 0;
}

int cmd_list(struct vs_cli *cli, int argc, char **argv)
{
	const char *format = "table";
	bool quiet = false;
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		}
	}
	if (c < 0)
		return cli_opt_status(c);
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error(cli, "--format: unknown format '%s' (table or json)",
				       format);
	if (cli_require_args(cli, argc, argv, 0, "nothing"))
		return 1;
	struct vs_error err = VS_ERROR_INIT;
	if (list_all(cli, format, quiet, &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}
