/* io (blockIO): weight and weightDevice -> io.bfq.weight when the BFQ
 * scheduler offers it (same 10..1000 scale as blkio), else io.weight
 * (1..10000, converted); throttle* -> io.max. */
#include <inttypes.h>
#include <stdio.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "runtime/cgroup/cgroup-internal.h"

uint64_t cg_blkio_weight_to_io(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + (weight - 10) * 9999 / 990;
}

static bool io_requested(const struct oci_resources *res)
{
	const struct oci_blkio *b = res->block_io;
	if (!b)
		return false;
	return (b->weight.set && b->weight.value) || b->n_weight_devices ||
	       b->n_throttle_read_bps || b->n_throttle_write_bps || b->n_throttle_read_iops ||
	       b->n_throttle_write_iops;
}

/* prefix is "" for the default weight or "MAJ:MIN " for one device. */
static int write_weight(const struct cg_handle *h, const char *prefix, uint32_t w,
			struct vs_error *err)
{
	char buf[64];
	if (cg_file_exists(h, "io.bfq.weight")) {
		snprintf(buf, sizeof(buf), "%s%" PRIu32, prefix, w);
		return cg_write(h, "io.bfq.weight", buf, err);
	}
	snprintf(buf, sizeof(buf), "%s%" PRIu64, *prefix ? prefix : "default ",
		 cg_blkio_weight_to_io(w));
	return cg_write(h, "io.weight", buf, err);
}

static int write_weights(const struct cg_handle *h, const struct oci_blkio *b, struct vs_error *err)
{
	if (b->weight.set && b->weight.value && write_weight(h, "", b->weight.value, err) < 0)
		return vs_error_wrap(err, "weight");
	for (size_t i = 0; i < b->n_weight_devices; i++) {
		const struct oci_weight_device *d = &b->weight_devices[i];
		if (d->leaf_weight.set)
			vs_log_warn("linux.resources.blockIO.weightDevice %" PRId64 ":%" PRId64
				    ": leafWeight is cgroup v1 only and ignored",
				    d->major, d->minor);
		if (!d->weight.set)
			continue;
		char prefix[48];
		snprintf(prefix, sizeof(prefix), "%" PRId64 ":%" PRId64 " ", d->major, d->minor);
		if (write_weight(h, prefix, d->weight.value, err) < 0)
			return vs_error_wrap(err, "weightDevice %" PRId64 ":%" PRId64, d->major,
					     d->minor);
	}
	if (b->leaf_weight.set)
		vs_log_warn("linux.resources.blockIO.leafWeight is cgroup v1 only and ignored");
	return 0;
}

static int write_throttle(const struct cg_handle *h, const struct oci_throttle_device *d, size_t n,
			  const char *key, const char *field, struct vs_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char buf[96];
		if (d[i].rate)
			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
				 d[i].major, d[i].minor, key, d[i].rate);
		else
			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %s=max", d[i].major,
				 d[i].minor, key);
		if (cg_write(h, "io.max", buf, err) < 0)
			return vs_error_wrap(err, "%s %" PRId64 ":%" PRId64, field, d[i].major,
					     d[i].minor);
	}
	return 0;
}

static int io_apply(const struct cg_apply_ctx *ctx, const struct oci_resources *res,
		    struct vs_error *err)
{
	const struct oci_blkio *b = res->block_io;
	if (!b)
		return 0;
	if (write_weights(ctx->h, b, err) < 0)
		return -1;
	const struct {
		const struct oci_throttle_device *d;
		size_t n;
		const char *key, *field;
	} t[] = {
	    {b->throttle_read_bps, b->n_throttle_read_bps, "rbps", "throttleReadBpsDevice"},
	    {b->throttle_write_bps, b->n_throttle_write_bps, "wbps", "throttleWriteBpsDevice"},
	    {b->throttle_read_iops, b->n_throttle_read_iops, "riops", "throttleReadIOPSDevice"},
	    {b->throttle_write_iops, b->n_throttle_write_iops, "wiops", "throttleWriteIOPSDevice"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (write_throttle(ctx->h, t[i].d, t[i].n, t[i].key, t[i].field, err) < 0)
			return -1;
	return 0;
}

const struct cg_controller cg_ctrl_io = {
    .name = "io",
    .what = "linux.resources.blockIO",
    .requested = io_requested,
    .apply = io_apply,
};
