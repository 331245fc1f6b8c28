/* Scope-bound cleanup (GCC/Clang cleanup attribute) and explicit hand-over.
 *
 *     _cleanup_free_ char *p = strdup(x);
 *     _cleanup_close_ int fd = open(...);
 *     return TAKE_PTR(p);       // ownership leaves the scope, no free
 *
 * Every destructor accepts "nothing" (NULL, -1), so early returns are safe. */
#ifndef VESSEL_LIB_CLEANUP_H
#define VESSEL_LIB_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void vs_freep(void *p)
{
	free(*(void **)p);
}
static inline void vs_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void vs_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
void vs_strv_free(char **v);
static inline void vs_strv_freep(char ***v)
{
	vs_strv_free(*v);
}

#define _cleanup_(f)     __attribute__((cleanup(f)))
#define _cleanup_free_   _cleanup_(vs_freep)
#define _cleanup_close_  _cleanup_(vs_closep)
#define _cleanup_fclose_ _cleanup_(vs_fclosep)
#define _cleanup_strv_   _cleanup_(vs_strv_freep)

#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _tp = (p);                                                           \
		(p) = NULL;                                                                        \
		_tp;                                                                               \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _tf = (fd);                                                                    \
		(fd) = -1;                                                                         \
		_tf;                                                                               \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
