/* `vessel update`: change the resource limits of a live container.
 *
 * The new values (a LinuxResources JSON from --resources, then the flags on
 * top) are merged into the container's current resources, the result is
 * written to its cgroup, and kept in the state dir's config so the next
 * update and `events` see it.  containerd sends `update --resources -`. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/container/container.h"

enum {
	OPT_RESOURCES = 'r',
	OPT_MEMORY = CLI_OPT_LONG,
	OPT_MEMORY_SWAP,
	OPT_MEMORY_RESERVATION,
	OPT_CPU_SHARES,
	OPT_CPU_QUOTA,
	OPT_CPU_PERIOD,
	OPT_CPUSET_CPUS,
	OPT_CPUSET_MEMS,
	OPT_PIDS_LIMIT,
	OPT_BLKIO_WEIGHT,
};

static const struct cli_option options[] = {
    {"resources", OPT_RESOURCES, CLI_ARG, "FILE", "LinuxResources JSON from FILE, or - for stdin"},
    {"memory", OPT_MEMORY, CLI_ARG, "BYTES", "memory limit (512m, 1g; -1 = unlimited)"},
    {"memory-swap", OPT_MEMORY_SWAP, CLI_ARG, "BYTES", "memory+swap limit (-1 = unlimited)"},
    {"memory-reservation", OPT_MEMORY_RESERVATION, CLI_ARG, "BYTES", "memory soft limit"},
    {"cpu-shares", OPT_CPU_SHARES, CLI_ARG, "N", "CPU shares (relative weight)"},
    {"cpu-quota", OPT_CPU_QUOTA, CLI_ARG, "USEC", "CPU time per period (-1 = unlimited)"},
    {"cpu-period", OPT_CPU_PERIOD, CLI_ARG, "USEC", "CPU CFS period"},
    {"cpuset-cpus", OPT_CPUSET_CPUS, CLI_ARG, "LIST", "CPUs to run on (0-3,5)"},
    {"cpuset-mems", OPT_CPUSET_MEMS, CLI_ARG, "LIST", "memory nodes to use"},
    {"pids-limit", OPT_PIDS_LIMIT, CLI_ARG, "N", "maximum number of processes (<= 0: none)"},
    {"blkio-weight", OPT_BLKIO_WEIGHT, CLI_ARG, "N", "block IO weight (10-1000)"},
    {0},
};

static const struct cli_command command = {
    .name = "update",
    .args = "[options] CONTAINER",
    .summary = "Update the resource limits of a running container.",
    .details = "Flags apply on top of --resources.  Sizes take a k, m, g, t suffix (powers\n"
	       "of 1024).  Values the kernel or the host's cgroups cannot take are errors\n"
	       "that name the resource; nothing is changed then.",
    .options = options,
};

/* "123", "512k", "1.5g", "2GiB", "-1": bytes, as runc's RAMInBytes. */
static int parse_bytes(const char *s, int64_t *ret)
{
	if (strcmp(s, "-1") == 0) {
		*ret = -1;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0 || !isdigit((unsigned char)s[0]))
		return -1;
	static const char units[] = "bkmgtp";
	double mult = 1;
	if (*end) {
		const char *u = strchr(units, tolower((unsigned char)*end));
		if (!u)
			return -1;
		mult = pow(1024, (double)(u - units));
		end++;
		if (strcasecmp(end, "b") != 0 && strcasecmp(end, "ib") != 0 && *end)
			return -1;
	}
	v *= mult;
	if (v > (double)INT64_MAX)
		return -1;
	*ret = (int64_t)v;
	return 0;
}

static void resources_freep(struct oci_resources **r)
{
	oci_resources_free(*r);
}

static void handle_freep(struct cg_handle **h)
{
	cg_handle_free(*h);
}

static void config_freep(struct oci_config **c)
{
	oci_config_free(*c);
}

/* One flag into res; the struct's parts are allocated on demand and freed
 * with it. */
