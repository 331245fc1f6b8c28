/* The container state model: write/read round trip, atomic replace (no
 * temp file left behind, mode 0600), the spec-only output `vessel state`
 * prints and hooks read, and errors for broken state files. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "oci/state.h"
#include "tap.h"

static char dir[] = "/tmp/vessel-test-state-XXXXXX";

static size_t count_entries(void)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static void fill(struct oci_state *s)
{
	static struct oci_kv ann[] = {{"org.example/a", "1"}, {"b", ""}};
	s->id = "c1";
	s->status = OCI_STATUS_CREATED;
	s->pid = 4242;
	s->bundle = "/run/bundles/c1";
	s->annotations = ann;
	s->n_annotations = 2;
	s->created = "2026-11-21T06:00:00.123456789Z";
	s->owner = "root";
	s->rootfs = "/run/bundles/c1/rootfs";
	s->init_start_time = UINT64_MAX - 1;
	s->cgroup_path = "/vessel/c1";
	s->config_path = "/run/vessel/c1/config.json";
	s->systemd_cgroup = true;
}

static void test_round_trip(const char *path)
{
	struct vs_error err = VS_ERROR_INIT;
	struct oci_state s = {0}, *r = NULL;
	fill(&s);
	CHECK(oci_state_write(path, &s, &err) == 0, "write state");
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "state.json is mode 0600");
	CHECK_INT(count_entries(), ==, 1);
	CHECK(oci_state_read(path, &r, &err) == 0, "read state back");
	if (!r) {
		printf("#   %s\n", err.msg);
		vs_error_clear(&err);
		return;
	}
	CHECK_STR(r->oci_version, OCI_SPEC_VERSION);
	CHECK_STR(r->id, "c1");
	CHECK_STR(r->status, "created");
	CHECK_INT(r->pid, ==, 4242);
	CHECK_STR(r->bundle, "/run/bundles/c1");
	CHECK_INT(r->n_annotations, ==, 2);
	CHECK_STR(r->annotations[0].key, "org.example/a");
	CHECK_STR(r->annotations[1].value, "");
	CHECK_STR(r->created, "2026-11-21T06:00:00.123456789Z");
	CHECK_STR(r->owner, "root");
	CHECK_STR(r->rootfs, "/run/bundles/c1/rootfs");
	CHECK(r->init_start_time == UINT64_MAX - 1, "init_start_time exact at 2^64-2");
	CHECK_STR(r->cgroup_path, "/vessel/c1");
	CHECK_STR(r->config_path, "/run/vessel/c1/config.json");
	CHECK(r->systemd_cgroup, "systemd_cgroup");

	/* replace: a second write with a new status wins, still no temp file */
	oci_state_ext_set(r, "execFifo", "/run/vessel/c1/exec.fifo");
	oci_state_ext_set(r, "execFifo", "/run/vessel/c1/exec.fifo2");
	free(r->status);
	r->status = vs_strdup(OCI_STATUS_RUNNING);
	CHECK(oci_state_write(path, r, &err) == 0, "rewrite state");
	CHECK_INT(count_entries(), ==, 1);
	oci_state_free(r);
	r = NULL;
	CHECK(oci_state_read(path, &r, &err) == 0, "read rewritten state");
	if (r) {
		CHECK_STR(r->status, "running");
		CHECK_INT(r->n_ext, ==, 1);
		CHECK_STR(oci_state_ext_get(r, "execFifo"), "/run/vessel/c1/exec.fifo2");
		CHECK(oci_state_ext_get(r, "missing") == NULL, "absent ext key");
	}
	oci_state_free(r);
	vs_error_clear(&err);
}

static void test_spec_output(void)
{
	struct oci_state s = {0};
	fill(&s);
	s.n_annotations = 1;
	char *json = oci_state_to_json(&s, true);
	CHECK_STR(json, "{\n"
			"\t\"ociVersion\": \"" OCI_SPEC_VERSION "\",\n"
			"\t\"id\": \"c1\",\n"
			"\t\"pid\": 4242,\n"
			"\t\"status\": \"created\",\n"
			"\t\"bundle\": \"/run/bundles/c1\",\n"
			"\t\"rootfs\": \"/run/bundles/c1/rootfs\",\n"
			"\t\"created\": \"2026-11-21T06:00:00.123456789Z\",\n"
			"\t\"owner\": \"root\",\n"
			"\t\"annotations\": {\n"
			"\t\t\"org.example/a\": \"1\"\n"
			"\t}\n"
			"}\n");
	CHECK(!strstr(json, "initStartTime") && !strstr(json, "cgroupPath"),
	      "spec output has no bookkeeping");
	free(json);
	s.n_annotations = 0;
	json = oci_state_to_json(&s, true);
	CHECK(!strstr(json, "annotations"), "no annotations key when there are none");
	free(json);
}

static void expect_parse_error(const char *json, const char *expected)
{
	struct vs_error err = VS_ERROR_INIT;
	struct oci_state *s = NULL;
	CHECK(oci_state_parse(json, strlen(json), "state.json", &s, &err) < 0 && s == NULL,
	      "broken state rejected");
	CHECK_STR(err.msg, expected);
	vs_error_clear(&err);
}

static void test_errors(const char *path)
{
	struct vs_error err = VS_ERROR_INIT;
	struct oci_state s = {0}, *r = NULL;
	fill(&s);
	char *full = oci_state_to_json(&s, false);
	/* a state.json cut short (what a non-atomic writer could leave) */
	vs_write_file(path, full, strlen(full) / 2, &err);
	char *msg = vs_strdup_printf("%s: unexpected end of input (truncated file?)", path);
	CHECK(oci_state_read(path, &r, &err) < 0 && r == NULL, "truncated state rejected");
	CHECK_STR(err.msg, msg);
	vs_error_clear(&err);
	free(msg);
	free(full);
	unlink(path);
	CHECK(oci_state_read(path, &r, &err) < 0, "missing state rejected");
	CHECK(err.errnum == ENOENT, "missing state keeps ENOENT for callers");
	vs_error_clear(&err);

	expect_parse_error(
	    "{\"ociVersion\": \"1.2.0\", \"status\": \"created\", \"bundle\": \"/b\"}",
	    "state.json: id: missing required field");
	expect_parse_error(
	    "{\"ociVersion\": \"1.2.0\", \"id\": \"x\", \"status\": \"dead\","
	    " \"bundle\": \"/b\"}",
	    "state.json: status: unknown status \"dead\" (expected one of: creating, "
	    "created, running, paused, stopped)");
	expect_parse_error("{\"ociVersion\": \"1.2.0\", \"id\": \"x\", \"status\": \"created\","
			   " \"pid\": -1, \"bundle\": \"/b\"}",
			   "state.json: pid: expected a non-negative integer, got -1");
	expect_parse_error("{\"ociVersion\": \"1.2.0\", \"id\": \"x\", \"status\": \"created\","
			   " \"pid\": 1, \"bundle\": \"/b\", \"initStartTime\": \"5\"}",
			   "state.json: initStartTime: expected a non-negative integer, got \"5\"");
	expect_parse_error("", "state.json: empty file");
}

int main(void)
{
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return tap_done();
	}
	char *path = vs_strdup_printf("%s/state.json", dir);
	test_round_trip(path);
	test_spec_output();
	test_errors(path);
	unlink(path);
	CHECK(rmdir(dir) == 0, "test directory left empty");
	free(path);
	return tap_done();
}
