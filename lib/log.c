#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "lib/util.h"

static int log_fd = -1;
static enum vs_log_format log_format = VS_LOG_TEXT;
static bool log_debug;
/* log_fd is a copy of stderr (vs_log_keep_stderr), not a --log file. */
static bool log_fd_is_stderr;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

int vs_log_open(const char *path, enum vs_log_format format, bool debug)
{
	log_format = format;
	log_debug = debug;
	if (!path || !*path)
		return 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	log_fd = fd;
	return 0;
}

void vs_log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	log_fd_is_stderr = false;
}

int vs_log_keep_stderr(int min_fd)
{
	if (!log_debug || log_fd >= 0)
		return 0;
	int fd = fcntl(2, F_DUPFD_CLOEXEC, min_fd);
	if (fd < 0)
		return -1;
	log_fd = fd;
	log_fd_is_stderr = true;
	return 0;
}

bool vs_log_debug_enabled(void)
{
	return log_debug;
}

int vs_log_fd(void)
{
	return log_fd;
}

static char *json_line(enum vs_log_level level, const char *msg, const char *now)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	yajl_gen_string(g, (const unsigned char *)"level", 5);
	yajl_gen_string(g, (const unsigned char *)level_names[level], strlen(level_names[level]));
	yajl_gen_string(g, (const unsigned char *)"msg", 3);
	yajl_gen_string(g, (const unsigned char *)msg, strlen(msg));
	yajl_gen_string(g, (const unsigned char *)"time", 4);
	yajl_gen_string(g, (const unsigned char *)now, strlen(now));
	yajl_gen_map_close(g);
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	char *line = vs_strdup_printf("%.*s\n", (int)len, buf);
	yajl_gen_free(g);
	return line;
}

/* logfmt, as runc's (logrus') text lines: time="..." level=debug msg="..."
 * with '"', '\\' and control characters escaped, one record a line. */
static char *text_line(enum vs_log_level level, const char *msg, const char *now)
{
	size_t len = strlen(msg);
	char *q = malloc(len * 4 + 1), *o = q;
	if (!q)
		return NULL;
	for (const unsigned char *c = (const unsigned char *)msg; *c; c++) {
		if (*c == '"' || *c == '\\') {
			*o++ = '\\';
			*o++ = (char)*c;
		} else if (*c == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (*c < 0x20) {
			o += sprintf(o, "\\x%02x", *c);
		} else {
			*o++ = (char)*c;
		}
	}
	*o = '\0';
	char *line =
	    vs_strdup_printf("time=\"%s\" level=%s msg=\"%s\"\n", now, level_names[level], q);
	free(q);
	return line;
}

static void write_file_line(int fd, enum vs_log_level level, const char *msg)
{
	char *now = vs_now_rfc3339();
	char *line =
	    log_format == VS_LOG_JSON ? json_line(level, msg, now) : text_line(level, msg, now);
	if (!line) {
		free(now);
		return;
	}
	(void)vs_write_all(fd, line, strlen(line));
	free(line);
	free(now);
}

void vs_log(enum vs_log_level level, const char *fmt, ...)
{
	if (level == VS_LOG_DEBUG && !log_debug)
		return;
	int saved = errno;
	va_list ap;
	char *msg;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	if (log_fd >= 0 && !log_fd_is_stderr)
		write_file_line(log_fd, level, msg);
	/* Errors always reach stderr too, as text (what a user and the tests
	 * read); with a log file, lesser levels stay in the file so a shim's
	 * stderr pipe is not flooded.  Without one they go to stderr: debug
	 * and info lines in the format asked for, as runc's (logfmt or JSON:
	 * tools collect them), warnings as text for the human reading them
	 * (or JSON when asked for). */
	bool to_stderr = log_fd < 0 || log_fd_is_stderr;
	int efd = log_fd_is_stderr ? log_fd : 2;
	if (to_stderr && level != VS_LOG_ERROR &&
	    (log_format == VS_LOG_JSON || level >= VS_LOG_INFO)) {
		fflush(stderr);
		write_file_line(efd, level, msg);
	} else if (to_stderr || level == VS_LOG_ERROR) {
		static const char *const prefixes[] = {"", "warning: ", "info: ", "debug: "};
		fflush(stderr);
		dprintf(efd, "vessel: %s%s\n", prefixes[level], msg);
	}
	free(msg);
	errno = saved;
}