static int apply_flag(struct oci_resources *res, int opt, const char *v)
{
	if (!res->memory &&
	    (opt == OPT_MEMORY || opt == OPT_MEMORY_SWAP || opt == OPT_MEMORY_RESERVATION))
		res->memory = vs_malloc0(sizeof(*res->memory));
	if (!res->cpu && opt >= OPT_CPU_SHARES && opt <= OPT_CPUSET_MEMS)
		res->cpu = vs_malloc0(sizeof(*res->cpu));
	uint64_t u;
	switch (opt) {
	case OPT_MEMORY:
		res->memory->limit.set = true;
		return parse_bytes(v, &res->memory->limit.value);
	case OPT_MEMORY_SWAP:
		res->memory->swap.set = true;
		return parse_bytes(v, &res->memory->swap.value);
	case OPT_MEMORY_RESERVATION:
		res->memory->reservation.set = true;
		return parse_bytes(v, &res->memory->reservation.value);
	case OPT_CPU_SHARES:
		res->cpu->shares.set = true;
		return vs_parse_u64(v, &res->cpu->shares.value);
	case OPT_CPU_QUOTA:
		res->cpu->quota.set = true;
		return vs_parse_i64(v, &res->cpu->quota.value);
	case OPT_CPU_PERIOD:
		res->cpu->period.set = true;
		return vs_parse_u64(v, &res->cpu->period.value);
	case OPT_CPUSET_CPUS:
		free(res->cpu->cpus);
		res->cpu->cpus = vs_strdup(v);
		return 0;
	case OPT_CPUSET_MEMS:
		free(res->cpu->mems);
		res->cpu->mems = vs_strdup(v);
		return 0;
	case OPT_PIDS_LIMIT:
		res->has_pids = res->pids_limit.set = true;
		return vs_parse_i64(v, &res->pids_limit.value);
	case OPT_BLKIO_WEIGHT:
		if (vs_parse_u64(v, &u) < 0 || u < 10 || u > 1000)
			return -1;
		if (!res->block_io)
			res->block_io = vs_malloc0(sizeof(*res->block_io));
		res->block_io->weight = (oci_opt_u32){true, (uint32_t)u};
		return 0;
	}
	return -1;
}

static const char *option_name(int id)
{
	for (const struct cli_option *o = options; o->name; o++)
		if (o->id == id)
			return o->name;
	return "?";
}

static int load_resources_file(const char *path, struct oci_resources **ret, struct vs_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	bool stdin_ = strcmp(path, "-") == 0;
	if ((stdin_ ? vs_read_fd(STDIN_FILENO, 0, &text, &len, err)
		    : vs_read_file(path, 0, &text, &len, err)) < 0)
		return vs_error_wrap(err, "--resources");
	if (oci_resources_parse(text, len, stdin_ ? "--resources (stdin)" : path, ret, err) < 0)
		return -1;
	for (char **w = (*ret)->warnings; w && *w; w++)
		vs_log_warn("%s", *w);
	return 0;
}

/* Merge, apply, persist.  The container is locked exclusively. */
static int update(struct ct_container *ct, const struct oci_resources *file_res,
		  const struct oci_resources *flag_res, struct vs_error *err)
{
	const char *status = ct_status(ct);
	if (strcmp(status, OCI_STATUS_STOPPED) == 0)
		return vs_error_set(err, "container %s is stopped: nothing to update", ct->id);
	_cleanup_(config_freep) struct oci_config *config = NULL;
	if (ct_load_config(ct, &config, err) < 0)
		return -1;
	if (!config->lnx)
		config->lnx = vs_malloc0(sizeof(*config->lnx));
	if (file_res)
		cg_resources_merge(&config->lnx->resources, file_res);
	cg_resources_merge(&config->lnx->resources, flag_res);
	_cleanup_(handle_freep) struct cg_handle *h = NULL;
	if (cg_open(ct->state->cgroup_path, &h, err) < 0 ||
	    cg_update(h, config->lnx->resources, err) < 0)
		return -1;
	return ct_save_config(ct, config, err);
}

int cmd_update(struct vs_cli *cli, int argc, char **argv)
{
	const char *resources = NULL;
	_cleanup_(resources_freep) struct oci_resources *flags = vs_malloc0(sizeof(*flags));
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0) {
		if (c == OPT_RESOURCES)
			resources = optarg;
		else if (apply_flag(flags, c, optarg) < 0)
			return cli_usage_error(cli, "--%s: invalid value '%s'", option_name(c),
					       optarg);
	}
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 1, "container id"))
		return 1;
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_(resources_freep) struct oci_resources *file_res = NULL;
	if (resources && load_resources_file(resources, &file_res, &err) < 0)
		return cli_fail(cli, &err);
	_cleanup_ct_ struct ct_container *ct = NULL;
	if (ct_load(cli->root, argv[optind], CT_LOCK_EXCLUSIVE, &ct, &err) < 0 ||
	    update(ct, file_res, flags, &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}
