/* `vessel update`: change the resource limits of a live container.
 *
 * The new values (a LinuxResources JSON from --resources, then the flags on
 * top) are merged into the container's current resources, the result is
 * written to its cgroup, and kept in the state dir's config so the next
 * update and `events` see it.  containerd sends `update --resources -`. */
#include <ctype.h>
#include <errno.h>
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
	OPT_KERNEL_MEMORY,
	OPT_KERNEL_MEMORY_TCP,
	OPT_CPU_SHARES,
	OPT_CPU_SHARE,
	OPT_CPU_QUOTA,
	OPT_CPU_PERIOD,
	OPT_CPU_RT_PERIOD,
	OPT_CPU_RT_RUNTIME,
	OPT_CPUSET_CPUS,
	OPT_CPUSET_MEMS,
	OPT_PIDS_LIMIT,
	OPT_BLKIO_WEIGHT,
	OPT_L3_CACHE_SCHEMA,
	OPT_MEM_BW_SCHEMA,
};

static const struct cli_option options[] = {
    {"resources", OPT_RESOURCES, CLI_ARG, "FILE", "LinuxResources JSON from FILE, or - for stdin"},
    {"memory", OPT_MEMORY, CLI_ARG, "BYTES", "memory limit (512m, 1g; -1 = unlimited)"},
    {"memory-swap", OPT_MEMORY_SWAP, CLI_ARG, "BYTES", "memory+swap limit (-1 = unlimited)"},
    {"memory-reservation", OPT_MEMORY_RESERVATION, CLI_ARG, "BYTES", "memory soft limit"},
    {"kernel-memory", OPT_KERNEL_MEMORY, CLI_ARG, "BYTES", "obsolete: ignored, with a warning"},
    {"kernel-memory-tcp", OPT_KERNEL_MEMORY_TCP, CLI_ARG, "BYTES",
     "obsolete: ignored, with a warning"},
    {"cpu-share", OPT_CPU_SHARE, CLI_ARG, "N", "CPU shares (relative weight)"},
    {"cpu-shares", OPT_CPU_SHARES, CLI_ARG, "N", "same as --cpu-share"},
    {"cpu-quota", OPT_CPU_QUOTA, CLI_ARG, "USEC", "CPU time per period (-1 = unlimited)"},
    {"cpu-period", OPT_CPU_PERIOD, CLI_ARG, "USEC", "CPU CFS period"},
    {"cpu-rt-period", OPT_CPU_RT_PERIOD, CLI_ARG, "USEC", "real-time period (cgroup v1)"},
    {"cpu-rt-runtime", OPT_CPU_RT_RUNTIME, CLI_ARG, "USEC",
     "real-time time per period (cgroup v1)"},
    {"cpuset-cpus", OPT_CPUSET_CPUS, CLI_ARG, "LIST", "CPUs to run on (0-3,5)"},
    {"cpuset-mems", OPT_CPUSET_MEMS, CLI_ARG, "LIST", "memory nodes to use"},
    {"pids-limit", OPT_PIDS_LIMIT, CLI_ARG, "N", "maximum number of processes (<= 0: none)"},
    {"blkio-weight", OPT_BLKIO_WEIGHT, CLI_ARG, "N", "block IO weight (10-1000)"},
    {"l3-cache-schema", OPT_L3_CACHE_SCHEMA, CLI_ARG, "SCHEMA",
     "Intel RDT/CAT L3 cache schema (not supported)"},
    {"mem-bw-schema", OPT_MEM_BW_SCHEMA, CLI_ARG, "SCHEMA",
     "Intel RDT/MBA memory bandwidth schema (not supported)"},
    {0},
};

static const struct cli_command command = {
    .name = "update",
    .args = "[options] CONTAINER",
    .summary = "Update the resource limits of a running container.",
    .details = "Flags apply on top of --resources.  Sizes are bytes or take a k, m, g, t, p\n"
	       "suffix (powers of 1024, \"512m\", \"1.5g\", \"2GiB\"); -1 is unlimited.\n"
	       "Values the kernel or the host's cgroups cannot take are errors that name\n"
	       "the resource; nothing is changed then.",
    .options = options,
};

/* "123", "512k", "1.5g", "2GiB", "100 MB", "-1": bytes, as runc's
 * RAMInBytes (a number, an optional space, a unit, optional "i" and "b"). */
