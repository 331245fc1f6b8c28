#include "runtime/ns/ns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/nsfs.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/ns/ns-internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	int flag;
	const char *json; /* name in linux.namespaces[].type */
} ns_types[OCI_NS_COUNT] = {
    [OCI_NS_PID] = {CLONE_NEWPID, "pid"},	   [OCI_NS_NETWORK] = {CLONE_NEWNET, "network"},
    [OCI_NS_MOUNT] = {CLONE_NEWNS, "mount"},	   [OCI_NS_IPC] = {CLONE_NEWIPC, "ipc"},
    [OCI_NS_UTS] = {CLONE_NEWUTS, "uts"},	   [OCI_NS_USER] = {CLONE_NEWUSER, "user"},
    [OCI_NS_CGROUP] = {CLONE_NEWCGROUP, "cgroup"}, [OCI_NS_TIME] = {CLONE_NEWTIME, "time"},
};

int ns_clone_flag(enum oci_ns_type type)
{
	if ((int)type < 0 || type >= OCI_NS_COUNT)
		return 0;
	return ns_types[type].flag;
}

int ns_check_type(int fd, enum oci_ns_type type, const char *path, struct vs_error *err)
{
	int got = ioctl(fd, NS_GET_NSTYPE);
	if (got < 0) {
		if (errno == ENOTTY || errno == EINVAL)
			return vs_error_set(err, "%s is not a namespace file", path);
		return vs_error_errno(err, errno, "%s: NS_GET_NSTYPE", path);
	}
	if (got != ns_types[type].flag)
		return vs_error_set(err, "%s is not a %s namespace", path, ns_types[type].json);
	return 0;
}

void ns_plan_clear(struct ns_plan *plan)
{
	for (int i = 0; i < OCI_NS_COUNT; i++) {
		if (plan->join_fds[i] >= 0)
			close(plan->join_fds[i]);
		plan->join_fds[i] = -1;
	}
}

static int plan_add(struct ns_plan *plan, const struct oci_namespace *ns, size_t idx,
		    struct vs_error *err)
{
	if ((int)ns->type < 0 || ns->type >= OCI_NS_COUNT)
		return vs_error_set(err, "linux.namespaces[%zu]: unknown type", idx);
	if (plan->has[ns->type])
		return vs_error_set(err, "linux.namespaces[%zu]: duplicate %s namespace", idx,
				    ns_types[ns->type].json);
	plan->has[ns->type] = true;
	if (ns->path && ns->path[0]) {
		int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return vs_error_errno(err, errno, "linux.namespaces[%zu]: open %s", idx,
					      ns->path);
		plan->join_fds[ns->type] = fd;
		if (ns_check_type(fd, ns->type, ns->path, err) < 0)
			return vs_error_wrap(err, "linux.namespaces[%zu]", idx);
		return 0;
	}
	switch (ns->type) {
	case OCI_NS_CGROUP:
	case OCI_NS_TIME:
		plan->unshare_flags |= ns_types[ns->type].flag;
		break;
	default:
		plan->clone_flags |= (uint64_t)ns_types[ns->type].flag;
		break;
	}
	plan->new_user |= ns->type == OCI_NS_USER;
	plan->new_time |= ns->type == OCI_NS_TIME;
	return 0;
}

int ns_plan_build(const struct oci_namespace *nss, size_t n, struct ns_plan *ret_plan,
		  struct vs_error *err)
{
	struct ns_plan plan = {0};
	for (int i = 0; i < OCI_NS_COUNT; i++)
		plan.join_fds[i] = -1;
	for (size_t i = 0; i < n; i++) {
		if (plan_add(&plan, &nss[i], i, err) < 0) {
			ns_plan_clear(&plan);
			return -1;
		}
	}
	/* Namespaces created by clone3 belong to vessel's user namespace; in a
	 * joined one the init would hold no capability over them (sethostname,
	 * mount would fail).  So they are unshared after the setns instead.  A
	 * pid namespace cannot be: unshare(CLONE_NEWPID) only moves children. */
	if (plan.join_fds[OCI_NS_USER] >= 0) {
		plan.fork_for_pid = (plan.clone_flags & CLONE_NEWPID) != 0;
		plan.unshare_flags |= (int)plan.clone_flags;
		plan.clone_flags = 0;
	}
	plan.rootless = geteuid() != 0;
	*ret_plan = plan;
	return 0;
}

int ns_pid_enter(const struct ns_plan *plan, int *ret_saved, struct vs_error *err)
{
	*ret_saved = -1;
	if (plan->join_fds[OCI_NS_PID] < 0)
		return 0;
	_cleanup_close_ int saved = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return vs_error_errno(err, errno, "open /proc/self/ns/pid");
	if (setns(plan->join_fds[OCI_NS_PID], CLONE_NEWPID) < 0)
		return vs_error_errno(err, errno, "join pid namespace");
	*ret_saved = TAKE_FD(saved);
	return 0;
}

