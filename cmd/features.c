/* `vessel features`: the runtime-spec "features" document (features.md,
 * features-linux.md).  Every list is what vessel's own code accepts: hook
 * kinds from oci/, mount options from runtime/rootfs, seccomp names as
 * runtime/seccomp maps them, architectures and capability names from
 * libseccomp and libcap. */
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cmd/commands.h"
#include "lib/util.h"
#include "oci/oci.h"
#include "runtime/rootfs/rootfs.h"

/* The oldest config version vessel's parser accepts (1.0.0 configs parse). */
#define OCI_VERSION_MIN "1.0.0"

static const char *const namespaces[] = {"cgroup", "ipc",  "mount", "network", "pid",
					 "time",   "user", "uts",   NULL};

/* As runtime/seccomp/compile.c maps them. */
static const char *const sc_actions[] = {
    "SCMP_ACT_ALLOW",	    "SCMP_ACT_ERRNO",
    "SCMP_ACT_KILL",	    "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",	    "SCMP_ACT_TRACE",
    "SCMP_ACT_TRAP",	    NULL,
};
static const char *const sc_operators[] = {
    "SCMP_CMP_EQ", "SCMP_CMP_GE",	 "SCMP_CMP_GT", "SCMP_CMP_LE",
    "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL,
};

/* Candidates; only those this libseccomp resolves are listed. */
static const char *const sc_arch_names[] = {
    "x86",    "x86_64",	   "x32",     "arm",	  "aarch64",	 "loongarch64", "m68k",	    "mips",
    "mips64", "mips64n32", "mipsel",  "mipsel64", "mipsel64n32", "parisc",	"parisc64", "ppc",
    "ppc64",  "ppc64le",   "riscv64", "s390",	  "s390x",	 "sh",		"sheb",	    NULL,
};

struct sc_flag {
	const char *name;
	unsigned int bits; /* what to probe the kernel with */
};
static const struct sc_flag sc_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    /* Only valid together with NEW_LISTENER, which sc_load adds. */
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER},
};

static const char *const unsafe_annotations[] = {
    /* A copy-on-write root built from host directories (runtime/rootfs). */
    "run.vessel.rootfs.overlay.",
    /* Tie a container to an image store: delete releases what that store
     * recorded for the bundle (runtime/image). */
    "run.vessel.image.",
    NULL,
};

static const struct cli_command command = {
    .name = "features",
    .args = "",
    .summary = "Print the features vessel implements, as the runtime-spec features JSON document.",
    .details = "The document lists what vessel recognises (OCI versions, hooks, mount options,\n"
	       "namespaces, capabilities, cgroup managers, seccomp names); supportedFlags is what\n"
	       "the running kernel accepts.",
    .options = NULL,
};

static void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_strv(yajl_gen g, const char *key, const char *const *v)
{
	gen_str(g, key);
	yajl_gen_array_open(g);
	for (; v && *v; v++)
		gen_str(g, *v);
	yajl_gen_array_close(g);
}

static void gen_bool(yajl_gen g, const char *key, bool value)
{
	gen_str(g, key);
	yajl_gen_bool(g, value);
}

/* {"enabled": value} under key. */
static void gen_enabled(yajl_gen g, const char *key, bool value)
{
	gen_str(g, key);
	yajl_gen_map_open(g);
	gen_bool(g, "enabled", value);
	yajl_gen_map_close(g);
}

static void gen_hooks(yajl_gen g)
{
	gen_str(g, "hooks");
	yajl_gen_array_open(g);
	for (int k = 0; k < OCI_HOOK_KIND_COUNT; k++)
		gen_str(g, oci_hook_kind_name((enum oci_hook_kind)k));
	yajl_gen_array_close(g);
}

/* libcap's names, upper-cased as the spec writes them; a number means
 * libcap has no name for that bit, which is where its list ends. */
static void gen_capabilities(yajl_gen g)
{
	gen_str(g, "capabilities");
	yajl_gen_array_open(g);
	for (int i = 0; i < 64; i++) {
		char *name = cap_to_name((cap_value_t)i);
		if (!name)
			break;
		bool known = name[0] < '0' || name[0] > '9';
		if (known) {
			char upper[64];
			size_t n = 0;
			for (; n < sizeof(upper) - 1 && name[n]; n++)
				upper[n] = (char)(name[n] >= 'a' && name[n] <= 'z' ? name[n] - 32
										   : name[n]);
			upper[n] = '\0';
			gen_str(g, upper);
		}
		cap_free(name);
		if (!known)
			break;
	}
	yajl_gen_array_close(g);
}

static void gen_cgroup(yajl_gen g)
{
	gen_str(g, "cgroup");
	yajl_gen_map_open(g);
	gen_bool(g, "v1", false);
	gen_bool(g, "v2", true);
	gen_bool(g, "systemd", true);	  /* --systemd-cgroup: runtime/cgroup/systemd.c */
	gen_bool(g, "systemdUser", true); /* rootless: the user's instance, over the user bus */
	gen_bool(g, "rdma", true);
	yajl_gen_map_close(g);
}

