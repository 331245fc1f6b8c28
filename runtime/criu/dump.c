/* Dump and pre-dump of a container's process tree. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/criu/criu-internal.h"

/* "ADDR:PORT" (ADDR may be an IPv6 literal, so the last ':' splits). */
static int set_page_server(const char *spec, struct vs_error *err)
{
	const char *colon = strrchr(spec, ':');
	int port;
	if (!colon || colon == spec || vs_parse_int(colon + 1, &port) < 0 || port <= 0 ||
	    port > 65535)
		return vs_error_set(err, "--page-server: '%s' is not ADDR:PORT", spec);
	_cleanup_free_ char *addr = vs_strdup(spec);
	addr[colon - spec] = '\0';
	/* libcriu 3.17 returns -ENOMEM here even when it worked: the result
	 * says nothing. */
	(void)sym_criu_local_set_page_server_address_port(cr_opts, addr, port);
	return 0;
}

/* The mount id of the init's fd (fdinfo's mnt_id), or -1. */
static int fd_mnt_id(pid_t pid, int fd)
{
	char path[64], line[128];
	int id = -1;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "mnt_id: %d", &id) == 1)
			break;
	return id;
}

/* Whether mount id is one of the init's own mounts. */
static bool mount_is_internal(pid_t pid, int mnt_id)
{
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	int id;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%d ", &id) == 1 && id == mnt_id)
			return true;
	return false;
}

/* Unix98 pty slaves: majors 136-143. */
static bool is_pty_slave(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) >= 136 && major(st->st_rdev) <= 143;
}

/* A terminal container's pty comes from its own devpts (as runc's), its
 * master is outside the tree (with the console socket's receiver, or
 * vessel run): CRIU dumps the slave as an orphan (runc's OrphanPtsMaster),
 * and restore asks it for a new pair and sends that master to the new
 * console socket. */
static void pty_orphan(void)
{
	sym_criu_local_set_orphan_pts_master(cr_opts, true);
}

/* The CRIU key of the init's fd when it comes from outside the container
 * (the caller's stdio: a shim's pipes, the host's /dev/null or a log
 * file), else "" (CRIU dumps it as it is).
 *
 * A terminal from outside (`vessel run` in the foreground on the caller's
 * tty, no console socket) is a shell job's: CRIU dumps its slave as
 * unpaired only with --shell-job, and restores it as its own stdin, the
 * restoring vessel's terminal.  Its file is external all the same (the
 * host's devpts is no mount of the container's) but gets no key: restore
 * hands it nothing, and *outside_tty says the dump has one. */
static int stdio_key(pid_t pid, int fd, char *key, size_t size, bool *outside_tty,
		     struct vs_error *err)
{
	char link[64], target[256];
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
	key[0] = '\0';
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return 0; /* closed */
	target[n] = '\0';
	if (strncmp(target, "pipe:[", 6) == 0) {
		snprintf(key, size, "%s", target);
		return 0;
	}
	struct stat st;
	int mnt_id = fd_mnt_id(pid, fd);
	if (target[0] != '/' || mnt_id < 0 || stat(link, &st) < 0)
		return 0;
	bool internal = mount_is_internal(pid, mnt_id);
	if (is_pty_slave(&st) && internal) {
		pty_orphan();
		return 0;
	}
	if (internal)
		return 0;
	snprintf(key, size, "file[%x:%llx]", (unsigned)mnt_id, (unsigned long long)st.st_ino);
	if (sym_criu_local_add_external(cr_opts, key) < 0)
		return vs_error_set(err, "criu: external: out of memory");
	if (is_pty_slave(&st)) {
		*outside_tty = true;
		key[0] = '\0';
	}
	return 0;
}

/* The init's stdio from outside the container: CRIU is told they are
 * external (pipes need not be), and restore hands it the restoring
 * vessel's own fds 0-2 in their place (as runc): the caller passes the
 * stdio it wants the restored container to use. */
static int record_stdio(const struct cr_dump_opts *o, bool *outside_tty, struct vs_error *err)
{
	char text[1024] = "";
	size_t len = 0;
	*outside_tty = false;
	for (int fd = 0; fd <= 2; fd++) {
		char key[288];
		if (stdio_key(o->pid, fd, key, sizeof(key), outside_tty, err) < 0)
			return -1;
		if (key[0])
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%d %s\n", fd, key);
	}
	if (*outside_tty)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n", CR_STDIO_SHELL_JOB);
	_cleanup_free_ char *path = vs_strdup_printf("%s/%s", o->c.image_path, CR_STDIO_FILE);
	return vs_write_file_atomic(path, text, len, 0600, err);
}

static int dump_options(const struct cr_dump_opts *o, struct vs_error *err)
{
	sym_criu_local_set_pid(cr_opts, o->pid);
	if (o->rootfs && sym_criu_local_set_root(cr_opts, o->rootfs) < 0)
		return vs_error_set(err, "criu: root: out of memory");
	/* A pre-dump never stops the tree; track_mem makes the kernel's soft
	 * dirty bits tell the next dump which pages changed since. */
	sym_criu_local_set_leave_running(cr_opts, o->leave_running || o->pre_dump);
	if (o->pre_dump || o->parent_path)
		sym_criu_local_set_track_mem(cr_opts, true);
	if (o->parent_path && sym_criu_local_set_parent_images(cr_opts, o->parent_path) < 0)
		return vs_error_set(err, "--parent-path: out of memory");
	if (o->page_server && set_page_server(o->page_server, err) < 0)
		return -1;
	/* criu writes '\0' to it once its page server waits for the lazy
	 * pages' daemon; `criu swrk` inherits it from vessel under the same
	 * number. */
	if (o->status_fd >= 0 &&
	    cr_set_rpc_field("status_fd", CR_RPC_INT32, (uint32_t)o->status_fd, err) < 0)
		return vs_error_wrap(err, "--status-fd");
	return 0;
}

int cr_dump(const struct cr_dump_opts *o, struct vs_error *err)
{
	enum cr_action act = o->pre_dump ? CR_PRE_DUMP : CR_DUMP;
	const char *what = o->pre_dump ? "pre-dump" : "dump";
	struct cr_session s;
	bool outside_tty = false;
	int r = cr_session_begin(&s, &o->c, act, err);
	if (r == 0)
		r = dump_options(o, err);
	if (r == 0 && !o->pre_dump)
		r = record_stdio(o, &outside_tty, err);
	if (r == 0) {
		vs_log_debug("criu %s of pid %d into %s", what, (int)o->pid, o->c.image_path);
		int rc =
		    o->pre_dump ? sym_criu_local_pre_dump(cr_opts) : sym_criu_local_dump(cr_opts);
		if (rc < 0)
			r = cr_fail(&s, what, rc, err);
	}
	/* CRIU's own hint goes to its log as a message, not an Error line. */
	if (r < 0 && outside_tty && !o->c.shell_job) {
		_cleanup_free_ char *msg = vs_strdup_printf(
		    "%s; the init's stdio is a terminal from outside the container (a shell "
		    "job's): --shell-job checkpoints it",
		    err->msg);
		vs_error_set_raw(err, err->errnum, msg);
	}
	cr_session_end(&s);
	return r;
}
