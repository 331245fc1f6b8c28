/* Dump and pre-dump of a container's process tree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	if (sym_criu_set_page_server_address_port(addr, port) < 0)
		return vs_error_set(err, "--page-server: out of memory");
	return 0;
}

/* The init's stdio pipes (a shim's, a caller's): restore hands CRIU its
 * own fds 0-2 in their place, keyed "pipe:[INODE]" (cr_restore). */
static int record_stdio(const struct cr_dump_opts *o, struct vs_error *err)
{
	char text[512] = "";
	size_t len = 0;
	for (int fd = 0; fd <= 2; fd++) {
		char link[64], target[128];
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)o->pid, fd);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "pipe:[", 6) != 0)
			continue;
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%d %s\n", fd, target);
	}
	_cleanup_free_ char *path = vs_strdup_printf("%s/%s", o->c.image_path, CR_STDIO_FILE);
	return vs_write_file_atomic(path, text, len, 0600, err);
}

static int dump_options(const struct cr_dump_opts *o, struct vs_error *err)
{
	sym_criu_set_pid(o->pid);
	if (o->rootfs && sym_criu_set_root(o->rootfs) < 0)
		return vs_error_set(err, "criu: root: out of memory");
	/* A pre-dump never stops the tree; track_mem makes the kernel's soft
	 * dirty bits tell the next dump which pages changed since. */
	sym_criu_set_leave_running(o->leave_running || o->pre_dump);
	if (o->pre_dump || o->parent_path)
		sym_criu_set_track_mem(true);
	if (o->parent_path && sym_criu_set_parent_images(o->parent_path) < 0)
		return vs_error_set(err, "--parent-path: out of memory");
	if (o->page_server && set_page_server(o->page_server, err) < 0)
		return -1;
	return 0;
}

int cr_dump(const struct cr_dump_opts *o, struct vs_error *err)
{
	enum cr_action act = o->pre_dump ? CR_PRE_DUMP : CR_DUMP;
	const char *what = o->pre_dump ? "pre-dump" : "dump";
	struct cr_session s;
	int r = cr_session_begin(&s, &o->c, act, err);
	if (r == 0)
		r = dump_options(o, err);
	if (r == 0 && !o->pre_dump)
		r = record_stdio(o, err);
	if (r == 0) {
		vs_log_debug("criu %s of pid %d into %s", what, (int)o->pid, o->c.image_path);
		int rc = o->pre_dump ? sym_criu_pre_dump() : sym_criu_dump();
		if (rc < 0)
			r = cr_fail(&s, what, rc, err);
	}
	cr_session_end(&s);
	return r;
}
