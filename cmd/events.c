/* `vessel events`: runc-compatible JSON events, one object per line.
 *
 *   {"type":"stats","id":ID,"data":{cpu, memory, pids, blkio, hugetlb}}
 *       every --interval (default 5s), or once with --stats
 *   {"type":"oom","id":ID}
 *       whenever memory.events' oom_kill counter grows (cgroup2), or the
 *       v1 memory cgroup signals an OOM (hybrid hosts)
 *
 * Without --stats it runs until the container's init exits. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cmd/commands.h"
#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/container/container.h"

enum { OPT_STATS = CLI_OPT_LONG, OPT_INTERVAL };

static const struct cli_option options[] = {
    {"stats", OPT_STATS, CLI_NOARG, NULL, "print the statistics once and exit"},
    {"interval", OPT_INTERVAL, CLI_ARG, "DURATION", "time between stats events (default 5s)"},
    {0},
};

static const struct cli_command command = {
    .name = "events",
    .args = "[options] CONTAINER",
    .summary = "Print container events (stats, oom) as JSON lines.",
    .details = "DURATION is as in Go: 500ms, 5s, 1m30s.  Ends when the container stops.",
    .options = options,
};

/* Go's time.ParseDuration subset: one or more NUMBER UNIT pairs. */
static int parse_duration_ms(const char *s, int64_t *ret)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3},	{"ms", 1},
		     {"s", 1000},  {"m", 60000}, {"h", 3600000}};
	double total = 0;
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		if (end == s || v < 0)
			return -1;
		size_t best = 0, best_len = 0;
		for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
			size_t l = strlen(units[i].unit);
			if (strncmp(end, units[i].unit, l) == 0 && l > best_len)
				best = i, best_len = l;
		}
		if (!best_len)
			return -1;
		total += v * units[best].ms;
		s = end + best_len;
	}
	if (total < 1 || total > 86400000.0)
		return -1;
	*ret = (int64_t)total;
	return 0;
}

static void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_u64(yajl_gen g, const char *key, uint64_t v)
{
	char buf[24];
	gen_str(g, key);
	int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	yajl_gen_number(g, buf, (size_t)n);
}

