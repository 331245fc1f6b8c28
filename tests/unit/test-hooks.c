/* runtime/hooks: argv/env/stdin of a hook, failure, signal, timeout and exec
 * errors, policies, fd hygiene.  Hooks are /bin/sh snippets writing into a
 * temporary directory. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/hooks/hooks.h"
#include "tap.h"

static char dir[] = "/tmp/vessel-test-hooks-XXXXXX";

static char *path_in(const char *name)
{
	return vs_strdup_printf("%s/%s", dir, name);
}

static char *slurp(const char *name)
{
	_cleanup_free_ char *p = path_in(name);
	struct vs_error err = VS_ERROR_INIT;
	char *buf = NULL;
	if (vs_read_file(p, 0, &buf, NULL, &err) < 0) {
		vs_error_clear(&err);
		return NULL;
	}
	return buf;
}

static int exists(const char *name)
{
	_cleanup_free_ char *p = path_in(name);
	return access(p, F_OK) == 0;
}

/* A hook running `sh -c SCRIPT` with $D set to the test directory. */
static struct oci_hook sh_hook(const char *script, char **extra_env)
{
	struct oci_hook h = {.path = vs_strdup("/bin/sh")};
	vs_strv_push(&h.args, "hook-argv0");
	vs_strv_push(&h.args, "-c");
	vs_strv_push(&h.args, script);
	_cleanup_free_ char *d = vs_strdup_printf("D=%s", dir);
	vs_strv_push(&h.env, d);
	for (size_t i = 0; extra_env && extra_env[i]; i++)
		vs_strv_push(&h.env, extra_env[i]);
	return h;
}

static void hook_free(struct oci_hook *h)
{
	free(h->path);
	vs_strv_free(h->args);
	vs_strv_free(h->env);
}

static int run1(enum oci_hook_kind kind, struct oci_hook *h, const char *json, char **ret_msg)
{
	struct vs_error err = VS_ERROR_INIT;
	struct oci_hook_list l = {.hooks = h, .n = 1};
	int r = hooks_run(kind, &l, json, HOOKS_FAIL, &err);
	*ret_msg = err.msg ? vs_strdup(err.msg) : NULL;
	vs_error_clear(&err);
	return r;
}

static void test_argv_env_stdin(void)
{
	char *env[] = {"FOO=bar baz", NULL};
	struct oci_hook h = sh_hook("tr '\\0' ' ' < /proc/$$/cmdline > $D/argv; env > $D/env; "
				    "cat > $D/stdin",
				    env);
	_cleanup_free_ char *msg = NULL;
	CHECK_INT(run1(OCI_HOOK_PRESTART, &h, "{\"id\":\"c1\",\"status\":\"creating\"}", &msg), ==,
		  0);
	_cleanup_free_ char *argv = slurp("argv"), *envs = slurp("env"), *in = slurp("stdin");
	CHECK(argv && strncmp(argv, "hook-argv0 -c ", 14) == 0, "args[0] is argv[0]");
	CHECK(envs && strstr(envs, "FOO=bar baz\n"), "hook env passed");
	CHECK(envs && !strstr(envs, "HOME=") && !strstr(envs, "PATH="), "only the hook's env");
	CHECK_STR(in, "{\"id\":\"c1\",\"status\":\"creating\"}");
	hook_free(&h);
}

static void test_no_args_argv0_is_path(void)
{
	_cleanup_free_ char *script = path_in("noargs.sh");
	_cleanup_free_ char *body =
	    vs_strdup_printf("#!/bin/sh\ntr '\\0' ' ' < /proc/$$/cmdline > %s/noargs\n", dir);
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(vs_write_file(script, body, strlen(body), &err), ==, 0);
	chmod(script, 0755);
	struct oci_hook h = {.path = script};
	_cleanup_free_ char *msg = NULL;
	CHECK_INT(run1(OCI_HOOK_POSTSTART, &h, NULL, &msg), ==, 0);
	_cleanup_free_ char *out = slurp("noargs");
	_cleanup_free_ char *want = vs_strdup_printf("/bin/sh %s ", script);
	CHECK_STR(out, want);
}

static void test_exit_status(void)
{
	struct oci_hook h = sh_hook("exit 3", NULL);
	_cleanup_free_ char *msg = NULL;
	CHECK_INT(run1(OCI_HOOK_CREATE_RUNTIME, &h, "{}", &msg), ==, -1);
	CHECK_STR(msg, "error running hook: createRuntime hook #0 /bin/sh: exited with status 3");
	hook_free(&h);
}

static void test_signal(void)
{
	struct oci_hook h = sh_hook("kill -TERM $$", NULL);
	_cleanup_free_ char *msg = NULL;
	CHECK_INT(run1(OCI_HOOK_START_CONTAINER, &h, "{}", &msg), ==, -1);
	CHECK(msg && strstr(msg, "startContainer hook #0 /bin/sh: killed by signal 15"),
	      "signal named in the error");
	hook_free(&h);
}

