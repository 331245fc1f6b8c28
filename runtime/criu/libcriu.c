/* libcriu at first use: see libcriu-internal.h for why.  RTLD_NOW makes a
 * libcriu without one of the symbols fail here, naming it; RTLD_LOCAL keeps
 * its symbols (and protobuf-c's) out of the global scope.  The handle is
 * never closed: the command ends after one dump or restore. */
#include <dlfcn.h>

#include "runtime/criu/libcriu-internal.h"

#define CR_LIBCRIU_DEFINE(name, ret, params) ret(*sym_##name) params;
CR_LIBCRIU_SYMBOLS(CR_LIBCRIU_DEFINE)
#undef CR_LIBCRIU_DEFINE

struct symbol {
	const char *name;
	void **ptr;
};

#define CR_LIBCRIU_ENTRY(name, ret, params) {#name, (void **)&sym_##name},
static const struct symbol symbols[] = {CR_LIBCRIU_SYMBOLS(CR_LIBCRIU_ENTRY)};
#undef CR_LIBCRIU_ENTRY

#define N_SYMBOLS (sizeof(symbols) / sizeof(symbols[0]))

int cr_load_libcriu(struct vs_error *err)
{
	static void *handle;
	if (handle)
		return 0;
	void *h = dlopen(CR_SONAME_LIBCRIU, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return vs_error_set(err, "%s (is criu installed? Debian: apt-get install criu)",
				    dlerror());
	for (size_t i = 0; i < N_SYMBOLS; i++) {
		dlerror();
		void *p = dlsym(h, symbols[i].name);
		if (!p) {
			const char *why = dlerror();
			for (size_t j = 0; j < N_SYMBOLS; j++)
				*symbols[j].ptr = NULL;
			dlclose(h);
			return vs_error_set(err, "%s: %s", CR_SONAME_LIBCRIU,
					    why ? why : "a symbol resolves to NULL");
		}
		*symbols[i].ptr = p;
	}
	handle = h;
	return 0;
}
