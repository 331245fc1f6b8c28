/* A user namespace that only carries a mount's uidMappings/gidMappings, for
 * mount_setattr(MOUNT_ATTR_IDMAP).  The kernel takes the mapping from a
 * namespace fd, and a namespace needs a process to be born in: a throw-away
 * child is cloned into a new user namespace, its maps are written, the
 * namespace is pinned by opening /proc/PID/ns/user, and the child exits. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/rootfs/rootfs-internal.h"

static char *format_map(const struct oci_id_mapping *m, size_t n)
{
	char *s = vs_strdup("");
	for (size_t i = 0; i < n; i++) {
		char *t =
		    vs_strdup_printf("%s%u %u %u\n", s, m[i].container_id, m[i].host_id, m[i].size);
		free(s);
		s = t;
	}
	return s;
}

static int write_map(pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n,
		     struct vs_error *err)
{
	_cleanup_free_ char *path = vs_strdup_printf("/proc/%d/%s", (int)pid, file);
	_cleanup_free_ char *map = format_map(m, n);
	if (vs_write_file(path, map, strlen(map), err) < 0)
		return vs_error_wrap(err, "write the mount's %s", file);
	return 0;
}

static int open_userns(pid_t pid, const struct oci_id_mapping *uid, size_t n_uid,
		       const struct oci_id_mapping *gid, size_t n_gid, int *ret_fd,
		       struct vs_error *err)
{
	if (write_map(pid, "uid_map", uid, n_uid, err) < 0 ||
	    write_map(pid, "gid_map", gid, n_gid, err) < 0)
		return -1;
	_cleanup_free_ char *path = vs_strdup_printf("/proc/%d/ns/user", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open %s", path);
	*ret_fd = fd;
	return 0;
}

int rootfs_idmap_userns_fd(const struct oci_id_mapping *uid, size_t n_uid,
			   const struct oci_id_mapping *gid, size_t n_gid, int *ret_fd,
			   struct vs_error *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return vs_error_errno(err, errno, "pipe");
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return vs_error_errno(err, e, "clone a user namespace for an id-mapped mount");
	}
	if (pid == 0) {
		/* Wait until the parent closes its end: the namespace must live
		 * until it is opened. */
		char c;
		close(p[1]);
		(void)!read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	int r = open_userns(pid, uid, n_uid, gid, n_gid, ret_fd, err);
	close(p[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return r;
}
