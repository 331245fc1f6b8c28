/* Parsed values of valid/full.json (every section of the spec), the bare
 * process and resources parsers, oci_config_load's file errors, and the
 * lookup helpers. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/oci.h"
#include "tap.h"
#include "test-oci-corpus.h"

static void check_process(const struct oci_process *p)
{
	CHECK(p->terminal, "process.terminal");
	CHECK_INT(p->console_size->height, ==, 25);
	CHECK_INT(p->console_size->width, ==, 80);
	CHECK_INT(p->user.uid, ==, 1000);
	CHECK_INT(p->user.gid, ==, 1001);
	CHECK(p->user.umask.set && p->user.umask.value == 18, "umask 022");
	CHECK_INT(p->user.n_additional_gids, ==, 3);
	CHECK(p->user.additional_gids[2] == UINT32_MAX, "additionalGids[2] is 2^32-1");
	CHECK_STR(p->user.username, "alice");
	CHECK_INT(vs_strv_len(p->args), ==, 3);
	CHECK_STR(p->args[2], "echo hi");
	CHECK_STR(p->env[2], "EMPTY=");
	CHECK_STR(p->cwd, "/home/alice");
	CHECK_INT(vs_strv_len(p->capabilities->bounding), ==, 3);
	CHECK(p->capabilities->inheritable && !p->capabilities->inheritable[0],
	      "empty inheritable set is present and empty");
	CHECK_STR(p->capabilities->ambient[0], "CAP_NET_BIND_SERVICE");
	CHECK_INT(p->n_rlimits, ==, 3);
	CHECK_INT(p->rlimits[0].resource, ==, RLIMIT_NOFILE);
	CHECK_INT(p->rlimits[0].soft, ==, 1024);
	CHECK_INT(p->rlimits[1].resource, ==, RLIMIT_CORE);
	CHECK(p->rlimits[1].hard == UINT64_MAX, "RLIMIT_CORE hard is 2^64-1 exactly");
	CHECK_INT(p->rlimits[2].resource, ==, RLIMIT_NPROC);
	CHECK(p->no_new_privileges, "noNewPrivileges");
	CHECK_STR(p->apparmor_profile, "acme_secure_profile");
	CHECK(p->oom_score_adj.set && p->oom_score_adj.value == -500, "oomScoreAdj -500");
	CHECK_STR(p->scheduler->policy, "SCHED_DEADLINE");
	CHECK(p->scheduler->nice.set && p->scheduler->nice.value == -5, "scheduler.nice");
	CHECK(p->scheduler->priority.set && p->scheduler->priority.value == 0, "priority 0 is set");
	CHECK_STR(p->scheduler->flags[1], "SCHED_FLAG_RECLAIM");
	CHECK_INT(p->scheduler->period.value, ==, 30000000);
	CHECK_STR(p->io_priority->class, "IOPRIO_CLASS_BE");
	CHECK_INT(p->io_priority->priority, ==, 4);
	CHECK_STR(p->exec_cpu_affinity->final, "0-1,3");
	CHECK(p->command_line == NULL, "no commandLine");
}

static void check_top(const struct oci_config *c)
{
	CHECK_STR(c->oci_version, "1.2.0");
	CHECK_STR(c->root->path, "rootfs");
	CHECK(c->root->readonly, "root.readonly");
	CHECK_STR(c->hostname, "vessel-test");
	CHECK_STR(c->domainname, "example.org");
	CHECK_INT(c->n_mounts, ==, 3);
	CHECK(c->mounts[0].options == NULL, "mounts[0] has no options");
	CHECK_STR(c->mounts[1].options[2], "idmap");
	CHECK_INT(c->mounts[1].uid_mappings[0].host_id, ==, 100000);
	CHECK_INT(c->mounts[1].gid_mappings[0].size, ==, 1000);
	CHECK_STR(c->mounts[2].destination, "relative/dir");
	CHECK_INT(c->hooks[OCI_HOOK_PRESTART].n, ==, 1);
	CHECK_INT(c->hooks[OCI_HOOK_PRESTART].hooks[0].timeout.value, ==, 5);
	CHECK_STR(c->hooks[OCI_HOOK_PRESTART].hooks[0].args[1], "--flag");
	CHECK_INT(c->hooks[OCI_HOOK_CREATE_RUNTIME].n, ==, 2);
	CHECK(!c->hooks[OCI_HOOK_CREATE_RUNTIME].hooks[0].timeout.set, "no timeout");
	CHECK_STR(c->hooks[OCI_HOOK_START_CONTAINER].hooks[0].env[1], "C=3");
	CHECK_STR(c->hooks[OCI_HOOK_POSTSTOP].hooks[0].path, "/usr/bin/poststop");
	CHECK_STR(oci_annotation(c, "org.opencontainers.image.title"), "full");
	CHECK_STR(oci_annotation(c, "com.example.empty"), "");
	CHECK(oci_annotation(c, "nope") == NULL, "absent annotation");
}

static void check_linux(const struct oci_linux *l, const struct oci_config *c)
{
	CHECK_INT(l->n_namespaces, ==, 8);
	const struct oci_namespace *net = oci_config_namespace(c, OCI_NS_NETWORK);
	CHECK(net && net->path && strcmp(net->path, "/var/run/netns/test") == 0, "netns path");
	CHECK(oci_config_namespace(c, OCI_NS_TIME) != NULL, "time namespace");
	CHECK_INT(l->n_uid_mappings, ==, 2);
	CHECK_INT(l->uid_mappings[1].container_id, ==, 32000);
	CHECK(l->time_monotonic.set && l->time_monotonic.secs == -3600, "monotonic offset");
	CHECK_INT(l->time_boottime.nanosecs, ==, 999999999);
	CHECK_INT(l->n_devices, ==, 3);
	CHECK_INT(l->devices[0].type, ==, 'c');
	CHECK_INT(l->devices[0].minor, ==, 229);
	CHECK_INT(l->devices[0].file_mode.value, ==, 0666);
	CHECK(!l->devices[1].uid.set, "devices[1].uid absent");
	CHECK_INT(l->devices[2].type, ==, 'p');
	CHECK_STR(l->cgroups_path, "/vessel/full");
	CHECK_STR(l->intel_rdt->clos_id, "guaranteed_group");
	CHECK(l->intel_rdt->enable_cmt.set && l->intel_rdt->enable_cmt.value, "enableCMT");
	CHECK(l->intel_rdt->enable_mbm.set && !l->intel_rdt->enable_mbm.value, "enableMBM false");
	CHECK_INT(l->n_sysctl, ==, 2);
	CHECK_STR(l->sysctl[0].key, "net.ipv4.ip_forward");
	CHECK_STR(l->rootfs_propagation, "rslave");
	CHECK_STR(l->masked_paths[1], "/sys/firmware");
	CHECK_STR(l->readonly_paths[0], "/proc/sys");
	CHECK_STR(l->personality->domain, "LINUX32");
	CHECK_INT(l->n_net_devices, ==, 2);
	CHECK_STR(l->net_devices[0].host_name, "eth1");
	CHECK_STR(l->net_devices[0].name, "ceth1");
	CHECK(l->net_devices[1].name == NULL, "dummy0 keeps its name");
}

static void check_resources(const struct oci_resources *r)
{
	CHECK_INT(r->n_devices, ==, 3);
	CHECK(!r->devices[0].allow && r->devices[0].type == 'a', "deny all, type defaults to a");
	CHECK(r->devices[0].major == -1 && r->devices[0].minor == -1, "wildcards");
	CHECK(r->devices[2].major == 8 && r->devices[2].minor == -1, "8:* rule");
	CHECK_INT(r->memory->limit.value, ==, 536870912);
	CHECK(r->memory->swap.set && r->memory->swap.value == -1, "swap -1");
	CHECK_INT(r->memory->swappiness.value, ==, 60);
	CHECK(r->memory->disable_oom_killer.set && !r->memory->disable_oom_killer.value, "oom");
	CHECK(r->cpu->quota.set && r->cpu->quota.value == -1, "quota -1");
	CHECK_INT(r->cpu->burst.value, ==, 5000);
	CHECK_STR(r->cpu->cpus, "0-1");
	CHECK_INT(r->cpu->idle.value, ==, 1);
	CHECK_INT(r->block_io->weight.value, ==, 500);
	CHECK_INT(r->block_io->n_weight_devices, ==, 2);
	CHECK(!r->block_io->weight_devices[1].leaf_weight.set, "no leaf weight");
	CHECK(r->block_io->throttle_write_bps[0].rate == UINT64_MAX, "rate 2^64-1");
	CHECK_INT(r->block_io->throttle_write_iops[0].minor, ==, 16);
	CHECK_INT(r->n_hugepage_limits, ==, 2);
	CHECK_STR(r->hugepage_limits[1].page_size, "1GB");
	CHECK_INT(r->network->class_id.value, ==, 1048577);
	CHECK_STR(r->network->priorities[1].name, "eth1");
	CHECK(r->has_pids && r->pids_limit.value == 32771, "pids.limit");
	CHECK_INT(r->n_rdma, ==, 2);
	CHECK_STR(r->rdma[0].device, "mlx5_1");
	CHECK(!r->rdma[1].hca_handles.set && r->rdma[1].hca_objects.value == 1000, "rdma");
	CHECK_STR(r->unified[1].value, "default 100");
}

static void check_seccomp(const struct oci_seccomp *s)
{
	CHECK_STR(s->default_action, "SCMP_ACT_ERRNO");
	CHECK_INT(s->default_errno_ret.value, ==, 38);
	CHECK_STR(s->architectures[2], "SCMP_ARCH_X32");
	CHECK_STR(s->flags[1], "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
	CHECK_STR(s->listener_path, "/run/seccomp-agent.socket");
	CHECK_STR(s->listener_metadata, "meta=1");
	CHECK_INT(s->n_syscalls, ==, 5);
	CHECK_INT(vs_strv_len(s->syscalls[0].names), ==, 3);
	CHECK(s->syscalls[1].errno_ret.set && s->syscalls[1].errno_ret.value == 1, "errnoRet");
	CHECK_INT(s->syscalls[2].n_args, ==, 2);
	CHECK_INT(s->syscalls[2].args[1].index, ==, 5);
	CHECK(s->syscalls[2].args[1].value == UINT64_MAX, "arg value 2^64-1 exactly");
	CHECK_INT(s->syscalls[2].args[1].value_two, ==, 8);
	CHECK_STR(s->syscalls[2].args[1].op, "SCMP_CMP_MASKED_EQ");
	CHECK_STR(s->syscalls[3].action, "SCMP_ACT_NOTIFY");
}

static void test_full(void)
{
	struct vs_error err = VS_ERROR_INIT;
	struct oci_config *c = NULL;
	char *path = corpus_path("valid/full.json");
	int r = oci_config_load(path, &c, &err);
	free(path);
	CHECK(r == 0, "load valid/full.json");
	if (r < 0) {
		printf("#   %s\n", err.msg);
		vs_error_clear(&err);
		return;
	}
	check_top(c);
	check_process(c->process);
	check_linux(c->lnx, c);
	check_resources(c->lnx->resources);
	check_seccomp(c->lnx->seccomp);
	oci_config_free(c);
}

static void test_unknown_fields(void)
{
	struct vs_error err = VS_ERROR_INIT;
	struct oci_config *c = NULL;
	char *path = corpus_path("valid/unknown-fields.json");
	int r = oci_config_load(path, &c, &err);
	free(path);
	CHECK(r == 0, "unknown fields are ignored");
	if (r < 0) {
		printf("#   %s\n", err.msg);
		vs_error_clear(&err);
		return;
	}
	CHECK(c->hostname == NULL, "null hostname reads as absent");
	CHECK(c->mounts == NULL && c->n_mounts == 0, "null mounts read as absent");
	CHECK(c->process->command_line == NULL, "commandLine ignored");
	CHECK_INT(c->lnx->resources->memory->limit.value, ==, 1024);
	/* deprecated kernel memory: ignored, with a warning for the log */
	CHECK(!c->lnx->resources->memory->kernel.set, "memory.kernel ignored");
	CHECK(!c->lnx->resources->memory->kernel_tcp.set, "memory.kernelTCP ignored");
	CHECK_INT(vs_strv_len(c->warnings), ==, 2);
	if (vs_strv_len(c->warnings) == 2) {
		CHECK(strstr(c->warnings[0], "unknown-fields.json: linux.resources.memory.kernel: "
					     "deprecated and ignored"),
		      c->warnings[0]);
		CHECK(strstr(c->warnings[1],
			     "unknown-fields.json: linux.resources.memory.kernelTCP: "
			     "deprecated and ignored"),
		      c->warnings[1]);
	}
	oci_config_free(c);
}

