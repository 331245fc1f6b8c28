/* hugetlb: hugepageLimits[] -> hugetlb.<size>.max (and .rsvd.max, which
 * also limits reservations, when the kernel has it). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"

static bool hugetlb_requested(const struct oci_resources *res)
{
	return res->n_hugepage_limits > 0;
}

/* "2MB", "1GB", "64KB": digits then KB/MB/GB, as the kernel names them. */
static bool valid_page_size(const char *s)
{
	size_t d = strspn(s, "0123456789");
	return d > 0 &&
	       (strcmp(s + d, "KB") == 0 || strcmp(s + d, "MB") == 0 || strcmp(s + d, "GB") == 0);
}

static int hugetlb_apply(const struct cg_apply_ctx *ctx, const struct oci_resources *res,
			 struct vs_error *err)
{
	for (size_t i = 0; i < res->n_hugepage_limits; i++) {
		const struct oci_hugepage_limit *l = &res->hugepage_limits[i];
		const char *size = l->page_size ? l->page_size : "";
		if (!valid_page_size(size))
			return vs_error_set(err, "pageSize \"%s\": expected a size like 2MB or 1GB",
					    size);
		_cleanup_free_ char *max = vs_strdup_printf("hugetlb.%s.max", size);
		if (!ctx->h->fake && !cg_file_exists(ctx->h, max))
			return vs_error_set(err,
					    "pageSize \"%s\": the kernel has no %s huge pages "
					    "(no %s)",
					    size, size, max);
		if (cg_write_u64(ctx->h, max, l->limit, err) < 0)
			return vs_error_wrap(err, "pageSize %s", size);
		_cleanup_free_ char *rsvd = vs_strdup_printf("hugetlb.%s.rsvd.max", size);
		if (cg_file_exists(ctx->h, rsvd) && cg_write_u64(ctx->h, rsvd, l->limit, err) < 0)
			return vs_error_wrap(err, "pageSize %s", size);
	}
	return 0;
}

const struct cg_controller cg_ctrl_hugetlb = {
    .name = "hugetlb",
    .what = "linux.resources.hugepageLimits",
    .requested = hugetlb_requested,
    .apply = hugetlb_apply,
};
