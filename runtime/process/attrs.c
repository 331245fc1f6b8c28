/* Per-process kernel attributes applied by the child before the user
 * switch: rlimits, oom_score_adj, io priority, scheduler, personality, cpu
 * affinity, and the LSM labels for the coming execve. */
#include "runtime/process/process-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ioprio.h>
#include <linux/magic.h>
#include <linux/openat2.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "lib/weaken.h"

/* The root directory of a procfs mount has this inode number. */
#define PROC_ROOT_INO 1

/* /proc, checked to be the root of a procfs mount: not a symlink, not a
 * tmpfs or volume over /proc, not a bind of a procfs subdirectory. */
static int procfs_root(int *ret_fd, struct vs_error *err)
{
	_cleanup_close_ int fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct statfs sfs;
	struct stat st;
	if (fd < 0 && (errno == ENOTDIR || errno == ELOOP))
		return vs_error_set(err, "/proc is a symlink or a file, not a procfs mount");
	if (fd < 0 || fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
		return vs_error_errno(err, errno, "open /proc");
	if (sfs.f_type != PROC_SUPER_MAGIC || st.st_ino != PROC_ROOT_INO)
		return vs_error_set(err, "/proc is not a procfs mount");
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* Writes vessel makes to /proc once the container could have changed the
 * mounts (LSM labels, oom_score_adj, sysctls) must reach the procfs file
 * meant, not one a container-made mount or symlink redirects them to
 * (CVE-2025-52881, CVE-2019-16884): the file is opened from a checked
 * procfs root without crossing a mount or following any symlink, and
 * checked to be on procfs again.  "self" is read, not followed. */
int proc_open_procfs(const char *rel, bool self, int flags, int *ret_fd, struct vs_error *err)
{
	if (vs_weakened("procfs")) {
		_cleanup_free_ char *p = vs_strdup_printf("/proc/%s%s", self ? "self/" : "", rel);
		int fd = open(p, flags | O_CLOEXEC);
		if (fd < 0)
			return vs_error_errno(err, errno, "open %s", p);
		*ret_fd = fd;
		return 0;
	}
	_cleanup_close_ int root = -1;
	if (procfs_root(&root, err) < 0)
		return -1;
	char pid[32] = "";
	ssize_t n = self ? readlinkat(root, "self", pid, sizeof(pid) - 1) : 0;
	if (n < 0)
		return vs_error_errno(err, errno, "readlink /proc/self");
	pid[n] = '\0';
	_cleanup_free_ char *path = vs_strdup_printf("%s%s%s", pid, self ? "/" : "", rel);
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .resolve =
		RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_close_ int fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	struct statfs sfs;
	if (fd < 0 || fstatfs(fd, &sfs) < 0)
		return vs_error_errno(err, errno, "open /proc/%s", path);
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return vs_error_set(err, "/proc/%s is not a procfs file", path);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int proc_write_procfs(const char *rel, bool self, const char *value, struct vs_error *err)
{
	_cleanup_close_ int fd = -1;
	if (proc_open_procfs(rel, self, O_WRONLY, &fd, err) < 0)
		return -1;
	if (vs_write_all(fd, value, strlen(value)) < 0)
		return vs_error_errno(err, errno, "write /proc/%s%s", self ? "self/" : "", rel);
	return 0;
}

static int apply_rlimits(const struct oci_process *p, struct vs_error *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct oci_rlimit *r = &p->rlimits[i];
		struct rlimit rl = {.rlim_cur = r->soft, .rlim_max = r->hard};
		if (setrlimit(r->resource, &rl) < 0)
			return vs_error_errno(
			    err, errno, "process.rlimits[%zu] %s (soft %llu, hard %llu)", i,
			    r->type, (unsigned long long)r->soft, (unsigned long long)r->hard);
	}
	return 0;
}

static int apply_oom_score_adj(const struct oci_process *p, struct vs_error *err)
{
	if (!p->oom_score_adj.set)
		return 0;
	char buf[32];
	snprintf(buf, sizeof(buf), "%d", p->oom_score_adj.value);
	if (proc_write_procfs("oom_score_adj", true, buf, err) < 0)
		return vs_error_wrap(err, "process.oomScoreAdj");
	return 0;
}

static int apply_ioprio(const struct oci_process *p, struct vs_error *err)
{
	const struct oci_io_priority *io = p->io_priority;
	if (!io)
		return 0;
	int cls;
	if (strcmp(io->class, "IOPRIO_CLASS_RT") == 0)
		cls = IOPRIO_CLASS_RT;
	else if (strcmp(io->class, "IOPRIO_CLASS_BE") == 0)
		cls = IOPRIO_CLASS_BE;
	else if (strcmp(io->class, "IOPRIO_CLASS_IDLE") == 0)
		cls = IOPRIO_CLASS_IDLE;
	else
		return vs_error_set(err, "process.ioPriority.class: unknown \"%s\"", io->class);
	int value = IOPRIO_PRIO_VALUE(cls, io->priority);
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, value) < 0)
		return vs_error_errno(err, errno, "process.ioPriority: ioprio_set %s %d", io->class,
				      io->priority);
	return 0;
}

