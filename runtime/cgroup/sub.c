/* `exec --cgroup`: run the new process in a sub-cgroup of the container's
 * cgroup, in runc's syntax: one "PATH" for every hierarchy, or any number
 * of "CONTROLLER[,CONTROLLER...]:PATH" for the v1 hierarchies of those
 * controllers ("" as the controller list: the cgroup2 tree).  The
 * sub-cgroup must exist already (the container made it), and PATH is
 * relative to the container's cgroup: ".." may not climb out of it. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"

/* "a/b", "/a/b" (leading slashes dropped, as path.Join does), never "..". */
static int sub_path_check(const char *arg, const char *sub, struct vs_error *err)
{
	_cleanup_free_ char *copy = vs_strdup(sub);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save))
		if (strcmp(c, "..") == 0)
			return vs_error_set(err, "--cgroup %s: %s is not a sub cgroup path", arg,
					    sub);
	return 0;
}

/* A sub-cgroup that is not there: the process could not be added to it.
 * The words are runc's ("adding pid ... cgroup.procs: no such file ..."),
 * which tools match; vessel finds out before the process exists. */
static int sub_missing(const char *arg, const char *dir, int e, struct vs_error *err)
{
	if (e != ENOENT)
		return vs_error_errno(err, e, "--cgroup %s: open cgroup %s", arg, dir);
	return vs_error_set(err,
			    "--cgroup %s: sub-cgroup %s does not exist: adding pid to "
			    "%s/cgroup.procs: no such file or directory",
			    arg, dir, dir);
}

/* The cgroup2 part: the handle's fd, path and dir become the sub-cgroup's,
 * so clone3(CLONE_INTO_CGROUP) puts the process there. */
static int select_v2(struct cg_handle *h, const char *arg, const char *sub, struct vs_error *err)
{
	if (h->fd < 0)
		return vs_error_set(err, "--cgroup %s: the container has no cgroup2 cgroup", arg);
	_cleanup_free_ char *dir = vs_strdup_printf("%s/%s", h->dir, sub);
	int fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sub_missing(arg, dir, errno, err);
	vs_closep(&h->fd);
	h->fd = fd;
	free(h->dir);
	h->dir = TAKE_PTR(dir);
	char *path = vs_strdup_printf("%s/%s", h->path, sub);
	free(h->path);
	h->path = path;
	return 0;
}

/* One v1 hierarchy: the directory to join instead of the container's. */
static int select_v1(struct cg_handle *h, const char *arg, const char *ctrl, const char *sub,
		     struct vs_error *err)
{
	_cleanup_free_ char *mnt = cg_v1_mount_of(ctrl);
	if (!mnt)
		return vs_error_set(
		    err, "--cgroup %s: unknown controller %s (no v1 hierarchy has it)", arg, ctrl);
	_cleanup_free_ char *dir = vs_strdup_printf("%s%s/%s", mnt, h->v1_path, sub);
	if (access(dir, F_OK) < 0)
		return sub_missing(arg, dir, errno, err);
	vs_strv_push(&h->v1_sub_mounts, mnt);
	vs_strv_push(&h->v1_sub_dirs, dir);
	return 0;
}

/* A plain PATH: cgroup2, and each v1 hierarchy where the sub-cgroup
 * exists (a container makes sub-cgroups in the hierarchies it uses). */
static int select_all(struct cg_handle *h, const char *arg, struct vs_error *err)
{
	if (select_v2(h, arg, arg, err) < 0)
		return -1;
	_cleanup_strv_ char **mounts = cg_v1_mounts();
	for (size_t i = 0; mounts && mounts[i]; i++) {
		_cleanup_free_ char *dir = vs_strdup_printf("%s%s/%s", mounts[i], h->v1_path, arg);
		if (access(dir, F_OK) < 0)
			continue;
		vs_strv_push(&h->v1_sub_mounts, mounts[i]);
		vs_strv_push(&h->v1_sub_dirs, dir);
	}
	return 0;
}

static int select_one(struct cg_handle *h, const char *arg, size_t n_args, struct vs_error *err)
{
	const char *colon = strchr(arg, ':');
	if (colon && strchr(colon + 1, ':'))
		return vs_error_set(err, "--cgroup %s: expected [CONTROLLER[,...]:]PATH", arg);
	if (!colon) {
		if (n_args != 1)
			return vs_error_set(err,
					    "--cgroup %s: missing the CONTROLLER: prefix (needed "
					    "when --cgroup is given more than once)",
					    arg);
		return sub_path_check(arg, arg, err) < 0 ? -1 : select_all(h, arg, err);
	}
	const char *sub = colon + 1;
	if (sub_path_check(arg, sub, err) < 0)
		return -1;
	_cleanup_free_ char *ctrls = strndup(arg, (size_t)(colon - arg));
	if (!*ctrls)
		return select_v2(h, arg, sub, err);
	char *save = NULL;
	for (char *c = strtok_r(ctrls, ",", &save); c; c = strtok_r(NULL, ",", &save))
		if (select_v1(h, arg, c, sub, err) < 0)
			return -1;
	return 0;
}

int cg_select_sub(struct cg_handle *h, char *const *args, struct vs_error *err)
{
	size_t n = 0;
	while (args && args[n])
		n++;
	if (!n)
		return 0;
	if (h->gone || (h->fd < 0 && !h->path))
		return cg_require(h, "use --cgroup", err);
	if (!h->v1_path)
		h->v1_path = vs_strdup(h->path);
	for (size_t i = 0; i < n; i++)
		if (select_one(h, args[i], n, err) < 0)
			return -1;
	return 0;
}
