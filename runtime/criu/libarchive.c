/* libarchive at first use by checkpoint --export and restore --import: see
 * libarchive-internal.h.  RTLD_NOW makes a library without one of the
 * symbols fail here, naming it; RTLD_LOCAL keeps them out of the global
 * scope.  The handle is never closed: the command ends soon after. */
#include <dlfcn.h>

#include "runtime/criu/libarchive-internal.h"
#include "vessel-sonames.h"

#define CR_LIBARCHIVE_DEFINE(f) __typeof__(f) *cr_##f;
CR_LIBARCHIVE_SYMBOLS(CR_LIBARCHIVE_DEFINE)
#undef CR_LIBARCHIVE_DEFINE

struct symbol {
	const char *name;
	void **ptr;
};

#define CR_LIBARCHIVE_ENTRY(f) {#f, (void **)&cr_##f},
static const struct symbol symbols[] = {CR_LIBARCHIVE_SYMBOLS(CR_LIBARCHIVE_ENTRY)};
#undef CR_LIBARCHIVE_ENTRY

#define N_SYMBOLS (sizeof(symbols) / sizeof(symbols[0]))

int cr_load_libarchive(struct vs_error *err)
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
			const char *why = dlerror();
			for (size_t j = 0; j < N_SYMBOLS; j++)
				*symbols[j].ptr = NULL;
			dlclose(h);
			return vs_error_set(err, "%s: %s", VS_SONAME_LIBARCHIVE,
					    why ? why : "a symbol resolves to NULL");
		}
		*symbols[i].ptr = p;
	}
	handle = h;
	return 0;
}