static void expect_load_error(const char *path, const char *expected, const char *desc)
{
	struct vs_error err = VS_ERROR_INIT;
	struct oci_config *c = NULL;
	CHECK(oci_config_load(path, &c, &err) < 0 && c == NULL, desc);
	CHECK_STR(err.msg, expected);
	vs_error_clear(&err);
}

static void test_load_errors(void)
{
	char dir[] = "/tmp/vessel-test-oci-XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	char *missing = vs_strdup_printf("%s/nope.json", dir);
	char *msg = vs_strdup_printf("open %s: No such file or directory", missing);
	expect_load_error(missing, msg, "missing file");
	free(msg);
	msg = vs_strdup_printf("%s: read: Is a directory", dir);
	expect_load_error(dir, msg, "a directory");
	free(msg);
	char *trunc = vs_strdup_printf("%s/config.json", dir);
	struct vs_error err = VS_ERROR_INIT;
	vs_write_file(trunc, "{\"ociVersion\": \"1.2.0\", \"root\": {", 33, &err);
	msg = vs_strdup_printf("%s: unexpected end of input (truncated file?)", trunc);
	expect_load_error(trunc, msg, "truncated file names its path");
	free(msg);
	vs_write_file(trunc, "", 0, &err);
	msg = vs_strdup_printf("%s: empty file", trunc);
	expect_load_error(trunc, msg, "empty file");
	free(msg);
	vs_write_file(trunc, "{\"a\":\0}", 7, &err);
	msg = vs_strdup_printf("%s: contains a NUL byte", trunc);
	expect_load_error(trunc, msg, "NUL byte");
	free(msg);
	/* 300 nested arrays: refused before yajl recurses over them */
	char deep[700] = "{\"a\":";
	for (int i = 0; i < 300; i++)
		strcat(deep, "[");
	vs_write_file(trunc, deep, strlen(deep), &err);
	msg = vs_strdup_printf("%s: nested deeper than 256 levels", trunc);
	expect_load_error(trunc, msg, "deep nesting");
	free(msg);
	unlink(trunc);
	rmdir(dir);
	free(trunc);
	free(missing);
}

