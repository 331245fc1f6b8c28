/* A tiny TAP harness for the C unit tests.  Each assertion prints one "ok" /
 * "not ok" line; a failed one prints the expression and both values.
 *
 *     int main(void) { tap_plan_lazy(); CHECK_INT(f(), ==, 0); ...; return tap_done(); }
 *
 * tests/run-all reads the TAP lines and counts them. */
#ifndef VESSEL_TESTS_TAP_H
#define VESSEL_TESTS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void tap_result(int ok, const char *file, int line, const char *desc)
{
	tap_n++;
	if (!ok)
		tap_failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", tap_n, desc);
	if (!ok)
		printf("#   at %s:%d\n", file, line);
}

#define CHECK(cond, desc) tap_result(!!(cond), __FILE__, __LINE__, desc)

#define CHECK_INT(a, op, b)                                                                        \
	do {                                                                                       \
		long long _a = (long long)(a), _b = (long long)(b);                                \
		int _ok = _a op _b;                                                                \
		tap_result(_ok, __FILE__, __LINE__, #a " " #op " " #b);                            \
		if (!_ok)                                                                          \
			printf("#   left: %lld\n#   right: %lld\n", _a, _b);                        \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		int _ok = _a && _b && strcmp(_a, _b) == 0;                                         \
		tap_result(_ok, __FILE__, __LINE__, #a " == " #b);                                 \
		if (!_ok)                                                                          \
			printf("#   left: \"%s\"\n#   right: \"%s\"\n", _a ? _a : "(null)",          \
			       _b ? _b : "(null)");                                                \
	} while (0)

/* Prints the plan at the end (TAP allows a trailing plan). */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
