/* Hybrid hosts: cpuset, blkio and hugetlb limits written to the v1 cgroup
 * at the container's path when the controller is bound to v1 and not to
 * cgroup2, as runc does there.  The file names and formats are v1's:
 * blkio takes the spec's 10..1000 weights as they are, the throttles as
 * "MAJ:MIN RATE", hugetlb limits in bytes. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"

/* ---- cpuset ---- */

int cg_v1_cpuset_fill(const char *dir, struct vs_error *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *own = vs_strdup_printf("%s/%s", dir, files[i]);
		_cleanup_free_ char *parent = vs_strdup_printf("%s/../%s", dir, files[i]);
		_cleanup_free_ char *cur = NULL, *val = NULL;
		if (access(own, F_OK) < 0)
			return 0; /* not the cpuset hierarchy */
		if (vs_read_file(own, 4096, &cur, NULL, err) < 0)
			return -1;
		if (cur[strspn(cur, " \n")] != '\0')
			continue;
		if (vs_read_file(parent, 4096, &val, NULL, err) < 0 ||
		    vs_write_file(own, val, strlen(val), err) < 0)
			return vs_error_wrap(err, "cgroup v1 cpuset %s", dir);
	}
	return 0;
}

int cg_v1_cpuset_apply(const struct cg_handle *h, const struct oci_resources *res,
		       struct vs_error *err)
{
	const struct oci_cpu *c = res->cpu;
	if (!c || !cg_v1_limits_handle(h, "cpuset"))
		return 0;
	bool cpus = c->cpus && *c->cpus, mems = c->mems && *c->mems;
	if (!cpus && !mems)
		return 0;
	_cleanup_(cg_v1_dir_clear) struct cg_v1_dir d = {0};
	/* cg_v1_make_dirs() fills cpus and mems from the parents first, so
	 * setting only one of the two still leaves a cgroup a task can join. */
	if (cg_v1_dir_open(h, "cpuset", "linux.resources.cpu", &d, err) < 0)
		return -1;
	if (cpus && cg_v1_write(&d, "cpus", "cpuset.cpus", c->cpus, err) < 0)
		return -1;
	if (mems && cg_v1_write(&d, "mems", "cpuset.mems", c->mems, err) < 0)
		return -1;
	return 0;
}

/* ---- blkio ---- */

static bool has_file(const struct cg_v1_dir *d, const char *file)
{
	_cleanup_free_ char *p = vs_strdup_printf("%s/%s", d->dir, file);
	return access(p, F_OK) == 0;
}

/* The weight files: CFQ's blkio.weight where the kernel still has it,
 * else BFQ's blkio.bfq.weight (same 10..1000 scale), as runc picks. */
static int blkio_weights(const struct cg_v1_dir *d, const struct oci_blkio *b, struct vs_error *err)
{
	bool cfq = has_file(d, "blkio.weight");
	const char *wfile = cfq ? "blkio.weight" : "blkio.bfq.weight";
	const char *wdfile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
	bool leaf = (b->leaf_weight.set && b->leaf_weight.value);
	for (size_t i = 0; i < b->n_weight_devices; i++)
		leaf |=
		    b->weight_devices[i].leaf_weight.set && b->weight_devices[i].leaf_weight.value;
	if (leaf && !has_file(d, "blkio.leaf_weight"))
		return vs_error_set(err,
				    "%s.leafWeight: the kernel has no blkio.leaf_weight (a CFQ "
				    "scheduler feature, gone since Linux 5.0)",
				    d->what);
	if (b->weight.set && b->weight.value &&
	    cg_v1_write_i64(d, "weight", wfile, b->weight.value, err) < 0)
		return -1;
	if (b->leaf_weight.set && b->leaf_weight.value &&
	    cg_v1_write_i64(d, "leafWeight", "blkio.leaf_weight", b->leaf_weight.value, err) < 0)
		return -1;
	for (size_t i = 0; i < b->n_weight_devices; i++) {
		const struct oci_weight_device *w = &b->weight_devices[i];
		char buf[96];
		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu32, w->major, w->minor,
			 w->weight.value);
		if (w->weight.set && w->weight.value &&
		    cg_v1_write(d, "weightDevice", wdfile, buf, err) < 0)
			return -1;
		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu32, w->major, w->minor,
			 w->leaf_weight.value);
		if (w->leaf_weight.set && w->leaf_weight.value &&
		    cg_v1_write(d, "weightDevice.leafWeight", "blkio.leaf_weight_device", buf,
				err) < 0)
			return -1;
	}
	return 0;
}

