/* vs_error: the one error object threaded through every fallible call.
 *
 * A function that can fail takes `struct vs_error *err` last, returns 0 on
 * success or a negative value on failure, and fills err.  Callers wrap the
 * message with their own context on the way up ("mount /proc: EPERM" becomes
 * "init step rootfs: mount /proc: Operation not permitted").  Only cmd/ prints
 * an error, once, at the top.
 *
 *     if (mount(...) < 0)
 *             return vs_error_errno(err, errno, "mount %s", target);
 *     ...
 *     if (rootfs_setup(&rc, err) < 0)
 *             return vs_error_wrap(err, "init step rootfs");
 */
#ifndef VESSEL_LIB_ERROR_H
#define VESSEL_LIB_ERROR_H

#include <stdarg.h>
#include <stddef.h>

struct vs_error {
	int errnum;  /* errno of the root cause, 0 when there is none */
	char *msg;   /* full message, context first; NULL when no error */
};

#define VS_ERROR_INIT {0, NULL}

/* Set err to a message with no errno.  Returns -1. */
int vs_error_set(struct vs_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Set err to "<message>: <strerror(errnum)>".  Returns -1 (or -errnum if
 * you prefer the value: use err->errnum). */
int vs_error_errno(struct vs_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix the existing message with "<context>: ".  Returns -1. */
int vs_error_wrap(struct vs_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Replace err with a copy of another error (e.g. one received from a child). */
int vs_error_set_raw(struct vs_error *err, int errnum, const char *msg);
void vs_error_clear(struct vs_error *err);
static inline int vs_error_failed(const struct vs_error *err)
{
	return err->msg != NULL;
}

#endif
