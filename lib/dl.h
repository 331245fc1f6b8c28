/* Libraries loaded at first use (libarchive, libcriu, libsystemd): only the
 * commands that need one map it, so every other command starts as fast as
 * before.  One loader for all of them. */
#ifndef VESSEL_LIB_DL_H
#define VESSEL_LIB_DL_H

#include <stddef.h>

#include "lib/error.h"

struct vs_dl_sym {
	const char *name;
	void **ptr;
};

/* dlopen SONAME (RTLD_NOW: a library without one of the symbols fails
 * here, naming it, not at the first call; RTLD_LOCAL: its symbols stay out
 * of the global scope) and point every syms[i].ptr at its symbol.  Once:
 * *handle caches the library and is never closed (the command ends soon
 * after).  On failure no pointer is set; a library that cannot be opened
 * gives dlerror()'s text followed by HINT (may be NULL). */
int vs_dl_load(const char *soname, const struct vs_dl_sym *syms, size_t n, void **handle,
	       const char *hint, struct vs_error *err);

#endif
