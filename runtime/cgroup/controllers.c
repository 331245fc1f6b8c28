/* The controllers, in the order they are applied: cpuset before cpu as
 * runc does, the typed resources next, `unified` last so its raw keys win
 * over a typed field that wrote the same file.  Devices are not here: the
 * device program is built from the whole rule list (devices.c). */
#include "lib/cleanup.h"
#include "runtime/cgroup/cgroup-internal.h"

const struct cg_controller *const cg_controllers[] = {
    &cg_ctrl_cpuset,  &cg_ctrl_cpu,  &cg_ctrl_memory,  &cg_ctrl_pids,	 &cg_ctrl_io,
    &cg_ctrl_hugetlb, &cg_ctrl_rdma, &cg_ctrl_network, &cg_ctrl_unified,
};
const size_t cg_n_controllers = ARRAY_SIZE(cg_controllers);
