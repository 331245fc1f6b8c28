/* Find the container exec joins and pin its init: status, pidfd, root,
 * namespaces, config, cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/exec/exec.h"
#include "runtime/exec/exec-internal.h"
#include "runtime/ns/ns.h"

static int check_status(struct exec_ctx *ctx, struct vs_error *err)
{
	const char *st = ct_status(ctx->ct);
	if (strcmp(st, OCI_STATUS_STOPPED) == 0)
		return vs_error_set(err, "cannot exec in a stopped container");
	/* runc execs into a created container too: its namespaces and cgroup
	 * exist, only the init has not executed the user process yet. */
	if (strcmp(st, OCI_STATUS_CREATING) == 0)
		return vs_error_set(err,
				    "cannot exec in a %s container: it is not running yet "
				    "(start it first)",
				    st);
	if (strcmp(st, OCI_STATUS_PAUSED) == 0 && !ctx->req->ignore_paused)
		return vs_error_set(err, "cannot exec in a paused container (use --ignore-paused "
					 "to override)");
	return 0;
}

/* Namespaces of the init that differ from ours.  Joining one we already
 * share would fail for the user namespace (EINVAL) and is a no-op for the
 * rest. */
static int differing_namespaces(pid_t pid, int *ret_flags, struct vs_error *err)
{
	int flags = 0;
	for (int t = 0; t < OCI_NS_COUNT; t++) {
		char theirs[64], ours[64];
		struct stat a, b;
		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, oci_ns_proc_name(t));
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", oci_ns_proc_name(t));
		if (stat(ours, &b) < 0 && errno == ENOENT)
			continue; /* the kernel lacks this type */
		if (stat(theirs, &a) < 0)
			return vs_error_errno(err, errno, "stat %s", theirs);
		if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			flags |= ns_clone_flag(t);
	}
	*ret_flags = flags;
	return 0;
}

int exec_open_target(struct exec_ctx *ctx, struct vs_error *err)
{
	const struct exec_request *r = ctx->req;
	if (ct_load(r->root, r->id, CT_LOCK_SHARED, &ctx->ct, err) < 0)
		return -1;
	if (check_status(ctx, err) < 0)
		return -1;
	int pidfd;
	if (ct_pidfd(ctx->ct, &pidfd, err) < 0)
		return -1;
	ctx->init_pidfd = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);
	if (ctx->init_pidfd < 0)
		return vs_error_errno(err, errno, "dup pidfd");
	pid_t pid = ctx->ct->state->pid;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	ctx->init_root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ctx->init_root < 0)
		return vs_error_errno(err, errno, "open %s", path);
	if (differing_namespaces(pid, &ctx->ns_flags, err) < 0)
		return -1;
	/* The pidfd was checked before these /proc lookups; still alive now
	 * means they were about the init and not a recycled pid. */
	if (syscall(SYS_pidfd_send_signal, ctx->init_pidfd, 0, NULL, 0) < 0)
		return vs_error_set(err, "container not running");
	if (ct_load_config(ctx->ct, &ctx->config, err) < 0)
		return -1;
	if (cg_open(ctx->ct->state->cgroup_path, &ctx->cgroup, err) < 0)
		return vs_error_wrap(err, "open the container's cgroup");
	return cg_select_sub(ctx->cgroup, r->cgroups, err);
}
