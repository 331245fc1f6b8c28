/* Controllers across the hierarchy: which the config needs, whether the
 * host can give them, enabling them in the ancestors, applying each. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"
#include "runtime/rootless/rootless.h"

/* Why `name` cannot be used, for the error message. */
static char *why_unavailable(const struct cg_handle *h, const char *name)
{
	if (!h && rl_active())
		return vs_strdup("the container has no cgroup (rootless, with no delegated cgroup "
				 "v2 subtree)");
	if (!h)
		return vs_strdup("no cgroup2 hierarchy is mounted on this host");
	if (h->sd_user) {
		_cleanup_free_ char *list = vs_strdup("");
		for (char **c = h->available; *c; c++) {
			char *next = vs_strdup_printf("%s%s%s", list, *list ? " " : "", *c);
			free(list);
			list = next;
		}
		return vs_strdup_printf("uid %u's systemd instance is not delegated the %s "
					"controller (Delegate= of user@.service gives its units "
					"only \"%s\")",
					(unsigned)geteuid(), name, list);
	}
	_cleanup_free_ char *v1 = cg_v1_mount_of(name);
	if (v1)
		return vs_strdup_printf("the %s controller is bound to the cgroup v1 hierarchy at "
					"%s, not to cgroup2 at %s",
					name, v1, h->root);
	return vs_strdup_printf("the %s controller is not available in the cgroup2 hierarchy at "
				"%s (not in its cgroup.controllers)",
				name, h->root);
}

int cg_check_enforceable(const struct cg_handle *h, const struct oci_resources *res,
			 struct vs_error *err)
{
	for (size_t i = 0; i < cg_n_controllers; i++) {
		const struct cg_controller *c = cg_controllers[i];
		if (!c->requested || !c->requested(res))
			continue;
		if (h && (!c->name || cg_has_controller(h, c->name)))
			continue;
		/* bound to v1 (cpu, cpuset, memory, pids, io, hugetlb): written
		 * there (v1-limits.c, v1-limits-more.c) */
		if (cg_v1_limits_handle(h, c->name))
			continue;
		_cleanup_free_ char *why = why_unavailable(h, c->name ? c->name : "cgroup2");
		return vs_error_set(err, "%s: cannot enforce the requested limit: %s", c->what,
				    why);
	}
	if (cg_v1_limits_check(h, res, err) < 0)
		return -1;
	/* unified keys name their controller in the key; checked by
	 * cg_ctrl_unified.apply(), but refuse before anything is created. */
	for (size_t i = 0; i < res->n_unified; i++) {
		const char *key = res->unified[i].key;
		if (cg_unified_key_check(key, err) < 0)
			return vs_error_wrap(err, "linux.resources.unified");
		const char *dot = strchr(key, '.');
		if (strncmp(key, "cgroup.", 7) == 0)
			continue;
		_cleanup_free_ char *ctrl = strndup(key, (size_t)(dot - key));
		if (h && cg_has_controller(h, ctrl))
			continue;
		_cleanup_free_ char *why = why_unavailable(h, ctrl);
		return vs_error_set(
		    err,
		    "linux.resources.unified[\"%s\"]: invalid configuration: cannot enforce: %s",
		    key, why);
	}
	return 0;
}

/* Is controller `name` needed by res (not only wanted for statistics)? */
static bool required(const struct oci_resources *res, const char *name)
{
	if (!res)
		return false;
	for (size_t i = 0; i < cg_n_controllers; i++) {
		const struct cg_controller *c = cg_controllers[i];
		if (c->name && strcmp(c->name, name) == 0 && c->requested && c->requested(res))
			return true;
	}
	size_t n = strlen(name);
	for (size_t i = 0; i < res->n_unified; i++)
		if (strncmp(res->unified[i].key, name, n) == 0 && res->unified[i].key[n] == '.')
			return true;
	return false;
}

