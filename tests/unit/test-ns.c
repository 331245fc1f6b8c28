/* Pure parts of runtime/ns, runtime/process and runtime/spawn: id map text,
 * namespace plans, sysctl namespace rules, cpu lists, capability names,
 * /proc/PID/stat parsing. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/ns/ns.h"
#include "runtime/process/process.h"
#include "runtime/spawn/spawn.h"
#include "tap.h"

static void test_id_map(void)
{
	struct oci_id_mapping m[] = {{0, 100000, 65536}, {65536, 1000, 1}};
	char *s = ns_format_id_map(m, 2);
	CHECK_STR(s, "0 100000 65536\n65536 1000 1\n");
	free(s);
	s = ns_format_id_map(NULL, 0);
	CHECK_STR(s, "");
	free(s);
}

static int plan(struct oci_namespace *nss, size_t n, struct ns_plan *p, char **msg)
{
	struct vs_error err = VS_ERROR_INIT;
	int r = ns_plan_build(nss, n, p, &err);
	*msg = err.msg ? strdup(err.msg) : NULL;
	vs_error_clear(&err);
	return r;
}

static void test_plan(void)
{
	struct ns_plan p;
	char *msg;
	struct oci_namespace all[] = {
	    {OCI_NS_PID, NULL},	   {OCI_NS_NETWORK, NULL}, {OCI_NS_MOUNT, NULL},
	    {OCI_NS_CGROUP, NULL}, {OCI_NS_TIME, NULL},	   {OCI_NS_USER, NULL},
	};
	CHECK_INT(plan(all, 6, &p, &msg), ==, 0);
	CHECK_INT(p.clone_flags, ==, CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWUSER);
	CHECK_INT(p.unshare_flags, ==, CLONE_NEWCGROUP | 0x80 /* CLONE_NEWTIME */);
	CHECK(p.new_user && p.new_time, "new user and time namespaces need the parent");
	ns_plan_clear(&p);

	struct oci_namespace dup[] = {{OCI_NS_UTS, NULL}, {OCI_NS_UTS, NULL}};
	CHECK_INT(plan(dup, 2, &p, &msg), ==, -1);
	CHECK_STR(msg, "linux.namespaces[1]: duplicate uts namespace");
	free(msg);

	struct oci_namespace wrong[] = {{OCI_NS_NETWORK, "/proc/self/ns/ipc"}};
	CHECK_INT(plan(wrong, 1, &p, &msg), ==, -1);
	CHECK_STR(msg, "linux.namespaces[0]: /proc/self/ns/ipc is not a network namespace");
	free(msg);

	struct oci_namespace notns[] = {{OCI_NS_IPC, "/proc/self/stat"}};
	CHECK_INT(plan(notns, 1, &p, &msg), ==, -1);
	CHECK_STR(msg, "linux.namespaces[0]: /proc/self/stat is not a namespace file");
	free(msg);

	struct oci_namespace join[] = {{OCI_NS_NETWORK, "/proc/self/ns/net"}, {OCI_NS_MOUNT, NULL}};
	CHECK_INT(plan(join, 2, &p, &msg), ==, 0);
	CHECK(p.join_fds[OCI_NS_NETWORK] >= 0, "joined namespace fd is open");
	CHECK_INT(p.clone_flags, ==, CLONE_NEWNS);
	ns_plan_clear(&p);
	CHECK_INT(p.join_fds[OCI_NS_NETWORK], ==, -1);

	/* A joined user namespace must own the new ones: they move to unshare. */
	struct oci_namespace juser[] = {{OCI_NS_USER, "/proc/self/ns/user"}, {OCI_NS_UTS, NULL}};
	CHECK_INT(plan(juser, 2, &p, &msg), ==, 0);
	CHECK_INT(p.clone_flags, ==, 0);
	CHECK_INT(p.unshare_flags, ==, CLONE_NEWUTS);
	ns_plan_clear(&p);
	struct oci_namespace juserpid[] = {{OCI_NS_USER, "/proc/self/ns/user"}, {OCI_NS_PID, NULL}};
	CHECK_INT(plan(juserpid, 2, &p, &msg), ==, 0);
	CHECK(p.fork_for_pid, "a new pid ns in a joined user ns needs the fork");
	CHECK_INT(p.unshare_flags, ==, CLONE_NEWPID);
	ns_plan_clear(&p);
}

static int sysctl_ok(const char *key, bool ipc, bool net, bool uts, bool host_net)
{
	struct proc_ns_info ns = {.ipc = ipc, .net = net, .uts = uts, .net_is_host = host_net};
	struct vs_error err = VS_ERROR_INIT;
	int r = proc_sysctl_check(key, &ns, &err);
	vs_error_clear(&err);
	return r == 0;
}

