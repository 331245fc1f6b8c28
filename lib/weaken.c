/* See lib/weaken.h: compiled to nothing outside `make weak`. */
#include "lib/weaken.h"

#ifdef VESSEL_TEST_WEAKEN
#include <stdlib.h>
#include <string.h>

bool vs_weakened(const char *protection)
{
	const char *list = getenv("VESSEL_TEST_WEAKEN");
	size_t n = strlen(protection);
	for (const char *p = list; p && *p;) {
		const char *end = strchrnul(p, ',');
		if ((size_t)(end - p) == n && strncmp(p, protection, n) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int vs_weaken_unused;
#endif
