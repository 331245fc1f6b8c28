/* cgroups for a rootless caller.  An unprivileged user can only make a
 * cgroup inside a subtree delegated to it (systemd's user@.service with
 * Delegate=yes, or a directory an administrator chowned), and only move a
 * process there when it may also write cgroup.procs of the common
 * ancestor of the source and destination cgroups (cgroup_attach_permissions
 * in the kernel).  Outside one, runc runs the container without a cgroup
 * of its own; vessel does the same, unless the config asks for a limit
 * that then cannot be enforced. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"

static bool writable(const char *file)
{
	return faccessat(AT_FDCWD, file, W_OK, AT_EACCESS) == 0;
}

/* Length of the longest common prefix of two cgroup paths that ends at a
 * component boundary ("/a/b" and "/a/bc" share "/a"). */
static size_t common_ancestor_len(const char *a, const char *b)
{
	size_t last = 0, i = 0;
	for (; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			last = i;
	if ((a[i] == '\0' || a[i] == '/') && (b[i] == '\0' || b[i] == '/'))
		last = i;
	return last;
}

bool cg_rootless_usable(const char *root, const char *path, const char *own)
{
	if (!own)
		return false;
	/* The nearest existing directory on the way to the leaf decides
	 * whether we may make the rest (or, the leaf itself, join it). */
	_cleanup_free_ char *dir = vs_strdup_printf("%s%s", root, path);
	char *slash;
	while (access(dir, F_OK) < 0 && (slash = strrchr(dir, '/')) &&
	       (size_t)(slash - dir) > strlen(root))
		*slash = '\0';
	bool ok;
	if (strcmp(dir + strlen(root), path) == 0) {
		_cleanup_free_ char *procs = vs_strdup_printf("%s/cgroup.procs", dir);
		ok = writable(procs);
	} else
		ok = writable(dir) && faccessat(AT_FDCWD, dir, X_OK, AT_EACCESS) == 0;
	if (!ok)
		return false;
	_cleanup_free_ char *common = vs_strdup_printf("%s%.*s/cgroup.procs", root,
						       (int)common_ancestor_len(path, own), path);
	return writable(common);
}

int cg_rootless_without(const struct cg_config *cfg, const char *root, const char *path,
			struct cg_handle **ret_handle, struct vs_error *err)
{
	const struct oci_resources *res = cfg->resources;
	const char *what = NULL;
	for (size_t i = 0; res && i < cg_n_controllers && !what; i++) {
		const struct cg_controller *c = cg_controllers[i];
		if (c->name && c->requested && c->requested(res))
			what = c->what;
	}
	if (!what && res && res->n_unified)
		what = "linux.resources.unified";
	if (what)
		return vs_error_set(err,
				    "%s: cannot enforce the requested limit rootless: the cgroup "
				    "%s%s is not in a cgroup v2 subtree delegated to uid %u (none "
				    "of it is writable); remove the limit or delegate a cgroup",
				    what, root, path, (unsigned)geteuid());
	vs_log(VS_LOG_DEBUG,
	       "rootless: the cgroup %s%s is not in a cgroup v2 subtree delegated to uid %u: "
	       "the container runs without a cgroup of its own",
	       root, path, (unsigned)geteuid());
	if (res && res->n_devices)
		vs_log(VS_LOG_DEBUG, "rootless: linux.resources.devices ignored without a cgroup; "
				     "the container only has the device nodes in its /dev");
	return cg_open_at(root, NULL, ret_handle, err);
}
