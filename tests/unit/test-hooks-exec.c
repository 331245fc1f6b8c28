/* runtime/exec: how `exec` flags change the container's process (runc's
 * rules), and the errors that name the flag. */
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/exec/exec.h"
#include "tap.h"

static struct oci_process *base(void)
{
	static const char json[] =
	    "{\"terminal\": true, \"args\": [\"sh\"], \"cwd\": \"/\","
	    " \"env\": [\"PATH=/bin\", \"TERM=xterm\"],"
	    " \"user\": {\"uid\": 0, \"gid\": 0, \"additionalGids\": [7]},"
	    " \"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"effective\": [\"CAP_KILL\"],"
	    "  \"permitted\": [\"CAP_KILL\"]}}";
	struct oci_process *p = NULL;
	struct vs_error err = VS_ERROR_INIT;
	if (oci_process_parse(json, strlen(json), "test", &p, &err) < 0) {
		printf("# parse: %s\n", err.msg);
		exit(1);
	}
	return p;
}

static char *joined(char **v)
{
	size_t n = 1;
	for (size_t i = 0; v && v[i]; i++)
		n += strlen(v[i]) + 1;
	char *s = vs_malloc0(n);
	for (size_t i = 0; v && v[i]; i++) {
		strcat(s, v[i]);
		if (v[i + 1])
			strcat(s, ",");
	}
	return s;
}

static void test_overrides(void)
{
	struct oci_process *p = base();
	char *args[] = {"ls", "-l", NULL};
	char *env[] = {"FOO=1", "PATH=/usr/bin", "BARE", NULL};
	char *gids[] = {"42", "43", NULL};
	char *caps[] = {"sys_admin", "CAP_NET_RAW", NULL};
	struct exec_overrides ov = {.args = args,
				    .env = env,
				    .cwd = "/tmp",
				    .user = "1000:1001",
				    .additional_gids = gids,
				    .caps = caps,
				    .no_new_privs = true};
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(exec_apply_overrides(p, &ov, &err), ==, 0);
	_cleanup_free_ char *a = joined(p->args), *e = joined(p->env),
			    *bnd = joined(p->capabilities->bounding),
			    *eff = joined(p->capabilities->effective);
	CHECK_STR(a, "ls,-l");
	CHECK_STR(e, "PATH=/usr/bin,TERM=xterm,FOO=1,BARE");
	CHECK_STR(p->cwd, "/tmp");
	CHECK_INT(p->user.uid, ==, 1000);
	CHECK_INT(p->user.gid, ==, 1001);
	CHECK_INT(p->user.n_additional_gids, ==, 3);
	CHECK_INT(p->user.additional_gids[2], ==, 43);
	CHECK_STR(bnd, "CAP_KILL,CAP_SYS_ADMIN,CAP_NET_RAW");
	CHECK_STR(eff, "CAP_KILL,CAP_SYS_ADMIN,CAP_NET_RAW");
	CHECK(p->capabilities->ambient == NULL, "no ambient without an inheritable set");
	CHECK(p->no_new_privileges, "--no-new-privs sets it");
	CHECK(!p->terminal, "terminal is off unless --tty");
	oci_process_free(p);
}

static void test_user_only_uid_keeps_gid(void)
{
	struct oci_process *p = base();
	char *args[] = {"id", NULL};
	struct exec_overrides ov = {.args = args, .user = "5", .tty = true};
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(exec_apply_overrides(p, &ov, &err), ==, 0);
	CHECK_INT(p->user.uid, ==, 5);
	CHECK_INT(p->user.gid, ==, 0);
	CHECK(p->terminal, "--tty sets terminal");
	oci_process_free(p);
}

static void expect_error(struct exec_overrides *ov, const char *want)
{
	struct oci_process *p = base();
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(exec_apply_overrides(p, ov, &err), ==, -1);
	CHECK(err.msg && strstr(err.msg, want), want);
	if (!err.msg || !strstr(err.msg, want))
		printf("#   got: %s\n", err.msg ? err.msg : "(none)");
	vs_error_clear(&err);
	oci_process_free(p);
}

static void test_errors(void)
{
	char *args[] = {"true", NULL};
	char *bad_env[] = {"=x", NULL};
	char *bad_gids[] = {"12", "x", NULL};
	expect_error(&(struct exec_overrides){.args = NULL}, "a command to run is required");
	expect_error(&(struct exec_overrides){.args = args, .user = "root"},
		     "--user: \"root\" is not a numeric id");
	expect_error(&(struct exec_overrides){.args = args, .user = "1:-2"}, "--user");
	expect_error(&(struct exec_overrides){.args = args, .cwd = "tmp"},
		     "--cwd: \"tmp\" is not an absolute path");
	expect_error(&(struct exec_overrides){.args = args, .env = bad_env}, "--env");
	expect_error(&(struct exec_overrides){.args = args, .additional_gids = bad_gids},
		     "--additional-gids: \"x\"");
}

int main(void)
{
	test_overrides();
	test_user_only_uid_keeps_gid();
	test_errors();
	return tap_done();
}