void ns_pid_leave(int saved)
{
	if (saved < 0)
		return;
	/* Our own active pid namespace is always a valid target. */
	(void)setns(saved, CLONE_NEWPID);
	close(saved);
}

/* User first: joining it grants the capabilities the other setns() calls
 * are checked against.  Mount last, as it changes what paths mean.  Pid is
 * handled by the parent (ns_pid_enter). */
static const enum oci_ns_type join_order[] = {
    OCI_NS_USER, OCI_NS_IPC, OCI_NS_UTS, OCI_NS_NETWORK, OCI_NS_CGROUP, OCI_NS_TIME, OCI_NS_MOUNT,
};

int ns_join(const struct ns_plan *plan, struct vs_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(join_order); i++) {
		enum oci_ns_type t = join_order[i];
		if (plan->join_fds[t] < 0)
			continue;
		if (setns(plan->join_fds[t], ns_types[t].flag) < 0)
			return vs_error_errno(err, errno, "join %s namespace", ns_types[t].json);
	}
	return 0;
}

int ns_unshare_late(const struct ns_plan *plan, struct vs_error *err)
{
	int flags = plan->unshare_flags & ~CLONE_NEWTIME;
	if (flags && unshare(flags) < 0) {
		char names[128] = "";
		for (int t = 0; t < OCI_NS_COUNT; t++)
			if (flags & ns_types[t].flag)
				snprintf(names + strlen(names), sizeof(names) - strlen(names),
					 " %s", ns_types[t].json);
		return vs_error_errno(err, errno, "unshare namespaces:%s", names);
	}
	return 0;
}

int ns_unshare_time(const struct ns_plan *plan, struct vs_error *err)
{
	if ((plan->unshare_flags & CLONE_NEWTIME) && unshare(CLONE_NEWTIME) < 0)
		return vs_error_errno(err, errno, "unshare time namespace");
	return 0;
}

int ns_enter_time(struct vs_error *err)
{
	_cleanup_close_ int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open /proc/self/ns/time_for_children");
	if (setns(fd, CLONE_NEWTIME) < 0)
		return vs_error_errno(err, errno, "enter time namespace");
	return 0;
}

char *ns_format_id_map(const struct oci_id_mapping *m, size_t n)
{
	char *out = vs_strdup("");
	for (size_t i = 0; i < n; i++) {
		char *next = vs_strdup_printf("%s%u %u %u\n", out, m[i].container_id, m[i].host_id,
					      m[i].size);
		free(out);
		out = next;
	}
	return out;
}

int ns_write_proc(pid_t pid, const char *file, const char *data, struct vs_error *err)
{
	_cleanup_free_ char *path = vs_strdup_printf("/proc/%d/%s", (int)pid, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s", path);
	/* The kernel parses a map in one write(): it must not be split. */
	ssize_t w = write(fd, data, strlen(data));
	if (w < 0)
		return vs_error_errno(err, errno, "write %s", path);
	if ((size_t)w != strlen(data))
		return vs_error_set(err, "write %s: short write", path);
	return 0;
}

int ns_write_id_maps(pid_t pid, int userns_fd, const struct oci_id_mapping *uids, size_t n_uids,
		     const struct oci_id_mapping *gids, size_t n_gids, struct vs_error *err)
{
	if (n_uids == 0 || n_gids == 0)
		return vs_error_set(err, "a new user namespace needs linux.uidMappings and "
					 "linux.gidMappings");
	if (geteuid() != 0)
		return ns_write_id_maps_rootless(pid, userns_fd, uids, n_uids, gids, n_gids, err);
	/* /proc/PID/setgroups stays "allow": vessel runs as root, holding
	 * CAP_SETGID over the parent namespace, so the kernel accepts any gid
	 * map without "deny" (only an unprivileged mapper needs it), and the
	 * container keeps setgroups(2) for additionalGids. */
	_cleanup_free_ char *u = ns_format_id_map(uids, n_uids);
	_cleanup_free_ char *g = ns_format_id_map(gids, n_gids);
	if (ns_write_proc(pid, "uid_map", u, err) < 0)
		return vs_error_wrap(err, "linux.uidMappings");
	if (ns_write_proc(pid, "gid_map", g, err) < 0)
		return vs_error_wrap(err, "linux.gidMappings");
	return 0;
}

int ns_write_time_offsets(pid_t pid, const struct oci_time_offset *monotonic,
			  const struct oci_time_offset *boottime, struct vs_error *err)
{
	char buf[128] = "";
	size_t len = 0;
	if (monotonic && monotonic->set)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "monotonic %lld %u\n",
					(long long)monotonic->secs, monotonic->nanosecs);
	if (boottime && boottime->set)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "boottime %lld %u\n",
					(long long)boottime->secs, boottime->nanosecs);
	if (len == 0)
		return 0;
	if (ns_write_proc(pid, "timens_offsets", buf, err) < 0)
		return vs_error_wrap(err, "linux.timeOffsets");
	return 0;
}