static void test_process_parse(void)
{
	const char *ok = "{\"terminal\": false, \"user\": {\"uid\": 5, \"gid\": 6},"
			 " \"args\": [\"/bin/ls\", \"-l\"], \"env\": [\"A=b\"], \"cwd\": \"/tmp\","
			 " \"capabilities\": {\"bounding\": [\"CAP_CHOWN\"]},"
			 " \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 10, \"soft\": 5}],"
			 " \"consoleSize\": {\"height\": 1, \"width\": 2}}";
	struct vs_error err = VS_ERROR_INIT;
	struct oci_process *p = NULL;
	CHECK(oci_process_parse(ok, strlen(ok), "process.json", &p, &err) == 0, "bare process");
	if (p) {
		CHECK_INT(p->user.uid, ==, 5);
		CHECK_STR(p->args[1], "-l");
		CHECK_STR(p->cwd, "/tmp");
		CHECK_INT(p->rlimits[0].hard, ==, 10);
		CHECK_INT(p->console_size->width, ==, 2);
		oci_process_free(p);
	}
	vs_error_clear(&err);

	static const struct {
		const char *json, *expected;
	} bad[] = {
	    {"{\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [], \"cwd\": \"/\"}",
	     "process.json: args: must contain at least one element"},
	    {"{\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"]}",
	     "process.json: cwd: missing required field"},
	    {"{\"user\": {\"uid\": \"root\", \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": \"/\"}",
	     "process.json: user.uid: expected a non-negative integer, got \"root\""},
	    {"[\"sh\"]", "process.json: expected a JSON object at the top level, got an array"},
	    {"{\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": \"/\",",
	     "process.json: unexpected end of input (truncated file?)"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		p = NULL;
		CHECK(oci_process_parse(bad[i].json, strlen(bad[i].json), "process.json", &p,
					&err) < 0 &&
			  p == NULL,
		      "bad bare process rejected");
		CHECK_STR(err.msg, bad[i].expected);
		vs_error_clear(&err);
	}
}

