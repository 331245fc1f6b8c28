/* Statistics for `events`, in runc's shapes: cgroup v2 counts microseconds
 * (converted to the nanoseconds runc reports), and the spec's memory+swap
 * view is rebuilt from memory.* and memory.swap.* as runc does. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"

/* Optional counter: a missing file or key reads as 0. */
static uint64_t key_or_zero(struct cg_handle *h, const char *file, const char *key)
{
	uint64_t v = 0;
	struct vs_error e = VS_ERROR_INIT;
	if (cg_read_key(h, file, key, &v, &e) < 0)
		v = 0;
	vs_error_clear(&e);
	return v;
}

static uint64_t value_or_zero(struct cg_handle *h, const char *file)
{
	uint64_t v = 0;
	struct vs_error e = VS_ERROR_INIT;
	if (cg_read_u64(h, file, &v, &e) < 0)
		v = 0;
	vs_error_clear(&e);
	return v;
}

static void stats_cpu(struct cg_handle *h, struct cg_stats *s)
{
	if (!cg_file_exists(h, "cpu.stat"))
		return;
	s->has_cpu = true;
	s->cpu_usage_total_ns = key_or_zero(h, "cpu.stat", "usage_usec") * 1000;
	s->cpu_usage_user_ns = key_or_zero(h, "cpu.stat", "user_usec") * 1000;
	s->cpu_usage_system_ns = key_or_zero(h, "cpu.stat", "system_usec") * 1000;
	s->cpu_throttle_periods = key_or_zero(h, "cpu.stat", "nr_periods");
	s->cpu_throttled_periods = key_or_zero(h, "cpu.stat", "nr_throttled");
	s->cpu_throttled_time_ns = key_or_zero(h, "cpu.stat", "throttled_usec") * 1000;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void cg_stats_add_memory_stat(struct cg_stats *s, char *buf)
{
	char *save = NULL;
	for (char *line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[64];
		uint64_t v;
		if (sscanf(line, "%63s %" SCNu64, key, &v) != 2)
			continue;
		s->mem_stat_keys =
		    vs_realloc(s->mem_stat_keys, (s->n_mem_stat + 2) * sizeof(char *));
		s->mem_stat_values =
		    vs_realloc(s->mem_stat_values, (s->n_mem_stat + 1) * sizeof(uint64_t));
		s->mem_stat_keys[s->n_mem_stat] = vs_strdup(key);
		s->mem_stat_keys[s->n_mem_stat + 1] = NULL;
		s->mem_stat_values[s->n_mem_stat++] = v;
	}
}

static void stats_memory_stat(struct cg_handle *h, struct cg_stats *s)
{
	_cleanup_free_ char *buf = NULL;
	struct vs_error e = VS_ERROR_INIT;
	if (cg_read(h, "memory.stat", &buf, &e) < 0) {
		vs_error_clear(&e);
		return;
	}
	cg_stats_add_memory_stat(s, buf);
}

static void stats_memory(struct cg_handle *h, struct cg_stats *s)
{
	if (!cg_file_exists(h, "memory.current"))
		return;
	s->has_memory = true;
	s->mem_usage = value_or_zero(h, "memory.current");
	s->mem_limit = value_or_zero(h, "memory.max");
	s->mem_max_usage = value_or_zero(h, "memory.peak");
	s->mem_failcnt = key_or_zero(h, "memory.events", "max");
	s->oom_kill = key_or_zero(h, "memory.events", "oom_kill");
	/* runc reports "swap" as memory+swap, the cgroup v1 memsw view. */
	if (cg_file_exists(h, "memory.swap.current")) {
		s->swap_usage = add_sat(value_or_zero(h, "memory.swap.current"), s->mem_usage);
		s->swap_limit = add_sat(value_or_zero(h, "memory.swap.max"), s->mem_limit);
	}
	stats_memory_stat(h, s);
}

static void stats_pids(struct cg_handle *h, struct cg_stats *s)
{
	if (!cg_file_exists(h, "pids.current"))
		return;
	s->has_pids = true;
	s->pids_current = value_or_zero(h, "pids.current");
	s->pids_limit = value_or_zero(h, "pids.max");
	if (s->pids_limit == UINT64_MAX)
		s->pids_limit = 0;
}

static void push_io(struct cg_stats_io_entry **v, size_t *n, uint64_t maj, uint64_t min,
		    const char *op, uint64_t value)
{
	*v = vs_realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = (struct cg_stats_io_entry){maj, min, op, value};
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N". */
static void stats_io(struct cg_handle *h, struct cg_stats *s)
{
	_cleanup_free_ char *buf = NULL;
	struct vs_error e = VS_ERROR_INIT;
	if (cg_read(h, "io.stat", &buf, &e) < 0) {
		vs_error_clear(&e);
		return;
	}
	s->has_io = true;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		uint64_t maj, min, rb = 0, wb = 0, ri = 0, wi = 0;
		int off;
		if (sscanf(line, "%" SCNu64 ":%" SCNu64 "%n", &maj, &min, &off) != 2)
			continue;
		char *f = line + off, *fsave = NULL;
		for (char *kv = strtok_r(f, " ", &fsave); kv; kv = strtok_r(NULL, " ", &fsave)) {
			sscanf(kv, "rbytes=%" SCNu64, &rb);
			sscanf(kv, "wbytes=%" SCNu64, &wb);
			sscanf(kv, "rios=%" SCNu64, &ri);
			sscanf(kv, "wios=%" SCNu64, &wi);
		}
		push_io(&s->io_service_bytes, &s->n_io_service_bytes, maj, min, "Read", rb);
		push_io(&s->io_service_bytes, &s->n_io_service_bytes, maj, min, "Write", wb);
		push_io(&s->io_serviced, &s->n_io_serviced, maj, min, "Read", ri);
		push_io(&s->io_serviced, &s->n_io_serviced, maj, min, "Write", wi);
	}
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

static void stats_hugetlb(struct cg_handle *h, struct cg_stats *s)
{
	_cleanup_(closedirp) DIR *d = opendir(h->dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char size[32];
		/* hugetlb.2MB.current (not .rsvd.current) */
		if (sscanf(de->d_name, "hugetlb.%31[^.].current", size) != 1 ||
		    strcmp(de->d_name + strlen("hugetlb.") + strlen(size), ".current") != 0)
			continue;
		_cleanup_free_ char *max = vs_strdup_printf("hugetlb.%s.max", size);
		_cleanup_free_ char *events = vs_strdup_printf("hugetlb.%s.events", size);
		s->hugetlb = vs_realloc(s->hugetlb, (s->n_hugetlb + 1) * sizeof(*s->hugetlb));
		s->hugetlb[s->n_hugetlb++] =
		    (struct cg_stats_hugetlb){vs_strdup(size), value_or_zero(h, de->d_name),
					      value_or_zero(h, max), key_or_zero(h, events, "max")};
	}
}

int cg_stats(struct cg_handle *h, struct cg_stats *ret_stats, struct vs_error *err)
{
	memset(ret_stats, 0, sizeof(*ret_stats));
	if (cg_require(h, "read statistics", err) < 0)
		return -1;
	if (!cg_file_exists(h, "cgroup.procs") && !h->fake)
		return vs_error_errno(err, ENOENT, "cgroup %s is gone", h->path);
	stats_cpu(h, ret_stats);
	stats_memory(h, ret_stats);
	stats_pids(h, ret_stats);
	stats_io(h, ret_stats);
	stats_hugetlb(h, ret_stats);
	cg_stats_v1(h, ret_stats);
	return 0;
}

void cg_stats_clear(struct cg_stats *s)
{
	vs_strv_free(s->mem_stat_keys);
	free(s->mem_stat_values);
	free(s->io_service_bytes);
	free(s->io_serviced);
	for (size_t i = 0; i < s->n_hugetlb; i++)
		free(s->hugetlb[i].page_size);
	free(s->hugetlb);
	memset(s, 0, sizeof(*s));
}

int cg_oom_kill_count(struct cg_handle *h, uint64_t *ret_count, struct vs_error *err)
{
	*ret_count = 0;
	if (h->fd < 0 || !cg_file_exists(h, "memory.events"))
		return 0;
	if (cg_read_key(h, "memory.events", "oom_kill", ret_count, err) < 0)
		return -1;
	return 0;
}
