/* linux.resources and org.systemd.property.* annotations as systemd unit
 * properties (systemd.resource-control(5)).
 *
 * Every limit systemd has a property for must be passed as one: systemd
 * rewrites the cgroup files it manages from the unit's properties at each
 * daemon-reload (a MemoryMax left out is written back as "max").  What it
 * has no property for (hugetlb, rdma, cpu burst and idle, swappiness, raw
 * unified keys it does not know) it never writes, so the cgroup files the
 * cgroupfs driver writes keep them. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/systemd-internal.h"

#define SD_INFINITY	   UINT64_MAX
#define CPU_PERIOD_DEFAULT 100000ULL

#define APPEND(m, name, sig, v)                                                                    \
	do {                                                                                       \
		int r_ = cg_sd_append_prop(m, name, sig, v);                                       \
		if (r_ < 0)                                                                        \
			return vs_error_errno(err, -r_, "unit property %s", name);                 \
	} while (0)

static int props_memory(sd_bus_message *m, const struct oci_memory *mem, struct vs_error *err)
{
	if (!mem)
		return 0;
	if (mem->limit.set && mem->limit.value != 0)
		APPEND(m, "MemoryMax", "t",
		       mem->limit.value < 0 ? SD_INFINITY : (uint64_t)mem->limit.value);
	if (mem->reservation.set && mem->reservation.value != 0)
		APPEND(m, "MemoryLow", "t",
		       mem->reservation.value < 0 ? SD_INFINITY : (uint64_t)mem->reservation.value);
	char swap[32];
	if (cg_memory_swap_value(mem, swap, sizeof(swap), err) < 0)
		return -1;
	if (swap[0])
		APPEND(m, "MemorySwapMax", "t",
		       strcmp(swap, "max") == 0 ? SD_INFINITY : strtoull(swap, NULL, 10));
	return 0;
}

/* CPUQuotaPerSecUSec is quota per second of wall time; systemd rounds it
 * to whole milliseconds of the period itself, so the quota is rounded up
 * to 10 ms per second (runc does the same: 1% of a CPU). */
static int props_cpu_quota(sd_bus_message *m, int64_t quota, uint64_t period, struct vs_error *err)
{
	if (period)
		APPEND(m, "CPUQuotaPeriodUSec", "t", period);
	if (quota == 0 && !period)
		return 0;
	uint64_t per_sec = SD_INFINITY;
	if (quota > 0) {
		uint64_t p = period ? period : CPU_PERIOD_DEFAULT;
		per_sec = (uint64_t)quota * 1000000ULL / p;
		if (per_sec % 10000)
			per_sec = (per_sec / 10000 + 1) * 10000;
	}
	APPEND(m, "CPUQuotaPerSecUSec", "t", per_sec);
	return 0;
}

static int append_mask(sd_bus_message *m, const char *name, const char *list, struct vs_error *err)
{
	_cleanup_free_ uint8_t *mask = NULL;
	size_t n = 0;
	if (cg_sd_cpuset_mask(list, &mask, &n, err) < 0)
		return vs_error_wrap(err, "%s", name);
	int r = cg_sym_sd_bus_message_open_container(m, 'r', "sv");
	if (r >= 0)
		r = cg_sym_sd_bus_message_append(m, "s", name);
	if (r >= 0)
		r = cg_sym_sd_bus_message_open_container(m, 'v', "ay");
	if (r >= 0)
		r = cg_sym_sd_bus_message_append_array(m, 'y', mask, n);
	if (r >= 0)
		r = cg_sym_sd_bus_message_close_container(m);
	if (r >= 0)
		r = cg_sym_sd_bus_message_close_container(m);
	if (r < 0)
		return vs_error_errno(err, -r, "unit property %s", name);
	return 0;
}

static int props_cpu(sd_bus_message *m, const struct oci_cpu *c, struct vs_error *err)
{
	if (!c)
		return 0;
	if (c->shares.set && c->shares.value)
		APPEND(m, "CPUWeight", "t", cg_cpu_shares_to_weight(c->shares.value));
	if (props_cpu_quota(m, c->quota.set ? c->quota.value : 0,
			    c->period.set ? c->period.value : 0, err) < 0)
		return -1;
	if (c->cpus && c->cpus[0] && append_mask(m, "AllowedCPUs", c->cpus, err) < 0)
		return -1;
	if (c->mems && c->mems[0] && append_mask(m, "AllowedMemoryNodes", c->mems, err) < 0)
		return -1;
	return 0;
}

