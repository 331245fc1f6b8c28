/* Hybrid hosts: membership in the v1 hierarchies.
 *
 * vessel enforces limits through cgroup2 where it can; the cpu, cpuset,
 * memory, pids, blkio and hugetlb limits of a controller bound to v1 are
 * written by v1-limits.c and v1-limits-more.c, and every other v1-bound
 * limit is refused (tree.c).  On a hybrid host the clients
 * read statistics from the v1 controllers at the container's cgroupsPath
 * (podman stats, containerd's task metrics): without a cgroup there, podman
 * fails ("cgroup deleted") and containerd reports its own shim's cgroup.
 * So the init also joins a cgroup at the same path in every v1 hierarchy,
 * as runc does on such hosts, and delete removes them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"

int cg_v1_make_dirs(const char *mnt, const char *path, struct vs_error *err)
{
	_cleanup_free_ char *p = vs_strdup(path);
	for (char *s = p + 1;; s++) {
		bool last = *s == '\0';
		if (*s != '/' && !last)
			continue;
		*s = '\0';
		_cleanup_free_ char *dir = vs_strdup_printf("%s%s", mnt, p);
		if (mkdir(dir, 0755) == 0)
			(void)setxattr(dir, OWNED_XATTR, "1", 1, 0);
		else if (errno != EEXIST)
			return vs_error_errno(err, errno, "mkdir cgroup %s", dir);
		/* A new cpuset cgroup starts with no cpus and mems, and so may
		 * one made by someone else beforehand (a parent the user
		 * prepared): copy the parent's, top down, or joining fails
		 * with ENOSPC.  runc fills the parents the same way. */
		if (cg_v1_cpuset_fill(dir, err) < 0)
			return -1;
		if (last)
			return 0;
		*s = '/';
	}
}

static bool v1_wanted(const struct cg_handle *h)
{
	return h && h->fd >= 0 && !h->fake && h->path && strcmp(h->path, "/") != 0;
}

static int v1_write_pid(const char *mnt, const char *path, pid_t pid, struct vs_error *err)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	_cleanup_free_ char *procs = vs_strdup_printf("%s%s/cgroup.procs", mnt, path);
	return vs_write_file(procs, buf, strlen(buf), err);
}

int cg_v1_enter(const struct cg_handle *h, pid_t pid, struct vs_error *err)
{
	if (!v1_wanted(h))
		return 0;
	_cleanup_strv_ char **mounts = cg_v1_mounts();
	for (size_t i = 0; mounts && mounts[i]; i++) {
		if (cg_v1_make_dirs(mounts[i], h->path, err) < 0 ||
		    v1_write_pid(mounts[i], h->path, pid, err) < 0)
			return vs_error_wrap(err, "join the v1 hierarchy at %s", mounts[i]);
	}
	return 0;
}

char **cg_v1_own(void)
{
	char **ret = NULL;
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		/* "ID:CONTROLLERS:PATH"; cgroup2's line has no controllers */
		char *ctrls = strchr(line, ':'), *path;
		if (!ctrls || !(path = strchr(++ctrls, ':')) || path == ctrls)
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		char *comma = strchr(ctrls, ',');
		if (comma)
			*comma = '\0';
		_cleanup_free_ char *mnt = cg_v1_mount_of(ctrls);
		if (mnt) {
			_cleanup_free_ char *dir = vs_strdup_printf("%s%s", mnt, path);
			vs_strv_push(&ret, dir);
		}
	}
	return ret;
}

int cg_v1_return(char *const *own, struct vs_error *err)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	for (size_t i = 0; own && own[i]; i++) {
		_cleanup_free_ char *procs = vs_strdup_printf("%s/cgroup.procs", own[i]);
		if (vs_write_file(procs, buf, strlen(buf), err) < 0)
			return vs_error_wrap(err, "return to the v1 cgroup %s", own[i]);
	}
	return 0;
}

int cg_v1_join(const struct cg_handle *h, pid_t pid, struct vs_error *err)
{
	if (!v1_wanted(h))
		return 0;
	const char *path = h->v1_path ? h->v1_path : h->path;
	_cleanup_strv_ char **mounts = cg_v1_mounts();
	for (size_t i = 0; mounts && mounts[i]; i++) {
		/* exec --cgroup chose a sub-cgroup here (sub.c) */
		const char *sub = NULL;
		for (size_t j = 0; h->v1_sub_mounts && h->v1_sub_mounts[j]; j++)
			if (strcmp(h->v1_sub_mounts[j], mounts[i]) == 0)
				sub = h->v1_sub_dirs[j];
		_cleanup_free_ char *dir =
		    sub ? vs_strdup(sub) : vs_strdup_printf("%s%s", mounts[i], path);
		/* a container created before vessel joined v1 hierarchies */
		if (access(dir, F_OK) < 0)
			continue;
		char buf[24];
		snprintf(buf, sizeof(buf), "%d", (int)pid);
		_cleanup_free_ char *procs = vs_strdup_printf("%s/cgroup.procs", dir);
		if (vs_write_file(procs, buf, strlen(buf), err) < 0)
			return vs_error_wrap(err, "join the v1 cgroup %s", dir);
	}
	return 0;
}

bool cg_v1_frozen(const char *path)
{
	_cleanup_free_ char *mnt = cg_v1_mount_of("freezer");
	if (!mnt || !path)
		return false;
	_cleanup_free_ char *p = vs_strdup(path);
	for (;;) {
		_cleanup_free_ char *f = vs_strdup_printf("%s%s/freezer.state", mnt, p);
		_cleanup_free_ char *state = NULL;
		struct vs_error e = VS_ERROR_INIT;
		int r = vs_read_file(f, 64, &state, NULL, &e);
		vs_error_clear(&e);
		if (r == 0)
			return strncmp(state, "THAWED", 6) != 0;
		char *slash = strrchr(p, '/');
		if (!slash || slash == p)
			return false; /* the root cgroup cannot be frozen */
		*slash = '\0';
	}
}

void cg_v1_remove(const char *path, bool only_owned)
{
	if (!path || !path[0] || strcmp(path, "/") == 0)
		return;
	_cleanup_strv_ char **mounts = cg_v1_mounts();
	for (size_t i = 0; mounts && mounts[i]; i++) {
		_cleanup_free_ char *dir = vs_strdup_printf("%s%s", mounts[i], path);
		char v;
		if (only_owned && getxattr(dir, OWNED_XATTR, &v, 1) < 0)
			continue;
		/* The tasks were killed and waited for through cgroup2 (every
		 * task is in both trees); the sub-cgroups the container made
		 * (a nested runtime, systemd) go first, and a v1 cgroup can
		 * still be busy for a moment while its tasks exit, which
		 * cg_remove_tree() waits out. */
		struct vs_error ignored = VS_ERROR_INIT;
		(void)cg_remove_tree(dir, false, &ignored);
		vs_error_clear(&ignored);
		cg_remove_owned_parents(mounts[i], path, false);
	}
}