static void test_resources_parse(void)
{
	const char *ok = "{\"memory\": {\"limit\": 1073741824, \"swap\": -1},"
			 " \"cpu\": {\"quota\": 50000, \"period\": 100000, \"cpus\": \"0\"},"
			 " \"pids\": {\"limit\": 100}, \"blockIO\": {\"weight\": 10},"
			 " \"unified\": {\"memory.high\": \"max\"}}";
	struct vs_error err = VS_ERROR_INIT;
	struct oci_resources *r = NULL, *r2 = NULL;
	CHECK(oci_resources_parse(ok, strlen(ok), "-", &r, &err) == 0, "bare resources");
	if (r) {
		CHECK_INT(r->memory->limit.value, ==, 1073741824);
		CHECK(!r->memory->reservation.set, "reservation absent");
		CHECK_INT(r->cpu->quota.value, ==, 50000);
		CHECK(r->has_pids && r->pids_limit.value == 100, "pids");
		CHECK(r->cpu && !r->cpu->shares.set, "shares absent");
		char *json = oci_resources_to_json(r);
		CHECK(oci_resources_parse(json, strlen(json), "gen", &r2, &err) == 0,
		      "serialized resources parse");
		if (r2) {
			char *json2 = oci_resources_to_json(r2);
			CHECK_STR(json2, json);
			free(json2);
			oci_resources_free(r2);
		}
		free(json);
		oci_resources_free(r);
	}
	vs_error_clear(&err);
	const char *bad = "{\"memory\": {\"limit\": \"1g\"}}";
	r = NULL;
	CHECK(oci_resources_parse(bad, strlen(bad), "resources.json", &r, &err) < 0 && !r,
	      "bad resources rejected");
	CHECK_STR(err.msg, "resources.json: memory.limit: expected an integer, got \"1g\"");
	vs_error_clear(&err);
	bad = "{\"pids\": {\"limit\": 1.5}}";
	CHECK(oci_resources_parse(bad, strlen(bad), "resources.json", &r, &err) < 0, "fraction");
	CHECK_STR(err.msg, "resources.json: pids.limit: expected an integer, got 1.5");
	vs_error_clear(&err);
}