/* unified keys systemd manages: the property must carry them too, or the
 * next daemon-reload writes systemd's value over the key's. */
static int props_unified(sd_bus_message *m, const struct oci_kv *kv, size_t n, struct vs_error *err)
{
	static const struct {
		const char *key, *prop;
	} u64_keys[] = {
	    {"memory.max", "MemoryMax"},	  {"memory.high", "MemoryHigh"},
	    {"memory.low", "MemoryLow"},	  {"memory.min", "MemoryMin"},
	    {"memory.swap.max", "MemorySwapMax"}, {"pids.max", "TasksMax"},
	    {"cpu.weight", "CPUWeight"},	  {"io.weight", "IOWeight"},
	};
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < ARRAY_SIZE(u64_keys); k++) {
			if (strcmp(kv[i].key, u64_keys[k].key) != 0)
				continue;
			uint64_t v = SD_INFINITY;
			const char *s = kv[i].value;
			while (isspace((unsigned char)*s))
				s++;
			char *end = NULL;
			if (strncmp(s, "max", 3) != 0) {
				errno = 0;
				v = strtoull(s, &end, 10);
				if (errno || end == s)
					return vs_error_set(err, "unified.%s \"%s\": not a number",
							    kv[i].key, kv[i].value);
			}
			APPEND(m, u64_keys[k].prop, "t", v);
		}
		if (strcmp(kv[i].key, "cpu.max") == 0) {
			char q[32] = "";
			unsigned long long period = 0;
			if (sscanf(kv[i].value, "%31s %llu", q, &period) < 1)
				return vs_error_set(
				    err, "unified.cpu.max \"%s\": not \"QUOTA [PERIOD]\"",
				    kv[i].value);
			int64_t quota = strcmp(q, "max") == 0 ? 0 : strtoll(q, NULL, 10);
			if (props_cpu_quota(m, quota, period, err) < 0)
				return -1;
			if (quota == 0 && !period)
				APPEND(m, "CPUQuotaPerSecUSec", "t", SD_INFINITY);
		}
	}
	return 0;
}

/* A major's name in /proc/devices ("pts" for 136), for systemd's
 * "char-NAME" (all minors of a major): NULL when the kernel has none. */
static char *device_major_name(char type, int64_t major)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/devices", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	bool in_section = false;
	while (f && getline(&line, &cap, f) > 0) {
		if (strncmp(line, "Character devices:", 18) == 0)
			in_section = type == 'c';
		else if (strncmp(line, "Block devices:", 14) == 0)
			in_section = type == 'b';
		long long mj;
		char name[64];
		if (in_section && sscanf(line, "%lld %63s", &mj, name) == 2 && mj == major)
			return vs_strdup(name);
	}
	return NULL;
}

static int append_allow(sd_bus_message *m, const char *node, const char *access)
{
	return cg_sym_sd_bus_message_append(m, "(ss)", node, access);
}

/* One rule as DeviceAllow entries: "/dev/char/M:m", "char-NAME" for every
 * minor of a major, "char-*" for every major.  false when systemd's list
 * cannot say it (a major without a name). */
static bool append_rule(sd_bus_message *m, const struct oci_device_rule *d, int *r)
{
	const char *access = d->access ? d->access : "rwm";
	char type = d->type ? d->type : 'a';
	const char *kind = type == 'b' ? "block" : "char";
	if (type == 'a') {
		*r = append_allow(m, "char-*", access);
		if (*r >= 0)
			*r = append_allow(m, "block-*", access);
		return true;
	}
	_cleanup_free_ char *node = NULL;
	if (d->major < 0) {
		node = vs_strdup_printf("%s-*", kind);
	} else if (d->minor < 0) {
		_cleanup_free_ char *name = device_major_name(type, d->major);
		if (!name)
			return false;
		node = vs_strdup_printf("%s-%s", kind, name);
	} else {
		node = vs_strdup_printf("/dev/%s/%" PRId64 ":%" PRId64, kind, d->major, d->minor);
	}
	*r = append_allow(m, node, access);
	return true;
}