/* glibc has no sched_setattr wrapper and <linux/sched/types.h> clashes with
 * <sched.h>, so the ABI struct (v1, 56 bytes) is spelled out here. */
struct proc_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static const struct {
	const char *name;
	int value;
} sched_policies[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},	  {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},	{"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};
static const struct {
	const char *name;
	uint64_t value;
} sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},	 {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},	 {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},	 {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

static int sched_attr_build(const struct oci_scheduler *s, struct proc_sched_attr *a,
			    struct vs_error *err)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->sched_policy = (uint32_t)-1;
	for (size_t i = 0; i < ARRAY_SIZE(sched_policies); i++)
		if (strcmp(s->policy, sched_policies[i].name) == 0)
			a->sched_policy = (uint32_t)sched_policies[i].value;
	if (a->sched_policy == (uint32_t)-1)
		return vs_error_set(err, "process.scheduler.policy: unknown \"%s\"", s->policy);
	for (size_t i = 0; s->flags && s->flags[i]; i++) {
		size_t j;
		for (j = 0; j < ARRAY_SIZE(sched_flags); j++)
			if (strcmp(s->flags[i], sched_flags[j].name) == 0)
				break;
		if (j == ARRAY_SIZE(sched_flags))
			return vs_error_set(err, "process.scheduler.flags[%zu]: unknown \"%s\"", i,
					    s->flags[i]);
		a->sched_flags |= sched_flags[j].value;
	}
	a->sched_nice = s->nice.set ? s->nice.value : 0;
	a->sched_priority = s->priority.set ? (uint32_t)s->priority.value : 0;
	a->sched_runtime = s->runtime.set ? s->runtime.value : 0;
	a->sched_deadline = s->deadline.set ? s->deadline.value : 0;
	a->sched_period = s->period.set ? s->period.value : 0;
	return 0;
}

static int apply_scheduler(const struct oci_process *p, struct vs_error *err)
{
	if (!p->scheduler)
		return 0;
	struct proc_sched_attr a;
	if (sched_attr_build(p->scheduler, &a, err) < 0)
		return -1;
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		return vs_error_errno(err, errno, "process.scheduler: sched_setattr %s",
				      p->scheduler->policy);
	return 0;
}

static int apply_lsm(const struct oci_process *p, struct vs_error *err)
{
	/* proc_prepare() already refused labels this host cannot apply. */
	if (p->apparmor_profile && p->apparmor_profile[0]) {
		_cleanup_free_ char *v = vs_strdup_printf("exec %s", p->apparmor_profile);
		if (proc_write_procfs("attr/apparmor/exec", true, v, err) < 0)
			return vs_error_wrap(err, "process.apparmorProfile");
	}
	if (p->selinux_label && p->selinux_label[0]) {
		if (proc_write_procfs("attr/exec", true, p->selinux_label, err) < 0)
			return vs_error_wrap(err, "process.selinuxLabel");
	}
	return 0;
}

int proc_apply_attrs(const struct proc_plan *plan, struct vs_error *err)
{
	const struct oci_process *p = plan->process;
	if (apply_rlimits(p, err) < 0 || apply_oom_score_adj(p, err) < 0 ||
	    apply_ioprio(p, err) < 0 || apply_scheduler(p, err) < 0 || apply_lsm(p, err) < 0)
		return -1;
	if (plan->personality != (unsigned long)-1 && personality(plan->personality) < 0)
		return vs_error_errno(err, errno, "linux.personality: personality(0x%lx)",
				      plan->personality);
	if (proc_apply_mempolicy(plan, err) < 0)
		return -1;
	if (plan->has_affinity_initial &&
	    sched_setaffinity(0, sizeof(cpu_set_t), &plan->affinity_initial) < 0)
		return vs_error_errno(err, errno,
				      "process.execCPUAffinity.initial: sched_setaffinity");
	return 0;
}

int proc_apply_final_affinity(const struct proc_plan *plan, struct vs_error *err)
{
	if (plan->has_affinity_final &&
	    sched_setaffinity(0, sizeof(cpu_set_t), &plan->affinity_final) < 0)
		return vs_error_errno(err, errno,
				      "process.execCPUAffinity.final: sched_setaffinity");
	return 0;
}

int proc_scheduler_check(const struct oci_scheduler *s, struct vs_error *err)
{
	struct proc_sched_attr a;
	return s ? sched_attr_build(s, &a, err) : 0;
}