static void test_timeout(void)
{
	struct oci_hook h = sh_hook("sleep 5", NULL);
	h.timeout.set = true;
	h.timeout.value = 1;
	_cleanup_free_ char *msg = NULL;
	time_t t0 = time(NULL);
	CHECK_INT(run1(OCI_HOOK_CREATE_CONTAINER, &h, "{}", &msg), ==, -1);
	CHECK_INT(time(NULL) - t0, <, 4);
	CHECK_STR(msg, "error running hook: createContainer hook #0 /bin/sh: timed out after 1 s");
	hook_free(&h);
}

static void test_exec_failure_and_bad_path(void)
{
	struct oci_hook h = {.path = "/nonexistent/hook"};
	_cleanup_free_ char *msg = NULL, *msg2 = NULL;
	CHECK_INT(run1(OCI_HOOK_PRESTART, &h, "{}", &msg), ==, -1);
	CHECK_STR(msg, "error running hook: prestart hook #0 /nonexistent/hook: exec: No such file "
		       "or directory");
	struct oci_hook rel = {.path = "bin/true"};
	CHECK_INT(run1(OCI_HOOK_PRESTART, &rel, "{}", &msg2), ==, -1);
	CHECK(msg2 && strstr(msg2, "not absolute"), "relative path refused");
}

static void test_policies(void)
{
	struct oci_hook hs[3] = {sh_hook("echo 1 >> $D/order", NULL), sh_hook("exit 1", NULL),
				 sh_hook("echo 3 >> $D/order", NULL)};
	struct oci_hook_list l = {.hooks = hs, .n = 3};
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(hooks_run(OCI_HOOK_POSTSTOP, &l, "{}", HOOKS_WARN, &err), ==, 0);
	CHECK(!vs_error_failed(&err), "warn policy leaves no error");
	_cleanup_free_ char *order = slurp("order");
	CHECK_STR(order, "1\n3\n");
	_cleanup_free_ char *p = path_in("order");
	unlink(p);
	CHECK_INT(hooks_run(OCI_HOOK_PRESTART, &l, "{}", HOOKS_FAIL, &err), ==, -1);
	CHECK_STR(err.msg, "error running hook: prestart hook #1 /bin/sh: exited with status 1");
	vs_error_clear(&err);
	_cleanup_free_ char *order2 = slurp("order");
	CHECK_STR(order2, "1\n");
	CHECK_INT(hooks_default_policy(OCI_HOOK_POSTSTOP), ==, HOOKS_WARN);
	CHECK_INT(hooks_default_policy(OCI_HOOK_POSTSTART), ==, HOOKS_WARN);
	CHECK_INT(hooks_default_policy(OCI_HOOK_CREATE_RUNTIME), ==, HOOKS_FAIL);
	for (int i = 0; i < 3; i++)
		hook_free(&hs[i]);
}

static void test_large_stdin_not_read(void)
{
	size_t n = 300000;
	_cleanup_free_ char *big = vs_malloc0(n + 1);
	memset(big, 'x', n);
	struct oci_hook quiet = sh_hook("true", NULL), reader = sh_hook("wc -c > $D/wc", NULL);
	_cleanup_free_ char *msg = NULL, *msg2 = NULL;
	CHECK_INT(run1(OCI_HOOK_PRESTART, &quiet, big, &msg), ==, 0);
	CHECK_INT(run1(OCI_HOOK_PRESTART, &reader, big, &msg2), ==, 0);
	_cleanup_free_ char *wc = slurp("wc");
	CHECK_STR(wc, "300000\n");
	hook_free(&quiet);
	hook_free(&reader);
}

static void test_no_fd_leak(void)
{
	int fd = open("/dev/null", O_RDONLY); /* deliberately without O_CLOEXEC */
	CHECK_INT(dup2(fd, 77), ==, 77);
	struct oci_hook h = sh_hook("test -e /proc/$$/fd/77 && touch $D/leaked; true", NULL);
	_cleanup_free_ char *msg = NULL;
	CHECK_INT(run1(OCI_HOOK_PRESTART, &h, "{}", &msg), ==, 0);
	CHECK(!exists("leaked"), "a non-CLOEXEC fd of vessel does not reach the hook");
	close(77);
	close(fd);
	hook_free(&h);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_argv_env_stdin();
	test_no_args_argv0_is_path();
	test_exit_status();
	test_signal();
	test_timeout();
	test_exec_failure_and_bad_path();
	test_policies();
	test_large_stdin_not_read();
	test_no_fd_leak();
	_cleanup_free_ char *rm = vs_strdup_printf("rm -rf %s", dir);
	(void)!system(rm);
	return tap_done();
}
