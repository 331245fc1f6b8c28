/* See sanitize.h. */
#include "lib/sanitize.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VS_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define VS_SANITIZED 1
#endif

#ifdef VS_SANITIZED
#include <fcntl.h>
#include <limits.h>
#include <sanitizer/common_interface_defs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int report_fd = -1;

/* log_path's value in ASAN_OPTIONS ("a=1:log_path=/x/asan:b=2"), into buf. */
static int log_path(char *buf, size_t size)
{
	const char *o = getenv("ASAN_OPTIONS");
	const char *p = o ? strstr(o, "log_path=") : NULL;
	if (!p || (p != o && !strchr(": ,", p[-1])))
		return -1;
	p += strlen("log_path=");
	size_t n = strcspn(p, ": ,");
	if (n == 0 || n >= size || strcmp(p, "stderr") == 0 || strcmp(p, "stdout") == 0)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

void vs_sanitizer_child(void)
{
	char path[PATH_MAX];
	if (report_fd < 0) {
		char base[PATH_MAX - 16];
		if (log_path(base, sizeof(base)) < 0)
			return;
		snprintf(path, sizeof(path), "%s.child.XXXXXX", base);
		report_fd = mkostemp(path, O_APPEND | O_CLOEXEC);
		if (report_fd < 0)
			return;
	}
	__sanitizer_set_report_fd((void *)(intptr_t)report_fd);
}

int vs_sanitizer_fd(void)
{
	return report_fd;
}

void vs_sanitizer_selftest(const char *where)
{
	const char *w = getenv("VESSEL_SANITIZER_SELFTEST");
	if (!w || strcmp(w, where) != 0)
		return;
	char *volatile p = malloc(8);
	volatile size_t i = 8;
	p[i] = 1;
	free(p);
}
#else
void vs_sanitizer_child(void)
{
}

int vs_sanitizer_fd(void)
{
	return -1;
}

void vs_sanitizer_selftest(const char *where)
{
}
#endif
