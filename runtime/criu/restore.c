/* Restore of a dumped process tree onto a container's rootfs. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/criu/criu-internal.h"

/* CRIU restores the container's mount namespace on top of its root, which
 * must be a mount point: bind the rootfs onto itself, in a mount namespace
 * of vessel's own so that neither the bind nor anything CRIU mounts while
 * it builds the tree propagates to the host, and all of it goes away with
 * vessel. */
static int private_root(const char *rootfs, const char *overlay, struct vs_error *err)
{
	if (unshare(CLONE_NEWNS) < 0)
		return vs_error_errno(err, errno, "unshare mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return vs_error_errno(err, errno, "make / private");
	/* An overlay root lives in the container's mount namespace only (the
	 * bundle's rootfs is an empty mount point): mounted again here, over
	 * the same upper dir, it is the tree the dump saw. */
	if (overlay && mount("overlay", rootfs, "overlay", 0, overlay) < 0)
		return vs_error_errno(err, errno, "mount the overlay root on %s (%s)", rootfs,
				      overlay);
	if (!overlay && mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return vs_error_errno(err, errno, "bind %s", rootfs);
	return 0;
}

/* The init's stdio was a terminal from outside at dump (a shell job's):
 * CRIU restores it as its own stdin, which `criu swrk` inherits from
 * vessel.  Without both it would fail with a less telling "No task found
 * with sid" or "Don't have tty to inherit session from". */
static int shell_job_tty(const struct cr_restore_opts *o, struct vs_error *err)
{
	if (!o->c.shell_job)
		return vs_error_set(err, "the checkpoint's init had a terminal from outside the "
					 "container (dumped with --shell-job): restore it with "
					 "--shell-job");
	if (!isatty(STDIN_FILENO))
		return vs_error_set(err, "--shell-job: the checkpoint's init had a terminal from "
					 "outside the container, which restore replaces by its "
					 "own stdin: that is no terminal");
	return 0;
}

/* The stdio the init had from outside at dump is replaced by the restoring
 * vessel's own fds 0-2 (runc does the same): the caller (a shim) passes
 * the stdio it wants the restored container to use.  fds 0-2 are not
 * close-on-exec, so `criu swrk` inherits them. */
static int inherit_stdio(const struct cr_restore_opts *o, struct vs_error *err)
{
	_cleanup_free_ char *path = vs_strdup_printf("%s/%s", o->c.image_path, CR_STDIO_FILE);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (access(path, F_OK) < 0)
		return 0; /* a dump by another tool */
	if (vs_read_file(path, 4096, &text, &len, err) < 0)
		return -1;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		int fd;
		char key[288];
		if (strcmp(line, CR_STDIO_SHELL_JOB) == 0) {
			if (shell_job_tty(o, err) < 0)
				return -1;
			continue;
		}
		if (sscanf(line, "%d %287s", &fd, key) != 2 || fd < 0 || fd > 2)
			return vs_error_set(err, "%s: bad line '%s'", path, line);
		if (sym_criu_local_add_inherit_fd(cr_opts, fd, key) < 0)
			return vs_error_set(err, "criu: inherit fd: out of memory");
	}
	return 0;
}

/* Asking for notifications is what makes libcriu receive the pty master
 * CRIU sends with "orphan-pts-master"; every action is fine with us. */
static int notify(char *action, void *arg)
{
	vs_log_debug("criu restore: %s", action);
	return 0;
}

static int restore_options(const struct cr_restore_opts *o, struct vs_error *err)
{
	if (sym_criu_local_set_root(cr_opts, o->rootfs) < 0)
		return vs_error_set(err, "criu: root: out of memory");
	if (inherit_stdio(o, err) < 0)
		return -1;
	sym_criu_local_set_notify_cb(cr_opts, notify);
	/* The pty whose slave the tree uses: CRIU recreates the pair and
	 * hands the master over, for the console socket. */
	sym_criu_local_set_orphan_pts_master(cr_opts, o->want_pty);
	return 0;
}

int cr_restore(const struct cr_restore_opts *o, pid_t *ret_pid, int *ret_pty, struct vs_error *err)
{
	*ret_pid = -1;
	*ret_pty = -1;
	if (private_root(o->rootfs, o->overlay, err) < 0)
		return vs_error_wrap(err, "prepare the root for criu");
	struct cr_session s;
	int r = cr_session_begin(&s, &o->c, CR_RESTORE, err);
	if (r == 0)
		r = restore_options(o, err);
	if (r == 0) {
		vs_log_debug("criu restore from %s onto %s", o->c.image_path, o->rootfs);
		int rc = sym_criu_local_restore_child(cr_opts);
		if (rc <= 0)
			r = cr_fail(&s, "restore", rc, err);
		else
			*ret_pid = rc;
	}
	if (r == 0 && o->want_pty) {
		*ret_pty = sym_criu_get_orphan_pts_master_fd();
		if (*ret_pty < 0)
			r = vs_error_set(err, "criu restore: no pty master came back");
	}
	cr_session_end(&s);
	/* A failed restore's caller removes what it made under the rootfs
	 * (an imported bundle): the root mounted here must not hold it. */
	if (r < 0)
		umount2(o->rootfs, MNT_DETACH);
	return r;
}
