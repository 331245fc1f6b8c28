/* See dl.h. */
#include "lib/dl.h"

#include <dlfcn.h>

int vs_dl_load(const char *soname, const struct vs_dl_sym *syms, size_t n, void **handle,
	       const char *hint, struct vs_error *err)
{
	if (*handle)
		return 0;
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return vs_error_set(err, "%s%s", dlerror(), hint ? hint : "");
	for (size_t i = 0; i < n; i++) {
		dlerror();
		void *p = dlsym(h, syms[i].name);
		if (!p) {
			/* "<path>: undefined symbol: archive_x" */
			const char *why = dlerror();
			vs_error_set(err, "%s: %s", soname,
				     why ? why : "a symbol resolves to NULL");
			for (size_t j = 0; j < i; j++)
				*syms[j].ptr = NULL;
			dlclose(h);
			return -1;
		}
		*syms[i].ptr = p;
	}
	*handle = h;
	return 0;
}