static int parse_bytes(const char *s, int64_t *ret)
{
	if (strcmp(s, "-1") == 0) {
		*ret = -1;
		return 0;
	}
	size_t digits = strspn(s, "0123456789.");
	if (!digits || s[0] == '.' || strspn(s, "0123456789") == 0)
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end != s + digits || v < 0)
		return -1;
	static const char units[] = "bkmgtp";
	double mult = 1;
	if (*end == ' ')
		end++;
	if (*end) {
		const char *u = strchr(units, tolower((unsigned char)*end));
		if (!u)
			return -1;
		for (const char *k = units; k < u; k++)
			mult *= 1024;
		end++;
		if (strcasecmp(end, "b") != 0 && strcasecmp(end, "ib") != 0 &&
		    strcasecmp(end, "i") != 0 && *end)
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

/* Intel RDT: vessel does not manage resctrl groups.  runc refuses a
 * schema when the resctrl filesystem is absent; vessel says so, and that
 * it cannot apply one where resctrl is there either. */
static int refuse_rdt(int opt, struct vs_error *err)
{
	bool cat = opt == OPT_L3_CACHE_SCHEMA;
	_cleanup_free_ char *mi = NULL;
	struct vs_error e = VS_ERROR_INIT;
	bool mounted = vs_read_file("/proc/self/mountinfo", 0, &mi, NULL, &e) == 0 &&
		       strstr(mi, " - resctrl ") != NULL;
	vs_error_clear(&e);
	if (!mounted)
		return vs_error_set(err,
				    "--%s: Intel RDT/%s: %s is not enabled (no resctrl "
				    "filesystem is mounted)",
				    cat ? "l3-cache-schema" : "mem-bw-schema", cat ? "CAT" : "MBA",
				    cat ? "l3 cache schema" : "memory bandwidth schema");
	return vs_error_set(err, "--%s: Intel RDT is not supported by vessel",
			    cat ? "l3-cache-schema" : "mem-bw-schema");
}

static int apply_cpu_flag(struct oci_cpu *c, int opt, const char *v)
{
	switch (opt) {
	case OPT_CPU_SHARES:
	case OPT_CPU_SHARE:
		c->shares.set = true;
		return vs_parse_u64(v, &c->shares.value);
	case OPT_CPU_QUOTA:
		c->quota.set = true;
		return vs_parse_i64(v, &c->quota.value);
	case OPT_CPU_PERIOD:
		c->period.set = true;
		return vs_parse_u64(v, &c->period.value);
	case OPT_CPU_RT_PERIOD:
		c->realtime_period.set = true;
		return vs_parse_u64(v, &c->realtime_period.value);
	case OPT_CPU_RT_RUNTIME:
		c->realtime_runtime.set = true;
		return vs_parse_i64(v, &c->realtime_runtime.value);
	case OPT_CPUSET_CPUS:
		free(c->cpus);
		c->cpus = vs_strdup(v);
		return 0;
	case OPT_CPUSET_MEMS:
		free(c->mems);
		c->mems = vs_strdup(v);
		return 0;
	}
	return -1;
}

static int apply_memory_flag(struct oci_memory *m, int opt, const char *v)
{
	int64_t ignored;
	switch (opt) {
	case OPT_MEMORY:
		m->limit.set = true;
		return parse_bytes(v, &m->limit.value);
	case OPT_MEMORY_SWAP:
		m->swap.set = true;
		return parse_bytes(v, &m->swap.value);
	case OPT_MEMORY_RESERVATION:
		m->reservation.set = true;
		return parse_bytes(v, &m->reservation.value);
	case OPT_KERNEL_MEMORY:
	case OPT_KERNEL_MEMORY_TCP:
		/* runc too takes them, warns, and sets nothing */
		if (parse_bytes(v, &ignored) < 0)
			return -1;
		vs_log_warn("--kernel-memory and --kernel-memory-tcp are obsolete: kernel memory "
			    "settings are ignored");
		return 0;
	}
	return -1;
}

/* One flag into res; the struct's parts are allocated on demand and freed
 * with it. */
static int apply_flag(struct oci_resources *res, int opt, const char *v)
{
	uint64_t u;
	switch (opt) {
	case OPT_MEMORY:
	case OPT_MEMORY_SWAP:
	case OPT_MEMORY_RESERVATION:
	case OPT_KERNEL_MEMORY:
	case OPT_KERNEL_MEMORY_TCP:
		if (!res->memory)
			res->memory = vs_malloc0(sizeof(*res->memory));
		return apply_memory_flag(res->memory, opt, v);
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
	if (!res->cpu)
		res->cpu = vs_malloc0(sizeof(*res->cpu));
	return apply_cpu_flag(res->cpu, opt, v);
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
		struct vs_error rerr = VS_ERROR_INIT;
		if (c == OPT_RESOURCES) {
			resources = optarg;
		} else if (c == OPT_L3_CACHE_SCHEMA || c == OPT_MEM_BW_SCHEMA) {
			refuse_rdt(c, &rerr);
			return cli_fail(cli, &rerr);
		} else if (apply_flag(flags, c, optarg) < 0)
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
