/* libarchive at first use by checkpoint --export and restore --import: see
 * libarchive-internal.h. */
#include "lib/dl.h"
#include "lib/cleanup.h"

#include "runtime/criu/libarchive-internal.h"
#include "vessel-sonames.h"

#define CR_LIBARCHIVE_DEFINE(f) __typeof__(f) *cr_##f;
CR_LIBARCHIVE_SYMBOLS(CR_LIBARCHIVE_DEFINE)
#undef CR_LIBARCHIVE_DEFINE

#define CR_LIBARCHIVE_ENTRY(f) {#f, (void **)&cr_##f},
static const struct vs_dl_sym symbols[] = {CR_LIBARCHIVE_SYMBOLS(CR_LIBARCHIVE_ENTRY)};
#undef CR_LIBARCHIVE_ENTRY

int cr_load_libarchive(struct vs_error *err)
{
	static void *handle;
	return vs_dl_load(VS_SONAME_LIBARCHIVE, symbols, ARRAY_SIZE(symbols), &handle, NULL, err);
}
