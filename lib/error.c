#include "lib/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

/* Allocation failure while reporting an error must still leave a usable
 * message: fall back to a static-content copy attempt, else a fixed string. */
static void replace(struct vs_error *err, int errnum, char *msg)
{
	free(err->msg);
	err->errnum = errnum;
	err->msg = msg ? msg : strdup("out of memory while formatting an error");
}

int vs_error_set(struct vs_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = vformat(fmt, ap);
	va_end(ap);
	replace(err, 0, m);
	return -1;
}

int vs_error_errno(struct vs_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = vformat(fmt, ap);
	va_end(ap);
	char *full = NULL;
	if (m && asprintf(&full, "%s: %s", m, strerror(errnum)) < 0)
		full = NULL;
	free(m);
	replace(err, errnum, full);
	return -1;
}

int vs_error_wrap(struct vs_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *ctx = vformat(fmt, ap);
	va_end(ap);
	char *full = NULL;
	if (ctx && asprintf(&full, "%s: %s", ctx, err->msg ? err->msg : "unknown error") < 0)
		full = NULL;
	free(ctx);
	replace(err, err->errnum, full);
	return -1;
}

int vs_error_set_raw(struct vs_error *err, int errnum, const char *msg)
{
	replace(err, errnum, strdup(msg ? msg : ""));
	return -1;
}

void vs_error_clear(struct vs_error *err)
{
	free(err->msg);
	err->msg = NULL;
	err->errnum = 0;
}