static void test_names(void)
{
	CHECK_STR(oci_ns_type_name(OCI_NS_NETWORK), "network");
	CHECK_STR(oci_ns_proc_name(OCI_NS_NETWORK), "net");
	CHECK_STR(oci_ns_proc_name(OCI_NS_MOUNT), "mnt");
	CHECK_STR(oci_hook_kind_name(OCI_HOOK_CREATE_CONTAINER), "createContainer");
	CHECK_STR(oci_hook_kind_name(OCI_HOOK_POSTSTOP), "poststop");
}

/* A config built in C (what `vessel spec` does) serializes to JSON that
 * parses back to the same values. */
static void test_build_and_serialize(void)
{
	struct oci_config c = {0};
	struct oci_root root = {.path = "rootfs", .readonly = true};
	char *args[] = {"sh", NULL};
	struct oci_process p = {.args = args, .cwd = "/", .terminal = true};
	struct oci_namespace ns[] = {{.type = OCI_NS_PID}, {.type = OCI_NS_MOUNT}};
	struct oci_linux l = {.namespaces = ns, .n_namespaces = 2};
	c.root = &root;
	c.process = &p;
	c.lnx = &l;
	char *json = oci_config_to_json(&c);
	struct vs_error err = VS_ERROR_INIT;
	struct oci_config *back = NULL;
	CHECK(oci_config_parse(json, strlen(json), "spec", &back, &err) == 0,
	      "built config parses");
	if (back) {
		CHECK_STR(back->oci_version, OCI_SPEC_VERSION);
		CHECK(back->root->readonly && back->process->terminal, "flags kept");
		CHECK_INT(back->lnx->namespaces[1].type, ==, OCI_NS_MOUNT);
		oci_config_free(back);
	} else {
		printf("#   %s\n", err.msg);
	}
	vs_error_clear(&err);
	free(json);
}

int main(void)
{
	test_full();
	test_unknown_fields();
	test_load_errors();
	test_process_parse();
	test_resources_parse();
	test_names();
	test_build_and_serialize();
	return tap_done();
}
