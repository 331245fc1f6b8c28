/* `update`: the new resources are merged into the container's current ones
 * and the result applied and persisted, so a later update that sets only
 * the period still knows the quota. */
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"

#define TAKE_OPT(dst, src, field)                                                                  \
	do {                                                                                       \
		if ((src)->field.set)                                                              \
			(dst)->field = (src)->field;                                               \
	} while (0)

static void merge_memory(struct oci_memory **dst, const struct oci_memory *src)
{
	if (!src)
		return;
	if (!*dst)
		*dst = vs_malloc0(sizeof(**dst));
	struct oci_memory *d = *dst;
	/* The spec's swap is memory+swap: a new limit alone keeps the amount
	 * of swap (what memory.swap.max holds) as it was. */
	if (src->limit.set && !src->swap.set && d->swap.set && d->swap.value > 0 && d->limit.set &&
	    d->limit.value > 0 && src->limit.value > 0)
		d->swap.value = d->swap.value - d->limit.value + src->limit.value;
	/* An unlimited memory limit without a new swap value makes swap
	 * unlimited too (runc does the same): memory+swap can never be
	 * below the memory limit. */
	if (src->limit.set && src->limit.value < 0 && !src->swap.set && d->swap.set &&
	    d->swap.value > 0)
		d->swap.value = -1;
	TAKE_OPT(d, src, limit);
	TAKE_OPT(d, src, reservation);
	TAKE_OPT(d, src, swap);
	TAKE_OPT(d, src, kernel);
	TAKE_OPT(d, src, kernel_tcp);
	TAKE_OPT(d, src, swappiness);
	TAKE_OPT(d, src, disable_oom_killer);
	TAKE_OPT(d, src, use_hierarchy);
	TAKE_OPT(d, src, check_before_update);
}

static void replace_str(char **dst, const char *src)
{
	if (!src)
		return;
	free(*dst);
	*dst = vs_strdup(src);
}

static void merge_cpu(struct oci_cpu **dst, const struct oci_cpu *src)
{
	if (!src)
		return;
	if (!*dst)
		*dst = vs_malloc0(sizeof(**dst));
	struct oci_cpu *d = *dst;
	TAKE_OPT(d, src, shares);
	TAKE_OPT(d, src, quota);
	TAKE_OPT(d, src, burst);
	TAKE_OPT(d, src, period);
	TAKE_OPT(d, src, realtime_runtime);
	TAKE_OPT(d, src, realtime_period);
	TAKE_OPT(d, src, idle);
	replace_str(&d->cpus, src->cpus);
	replace_str(&d->mems, src->mems);
}

/* A list in the update replaces the list (runc's update does the same). */
static void *copy_array(const void *src, size_t n, size_t size)
{
	if (!n)
		return NULL;
	void *d = vs_malloc0(n * size);
	memcpy(d, src, n * size);
	return d;
}

#define REPLACE_LIST(d, s, field)                                                                  \
	do {                                                                                       \
		if ((s)->n_##field) {                                                              \
			free((d)->field);                                                          \
			(d)->field = copy_array((s)->field, (s)->n_##field, sizeof(*(s)->field));  \
			(d)->n_##field = (s)->n_##field;                                           \
		}                                                                                  \
	} while (0)

static void merge_blkio(struct oci_blkio **dst, const struct oci_blkio *src)
{
	if (!src)
		return;
	if (!*dst)
		*dst = vs_malloc0(sizeof(**dst));
	struct oci_blkio *d = *dst;
	TAKE_OPT(d, src, weight);
	TAKE_OPT(d, src, leaf_weight);
	REPLACE_LIST(d, src, weight_devices);
	REPLACE_LIST(d, src, throttle_read_bps);
	REPLACE_LIST(d, src, throttle_write_bps);
	REPLACE_LIST(d, src, throttle_read_iops);
	REPLACE_LIST(d, src, throttle_write_iops);
}

static void merge_hugetlb(struct oci_resources *d, const struct oci_resources *s)
{
	for (size_t i = 0; i < s->n_hugepage_limits; i++) {
		const struct oci_hugepage_limit *l = &s->hugepage_limits[i];
		size_t j = 0;
		while (j < d->n_hugepage_limits &&
		       strcmp(d->hugepage_limits[j].page_size, l->page_size) != 0)
			j++;
		if (j == d->n_hugepage_limits) {
			d->hugepage_limits = vs_realloc(d->hugepage_limits, (j + 1) * sizeof(*l));
			d->hugepage_limits[j].page_size = vs_strdup(l->page_size);
			d->n_hugepage_limits++;
		}
		d->hugepage_limits[j].limit = l->limit;
	}
}

static void merge_unified(struct oci_resources *d, const struct oci_resources *s)
{
	for (size_t i = 0; i < s->n_unified; i++) {
		const struct oci_kv *kv = &s->unified[i];
		size_t j = 0;
		while (j < d->n_unified && strcmp(d->unified[j].key, kv->key) != 0)
			j++;
		if (j == d->n_unified) {
			d->unified = vs_realloc(d->unified, (j + 1) * sizeof(*kv));
			d->unified[j].key = vs_strdup(kv->key);
			d->unified[j].value = NULL;
			d->n_unified++;
		}
		replace_str(&d->unified[j].value, kv->value ? kv->value : "");
	}
}

static void merge_rdma(struct oci_resources *d, const struct oci_resources *s)
{
	for (size_t i = 0; i < s->n_rdma; i++) {
		const struct oci_rdma *r = &s->rdma[i];
		size_t j = 0;
		while (j < d->n_rdma && strcmp(d->rdma[j].device, r->device) != 0)
			j++;
		if (j == d->n_rdma) {
			d->rdma = vs_realloc(d->rdma, (j + 1) * sizeof(*r));
			memset(&d->rdma[j], 0, sizeof(*r));
			d->rdma[j].device = vs_strdup(r->device);
			d->n_rdma++;
		}
		TAKE_OPT(&d->rdma[j], r, hca_handles);
		TAKE_OPT(&d->rdma[j], r, hca_objects);
	}
}

void cg_resources_merge(struct oci_resources **base, const struct oci_resources *upd)
{
	if (!*base)
		*base = vs_malloc0(sizeof(**base));
	struct oci_resources *d = *base;
	merge_memory(&d->memory, upd->memory);
	merge_cpu(&d->cpu, upd->cpu);
	merge_blkio(&d->block_io, upd->block_io);
	if (upd->has_pids) {
		d->has_pids = true;
		d->pids_limit = upd->pids_limit;
	}
	merge_hugetlb(d, upd);
	merge_unified(d, upd);
	merge_rdma(d, upd);
}
