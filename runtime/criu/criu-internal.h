/* Shared between the files of runtime/criu only. */
#ifndef VESSEL_RUNTIME_CRIU_INTERNAL_H
#define VESSEL_RUNTIME_CRIU_INTERNAL_H

#include "runtime/criu/criu.h"
#include "runtime/criu/libcriu-internal.h"

/* The file in the image dir that records the init's stdio at dump. */
#define CR_STDIO_FILE "vessel-stdio"
/* Its line for a terminal from outside, which restore needs --shell-job
 * and a terminal on its own stdin for (dump.c's stdio_key()). */
#define CR_STDIO_SHELL_JOB "shell-job"

enum cr_action { CR_DUMP, CR_PRE_DUMP, CR_RESTORE };

/* Load libcriu, start a fresh option set and fill what dump and restore
 * share: image and work dirs, log, flags, cgroups, external mounts and
 * namespaces.  The fds it opens stay open until cr_session_end(). */
struct cr_session {
	int image_fd;
	int work_fd;
	int fds[8]; /* namespace fds inherited by CRIU at restore */
	int n_fds;
	const char *log_name;
	const char *work_path;
	const char *criu_path; /* for messages: --criu, or "criu" */
};
int cr_session_begin(struct cr_session *s, const struct cr_common *c, enum cr_action act,
		     struct vs_error *err);
void cr_session_end(struct cr_session *s);

/* Fill err from libcriu's return value rc and the first Error line of the
 * session's log: "criu dump: vdso: ... (log: WORK/dump.log)". */
int cr_fail(const struct cr_session *s, const char *what, int rc, struct vs_error *err);

#endif
