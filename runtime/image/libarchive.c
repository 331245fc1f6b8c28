/* libarchive at first use: see libarchive-internal.h for why.
 *
 * RTLD_LOCAL keeps its symbols out of the global scope (nothing else
 * resolves against them); RTLD_NOW makes a library too old to have one of
 * the symbols fail here, with its name, rather than at the first call.  The
 * handle is never closed: the command ends soon after the import. */
#include <dlfcn.h>
#include <string.h>

#include "runtime/image/libarchive-internal.h"
#include "vessel-sonames.h"

#define IMG_LIBARCHIVE_DEFINE(f) __typeof__(f) *sym_##f;
IMG_LIBARCHIVE_SYMBOLS(IMG_LIBARCHIVE_DEFINE)
#undef IMG_LIBARCHIVE_DEFINE

struct symbol {
	const char *name;
	void **ptr;
};

#define IMG_LIBARCHIVE_ENTRY(f) {#f, (void **)&sym_##f},
static const struct symbol symbols[] = {IMG_LIBARCHIVE_SYMBOLS(IMG_LIBARCHIVE_ENTRY)};
#undef IMG_LIBARCHIVE_ENTRY

#define N_SYMBOLS (sizeof(symbols) / sizeof(symbols[0]))

static void clear_symbols(void)
{
	for (size_t i = 0; i < N_SYMBOLS; i++)
		*symbols[i].ptr = NULL;
}

int img_load_libarchive(struct vs_error *err)
{
	static void *handle;
	if (handle)
		return 0;
	void *h = dlopen(VS_SONAME_LIBARCHIVE, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return vs_error_set(err, "%s", dlerror());
	for (size_t i = 0; i < N_SYMBOLS; i++) {
		dlerror();
		void *p = dlsym(h, symbols[i].name);
		if (!p) {
			/* "<path>: undefined symbol: archive_x" */
			const char *why = dlerror();
			vs_error_set(err, "%s: %s", VS_SONAME_LIBARCHIVE,
				     why ? why : "a symbol resolves to NULL");
			clear_symbols();
			dlclose(h);
			return -1;
		}
		*symbols[i].ptr = p;
	}
	handle = h;
	return 0;
}
