/* The processes of a container, for `ps`: those of its cgroup, or, for a
 * container without one (rootless outside a delegated cgroup, or a host
 * with no cgroup2), those of the pid namespace it made. */
#include "runtime/container/container-internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup.h"

bool ct_init_owns_pidns(pid_t pid)
{
	_cleanup_free_ char *path = vs_strdup_printf("/proc/%d/status", (int)pid);
	_cleanup_free_ char *text = NULL;
	struct vs_error ignored = VS_ERROR_INIT;
	if (vs_read_file(path, 0, &text, NULL, &ignored) < 0) {
		vs_error_clear(&ignored);
		return false;
	}
	char *line = strstr(text, "\nNSpid:");
	if (!line)
		return false;
	line++;
	line[strcspn(line, "\n")] = '\0';
	const char *last = strrchr(line, '\t');
	return last && last != strchr(line, '\t') && strcmp(last + 1, "1") == 0;
}

static int pidns_pids(struct ct_container *c, pid_t **ret, size_t *ret_n, struct vs_error *err)
{
	struct stat init_ns, st;
	_cleanup_free_ char *p = vs_strdup_printf("/proc/%d/ns/pid", (int)c->state->pid);
	if (stat(p, &init_ns) < 0)
		return vs_error_set(err, "container not running");
	if (!ct_init_owns_pidns(c->state->pid))
		return vs_error_set(err,
				    "container \"%s\" has no cgroup and shares its pid namespace, "
				    "so its processes cannot be told from others",
				    c->id);
	DIR *d = opendir("/proc");
	if (!d)
		return vs_error_errno(err, errno, "open /proc");
	pid_t *pids = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		int pid;
		if (vs_parse_int(e->d_name, &pid) < 0)
			continue;
		_cleanup_free_ char *np = vs_strdup_printf("/proc/%d/ns/pid", pid);
		if (stat(np, &st) == 0 && st.st_ino == init_ns.st_ino &&
		    st.st_dev == init_ns.st_dev) {
			pids = vs_realloc(pids, (n + 1) * sizeof(*pids));
			pids[n++] = pid;
		}
	}
	closedir(d);
	*ret = pids;
	*ret_n = n;
	return 0;
}

int ct_pids(struct ct_container *c, pid_t **ret, size_t *ret_n, struct vs_error *err)
{
	*ret = NULL;
	*ret_n = 0;
	if (!c->state->cgroup_path || !c->state->cgroup_path[0])
		return pidns_pids(c, ret, ret_n, err);
	struct cg_handle *h = NULL;
	int r = cg_open(c->state->cgroup_path, &h, err);
	if (r == 0)
		r = cg_pids(h, ret, ret_n, err);
	cg_handle_free(h);
	return r;
}
