/* `vessel spec`: write a default config.json (oci/default.h plus the
 * default seccomp profile), as `runc spec` does. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "lib/cleanup.h"
#include "lib/util.h"
#include "oci/default.h"
#include "oci/oci.h"
#include "runtime/seccomp/seccomp.h"

enum { OPT_ROOTLESS = CLI_OPT_LONG };

static const struct cli_option options[] = {
    {"bundle", 'b', CLI_ARG, "DIR", "write DIR/config.json (default: the current directory)"},
    {"rootless", OPT_ROOTLESS, CLI_NOARG, NULL,
     "map root to your uid/gid in a user namespace, no network namespace"},
    {0},
};

static const struct cli_command command = {
    .name = "spec",
    .args = "[options]",
    .summary = "Write a default config.json for a bundle whose root filesystem is DIR/rootfs.",
    .details = "The process is `sh` on a terminal (edit process.args and process.terminal for\n"
	       "a non-interactive container).  An existing config.json is never overwritten.",
    .options = options,
};

static void oci_config_freep(struct oci_config **c)
{
	oci_config_free(*c);
}

#define SPEC_CGROUP2_MAGIC 0x63677270 /* CGROUP2_SUPER_MAGIC */

/* runc's spec asks for a cgroup namespace only where /sys/fs/cgroup is
 * cgroup2: on a v1 or hybrid host a container's cgroup mount is the v1
 * hierarchies, which tools and runc's own tests expect to see by path.
 * The default config (oci/default.c) always has one, for `vessel bundle`. */
static void drop_cgroupns_unless_unified(struct oci_linux *l)
{
	struct statfs sfs;
	if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == SPEC_CGROUP2_MAGIC)
		return;
	size_t k = 0;
	for (size_t i = 0; i < l->n_namespaces; i++) {
		if (l->namespaces[i].type == OCI_NS_CGROUP) {
			free(l->namespaces[i].path);
			continue;
		}
		l->namespaces[k++] = l->namespaces[i];
	}
	l->n_namespaces = k;
}

/* O_EXCL: never clobber a config, even one created while we ran. */
static int write_new_file(const char *path, const char *data, struct vs_error *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		return vs_error_set(err, "File %s exists. Remove it first", path);
	if (fd < 0)
		return vs_error_errno(err, errno, "create %s", path);
	if (vs_write_all(fd, data, strlen(data)) < 0 || fsync(fd) < 0) {
		int saved = errno;
		unlink(path);
		return vs_error_errno(err, saved, "write %s", path);
	}
	return 0;
}

static int write_spec(const char *bundle, bool rootless, struct vs_error *err)
{
	_cleanup_(oci_config_freep) struct oci_config *config = oci_config_default(rootless);
	drop_cgroupns_unless_unified(config->lnx);
	config->lnx->seccomp = sc_default_profile();
	if (!config->lnx->seccomp)
		return vs_error_set(err, "the built-in default seccomp profile is unavailable");
	_cleanup_free_ char *json = oci_config_to_json(config);
	if (!json)
		return vs_error_set(err, "cannot serialise the default configuration");
	_cleanup_free_ char *path = vs_strdup_printf("%s/config.json", bundle);
	_cleanup_free_ char *text = vs_strdup_printf("%s\n", json);
	return write_new_file(path, text, err);
}

int cmd_spec(struct vs_cli *cli, int argc, char **argv)
{
	const char *bundle = ".";
	bool rootless = false;
	int c;
	while ((c = cli_getopt(cli, &command, argc, argv)) > 0) {
		switch (c) {
		case 'b':
			bundle = optarg;
			break;
		case OPT_ROOTLESS:
			rootless = true;
			break;
		}
	}
	if (c < 0)
		return cli_opt_status(c);
	if (cli_require_args(cli, argc, argv, 0, "nothing"))
		return 1;
	struct vs_error err = VS_ERROR_INIT;
	if (write_spec(bundle, rootless, &err) < 0)
		return cli_fail(cli, &err);
	return 0;
}