static bool rules_are_allow_list(const struct oci_resources *res)
{
	if (res->n_devices == 0)
		return true;
	const struct oci_device_rule *first = &res->devices[0];
	if (first->allow || (first->type && first->type != 'a') || first->major >= 0 ||
	    first->minor >= 0)
		return false;
	for (size_t i = 1; i < res->n_devices; i++)
		if (!res->devices[i].allow)
			return false;
	return true;
}

/* The device rules as DevicePolicy=strict and DeviceAllow, when they are
 * what clients send: "deny all", then allows.  systemd's list can only
 * allow, so anything else (an allow-all first, a deny after an allow)
 * leaves DevicePolicy=auto, with no program of systemd's; vessel's own
 * device program, attached as with the cgroupfs driver, enforces the rules
 * either way (systemd only ever detaches the programs it attached). */
int cg_sd_props_devices(sd_bus_message *m, const struct oci_resources *res, struct vs_error *err)
{
	static const struct oci_device_rule standard[] = {
	    {true, 'c', -1, -1, (char *)"m"},	 {true, 'b', -1, -1, (char *)"m"},
	    {true, 'c', 1, 3, (char *)"rwm"},	 {true, 'c', 1, 5, (char *)"rwm"},
	    {true, 'c', 1, 7, (char *)"rwm"},	 {true, 'c', 1, 8, (char *)"rwm"},
	    {true, 'c', 1, 9, (char *)"rwm"},	 {true, 'c', 5, 0, (char *)"rwm"},
	    {true, 'c', 5, 1, (char *)"rwm"},	 {true, 'c', 5, 2, (char *)"rwm"},
	    {true, 'c', 136, -1, (char *)"rwm"},
	};
	bool strict = rules_are_allow_list(res);
	APPEND(m, "DevicePolicy", "s", strict ? "strict" : "auto");
	if (!strict)
		return 0;
	int r = cg_sym_sd_bus_message_open_container(m, 'r', "sv");
	if (r >= 0)
		r = cg_sym_sd_bus_message_append(m, "s", "DeviceAllow");
	if (r >= 0)
		r = cg_sym_sd_bus_message_open_container(m, 'v', "a(ss)");
	if (r >= 0)
		r = cg_sym_sd_bus_message_open_container(m, 'a', "(ss)");
	for (size_t i = 1; r >= 0 && i < res->n_devices; i++)
		if (!append_rule(m, &res->devices[i], &r))
			return vs_error_set(err,
					    "devices[%zu]: major %" PRId64 " has no name in "
					    "/proc/devices for systemd's DeviceAllow",
					    i, res->devices[i].major);
	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(standard); i++)
		append_rule(m, &standard[i], &r);
	for (int k = 0; r >= 0 && k < 3; k++)
		r = cg_sym_sd_bus_message_close_container(m);
	if (r < 0)
		return vs_error_errno(err, -r, "unit property DeviceAllow");
	return 0;
}

int cg_sd_props_resources(sd_bus_message *m, const struct oci_resources *res, bool user,
			  struct vs_error *err)
{
	if (!res)
		return 0;
	/* The same context as the controllers' own messages (memory.c). */
	if (props_memory(m, res->memory, err) < 0)
		return vs_error_wrap(err, "linux.resources.memory");
	if (props_cpu(m, res->cpu, err) < 0)
		return vs_error_wrap(err, "linux.resources.cpu");
	/* 0 is unlimited too (pids.c writes "max"): left out, the unit's
	 * old TasksMax would be written back over it by this very update. */
	if (res->has_pids && res->pids_limit.set)
		APPEND(m, "TasksMax", "t",
		       res->pids_limit.value <= 0 ? SD_INFINITY : (uint64_t)res->pids_limit.value);
	if (res->block_io && res->block_io->weight.set && res->block_io->weight.value)
		APPEND(m, "IOWeight", "t", cg_blkio_weight_to_io(res->block_io->weight.value));
	/* The user's instance cannot attach a device program: rootless
	 * containers only have the nodes bound into their /dev. */
	if (!user && cg_sd_props_devices(m, res, err) < 0)
		return vs_error_wrap(err, "linux.resources.devices");
	if (props_unified(m, res->unified, res->n_unified, err) < 0)
		return vs_error_wrap(err, "linux.resources");
	return 0;
}