static void gen_archs(yajl_gen g)
{
	gen_str(g, "archs");
	yajl_gen_array_open(g);
	for (const char *const *a = sc_arch_names; *a; a++) {
		if (seccomp_arch_resolve_name(*a) == 0)
			continue;
		char upper[48] = "SCMP_ARCH_";
		size_t n = strlen(upper);
		for (const char *p = *a; n < sizeof(upper) - 1 && *p; p++)
			upper[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		upper[n] = '\0';
		gen_str(g, upper);
	}
	yajl_gen_array_close(g);
}

/* The kernel validates flags before it reads the program: EFAULT on a NULL
 * program means the flags were accepted, EINVAL that one is unknown. */
static bool sc_flag_supported(unsigned int bits)
{
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, bits, NULL);
	return r < 0 && errno == EFAULT;
}

static void gen_sc_flags(yajl_gen g)
{
	gen_str(g, "knownFlags");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < sizeof(sc_flags) / sizeof(sc_flags[0]); i++)
		gen_str(g, sc_flags[i].name);
	yajl_gen_array_close(g);
	gen_str(g, "supportedFlags");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < sizeof(sc_flags) / sizeof(sc_flags[0]); i++)
		if (sc_flag_supported(sc_flags[i].bits))
			gen_str(g, sc_flags[i].name);
	yajl_gen_array_close(g);
}

static void gen_seccomp(yajl_gen g)
{
	gen_str(g, "seccomp");
	yajl_gen_map_open(g);
	gen_bool(g, "enabled", true);
	gen_strv(g, "actions", sc_actions);
	gen_strv(g, "operators", sc_operators);
	gen_archs(g);
	gen_sc_flags(g);
	yajl_gen_map_close(g);
}

static void gen_linux(yajl_gen g)
{
	gen_str(g, "linux");
	yajl_gen_map_open(g);
	gen_strv(g, "namespaces", namespaces);
	gen_capabilities(g);
	gen_cgroup(g);
	gen_seccomp(g);
	gen_enabled(g, "apparmor", false);
	gen_enabled(g, "selinux", false);
	/* Refused with a clear error (no resctrl groups written yet). */
	gen_str(g, "intelRdt");
	yajl_gen_map_open(g);
	gen_bool(g, "enabled", false);
	gen_bool(g, "schemata", false);
	gen_bool(g, "monitoring", false);
	yajl_gen_map_close(g);
	gen_str(g, "memoryPolicy");
	yajl_gen_map_open(g);
	gen_strv(g, "modes", oci_mempolicy_modes);
	gen_strv(g, "flags", oci_mempolicy_flags);
	yajl_gen_map_close(g);
	gen_enabled(g, "netDevices", true);
	gen_str(g, "mountExtensions");
	yajl_gen_map_open(g);
	gen_enabled(g, "idmap", true);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void gen_annotations(yajl_gen g)
{
	const struct scmp_version *v = seccomp_version();
	char sc_version[48];
	snprintf(sc_version, sizeof(sc_version), "%u.%u.%u", v ? v->major : 0, v ? v->minor : 0,
		 v ? v->micro : 0);
	gen_str(g, "annotations");
	yajl_gen_map_open(g);
	gen_str(g, "io.github.seccomp.libseccomp.version");
	gen_str(g, sc_version);
	gen_str(g, "io.github.vessel.checkpoint.enabled");
	gen_str(g, "true");
	gen_str(g, "io.github.vessel.commit");
	gen_str(g, VESSEL_COMMIT);
	gen_str(g, "io.github.vessel.version");
	gen_str(g, VESSEL_VERSION);
	yajl_gen_map_close(g);
}

static void gen_features(yajl_gen g)
{
	yajl_gen_map_open(g);
	gen_str(g, "ociVersionMin");
	gen_str(g, OCI_VERSION_MIN);
	gen_str(g, "ociVersionMax");
	gen_str(g, OCI_SPEC_VERSION);
	gen_hooks(g);
	gen_strv(g, "mountOptions", rootfs_known_mount_options());
	gen_linux(g);
	gen_annotations(g);
	gen_strv(g, "potentiallyUnsafeConfigAnnotations", unsafe_annotations);
	yajl_gen_map_close(g);
}

int cmd_features(struct vs_cli *cli, int argc, char **argv)
{
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0)
		;
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 0, "nothing"))
		return 1;
	yajl_gen g = yajl_gen_alloc(NULL);
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "    ");
	gen_features(g);
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	bool ok =
	    fwrite(buf, 1, len, stdout) == len && fputc('\n', stdout) != EOF && fflush(stdout) == 0;
	yajl_gen_free(g);
	if (!ok) {
		struct vs_error err = VS_ERROR_INIT;
		vs_error_errno(&err, errno, "write to stdout");
		return cli_fail(cli, &err);
	}
	return 0;
}
