/* The runtime-spec's enumerations, and the name helpers of oci.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "oci/config-internal.h"

const char *const oci_ns_names[] = {
    [OCI_NS_PID] = "pid",	[OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount",
    [OCI_NS_IPC] = "ipc",	[OCI_NS_UTS] = "uts",	      [OCI_NS_USER] = "user",
    [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",	      [OCI_NS_COUNT] = NULL,
};

static const char *const ns_proc_names[] = {
    [OCI_NS_PID] = "pid",	[OCI_NS_NETWORK] = "net", [OCI_NS_MOUNT] = "mnt",
    [OCI_NS_IPC] = "ipc",	[OCI_NS_UTS] = "uts",	  [OCI_NS_USER] = "user",
    [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

static const char *const hook_names[] = {
    [OCI_HOOK_PRESTART] = "prestart",
    [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
    [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
    [OCI_HOOK_START_CONTAINER] = "startContainer",
    [OCI_HOOK_POSTSTART] = "poststart",
    [OCI_HOOK_POSTSTOP] = "poststop",
};

const char *oci_ns_type_name(enum oci_ns_type type)
{
	return (unsigned)type < OCI_NS_COUNT ? oci_ns_names[type] : "unknown";
}

const char *oci_ns_proc_name(enum oci_ns_type type)
{
	return (unsigned)type < OCI_NS_COUNT ? ns_proc_names[type] : "unknown";
}

const char *oci_hook_kind_name(enum oci_hook_kind kind)
{
	return (unsigned)kind < OCI_HOOK_KIND_COUNT ? hook_names[kind] : "unknown";
}

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

const char *const oci_rlimit_names[] = {
    "RLIMIT_AS",
    "RLIMIT_CORE",
    "RLIMIT_CPU",
    "RLIMIT_DATA",
    "RLIMIT_FSIZE",
    "RLIMIT_LOCKS",
    "RLIMIT_MEMLOCK",
    "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",
    "RLIMIT_NOFILE",
    "RLIMIT_NPROC",
    "RLIMIT_RSS",
    "RLIMIT_RTPRIO",
    "RLIMIT_RTTIME",
    "RLIMIT_SIGPENDING",
    "RLIMIT_STACK",
    NULL,
};

int oci_rlimit_resource(const char *name)
{
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
		if (strcmp(rlimits[i].name, name) == 0)
			return rlimits[i].resource;
	return -1;
}

/* runc also takes the recursive forms; the spec lists the four plain ones. */
const char *const oci_propagations[] = {
    "shared", "slave",	  "private",	 "unbindable", "rshared",
    "rslave", "rprivate", "runbindable", NULL,
};

const char *const oci_sched_policies[] = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",	   "SCHED_BATCH",
    "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};

const char *const oci_sched_flags[] = {
    "SCHED_FLAG_RESET_ON_FORK",	 "SCHED_FLAG_RECLAIM",
    "SCHED_FLAG_DL_OVERRUN",	 "SCHED_FLAG_KEEP_POLICY",
    "SCHED_FLAG_KEEP_PARAMS",	 "SCHED_FLAG_UTIL_CLAMP_MIN",
    "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

const char *const oci_ioprio_classes[] = {
    "IOPRIO_CLASS_RT",
    "IOPRIO_CLASS_BE",
    "IOPRIO_CLASS_IDLE",
    NULL,
};

const char *const oci_seccomp_actions[] = {
    "SCMP_ACT_KILL",	    "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO",	    "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW",	    "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",	    NULL,
};

const char *const oci_seccomp_ops[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",	"SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

const char *const oci_seccomp_archs[] = {
    "SCMP_ARCH_X86",	 "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",		"SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",	"SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",	 "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",	 "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	"SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",	 "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	"SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",	 "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",	NULL,
};

const char *const oci_seccomp_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    NULL,
};

/* In the kernel's numbering order (uapi/linux/mempolicy.h). */
const char *const oci_mempolicy_modes[] = {
    "MPOL_DEFAULT",	   "MPOL_PREFERRED",	       "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_LOCAL",
    "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE", NULL,
};

const char *const oci_mempolicy_flags[] = {
    "MPOL_F_NUMA_BALANCING",
    "MPOL_F_RELATIVE_NODES",
    "MPOL_F_STATIC_NODES",
    NULL,
};

const char *const oci_personality_domains[] = {"LINUX", "LINUX32", NULL};

/* Grammar: "" | ITEM ("," ITEM)*, ITEM = N | N "-" M with N <= M. */
int oci_check_cpu_list(struct oj_ctx *c, const char *value)
{
	const char *p = value;
	char q[96];
	while (*p) {
		char *end;
		if (!isdigit((unsigned char)*p))
			goto bad;
		unsigned long a = strtoul(p, &end, 10), b = a;
		p = end;
		if (*p == '-') {
			if (!isdigit((unsigned char)p[1]))
				goto bad;
			b = strtoul(p + 1, &end, 10);
			p = end;
			if (b < a)
				goto bad;
		}
		if (*p == ',' && p[1] != '\0')
			p++;
		else if (*p != '\0')
			goto bad;
	}
	return 0;
bad:
	oj_quote(value, q, sizeof(q));
	return oj_fail(c, "invalid cpu list %s (expected a list like \"0-3,7\")", q);
}
