/* network: classID and priorities are net_cls/net_prio, which exist only
 * in cgroup v1.  cgroup v2 leaves packet tagging to BPF/iptables on the
 * cgroup path, so a config asking for them is refused, not ignored. */
#include "runtime/cgroup/cgroup-internal.h"

static bool network_requested(const struct oci_resources *res)
{
	return res->network && (res->network->class_id.set || res->network->n_priorities > 0);
}

static int network_apply(const struct cg_apply_ctx *ctx, const struct oci_resources *res,
			 struct vs_error *err)
{
	if (!network_requested(res))
		return 0;
	return vs_error_set(err, "classID/priorities need the net_cls/net_prio controllers, "
				 "which cgroup v2 does not have");
}

const struct cg_controller cg_ctrl_network = {
    .name = NULL,
    .what = "linux.resources.network",
    .requested = network_requested,
    .apply = network_apply,
};
