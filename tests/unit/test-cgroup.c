/* runtime/cgroup against a fake cgroupfs: a temp directory with a
 * cgroup.controllers file stands in for the hierarchy root, and each test
 * checks what the controllers wrote.  Also: the value conversions, path
 * resolution, and the BPF device program run through a small interpreter. */
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "oci/oci.h"
#include "runtime/cgroup/cgroup-internal.h"
#include "tap.h"

static void res_freep(struct oci_resources **r)
{
	oci_resources_free(*r);
}

static char fake_root[] = "/tmp/test-cgroup-XXXXXX";

static char *slurp(const char *rel)
{
	_cleanup_free_ char *path = vs_strdup_printf("%s%s", fake_root, rel);
	char *buf = NULL;
	struct vs_error err = VS_ERROR_INIT;
	if (vs_read_file(path, 0, &buf, NULL, &err) < 0) {
		vs_error_clear(&err);
		return vs_strdup("(missing)");
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static bool exists(const char *rel)
{
	_cleanup_free_ char *path = vs_strdup_printf("%s%s", fake_root, rel);
	return access(path, F_OK) == 0;
}

static void set_controllers(const char *list)
{
	_cleanup_free_ char *path = vs_strdup_printf("%s/cgroup.controllers", fake_root);
	struct vs_error err = VS_ERROR_INIT;
	vs_write_file(path, list, strlen(list), &err);
	vs_error_clear(&err);
}

static void set_file(const char *rel, const char *text)
{
	_cleanup_free_ char *path = vs_strdup_printf("%s%s", fake_root, rel);
	struct vs_error err = VS_ERROR_INIT;
	vs_write_file(path, text, strlen(text), &err);
	vs_error_clear(&err);
}

static struct oci_resources *parse(const char *json)
{
	struct oci_resources *r = NULL;
	struct vs_error err = VS_ERROR_INIT;
	if (oci_resources_parse(json, strlen(json), "test", &r, &err) < 0) {
		printf("# parse failed: %s\n", err.msg);
		vs_error_clear(&err);
	}
	return r;
}

/* cg_create on the fake root; returns the error message (malloc'd) or NULL. */
static char *create(const char *id, const char *path, const struct oci_resources *res,
		    struct cg_handle **ret)
{
	struct cg_config cfg = {
	    .id = id, .cgroups_path = path, .resources = res, .root = fake_root};
	struct vs_error err = VS_ERROR_INIT;
	*ret = NULL;
	if (cg_create(&cfg, ret, &err) < 0)
		return err.msg;
	return NULL;
}

static void destroy(struct cg_handle *h)
{
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(cg_destroy(h, &err), ==, 0);
	if (err.msg)
		printf("# %s\n", err.msg);
	vs_error_clear(&err);
	cg_handle_free(h);
}

static void test_conversions(void)
{
	CHECK_INT(cg_cpu_shares_to_weight(0), ==, 0);
	CHECK_INT(cg_cpu_shares_to_weight(2), ==, 1);
	CHECK_INT(cg_cpu_shares_to_weight(1024), ==, 100);
	CHECK_INT(cg_cpu_shares_to_weight(262144), ==, 10000);
	CHECK_INT(cg_cpu_shares_to_weight(1000000), ==, 10000);
	CHECK_INT(cg_cpu_shares_to_weight(512), ==, 59);
	CHECK_INT(cg_cpu_shares_to_weight(2048), ==, 174);
	CHECK_INT(cg_blkio_weight_to_io(10), ==, 1);
	CHECK_INT(cg_blkio_weight_to_io(1000), ==, 10000);
	CHECK_INT(cg_blkio_weight_to_io(500), ==, 4950);

	struct oci_memory m = {0};
	char buf[32];
	struct vs_error err = VS_ERROR_INIT;
	m.limit = (oci_opt_i64){true, 100};
	m.swap = (oci_opt_i64){true, 300};
	CHECK_INT(cg_memory_swap_value(&m, buf, sizeof(buf), &err), ==, 0);
	CHECK_STR(buf, "200");
	m.swap.value = -1;
	CHECK_INT(cg_memory_swap_value(&m, buf, sizeof(buf), &err), ==, 0);
	CHECK_STR(buf, "max");
	m.swap.value = 50;
	CHECK_INT(cg_memory_swap_value(&m, buf, sizeof(buf), &err), ==, -1);
	CHECK(err.msg && strstr(err.msg, "must not be below"), "swap below limit is refused");
	vs_error_clear(&err);
	m.limit.set = false;
	CHECK_INT(cg_memory_swap_value(&m, buf, sizeof(buf), &err), ==, -1);
	CHECK(err.msg && strstr(err.msg, "needs memory.limit"), "swap without limit is refused");
	vs_error_clear(&err);

	/* v1: memsw first when it does not go below the current limit. */
	CHECK(cg_v1_memsw_first(512, 256), "raising: memsw before the limit");
	CHECK(cg_v1_memsw_first(256, 256), "memsw equal to the current limit: memsw first");
	CHECK(!cg_v1_memsw_first(48, 256), "lowering below the current limit: limit first");
	CHECK(cg_v1_memsw_first(-1, 256), "unlimited memsw: memsw first");
	CHECK(cg_v1_memsw_first(1, 0), "fresh cgroup read as 0: memsw first");
}

static void check_path(const char *cgpath, const char *id, const char *own, const char *want)
{
	_cleanup_free_ char *got = NULL;
	struct vs_error err = VS_ERROR_INIT;
	if (cg_resolve_path(cgpath, id, own, &got, &err) < 0)
		got = err.msg ? vs_strdup_printf("error: %s", err.msg) : NULL;
	vs_error_clear(&err);
	if (want[0] == '!')
		CHECK(got && strncmp(got, "error: ", 7) == 0 && strstr(got, want + 1), want + 1);
	else
		CHECK_STR(got, want);
}

static void test_paths(void)
{
	check_path(NULL, "abc", "/", "/vessel/abc");
	check_path("", "abc", "/user.slice", "/vessel/abc");
	check_path("/a//b/./c", "abc", "/x", "/a/b/c");
	check_path("rel/x", "abc", "/run/me", "/run/me/rel/x");
	check_path("rel", "abc", "/", "/rel");
	check_path("/a/../b", "abc", "/", "!\"..\" is not allowed");
	check_path("/", "abc", "/", "!root cgroup");
	check_path(NULL, "a/b", "/", "!cannot name a cgroup");
}

static const char full_json[] =
    "{"
    "\"cpu\": {\"shares\": 1024, \"quota\": 20000, \"period\": 50000, \"burst\": 1000,"
    "          \"idle\": 0, \"cpus\": \"0\", \"mems\": \"0\"},"
    "\"memory\": {\"limit\": 67108864, \"reservation\": 33554432, \"swap\": 134217728},"
    "\"pids\": {\"limit\": 42},"
    "\"blockIO\": {\"weight\": 500, \"throttleReadBpsDevice\": [{\"major\": 7, \"minor\": 0, "
    "\"rate\": 1048576}], \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 16, "
    "\"rate\": 0}]},"
    "\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}],"
    "\"rdma\": {\"mlx5_0\": {\"hcaHandles\": 3}},"
    "\"unified\": {\"memory.high\": \"50000000\"}"
    "}";

static void test_create_writes(void)
{
	set_controllers("cpuset cpu io memory hugetlb pids rdma\n");
	_cleanup_(res_freep) struct oci_resources *res = parse(full_json);
	struct cg_handle *h;
	_cleanup_free_ char *e = create("c1", NULL, res, &h);
	CHECK(e == NULL, "create with every controller");
	if (e)
		printf("# %s\n", e);
	if (!h)
		return;
	CHECK_STR(cg_handle_path(h), "/vessel/c1");
	CHECK(cg_handle_fd(h) >= 0, "handle has an fd for CLONE_INTO_CGROUP");
	struct {
		const char *file, *want;
	} cases[] = {
	    {"/cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids +rdma"},
	    {"/vessel/cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids +rdma"},
	    {"/vessel/c1/cpu.weight", "100"},
	    {"/vessel/c1/cpu.max", "20000 50000"},
	    {"/vessel/c1/cpu.max.burst", "1000"},
	    {"/vessel/c1/cpu.idle", "0"},
	    {"/vessel/c1/cpuset.cpus", "0"},
	    {"/vessel/c1/cpuset.mems", "0"},
	    {"/vessel/c1/memory.max", "67108864"},
	    {"/vessel/c1/memory.low", "33554432"},
	    {"/vessel/c1/memory.swap.max", "67108864"},
	    {"/vessel/c1/memory.high", "50000000"},
	    {"/vessel/c1/pids.max", "42"},
	    {"/vessel/c1/io.weight", "default 4950"},
	    {"/vessel/c1/io.max", "8:16 wiops=max"}, /* the last write wins in a plain file */
	    {"/vessel/c1/hugetlb.2MB.max", "4194304"},
	    {"/vessel/c1/rdma.max", "mlx5_0 hca_handle=3 hca_object=max"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *got = slurp(cases[i].file);
		CHECK_STR(got, cases[i].want);
		if (strcmp(got, cases[i].want) != 0)
			printf("#   file %s\n", cases[i].file);
	}
	destroy(h);
	CHECK(!exists("/vessel/c1"), "destroy removes the cgroup");
	CHECK(!exists("/vessel"), "destroy removes the parent vessel made");
}

/* subtree_control is written only with what a directory lacks, and not at
 * all when it has every controller: the kernel walks every descendant cgroup
 * on any write there (the term that grew with the number of containers). */
static void test_enable_only_missing(void)
{
	set_controllers("cpu io memory\n");
	set_file("/cgroup.subtree_control", "cpu io\n"); /* as the kernel shows it */
	_cleanup_(res_freep) struct oci_resources *res = parse("{}");
	struct cg_handle *a = NULL, *b = NULL;
	_cleanup_free_ char *e = create("c3", NULL, res, &a);
	CHECK(e == NULL, "create c3");
	_cleanup_free_ char *root = slurp("/cgroup.subtree_control");
	CHECK_STR(root, "+memory");
	_cleanup_free_ char *parent = slurp("/vessel/cgroup.subtree_control");
	CHECK_STR(parent, "+cpu +io +memory");
	set_file("/vessel/cgroup.subtree_control", "cpu io memory\n");
	set_file("/cgroup.subtree_control", "cpu io memory\n");
	_cleanup_free_ char *e2 = create("c4", NULL, res, &b);
	CHECK(e2 == NULL, "create c4");
	_cleanup_free_ char *root2 = slurp("/cgroup.subtree_control");
	CHECK_STR(root2, "cpu io memory");
	_cleanup_free_ char *parent2 = slurp("/vessel/cgroup.subtree_control");
	CHECK_STR(parent2, "cpu io memory");
	if (a)
		destroy(a);
	if (b)
		destroy(b);
	CHECK(!exists("/vessel"), "destroy removes the parent vessel made");
}

static void test_update_merges_cpu_max(void)
{
	set_controllers("cpu memory pids\n");
	struct cg_handle *h;
	_cleanup_(res_freep) struct oci_resources *res =
	    parse("{\"cpu\": {\"quota\": 30000, \"period\": 100000}}");
	_cleanup_free_ char *e = create("c2", "/mine/c2", res, &h);
	CHECK(e == NULL, "create /mine/c2");
	if (!h)
		return;
	_cleanup_(res_freep) struct oci_resources *upd = parse("{\"cpu\": {\"period\": 200000}}");
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(cg_update(h, upd, &err), ==, 0);
	_cleanup_free_ char *max = slurp("/mine/c2/cpu.max");
	CHECK_STR(max, "30000 200000");
	_cleanup_(res_freep) struct oci_resources *unl = parse(
	    "{\"cpu\": {\"quota\": -1}, \"memory\": {\"limit\": -1}, \"pids\": {\"limit\": 0}}");
	CHECK_INT(cg_update(h, unl, &err), ==, 0);
	_cleanup_free_ char *max2 = slurp("/mine/c2/cpu.max");
	_cleanup_free_ char *mem = slurp("/mine/c2/memory.max");
	_cleanup_free_ char *pids = slurp("/mine/c2/pids.max");
	CHECK_STR(max2, "max 200000");
	CHECK_STR(mem, "max");
	CHECK_STR(pids, "max");
	vs_error_clear(&err);
	destroy(h);
	CHECK(!exists("/mine"), "destroy removes /mine, which vessel made");
}

static void expect_refused(const char *json, const char *needle)
{
	_cleanup_(res_freep) struct oci_resources *res = parse(json);
	struct cg_handle *h = NULL;
	_cleanup_free_ char *e = create("r1", NULL, res, &h);
	CHECK(e && strstr(e, needle), needle);
	if (e && !strstr(e, needle))
		printf("#   got: %s\n", e);
	if (h)
		destroy(h);
	CHECK(!exists("/vessel"), "nothing left behind after a refusal");
}

static void expect_bad_key(const char *key, const char *needle)
{
	struct oci_kv kv = {(char *)key, "1"};
	struct oci_resources res = {.unified = &kv, .n_unified = 1};
	struct cg_handle *h = NULL;
	_cleanup_free_ char *e = create("k1", NULL, &res, &h);
	CHECK(e && strstr(e, needle), needle);
	if (e && !strstr(e, needle))
		printf("#   got: %s\n", e);
	if (h)
		destroy(h);
	CHECK(!exists("/vessel"), "nothing left behind after a bad key");
}

static void test_refusals(void)
{
	/* The hybrid host: only hugetlb in cgroup2. */
	set_controllers("hugetlb\n");
	expect_refused("{\"memory\": {\"limit\": 1000000}}",
		       "linux.resources.memory: cannot enforce");
	expect_refused("{\"memory\": {\"limit\": 1000000}}", "memory controller");
	expect_refused("{\"cpu\": {\"shares\": 100}}", "cpu controller");
	expect_refused("{\"pids\": {\"limit\": 10}}", "linux.resources.pids");
	expect_refused("{\"blockIO\": {\"weight\": 100}}", "io controller");
	expect_refused("{\"unified\": {\"memory.high\": \"1\"}}", "unified[\"memory.high\"]");
	/* "No limit" values need no controller. */
	_cleanup_(res_freep) struct oci_resources *nolimit =
	    parse("{\"memory\": {\"limit\": -1}, \"pids\": {\"limit\": -1}}");
	struct cg_handle *h;
	_cleanup_free_ char *e = create("n1", NULL, nolimit, &h);
	CHECK(e == NULL, "unlimited values run on a hybrid host");
	if (h)
		destroy(h);

	set_controllers("cpu memory pids\n");
	/* The parser refuses these too; the manager must not rely on it. */
	expect_bad_key("../x.max", "no '/' or '..'");
	expect_bad_key("a/b.max", "no '/' or '..'");
	expect_bad_key("memory..max", "no '/' or '..'");
	expect_refused("{\"unified\": {\"cgroup.procs\": \"1\"}}", "managed by the runtime");
	expect_refused("{\"memory\": {\"swappiness\": 10}}", "swappiness");
	expect_refused("{\"cpu\": {\"realtimeRuntime\": 10}}", "real-time");
	expect_refused("{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 1}]}",
		       "hugetlb controller");
	expect_refused("{\"memory\": {\"limit\": 100, \"swap\": 50}}", "must not be below");
}

/* ---- the device program, run through an interpreter for the few
 * instructions the generator emits ---- */

static int run_prog(const struct bpf_insn *p, size_t n, uint32_t type, uint32_t access,
		    uint32_t major, uint32_t minor)
{
	uint32_t ctx[3] = {(access << 16) | type, major, minor};
	uint64_t r[11] = {0};
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			r[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X:
			r[i->dst_reg] = r[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
			break;
		case BPF_ALU64 | BPF_RSH | BPF_K:
			r[i->dst_reg] >>= i->imm;
			break;
		case BPF_ALU64 | BPF_AND | BPF_K:
			r[i->dst_reg] &= (uint64_t)(int64_t)i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			return -1;
		}
	}
	return -2; /* fell off the end: the verifier would refuse it */
}

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void test_bpf_program(void)
{
	struct cg_dev_rule deny_then_allow[] = {
	    {false, 'a', -1, -1, CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE},
	    {true, 'c', 1, 3, CG_DEV_READ | CG_DEV_WRITE},
	};
	_cleanup_free_ struct bpf_insn *p = NULL;
	size_t n;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(cg_bpf_dev_generate(deny_then_allow, 2, &p, &n, &err), ==, 0);
	CHECK_INT(run_prog(p, n, C, R, 1, 3), ==, 1);
	CHECK_INT(run_prog(p, n, C, R | W, 1, 3), ==, 1);
	CHECK_INT(run_prog(p, n, C, M, 1, 3), ==, 0);
	CHECK_INT(run_prog(p, n, B, R, 1, 3), ==, 0);
	CHECK_INT(run_prog(p, n, C, R, 1, 4), ==, 0);
	CHECK_INT(run_prog(p, n, C, R, 2, 3), ==, 0);

	struct cg_dev_rule allow_then_deny[] = {
	    {true, 'a', -1, -1, CG_DEV_MKNOD | CG_DEV_READ | CG_DEV_WRITE},
	    {false, 'c', 5, -1, CG_DEV_WRITE},
	};
	_cleanup_free_ struct bpf_insn *q = NULL;
	CHECK_INT(cg_bpf_dev_generate(allow_then_deny, 2, &q, &n, &err), ==, 0);
	CHECK_INT(run_prog(q, n, C, W, 5, 1), ==, 0);
	CHECK_INT(run_prog(q, n, C, R, 5, 1), ==, 1);
	CHECK_INT(run_prog(q, n, C, R | W, 5, 1), ==, 1); /* not a subset of "w": no match */
	CHECK_INT(run_prog(q, n, B, W, 5, 1), ==, 1);
	CHECK_INT(run_prog(q, n, C, W, 8, 0), ==, 1);

	/* The full list: config rules and the standard nodes; linux.devices
	 * adds no rule (runc neither): its nodes are denied under "deny all". */
	_cleanup_(res_freep) struct oci_resources *res =
	    parse("{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]}");
	struct oci_device fuse = {.path = "/dev/fuse", .type = 'c', .major = 10, .minor = 229};
	_cleanup_free_ struct cg_dev_rule *rules = NULL;
	size_t n_rules;
	CHECK_INT(cg_dev_rules_build(res, &fuse, 1, &rules, &n_rules, &err), ==, 0);
	_cleanup_free_ struct bpf_insn *f = NULL;
	CHECK_INT(cg_bpf_dev_generate(rules, n_rules, &f, &n, &err), ==, 0);
	CHECK_INT(run_prog(f, n, C, R | W, 1, 3), ==, 1);   /* /dev/null */
	CHECK_INT(run_prog(f, n, C, R | W, 136, 7), ==, 1); /* /dev/pts/7 */
	CHECK_INT(run_prog(f, n, C, W, 10, 229), ==, 0);    /* linux.devices */
	CHECK_INT(run_prog(f, n, C, R, 10, 229), ==, 0);
	CHECK_INT(run_prog(f, n, C, M, 4, 1), ==, 1); /* mknod is always fine */
	CHECK_INT(run_prog(f, n, C, R, 4, 1), ==, 0); /* /dev/tty1 */
	CHECK_INT(run_prog(f, n, B, R, 8, 0), ==, 0); /* /dev/sda */
	vs_error_clear(&err);
}

static void test_merge(void)
{
	struct oci_resources *base =
	    parse("{\"memory\": {\"limit\": 100, \"swap\": 300}, "
		  "\"cpu\": {\"quota\": 1000, \"cpus\": \"0\"}, "
		  "\"unified\": {\"memory.high\": \"1\"}, "
		  "\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 1}]}");
	_cleanup_(res_freep) struct oci_resources *upd = parse(
	    "{\"memory\": {\"limit\": 150}, \"cpu\": {\"period\": 5000, \"cpus\": \"1\"}, "
	    "\"pids\": {\"limit\": 7}, \"unified\": {\"memory.high\": \"2\", \"pids.max\": \"9\"}, "
	    "\"hugepageLimits\": [{\"pageSize\": \"1GB\", \"limit\": 5}]}");
	if (!base || !upd)
		return;
	cg_resources_merge(&base, upd);
	CHECK_INT(base->memory->limit.value, ==, 150);
	CHECK_INT(base->memory->swap.value, ==, 350); /* 200 of swap kept */
	CHECK_INT(base->cpu->quota.value, ==, 1000);
	CHECK_INT(base->cpu->period.value, ==, 5000);
	CHECK_STR(base->cpu->cpus, "1");
	CHECK(base->has_pids && base->pids_limit.value == 7, "pids merged");
	CHECK_INT(base->n_unified, ==, 2);
	CHECK_STR(base->unified[0].value, "2");
	CHECK_INT(base->n_hugepage_limits, ==, 2);
	struct oci_resources *none = NULL;
	cg_resources_merge(&none, upd);
	CHECK(none && none->memory && none->memory->limit.value == 150, "merge into nothing");
	CHECK(none && !none->memory->swap.set, "no swap invented");
	oci_resources_free(none);
	oci_resources_free(base);
}

int main(void)
{
	if (!mkdtemp(fake_root)) {
		perror("mkdtemp");
		return 1;
	}
	test_conversions();
	test_paths();
	test_create_writes();
	test_enable_only_missing();
	test_update_merges_cpu_max();
	test_refusals();
	test_bpf_program();
	test_merge();
	_cleanup_free_ char *cmd = vs_strdup_printf("rm -rf '%s'", fake_root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", fake_root);
	return tap_done();
}
