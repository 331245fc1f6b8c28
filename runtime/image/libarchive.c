/* libarchive at first use: see libarchive-internal.h for why.
 * (vs_dl_load: RTLD_NOW, RTLD_LOCAL, never closed). */
#include "lib/dl.h"
#include "lib/cleanup.h"
#include "runtime/image/libarchive-internal.h"
#include "vessel-sonames.h"

#define IMG_LIBARCHIVE_DEFINE(f) __typeof__(f) *sym_##f;
IMG_LIBARCHIVE_SYMBOLS(IMG_LIBARCHIVE_DEFINE)
#undef IMG_LIBARCHIVE_DEFINE

#define IMG_LIBARCHIVE_ENTRY(f) {#f, (void **)&sym_##f},
static const struct vs_dl_sym symbols[] = {IMG_LIBARCHIVE_SYMBOLS(IMG_LIBARCHIVE_ENTRY)};
#undef IMG_LIBARCHIVE_ENTRY

int img_load_libarchive(struct vs_error *err)
{
	static void *handle;
	return vs_dl_load(VS_SONAME_LIBARCHIVE, symbols, ARRAY_SIZE(symbols), &handle, NULL, err);
}
