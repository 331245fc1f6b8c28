/* runtime/cgroup on this host's real cgroup2 tree: create, enter, list,
 * freeze/thaw, the BPF device program seen from a process inside, the
 * refusal of limits the tree cannot enforce, a memory limit written to
 * the v1 hierarchy on a hybrid host, destroy.  Needs root and a
 * cgroup2 mount; otherwise every check is reported as skipped. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "oci/oci.h"
#include "runtime/cgroup/cgroup.h"
#include "tap.h"

static char id[64];

static struct cg_handle *create(const char *suffix, const struct oci_resources *res, char **ret_err)
{
	char name[96];
	snprintf(name, sizeof(name), "%s%s", id, suffix);
	struct cg_config cfg = {.id = name, .resources = res};
	struct cg_handle *h = NULL;
	struct vs_error err = VS_ERROR_INIT;
	*ret_err = NULL;
	if (cg_create(&cfg, &h, &err) < 0)
		*ret_err = err.msg;
	return h;
}

/* A child that sleeps until killed. */
static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void test_lifecycle(void)
{
	char *e;
	struct cg_handle *h = create("", NULL, &e);
	CHECK(h != NULL, "create a cgroup with no limits");
	if (!h) {
		printf("# %s\n", e);
		free(e);
		return;
	}
	_cleanup_free_ char *dir = vs_strdup(cg_handle_dir(h));
	CHECK(access(dir, F_OK) == 0, "the cgroup directory exists");
	pid_t pid = spawn_sleeper();
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(cg_enter(h, pid, &err), ==, 0);
	pid_t *pids = NULL;
	size_t n = 0;
	CHECK_INT(cg_pids(h, &pids, &n, &err), ==, 0);
	CHECK_INT(n, ==, 1);
	CHECK_INT(n ? pids[0] : 0, ==, pid);
	free(pids);

	bool frozen = true;
	CHECK_INT(cg_is_frozen(h, &frozen, &err), ==, 0);
	CHECK(!frozen, "not frozen at first");
	CHECK_INT(cg_freeze(h, 5000, &err), ==, 0);
	CHECK_INT(cg_is_frozen(h, &frozen, &err), ==, 0);
	CHECK(frozen, "frozen after cg_freeze");
	CHECK_INT(cg_thaw(h, 5000, &err), ==, 0);
	CHECK_INT(cg_is_frozen(h, &frozen, &err), ==, 0);
	CHECK(!frozen, "thawed after cg_thaw");

	/* Reopen by the persisted path, as a later command does. */
	struct cg_handle *h2 = NULL;
	CHECK_INT(cg_open(cg_handle_path(h), &h2, &err), ==, 0);
	CHECK_INT(cg_destroy(h2, &err), ==, 0);
	if (err.msg)
		printf("# %s\n", err.msg);
	int status = 0;
	CHECK_INT(waitpid(pid, &status, 0), ==, pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "destroy killed the process");
	CHECK(access(dir, F_OK) < 0 && errno == ENOENT, "destroy removed the cgroup");
	cg_handle_free(h2);
	cg_handle_free(h);
	vs_error_clear(&err);
}

/* In a child that moved itself into the cgroup: open each path, report
 * errno (0 = opened) through the pipe. */
static void probe_devices(struct cg_handle *h, const char *const *paths, int *ret_errnos, size_t n)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		struct vs_error err = VS_ERROR_INIT;
		if (cg_enter(h, getpid(), &err) < 0)
			_exit(2);
		for (size_t i = 0; i < n; i++) {
			int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
			int e = fd < 0 ? errno : 0;
			if (fd >= 0)
				close(fd);
			if (write(p[1], &e, sizeof(e)) != sizeof(e))
				_exit(3);
		}
		_exit(0);
	}
	close(p[1]);
	for (size_t i = 0; i < n; i++)
		if (read(p[0], &ret_errnos[i], sizeof(int)) != sizeof(int))
			ret_errnos[i] = -1;
	close(p[0]);
	waitpid(pid, NULL, 0);
}