static int blkio_throttles(const struct cg_v1_dir *d, const struct oci_blkio *b,
			   struct vs_error *err)
{
	const struct {
		const struct oci_throttle_device *t;
		size_t n;
		const char *file, *field;
	} lists[] = {
	    {b->throttle_read_bps, b->n_throttle_read_bps, "blkio.throttle.read_bps_device",
	     "throttleReadBpsDevice"},
	    {b->throttle_write_bps, b->n_throttle_write_bps, "blkio.throttle.write_bps_device",
	     "throttleWriteBpsDevice"},
	    {b->throttle_read_iops, b->n_throttle_read_iops, "blkio.throttle.read_iops_device",
	     "throttleReadIOPSDevice"},
	    {b->throttle_write_iops, b->n_throttle_write_iops, "blkio.throttle.write_iops_device",
	     "throttleWriteIOPSDevice"},
	};
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
		for (size_t i = 0; i < lists[l].n; i++) {
			const struct oci_throttle_device *t = &lists[l].t[i];
			char buf[96];
			/* rate 0 removes the rule, as in v1 itself */
			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, t->major,
				 t->minor, t->rate);
			if (cg_v1_write(d, lists[l].field, lists[l].file, buf, err) < 0)
				return -1;
		}
	return 0;
}

int cg_v1_blkio_apply(const struct cg_handle *h, const struct oci_resources *res,
		      struct vs_error *err)
{
	const struct oci_blkio *b = res->block_io;
	if (!b || !cg_v1_limits_handle(h, "io"))
		return 0;
	_cleanup_(cg_v1_dir_clear) struct cg_v1_dir d = {0};
	if (cg_v1_dir_open(h, "blkio", "linux.resources.blockIO", &d, err) < 0)
		return -1;
	if (blkio_weights(&d, b, err) < 0)
		return -1;
	return blkio_throttles(&d, b, err);
}

/* ---- hugetlb ---- */

/* Where the hierarchy has no hugetlb.<size>.limit_in_bytes, the kernel has
 * no pages of that size: refuse before anything is made. */
static int hugetlb_check(const struct oci_resources *res, struct vs_error *err)
{
	_cleanup_free_ char *mnt = cg_v1_mount_of("hugetlb");
	for (size_t i = 0; mnt && i < res->n_hugepage_limits; i++) {
		const char *size = res->hugepage_limits[i].page_size;
		if (!size || !*size || strchr(size, '/') || strchr(size, '.'))
			return vs_error_set(err,
					    "linux.resources.hugepageLimits: pageSize \"%s\": "
					    "expected a size like 2MB or 1GB",
					    size ? size : "");
		_cleanup_free_ char *f =
		    vs_strdup_printf("%s/hugetlb.%s.limit_in_bytes", mnt, size);
		if (access(f, F_OK) < 0)
			return vs_error_set(err,
					    "linux.resources.hugepageLimits: pageSize \"%s\": the "
					    "kernel has no %s huge pages (no %s)",
					    size, size, f);
	}
	return 0;
}

int cg_v1_hugetlb_apply(const struct cg_handle *h, const struct oci_resources *res,
			struct vs_error *err)
{
	if (!res->n_hugepage_limits || !cg_v1_limits_handle(h, "hugetlb"))
		return 0;
	_cleanup_(cg_v1_dir_clear) struct cg_v1_dir d = {0};
	if (cg_v1_dir_open(h, "hugetlb", "linux.resources.hugepageLimits", &d, err) < 0)
		return -1;
	for (size_t i = 0; i < res->n_hugepage_limits; i++) {
		const struct oci_hugepage_limit *l = &res->hugepage_limits[i];
		_cleanup_free_ char *max =
		    vs_strdup_printf("hugetlb.%s.limit_in_bytes", l->page_size);
		_cleanup_free_ char *rsvd =
		    vs_strdup_printf("hugetlb.%s.rsvd.limit_in_bytes", l->page_size);
		if (cg_v1_write_i64(&d, l->page_size, max, (int64_t)l->limit, err) < 0)
			return -1;
		/* also bound reservations where the kernel has them (5.7+) */
		if (has_file(&d, rsvd) &&
		    cg_v1_write_i64(&d, l->page_size, rsvd, (int64_t)l->limit, err) < 0)
			return -1;
	}
	return 0;
}

int cg_v1_more_check(const struct cg_handle *h, const struct oci_resources *res,
		     struct vs_error *err)
{
	if (cg_v1_limits_handle(h, "hugetlb") && hugetlb_check(res, err) < 0)
		return -1;
	return 0;
}