int cg_sd_cpuset_mask(const char *list, uint8_t **ret, size_t *ret_n, struct vs_error *err)
{
	_cleanup_free_ uint8_t *mask = NULL;
	size_t n = 0;
	const char *p = list;
	while (*p) {
		char *end;
		errno = 0;
		unsigned long a = strtoul(p, &end, 10), b = a;
		if (errno || end == p || a > 65535)
			return vs_error_set(err, "\"%s\": not a list of numbers and ranges", list);
		p = end;
		if (*p == '-') {
			b = strtoul(p + 1, &end, 10);
			if (errno || end == p + 1 || b < a || b > 65535)
				return vs_error_set(err, "\"%s\": bad range", list);
			p = end;
		}
		if (*p == ',')
			p++;
		else if (*p && !isspace((unsigned char)*p))
			return vs_error_set(err, "\"%s\": not a list of numbers and ranges", list);
		while (isspace((unsigned char)*p))
			p++;
		if (b / 8 + 1 > n) {
			uint8_t *grown = realloc(mask, b / 8 + 1);
			if (!grown)
				return vs_error_errno(err, ENOMEM, "cpu mask");
			memset(grown + n, 0, b / 8 + 1 - n);
			mask = grown;
			n = b / 8 + 1;
		}
		for (unsigned long i = a; i <= b; i++)
			mask[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	*ret = TAKE_PTR(mask);
	*ret_n = n;
	return 0;
}

/* runc's check: a property name is ASCII letters and digits, starting
 * with an upper-case letter (unit properties are CamelCase). */
static bool property_name_ok(const char *name)
{
	if (!isupper((unsigned char)name[0]))
		return false;
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c))
			return false;
	return true;
}

static int parse_uint(const char *s, uint64_t *ret)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	*ret = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* seconds, "1.5" too, to microseconds */
static int parse_sec(const char *s, uint64_t *ret)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	double d = strtod(s, &end);
	if (errno || *end || d < 0 || d > 1.8e13)
		return -1;
	*ret = (uint64_t)(d * 1e6 + 0.5);
	return 0;
}

static int append_annotation(sd_bus_message *m, const char *key, const char *name,
			     const char *value, struct vs_error *err)
{
	/* GVariant text may name the type first ("uint64 5", "@t 5"). */
	static const char *const type_words[] = {"uint64 ", "uint32 ", "int64 ", "int32 ",
						 "@t ",	    "@u ",     "@x ",	 "@i "};
	for (size_t i = 0; i < ARRAY_SIZE(type_words); i++)
		if (strncmp(value, type_words[i], strlen(type_words[i])) == 0)
			value += strlen(type_words[i]);
	size_t nl = strlen(name), vl = strlen(value);
	uint64_t u;
	if (nl > 4 && strcmp(name + nl - 3, "Sec") == 0 && islower((unsigned char)name[nl - 4])) {
		_cleanup_free_ char *usec = vs_strdup_printf("%.*sUSec", (int)(nl - 3), name);
		if (parse_sec(value, &u) < 0)
			return vs_error_set(err, "annotation %s=%s: not a number of seconds", key,
					    value);
		APPEND(m, usec, "t", u);
	} else if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
		APPEND(m, name, "b", strcmp(value, "true") == 0);
	} else if (parse_uint(value, &u) == 0) {
		APPEND(m, name, "t", u);
	} else if (vl >= 2 && (value[0] == '\'' || value[0] == '"') && value[vl - 1] == value[0]) {
		_cleanup_free_ char *s = vs_strdup_printf("%.*s", (int)(vl - 2), value + 1);
		APPEND(m, name, "s", s);
	} else {
		return vs_error_set(err,
				    "annotation %s=%s: the value must be true, false, a number "
				    "or a quoted string",
				    key, value);
	}
	return 0;
}

int cg_sd_props_annotations(sd_bus_message *m, const struct oci_kv *a, size_t n,
			    struct vs_error *err)
{
	static const char prefix[] = "org.systemd.property.";
	for (size_t i = 0; i < n; i++) {
		if (strncmp(a[i].key, prefix, sizeof(prefix) - 1) != 0)
			continue;
		const char *name = a[i].key + sizeof(prefix) - 1;
		if (!property_name_ok(name))
			return vs_error_set(err,
					    "annotation %s: \"%s\" is not a unit property name "
					    "(letters and digits, starting upper-case)",
					    a[i].key, name);
		if (append_annotation(m, a[i].key, name, a[i].value ? a[i].value : "", err) < 0)
			return -1;
	}
	return 0;
}