static void test_devices(void)
{
	struct oci_device_rule deny_all = {.allow = false, .type = 'a', .major = -1, .minor = -1};
	struct oci_resources res = {.devices = &deny_all, .n_devices = 1};
	/* linux.devices only creates nodes: as in runc, it adds no device
	 * rule, so a /dev/kmsg (1:11) listed there stays denied by a deny-all
	 * (reads and writes: a write once got through). */
	struct oci_device kmsg = {.path = "/dev/kmsg", .type = 'c', .major = 1, .minor = 11};
	char name[96];
	snprintf(name, sizeof(name), "%s-dev", id);
	struct cg_config cfg = {.id = name, .resources = &res};
	struct cg_handle *h = NULL;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(cg_create(&cfg, &h, &err), ==, 0);
	if (!h) {
		printf("# %s\n", err.msg);
		vs_error_clear(&err);
		return;
	}
	const char *paths[] = {"/dev/null", "/dev/zero", "/dev/kmsg", "/dev/loop-control"};
	int e[4] = {-1, -1, -1, -1};
	probe_devices(h, paths, e, 4);
	CHECK_INT(e[0], ==, 0);
	CHECK_INT(e[1], ==, 0);
	CHECK_INT(e[2], ==, EPERM);
	CHECK_INT(e[3], ==, EPERM);
	CHECK_INT(cg_destroy(h, &err), ==, 0);
	cg_handle_free(h);

	/* Same rules plus /dev/kmsg in linux.devices: still denied. */
	cfg.devices = &kmsg;
	cfg.n_devices = 1;
	h = NULL;
	CHECK_INT(cg_create(&cfg, &h, &err), ==, 0);
	if (!h)
		return;
	probe_devices(h, paths, e, 4);
	CHECK_INT(e[2], ==, EPERM);
	CHECK_INT(e[3], ==, EPERM);
	CHECK_INT(cg_destroy(h, &err), ==, 0);
	cg_handle_free(h);
	vs_error_clear(&err);
}

static bool has_controller(const char *name)
{
	struct vs_error err = VS_ERROR_INIT;
	struct cg_handle *h = NULL;
	char *e;
	h = create("-probe", NULL, &e);
	free(e);
	if (!h)
		return false;
	_cleanup_free_ char *path = vs_strdup_printf("%s/../cgroup.controllers", cg_handle_dir(h));
	_cleanup_free_ char *buf = NULL;
	bool found = vs_read_file(path, 0, &buf, NULL, &err) == 0 && strstr(buf, name);
	cg_destroy(h, &err);
	cg_handle_free(h);
	vs_error_clear(&err);
	return found;
}

static void test_refusal(void)
{
	/* rdma has no v1 path in vessel (runc has none either): still refused */
	if (has_controller("rdma")) {
		printf("ok %d - # SKIP the rdma controller is in cgroup2 here\n", ++tap_n);
		return;
	}
	struct oci_rdma rdma = {.device = (char *)"mlx5_0", .hca_handles = {true, 4}};
	struct oci_resources res = {.rdma = &rdma, .n_rdma = 1};
	char *e;
	struct cg_handle *h = create("-refuse", &res, &e);
	CHECK(h == NULL, "an rdma limit is refused without the rdma controller");
	CHECK(e && strstr(e, "linux.resources.rdma") && strstr(e, "rdma controller"),
	      "the error names the resource and the controller");
	printf("# %s\n", e ? e : "(no error)");
	free(e);
	cg_handle_free(h);
}

/* Hybrid host: a memory limit goes to the v1 memory cgroup at the same
 * path, and destroy removes that directory. */
static void test_v1_memory(void)
{
	if (has_controller("memory") || access("/sys/fs/cgroup/memory/cgroup.procs", F_OK) < 0) {
		printf("ok %d - # SKIP memory is not a v1-only controller here\n", ++tap_n);
		return;
	}
	struct oci_memory mem = {.limit = {true, 64 << 20}};
	struct oci_resources res = {.memory = &mem};
	char *e;
	struct cg_handle *h = create("-v1mem", &res, &e);
	CHECK(h != NULL, "a memory limit is accepted with memory bound to v1");
	if (!h) {
		printf("# %s\n", e);
		free(e);
		return;
	}
	_cleanup_free_ char *dir = vs_strdup_printf("/sys/fs/cgroup/memory%s", cg_handle_path(h));
	_cleanup_free_ char *file = vs_strdup_printf("%s/memory.limit_in_bytes", dir);
	_cleanup_free_ char *buf = NULL;
	struct vs_error err = VS_ERROR_INIT;
	CHECK(vs_read_file(file, 0, &buf, NULL, &err) == 0 && strcmp(buf, "67108864\n") == 0,
	      "memory.limit_in_bytes of the v1 cgroup is the limit");
	CHECK_INT(cg_destroy(h, &err), ==, 0);
	CHECK(access(dir, F_OK) < 0, "destroy removes the v1 memory cgroup");
	cg_handle_free(h);
	vs_error_clear(&err);
}

int main(void)
{
	if (geteuid() != 0 || access("/proc/self/mountinfo", R_OK) < 0) {
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	snprintf(id, sizeof(id), "unit-cgroup-%d", (int)getpid());
	struct cg_handle *probe = NULL;
	char *e;
	probe = create("-p0", NULL, &e);
	if (!probe || !cg_handle_path(probe)) {
		printf("# %s\n", e ? e : "empty handle");
		printf("1..0 # SKIP no cgroup2 hierarchy\n");
		return 0;
	}
	struct vs_error err = VS_ERROR_INIT;
	cg_destroy(probe, &err);
	cg_handle_free(probe);
	free(e);
	vs_error_clear(&err);
	test_lifecycle();
	test_devices();
	test_refusal();
	test_v1_memory();
	return tap_done();
}
