/* Pure parts of runtime/container: id validation, signal parsing. */
#include <signal.h>
#include <string.h>

#include "lib/util.h"
#include "runtime/container/container.h"
#include "tap.h"

static int id_ok(const char *id)
{
	struct vs_error err = VS_ERROR_INIT;
	int r = ct_validate_id(id, &err);
	vs_error_clear(&err);
	return r == 0;
}

static int sig_of(const char *s)
{
	struct vs_error err = VS_ERROR_INIT;
	int sig = -1;
	if (ct_parse_signal(s, &sig, &err) < 0)
		sig = -1;
	vs_error_clear(&err);
	return sig;
}

static void test_ids(void)
{
	CHECK(id_ok("abc"), "plain id");
	CHECK(id_ok("a-b_c.d+e9"), "all allowed punctuation");
	CHECK(id_ok("..."), "three dots are a name");
	CHECK(!id_ok(""), "empty");
	CHECK(!id_ok(NULL), "NULL");
	CHECK(!id_ok("."), "dot");
	CHECK(!id_ok(".."), "dot dot");
	CHECK(!id_ok("a/b"), "slash");
	CHECK(!id_ok("../x"), "escape");
	CHECK(!id_ok("a b"), "space");
	CHECK(!id_ok("a\nb"), "newline");
	CHECK(!id_ok("caf\xc3\xa9"), "non-ASCII");
	char long_id[CT_ID_MAX + 2];
	memset(long_id, 'x', sizeof(long_id) - 1);
	long_id[CT_ID_MAX + 1] = '\0';
	CHECK(!id_ok(long_id), "one byte too long");
	long_id[CT_ID_MAX] = '\0';
	CHECK(id_ok(long_id), "exactly the maximum length");

	struct vs_error err = VS_ERROR_INIT;
	ct_validate_id("a/b", &err);
	CHECK_STR(err.msg,
		  "invalid container id \"a/b\": only letters, digits and _+-. are allowed");
	vs_error_clear(&err);
}

static void test_signals(void)
{
	CHECK_INT(sig_of("KILL"), ==, SIGKILL);
	CHECK_INT(sig_of("SIGKILL"), ==, SIGKILL);
	CHECK_INT(sig_of("sigterm"), ==, SIGTERM);
	CHECK_INT(sig_of("term"), ==, SIGTERM);
	CHECK_INT(sig_of("9"), ==, 9);
	CHECK_INT(sig_of("15"), ==, 15);
	CHECK_INT(sig_of("WINCH"), ==, SIGWINCH);
	CHECK_INT(sig_of("SIGUSR2"), ==, SIGUSR2);
	CHECK_INT(sig_of("RTMIN"), ==, SIGRTMIN);
	CHECK_INT(sig_of("SIGRTMIN+3"), ==, SIGRTMIN + 3);
	CHECK_INT(sig_of("RTMAX-1"), ==, SIGRTMAX - 1);
	CHECK_INT(sig_of("RTMIN-1"), ==, -1);
	CHECK_INT(sig_of("0"), ==, 0);
	CHECK_INT(sig_of("-9"), ==, -1);
	CHECK_INT(sig_of("65"), ==, -1);
	CHECK_INT(sig_of("9x"), ==, -1);
	CHECK_INT(sig_of(""), ==, -1);
	CHECK_INT(sig_of("SIG"), ==, -1);
	CHECK_INT(sig_of("NOPE"), ==, -1);

	struct vs_error err = VS_ERROR_INIT;
	int sig;
	ct_parse_signal("NOPE", &sig, &err);
	CHECK_STR(err.msg, "invalid signal \"NOPE\"");
	vs_error_clear(&err);
}

int main(void)
{
	test_ids();
	test_signals();
	return tap_done();
}
