/* Container ids and signal names: pure string checks, unit-tested in
 * tests/unit/test-container.c. */
#include "runtime/container/container.h"

#include <ctype.h>
#include <signal.h>
#include <string.h>
#include <strings.h>

#include "lib/cleanup.h"
#include "lib/util.h"

int ct_validate_id(const char *id, struct vs_error *err)
{
	if (!id || !id[0])
		return vs_error_set(err, "invalid container id: empty");
	size_t n = strlen(id);
	if (n > CT_ID_MAX)
		return vs_error_set(err, "invalid container id: longer than %d bytes", CT_ID_MAX);
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return vs_error_set(err, "invalid container id \"%s\"", id);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)id[i];
		if (!(isalnum(ch) || ch == '_' || ch == '+' || ch == '-' || ch == '.'))
			return vs_error_set(err,
					    "invalid container id \"%s\": only letters, digits "
					    "and _+-. are allowed",
					    id);
	}
	return 0;
}

char *ct_cache_dir(const char *root, const char *what)
{
	return root ? vs_strdup_printf("%s/@cache/%s", root, what) : NULL;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
    {"HUP", SIGHUP},	   {"INT", SIGINT},	{"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},	   {"ABRT", SIGABRT},	{"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},	   {"KILL", SIGKILL},	{"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},	   {"PIPE", SIGPIPE},	{"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},	{"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},	   {"TSTP", SIGTSTP},	{"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},	   {"XCPU", SIGXCPU},	{"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},	   {"WINCH", SIGWINCH}, {"IO", SIGIO},	   {"POLL", SIGPOLL},
    {"PWR", SIGPWR},	   {"SYS", SIGSYS},
};

/* "RTMIN", "RTMIN+3", "RTMAX-2". */
static int parse_rt(const char *s, int *ret)
{
	int base, off = 0, sign = 1;
	const char *rest;
	if (strncasecmp(s, "RTMIN", 5) == 0)
		base = SIGRTMIN;
	else if (strncasecmp(s, "RTMAX", 5) == 0)
		base = SIGRTMAX, sign = -1;
	else
		return -1;
	rest = s + 5;
	if (*rest) {
		if ((sign > 0 && *rest != '+') || (sign < 0 && *rest != '-'))
			return -1;
		if (vs_parse_int(rest + 1, &off) < 0 || off < 0)
			return -1;
	}
	int sig = base + sign * off;
	if (sig < SIGRTMIN || sig > SIGRTMAX)
		return -1;
	*ret = sig;
	return 0;
}

int ct_parse_signal(const char *s, int *ret_sig, struct vs_error *err)
{
	int n;
	if (!s || !s[0])
		return vs_error_set(err, "invalid signal: empty");
	if (isdigit((unsigned char)s[0])) {
		/* 0 is accepted, as runc does: it checks that the init is
		 * alive without signalling it. */
		if (vs_parse_int(s, &n) < 0 || n < 0 || n > SIGRTMAX)
			return vs_error_set(err, "invalid signal \"%s\"", s);
		*ret_sig = n;
		return 0;
	}
	const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
		if (strcasecmp(name, signals[i].name) == 0) {
			*ret_sig = signals[i].sig;
			return 0;
		}
	}
	if (parse_rt(name, ret_sig) == 0)
		return 0;
	return vs_error_set(err, "invalid signal \"%s\"", s);
}
