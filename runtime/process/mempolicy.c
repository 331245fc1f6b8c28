/* linux.memoryPolicy (runtime-spec v1.3): the NUMA memory policy of the
 * container's processes, set with set_mempolicy(2) in the init and in each
 * exec'd process before execve, which keeps it (as fork does).  The parent
 * resolves the mode, flags and node mask; the child makes one syscall. */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/process/process.h"

/* uapi/linux/mempolicy.h; WEIGHTED_INTERLEAVE (6.9) is newer than some
 * headers this builds with. */
#define VS_MPOL_DEFAULT		 0
#define VS_MPOL_PREFERRED	 1
#define VS_MPOL_LOCAL		 4
#define VS_MPOL_F_STATIC_NODES	 (1 << 15)
#define VS_MPOL_F_RELATIVE_NODES (1 << 14)
#define VS_MPOL_F_NUMA_BALANCING (1 << 13)

static const struct {
	const char *name;
	int bit;
} mpol_flags[] = {
    {"MPOL_F_NUMA_BALANCING", VS_MPOL_F_NUMA_BALANCING},
    {"MPOL_F_RELATIVE_NODES", VS_MPOL_F_RELATIVE_NODES},
    {"MPOL_F_STATIC_NODES", VS_MPOL_F_STATIC_NODES},
};

static int mode_number(const char *mode)
{
	for (int i = 0; oci_mempolicy_modes[i]; i++)
		if (strcmp(oci_mempolicy_modes[i], mode) == 0)
			return i; /* the list is in the kernel's order */
	return -1;
}

static int flag_bits(char **flags, int *ret, struct vs_error *err)
{
	*ret = 0;
	for (size_t i = 0; flags && flags[i]; i++) {
		size_t k = 0;
		while (k < ARRAY_SIZE(mpol_flags) && strcmp(mpol_flags[k].name, flags[i]) != 0)
			k++;
		if (k == ARRAY_SIZE(mpol_flags))
			return vs_error_set(err, "flags[%zu]: unknown flag \"%s\"", i, flags[i]);
		*ret |= mpol_flags[k].bit;
	}
	return 0;
}

/* The spec's rule on nodes: none for MPOL_DEFAULT and MPOL_LOCAL, at
 * least one for the modes that pick among nodes (MPOL_PREFERRED may have
 * none: "the local node").  The kernel checks the rest (nodes that do not
 * exist or are outside the cpuset, flag combinations) at set_mempolicy. */
static int check_nodes(int mode, bool has_nodes, const char *name, struct vs_error *err)
{
	bool none = mode == VS_MPOL_DEFAULT || mode == VS_MPOL_LOCAL;
	if (none && has_nodes)
		return vs_error_set(err, "nodes: %s takes no nodes", name);
	if (!none && mode != VS_MPOL_PREFERRED && !has_nodes)
		return vs_error_set(err, "nodes: %s needs at least one node", name);
	return 0;
}

int proc_prepare_mempolicy(const struct oci_memory_policy *m, struct proc_plan *plan,
			   struct vs_error *err)
{
	if (!m)
		return 0;
	int mode = mode_number(m->mode), flags;
	bool has_nodes = m->nodes && m->nodes[0];
	if (mode < 0)
		return vs_error_set(err, "linux.memoryPolicy.mode: unknown mode \"%s\"", m->mode);
	if (flag_bits(m->flags, &flags, err) < 0 || check_nodes(mode, has_nodes, m->mode, err) < 0)
		return vs_error_wrap(err, "linux.memoryPolicy");
	memset(plan->mpol_nodes, 0, sizeof(plan->mpol_nodes));
	if (has_nodes && proc_cpulist_parse(m->nodes, &plan->mpol_nodes_set, err) < 0)
		return vs_error_wrap(err, "linux.memoryPolicy.nodes");
	plan->has_mempolicy = true;
	plan->mpol_mode = mode | flags;
	return 0;
}

int proc_apply_mempolicy(const struct proc_plan *plan, struct vs_error *err)
{
	if (!plan->has_mempolicy)
		return 0;
	/* maxnode counts one more than the mask's bits: the kernel drops the
	 * last one (set_mempolicy(2), NOTES). */
	unsigned long maxnode = sizeof(plan->mpol_nodes) * 8 + 1;
	long r = syscall(SYS_set_mempolicy, plan->mpol_mode, plan->mpol_nodes, maxnode);
	if (r < 0 && errno == EINVAL)
		return vs_error_errno(err, errno,
				      "linux.memoryPolicy: set_mempolicy (a node the host does not "
				      "have or the container's cpuset excludes, or a flag the mode "
				      "does not take?)");
	if (r < 0)
		return vs_error_errno(err, errno, "linux.memoryPolicy: set_mempolicy");
	return 0;
}