static void gen_cpu(yajl_gen g, const struct cg_stats *s)
{
	gen_str(g, "cpu");
	yajl_gen_map_open(g);
	gen_str(g, "usage");
	yajl_gen_map_open(g);
	gen_u64(g, "total", s->cpu_usage_total_ns);
	gen_u64(g, "kernel", s->cpu_usage_system_ns);
	gen_u64(g, "user", s->cpu_usage_user_ns);
	yajl_gen_map_close(g);
	gen_str(g, "throttling");
	yajl_gen_map_open(g);
	gen_u64(g, "periods", s->cpu_throttle_periods);
	gen_u64(g, "throttled_periods", s->cpu_throttled_periods);
	gen_u64(g, "throttled_time", s->cpu_throttled_time_ns);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void gen_mem_entry(yajl_gen g, const char *key, uint64_t limit, uint64_t usage, uint64_t max,
			  uint64_t failcnt)
{
	gen_str(g, key);
	yajl_gen_map_open(g);
	gen_u64(g, "limit", limit);
	gen_u64(g, "usage", usage);
	gen_u64(g, "max", max);
	gen_u64(g, "failcnt", failcnt);
	yajl_gen_map_close(g);
}

static void gen_memory(yajl_gen g, const struct cg_stats *s)
{
	gen_str(g, "memory");
	yajl_gen_map_open(g);
	/* page cache: "file" in cgroup2's memory.stat, "cache" in v1's */
	for (size_t i = 0; i < s->n_mem_stat; i++)
		if (strcmp(s->mem_stat_keys[i], "file") == 0 ||
		    strcmp(s->mem_stat_keys[i], "cache") == 0)
			gen_u64(g, "cache", s->mem_stat_values[i]);
	gen_mem_entry(g, "usage", s->mem_limit, s->mem_usage, s->mem_max_usage, s->mem_failcnt);
	gen_mem_entry(g, "swap", s->swap_limit, s->swap_usage, 0, 0);
	gen_str(g, "raw");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < s->n_mem_stat; i++)
		gen_u64(g, s->mem_stat_keys[i], s->mem_stat_values[i]);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void gen_io_list(yajl_gen g, const char *key, const struct cg_stats_io_entry *e, size_t n)
{
	gen_str(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_u64(g, "major", e[i].major);
		gen_u64(g, "minor", e[i].minor);
		gen_str(g, "op");
		gen_str(g, e[i].op);
		gen_u64(g, "value", e[i].value);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_rest(yajl_gen g, const struct cg_stats *s)
{
	if (s->has_pids) {
		gen_str(g, "pids");
		yajl_gen_map_open(g);
		gen_u64(g, "current", s->pids_current);
		gen_u64(g, "limit", s->pids_limit);
		yajl_gen_map_close(g);
	}
	gen_str(g, "blkio");
	yajl_gen_map_open(g);
	gen_io_list(g, "ioServiceBytesRecursive", s->io_service_bytes, s->n_io_service_bytes);
	gen_io_list(g, "ioServicedRecursive", s->io_serviced, s->n_io_serviced);
	yajl_gen_map_close(g);
	gen_str(g, "hugetlb");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < s->n_hugetlb; i++) {
		gen_str(g, s->hugetlb[i].page_size);
		yajl_gen_map_open(g);
		gen_u64(g, "usage", s->hugetlb[i].usage);
		gen_u64(g, "max", s->hugetlb[i].max);
		gen_u64(g, "failcnt", s->hugetlb[i].failcnt);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

/* Prints one event line; stats may be NULL (an oom event has no data). */
static void print_event(const char *type, const char *id, const struct cg_stats *s)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	gen_str(g, "type");
	gen_str(g, type);
	gen_str(g, "id");
	gen_str(g, id);
	if (s) {
		gen_str(g, "data");
		yajl_gen_map_open(g);
		if (s->has_cpu)
			gen_cpu(g, s);
		if (s->has_memory)
			gen_memory(g, s);
		gen_rest(g, s);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	fwrite(buf, 1, len, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	yajl_gen_free(g);
}

static int print_stats(struct cg_handle *h, const char *id, struct vs_error *err)
{
	struct cg_stats s;
	if (cg_stats(h, &s, err) < 0)
		return -1;
	print_event("stats", id, &s);
	cg_stats_clear(&s);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reports each OOM since the last look as one "oom" event. */
static void check_oom(struct cg_oom_watch *w, const char *id)
{
	uint64_t n = 0;
	struct vs_error e = VS_ERROR_INIT;
	if (cg_oom_watch_read(w, &n, &e) == 0)
		for (uint64_t i = 0; i < n; i++)
			print_event("oom", id, NULL);
	vs_error_clear(&e);
}

static void oom_watch_freep(struct cg_oom_watch **w)
{
	cg_oom_watch_free(*w);
}

/* Until the init exits (its pidfd turns readable): stats every interval,
 * oom events as soon as the kernel reports one (cgroup2's memory.events,
 * or the v1 memory cgroup's OOM eventfd on a hybrid host). */
static int watch(struct cg_handle *h, const char *id, int pidfd, int64_t interval,
		 struct vs_error *err)
{
	_cleanup_(oom_watch_freep) struct cg_oom_watch *oom = NULL;
	if (cg_oom_watch_open(h, &oom, err) < 0)
		return -1;
	int64_t next = now_ms() + interval;
	for (;;) {
		struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN},
				      {.fd = cg_oom_watch_fd(oom), .events = POLLIN}};
		int64_t left = next - now_ms();
		int r = poll(p, 2, left > 0 ? (int)left : 0);
		if (r < 0 && errno != EINTR)
			return vs_error_errno(err, errno, "poll");
		check_oom(oom, id);
		if (r > 0 && (p[0].revents & POLLIN))
			return 0; /* the container stopped */
		if (now_ms() >= next) {
			if (print_stats(h, id, err) < 0)
				return err->errnum == ENOENT ? (vs_error_clear(err), 0) : -1;
			next += interval;
		}
	}
}

static void handle_freep(struct cg_handle **h)
{
	cg_handle_free(*h);
}

int cmd_events(struct vs_cli *cli, int argc, char **argv)
{
	bool once = false;
	int64_t interval = 5000;
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0) {
		if (c == OPT_STATS)
			once = true;
		else if (c == OPT_INTERVAL && parse_duration_ms(optarg, &interval) < 0)
			return cli_usage_error(cli,
					       "--interval %s: expected a duration such as 5s or "
					       "500ms (1ms to 24h)",
					       optarg);
	}
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 1, "container id"))
		return 1;
	struct vs_error err = VS_ERROR_INIT;
	_cleanup_ct_ struct ct_container *ct = NULL;
	_cleanup_(handle_freep) struct cg_handle *h = NULL;
	const char *id = argv[optind];
	int pidfd;
	if (ct_load(cli->root, id, CT_LOCK_SHARED, &ct, &err) < 0)
		return cli_fail(cli, &err);
	if (strcmp(ct_status(ct), OCI_STATUS_STOPPED) == 0) {
		vs_error_set(&err, "container %s is not running", id);
		return cli_fail(cli, &err);
	}
	if (cg_open(ct->state->cgroup_path, &h, &err) < 0 || ct_pidfd(ct, &pidfd, &err) < 0)
		return cli_fail(cli, &err);
	/* A long-running reader must not block delete or update. */
	ct_unlock(ct);
	if (once)
		return print_stats(h, id, &err) < 0 ? cli_fail(cli, &err) : 0;
	return watch(h, id, pidfd, interval, &err) < 0 ? cli_fail(cli, &err) : 0;
}