static void test_sysctl(void)
{
	CHECK(sysctl_ok("net.ipv4.ip_forward", false, true, false, false), "net with netns");
	CHECK(!sysctl_ok("net.ipv4.ip_forward", true, false, true, false), "net without netns");
	CHECK(!sysctl_ok("net.ipv4.ip_forward", false, true, false, true), "net in the host netns");
	CHECK(sysctl_ok("kernel.shmmax", true, false, false, false), "ipc with ipcns");
	CHECK(sysctl_ok("fs.mqueue.msg_max", true, false, false, false), "mqueue with ipcns");
	CHECK(!sysctl_ok("kernel.msgmax", false, true, true, false), "ipc without ipcns");
	CHECK(sysctl_ok("kernel.hostname", false, false, true, false), "hostname with utsns");
	CHECK(!sysctl_ok("kernel.domainname", true, true, false, false),
	      "domainname without utsns");
	CHECK(!sysctl_ok("kernel.panic", true, true, true, false), "not namespaced");
	CHECK(!sysctl_ok("vm.swappiness", true, true, true, false), "not namespaced");
	CHECK(!sysctl_ok("kernel.shm", true, true, true, false), "prefix of an ipc key");
}

static int cpus(const char *list, cpu_set_t *set)
{
	struct vs_error err = VS_ERROR_INIT;
	int r = proc_cpulist_parse(list, set, &err);
	vs_error_clear(&err);
	return r;
}

static void test_cpulist(void)
{
	cpu_set_t s;
	CHECK_INT(cpus("0-3,7", &s), ==, 0);
	CHECK_INT(CPU_COUNT(&s), ==, 5);
	CHECK(CPU_ISSET(7, &s) && CPU_ISSET(0, &s) && !CPU_ISSET(4, &s), "members of 0-3,7");
	CHECK_INT(cpus("1", &s), ==, 0);
	CHECK_INT(CPU_COUNT(&s), ==, 1);
	CHECK_INT(cpus("3-1", &s), ==, -1);
	CHECK_INT(cpus("a", &s), ==, -1);
	CHECK_INT(cpus("", &s), ==, -1);
	CHECK_INT(cpus("1-", &s), ==, -1);
	CHECK_INT(cpus("-1", &s), ==, -1);
	CHECK_INT(cpus("99999", &s), ==, -1);
}

static void test_caps(void)
{
	int c = -1;
	CHECK_INT(proc_cap_from_name("CAP_CHOWN", &c), ==, 0);
	CHECK_INT(c, ==, 0);
	CHECK_INT(proc_cap_from_name("CAP_SYS_ADMIN", &c), ==, 0);
	CHECK_INT(c, ==, 21);
	CHECK_INT(proc_cap_from_name("CHOWN", &c), ==, -1);
	CHECK_INT(proc_cap_from_name("CAP_NOPE", &c), ==, -1);

	char *eff[] = {"CAP_KILL", "CAP_NET_RAW", NULL};
	char *bad[] = {"CAP_KILL", "CAP_BOGUS", NULL};
	struct oci_capabilities oc = {.effective = eff, .permitted = eff};
	struct proc_caps pc;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(proc_caps_parse(&oc, &pc, &err), ==, 0);
	CHECK(pc.set, "capabilities present");
	CHECK_INT(pc.effective, ==, (1ULL << 5) | (1ULL << 13));
	CHECK_INT(pc.bounding, ==, 0);
	oc.ambient = bad;
	CHECK_INT(proc_caps_parse(&oc, &pc, &err), ==, -1);
	CHECK_STR(err.msg, "process.capabilities.ambient[1]: unknown capability \"CAP_BOGUS\"");
	vs_error_clear(&err);
	CHECK_INT(proc_caps_parse(NULL, &pc, &err), ==, 0);
	CHECK(!pc.set, "absent capabilities keep vessel's");
}

static void test_proc_stat(void)
{
	struct vs_error err = VS_ERROR_INIT;
	uint64_t st = 0, st2 = 0;
	char state = 0;
	CHECK_INT(spawn_proc_stat(getpid(), &st, &state, &err), ==, 0);
	CHECK(st > 0, "start time of self");
	CHECK_INT(state, ==, 'R');
	CHECK_INT(spawn_proc_stat(getpid(), &st2, NULL, &err), ==, 0);
	CHECK_INT(st, ==, st2);
	CHECK_INT(spawn_proc_stat(0x3fffffff, &st, NULL, &err), ==, -1);
	vs_error_clear(&err);
}

static void test_find_executable(void)
{
	struct vs_error err = VS_ERROR_INIT;
	char *env[] = {"PATH=/nonexistent:/bin:/usr/bin", NULL};
	char *p = proc_find_executable("sh", env, &err);
	CHECK(p && (strcmp(p, "/bin/sh") == 0), "sh found in PATH order");
	free(p);
	p = proc_find_executable("/bin/sh", env, &err);
	CHECK_STR(p, "/bin/sh");
	free(p);
	p = proc_find_executable("no-such-program-xyz", env, &err);
	CHECK(p == NULL, "missing program");
	CHECK_STR(err.msg, "exec \"no-such-program-xyz\": executable file not found in $PATH: "
			   "no such file or directory");
	vs_error_clear(&err);
}

int main(void)
{
	test_id_map();
	test_plan();
	test_sysctl();
	test_cpulist();
	test_caps();
	test_proc_stat();
	test_find_executable();
	return tap_done();
}
