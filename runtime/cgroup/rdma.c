/* rdma: rdma[device] -> rdma.max "DEVICE hca_handle=N hca_object=M". */
#include <inttypes.h>
#include <stdio.h>

#include "runtime/cgroup/cgroup-internal.h"

static bool rdma_requested(const struct oci_resources *res)
{
	return res->n_rdma > 0;
}

static void format_count(const oci_opt_u32 *v, char *buf, size_t size)
{
	if (v->set)
		snprintf(buf, size, "%" PRIu32, v->value);
	else
		snprintf(buf, size, "max");
}

static int rdma_apply(const struct cg_apply_ctx *ctx, const struct oci_resources *res,
		      struct vs_error *err)
{
	for (size_t i = 0; i < res->n_rdma; i++) {
		const struct oci_rdma *r = &res->rdma[i];
		char handles[16], objects[16], line[160];
		format_count(&r->hca_handles, handles, sizeof(handles));
		format_count(&r->hca_objects, objects, sizeof(objects));
		snprintf(line, sizeof(line), "%s hca_handle=%s hca_object=%s", r->device, handles,
			 objects);
		if (cg_write(ctx->h, "rdma.max", line, err) < 0)
			return vs_error_wrap(err, "device %s", r->device);
	}
	return 0;
}

const struct cg_controller cg_ctrl_rdma = {
    .name = "rdma",
    .what = "linux.resources.rdma",
    .requested = rdma_requested,
    .apply = rdma_apply,
};
