/* The process-wide log sink, configured once by cmd/ from --log,
 * --log-format and --debug.  Errors are printed by cmd/ only (vs_log_error at
 * the top); deeper code may emit warnings (a poststop hook failed) and debug
 * lines (an unknown syscall was skipped).
 *
 * text format:  "vessel: <msg>" on stderr for errors and warnings; debug and
 *               info lines, and every line in a file, are logfmt as runc's
 *               (logrus'): time="<time>" level=<level> msg="<msg>"
 * json format:  {"level":"error","msg":"...","time":"..."} one per line, the
 *               form containerd's shim and conmon read back from --log.
 * With --log, errors go to the file AND to stderr, as runc does; the other
 * levels only to the file.  Without --log, errors are text on stderr and the
 * other levels are on stderr in the format asked for (logfmt "... level=debug ..."
 * or a JSON line).  --debug logs each stage of create, start, exec, kill and
 * delete, and each step of the spawn (the init's go to a copy of the
 * stderr it was born with, see vs_log_keep_stderr: its own fd 2 becomes the
 * container's). */
#ifndef VESSEL_LIB_LOG_H
#define VESSEL_LIB_LOG_H

#include <stdbool.h>

enum vs_log_level { VS_LOG_ERROR, VS_LOG_WARN, VS_LOG_INFO, VS_LOG_DEBUG };
enum vs_log_format { VS_LOG_TEXT, VS_LOG_JSON };

/* path may be NULL (stderr only).  Returns -1 with errno if path can't be
 * opened. */
int vs_log_open(const char *path, enum vs_log_format format, bool debug);
void vs_log_close(void);
/* In a spawned child with --debug and no --log: log to a close-on-exec
 * copy of the stderr it was born with (the caller's: the child's own fd 2
 * becomes the container's later), so its steps reach the caller as runc's
 * init's do through its log pipe.  The copy is >= min_fd (above the fds
 * passed to the container) and vs_log_fd() returns it. */
int vs_log_keep_stderr(int min_fd);
bool vs_log_debug_enabled(void);
/* The fd of the log file or -1; the spawn keeps it open across fork so the
 * child can report, and closes it before exec. */
int vs_log_fd(void);

void vs_log(enum vs_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define vs_log_error(...) vs_log(VS_LOG_ERROR, __VA_ARGS__)
#define vs_log_warn(...)  vs_log(VS_LOG_WARN, __VA_ARGS__)
#define vs_log_info(...)  vs_log(VS_LOG_INFO, __VA_ARGS__)
#define vs_log_debug(...) vs_log(VS_LOG_DEBUG, __VA_ARGS__)

#endif