/* Is controller `name` in the text of a cgroup.subtree_control ("cpu io",
 * or "+cpu +io" as a fake cgroupfs keeps what was written)? */
static bool listed(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = text; *p;) {
		p += strspn(p, " \t\n+");
		size_t len = strcspn(p, " \t\n");
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* Enable in one directory's cgroup.subtree_control what it lacks.  All at
 * once first (one write, the common case); if the kernel refuses the set,
 * one by one, so a controller only wanted for statistics cannot fail the
 * container.  Nothing is written when all are enabled already (every create
 * after the first): the kernel handles any write to subtree_control by
 * walking every descendant cgroup under cgroup_mutex
 * (cgroup_lock_and_drain_offline), even when nothing changes, so for the
 * root and the `vessel` parent each write cost time in proportion to the
 * number of containers, and held the host-wide cgroup lock meanwhile.
 * Rootless in a delegated subtree, the ancestors above it are not ours to
 * write but already list what we need, so nothing is written there. */
static int enable_in(const struct cg_handle *h, int dirfd, const char *dir,
		     const struct oci_resources *res, struct vs_error *err)
{
	struct cg_handle at = *h;
	at.fd = dirfd;
	at.dir = (char *)dir;
	_cleanup_free_ char *now = NULL;
	if (cg_read(&at, "cgroup.subtree_control", &now, err) < 0) {
		vs_error_clear(err);
		now = vs_strdup(""); /* unreadable: write as before */
	}
	_cleanup_free_ char *all = vs_strdup("");
	for (char **c = h->available; *c; c++) {
		if (listed(now, *c))
			continue;
		char *next = vs_strdup_printf("%s%s+%s", all, *all ? " " : "", *c);
		free(all);
		all = next;
	}
	if (!*all || cg_write(&at, "cgroup.subtree_control", all, err) == 0)
		return 0;
	vs_error_clear(err);
	for (char **c = h->available; *c; c++) {
		if (listed(now, *c))
			continue;
		_cleanup_free_ char *one = vs_strdup_printf("+%s", *c);
		if (cg_write(&at, "cgroup.subtree_control", one, err) == 0)
			continue;
		if (required(res, *c))
			return vs_error_wrap(err, "enable the %s controller in %s", *c, dir);
		vs_error_clear(err);
	}
	return 0;
}

int cg_enable_controllers(const struct cg_handle *h, const struct oci_resources *res,
			  struct vs_error *err)
{
	_cleanup_free_ char *p = vs_strdup(h->path);
	/* Root first: a controller can only be enabled in a child's
	 * subtree_control once the parent has enabled it. */
	for (char *s = p;; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		_cleanup_free_ char *dir = vs_strdup_printf("%s%s", h->root, p);
		*s = '/';
		_cleanup_close_ int fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return vs_error_errno(err, errno, "open %s", dir);
		if (enable_in(h, fd, dir, res, err) < 0)
			return -1;
		if (!strchr(s + 1, '/'))
			return 0; /* s was the leaf's parent */
	}
}

int cg_apply_all(struct cg_handle *h, const struct oci_resources *res, bool update,
		 struct vs_error *err)
{
	if (cg_check_enforceable(h, res, err) < 0)
		return -1;
	struct cg_apply_ctx ctx = {.h = h, .update = update};
	for (size_t i = 0; i < cg_n_controllers; i++) {
		const struct cg_controller *c = cg_controllers[i];
		if (cg_v1_limits_handle(h, c->name))
			continue;
		bool wanted = c->requested && c->requested(res);
		/* A controller the hierarchy lacks is skipped when res only
		 * holds "no limit" values for it (pids.limit -1 and the like). */
		if (!wanted && c->name && !cg_has_controller(h, c->name))
			continue;
		if (c->apply(&ctx, res, err) < 0)
			return vs_error_wrap(err, "%s", c->what);
	}
	return cg_v1_limits_apply(h, res, update, err);
}
