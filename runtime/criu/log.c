/* CRIU's reason for a failure: libcriu only returns a number (-EBADE for
 * "criu said no"), the why is in CRIU's log. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/criu/criu-internal.h"

/* CRIU's feature probes log some failures as errors and go on: creating a
 * tun device is refused outside the host's user namespace or without the
 * module, which only matters to a tree that has one. */
static bool is_probe(const char *e)
{
	return strncmp(e, "Error (criu/tun.c:", 18) == 0;
}

/* "(00.001234) Error (criu/vdso.c:613): vdso: Failed ..." -> "vdso: Failed
 * ..." (malloc'd), or NULL when the log has no Error line.  The first one
 * is the cause; those after it are the unwinding. */
static char *first_error(const char *log_path)
{
	_cleanup_fclose_ FILE *f = fopen(log_path, "re");
	if (!f)
		return NULL;
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		char *e = strstr(line, "Error (");
		if (!e || is_probe(e))
			continue;
		char *msg = strstr(e, "): ");
		msg = msg ? msg + 3 : e;
		msg[strcspn(msg, "\n")] = '\0';
		return vs_strdup(msg);
	}
	return NULL;
}

static char *rc_reason(const struct cr_session *s, int rc)
{
	switch (rc) {
	case -EBADE:
		return vs_strdup("criu reported a failure");
	case -ECOMM:
	case -EPIPE:
		return vs_strdup_printf("cannot run or talk to %s (criu swrk)", s->criu_path);
	case -EBADMSG:
		return vs_strdup("unexpected answer from criu");
	default:
		return vs_strdup(strerror(-rc));
	}
}

int cr_fail(const struct cr_session *s, const char *what, int rc, struct vs_error *err)
{
	_cleanup_free_ char *log = vs_strdup_printf("%s/%s", s->work_path, s->log_name);
	_cleanup_free_ char *why = first_error(log);
	if (why)
		return vs_error_set(err, "criu %s: %s (log: %s)", what, why, log);
	_cleanup_free_ char *reason = rc_reason(s, rc);
	return vs_error_set(err, "criu %s: %s (log: %s)", what, reason, log);
}
