/* The systemd cgroup driver's pure parts: cgroupsPath "slice:prefix:name"
 * to unit and cgroup path (systemd's slice nesting), runc's defaults, the
 * refusals, and the AllowedCPUs bit mask. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/systemd-internal.h"
#include "tap.h"

/* want: "UNIT PATH SLICE", or "!substring of the error" */
static void check_parse_as(bool user, const char *cgroups_path, const char *want)
{
	struct cg_sd_name n = {0};
	struct vs_error err = VS_ERROR_INIT;
	int r = cg_sd_parse(cgroups_path, "abc", user, &n, &err);
	if (want[0] == '!') {
		_cleanup_free_ char *desc = vs_strdup_printf(
		    "\"%s\" refused with \"%s\"", cgroups_path ? cgroups_path : "(null)", want + 1);
		CHECK(r < 0 && err.msg && strstr(err.msg, want + 1), desc);
		if (r == 0 || !err.msg || !strstr(err.msg, want + 1))
			printf("#   got: %s\n", err.msg ? err.msg : "(no error)");
	} else {
		_cleanup_free_ char *got =
		    r == 0 ? vs_strdup_printf("%s %s %s", n.unit, n.path, n.slice) : NULL;
		_cleanup_free_ char *desc =
		    vs_strdup_printf("\"%s\" -> %s", cgroups_path ? cgroups_path : "(null)", want);
		CHECK_STR(got, want);
		(void)desc;
		if (!got)
			printf("#   %s: %s\n", desc, err.msg ? err.msg : "");
	}
	vs_error_clear(&err);
	cg_sd_name_clear(&n);
}

static void check_parse(const char *cgroups_path, const char *want)
{
	check_parse_as(false, cgroups_path, want);
}

static void test_parse(void)
{
	check_parse(NULL, "vessel-abc.scope /system.slice/vessel-abc.scope system.slice");
	check_parse("", "vessel-abc.scope /system.slice/vessel-abc.scope system.slice");
	check_parse("system.slice:docker:1234",
		    "docker-1234.scope /system.slice/docker-1234.scope system.slice");
	check_parse(":cri-containerd:x",
		    "cri-containerd-x.scope /system.slice/cri-containerd-x.scope system.slice");
	check_parse("kubepods-besteffort-pod1.slice:cri-containerd:c1",
		    "cri-containerd-c1.scope /kubepods.slice/kubepods-besteffort.slice/"
		    "kubepods-besteffort-pod1.slice/cri-containerd-c1.scope "
		    "kubepods-besteffort-pod1.slice");
	check_parse("-.slice::c", "c.scope /c.scope -.slice");
	check_parse("machine.slice:libpod:a@b",
		    "libpod-a@b.scope /machine.slice/libpod-a@b.scope machine.slice");
	check_parse("/a/b", "!slice:prefix:name");
	check_parse("a:b", "!slice:prefix:name");
	check_parse("a:b:c:d", "!slice:prefix:name");
	check_parse("system.slice:p:", "!no name");
	check_parse("system.slice:p:x.slice", "!a slice as the container's unit");
	check_parse("system:p:x", "!is not a slice name");
	check_parse("a--b.slice:p:x", "!no empty part");
	check_parse("-a.slice:p:x", "!no empty part");
	check_parse("a-.slice:p:x", "!no empty part");
	check_parse("system.slice:p:x/y", "!not a valid unit name");
	/* rootless: the user's instance, runc's default slice for it */
	check_parse_as(true, NULL, "vessel-abc.scope /user.slice/vessel-abc.scope user.slice");
	check_parse_as(true, ":p:x", "p-x.scope /user.slice/p-x.scope user.slice");
	check_parse_as(true, "app.slice:p:x", "p-x.scope /app.slice/p-x.scope app.slice");
}

static void check_mask(const char *list, const char *want_hex)
{
	_cleanup_free_ uint8_t *mask = NULL;
	size_t n = 0;
	struct vs_error err = VS_ERROR_INIT;
	int r = cg_sd_cpuset_mask(list, &mask, &n, &err);
	char got[64] = "";
	if (r < 0)
		snprintf(got, sizeof(got), "!");
	for (size_t i = 0; r == 0 && i < n && i < 30; i++)
		snprintf(got + 2 * i, sizeof(got) - 2 * i, "%02x", mask[i]);
	printf("# mask \"%s\"\n", list);
	CHECK_STR(got, want_hex);
	vs_error_clear(&err);
}

static void test_mask(void)
{
	check_mask("0", "01");
	check_mask("0-3,5", "2f");
	check_mask("1,9", "0202");
	check_mask("8-9", "0003");
	check_mask("0-3 ", "0f");
	check_mask("3-1", "!");
	check_mask("x", "!");
	check_mask("1,,", "!");
}

int main(void)
{
	test_parse();
	test_mask();
	return tap_done();
}
