/* exeseal: see exeseal.h (CVE-2019-5736). */
#include "runtime/exeseal/exeseal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/mount.h>

#include "lib/cleanup.h"
#include "lib/weaken.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: executable even under vm.memfd_noexec=1 */
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020 /* Linux 6.3: the mode's exec bits can no longer change */
#endif

/* What makes a memfd unwritable: no write, no truncate or extend, and no
 * removing of these seals. */
#define EXESEAL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

const char *exeseal_kind_name(enum exeseal_kind kind)
{
	switch (kind) {
	case EXESEAL_READONLY:
		return "read-only mount";
	case EXESEAL_MEMFD:
		return "sealed memfd";
	case EXESEAL_WRITABLE:
		break;
	}
	return "writable";
}

/* Seals need a real open (fcntl refuses O_PATH fds): reopen through
 * /proc/self/fd.  EINVAL from F_GET_SEALS means "not a sealable file". */
static int fd_seals(int fd, int *ret, struct vs_error *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	_cleanup_close_ int rfd = open(path, O_RDONLY | O_CLOEXEC);
	if (rfd < 0)
		return vs_error_errno(err, errno, "reopen %s", path);
	int seals = fcntl(rfd, F_GET_SEALS);
	if (seals < 0 && errno != EINVAL)
		return vs_error_errno(err, errno, "F_GET_SEALS");
	*ret = seals < 0 ? 0 : seals;
	return 0;
}

int exeseal_fd_kind(int fd, enum exeseal_kind *ret, struct vs_error *err)
{
	/* ST_RDONLY is the mount's flag or the superblock's: either way no
	 * open for writing through this path can succeed, and the container
	 * cannot change a mount that is not in its mount namespace. */
	struct statfs sfs;
	if (fstatfs(fd, &sfs) < 0)
		return vs_error_errno(err, errno, "statfs");
	if (sfs.f_flags & ST_RDONLY) {
		*ret = EXESEAL_READONLY;
		return 0;
	}
	/* A memfd lives on the kernel's internal shmem or hugetlbfs mount:
	 * anything else cannot carry seals, and the reopen to ask is skipped
	 * (three syscalls, in each stage of every create, run and exec). */
	if ((unsigned long)sfs.f_type != TMPFS_MAGIC &&
	    (unsigned long)sfs.f_type != HUGETLBFS_MAGIC) {
		*ret = EXESEAL_WRITABLE;
		return 0;
	}
	int seals = 0;
	if (fd_seals(fd, &seals, err) < 0)
		return -1;
	*ret = (seals & EXESEAL_SEALS) == EXESEAL_SEALS ? EXESEAL_MEMFD : EXESEAL_WRITABLE;
	return 0;
}

int exeseal_self_kind(enum exeseal_kind *ret, struct vs_error *err)
{
	_cleanup_close_ int fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open /proc/self/exe");
	if (exeseal_fd_kind(fd, ret, err) < 0)
		return vs_error_wrap(err, "/proc/self/exe");
	return 0;
}

int exeseal_open_bind(int *ret_fd, struct vs_error *err)
{
	/* Cloned from the running binary's own path (not re-resolved by name,
	 * which someone could have replaced since we were started). */
	_cleanup_close_ int self = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	if (self < 0)
		return vs_error_errno(err, errno, "open /proc/self/exe");
	_cleanup_close_ int fd =
	    open_tree(self, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fd < 0)
		return vs_error_errno(err, errno, "open_tree /proc/self/exe");
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return vs_error_errno(err, errno, "mount_setattr read-only");
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static int copy_all(int dst, int src, struct vs_error *err)
{
	struct stat st;
	if (fstat(src, &st) < 0)
		return vs_error_errno(err, errno, "stat /proc/self/exe");
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(dst, src, NULL, (size_t)(st.st_size - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vs_error_errno(err, errno, "copy /proc/self/exe");
		if (n == 0)
			return vs_error_set(err, "copy /proc/self/exe: it shrank while copied");
		done += n;
	}
	return 0;
}

int exeseal_open_memfd(int *ret_fd, struct vs_error *err)
{
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return vs_error_errno(err, errno, "open /proc/self/exe");
	unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	/* Before Linux 6.3 MFD_EXEC is unknown (EINVAL) and memfds are
	 * executable anyway. */
	_cleanup_close_ int fd = memfd_create("vessel", flags | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("vessel", flags);
	if (fd < 0)
		return vs_error_errno(err, errno, "memfd_create");
	if (copy_all(fd, src, err) < 0)
		return -1;
	if (fchmod(fd, 0511) < 0)
		return vs_error_errno(err, errno, "chmod memfd");
	(void)fcntl(fd, F_ADD_SEALS, F_SEAL_EXEC); /* best effort: Linux 6.3+ */
	if (fcntl(fd, F_ADD_SEALS, EXESEAL_SEALS) < 0)
		return vs_error_errno(err, errno, "seal memfd");
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* The cheapest image this process may make: the bind mount needs
 * CAP_SYS_ADMIN over our mount namespace (and Linux 5.12); anything
 * else (EPERM rootless, ENOSYS, an unbindable mount) falls back to the
 * memfd.  Checked before use, so a re-exec can never loop. */
static int open_sealed(int *ret_fd, struct vs_error *err)
{
	struct vs_error bind_err = VS_ERROR_INIT;
	_cleanup_close_ int fd = -1;
	/* "exe-bind" (weak build only): the fallback, as if mounts were not
	 * allowed, so tests/security can attack it too. */
	if (vs_weakened("exe-bind"))
		vs_error_set(&bind_err, "bind mount switched off (exe-bind)");
	else
		exeseal_open_bind(&fd, &bind_err);
	if (fd < 0 && exeseal_open_memfd(&fd, err) < 0) {
		vs_error_wrap(err, "%s; sealed copy", bind_err.msg);
		vs_error_clear(&bind_err);
		return -1;
	}
	vs_error_clear(&bind_err);
	enum exeseal_kind kind;
	if (exeseal_fd_kind(fd, &kind, err) < 0)
		return -1;
	if (kind == EXESEAL_WRITABLE)
		return vs_error_set(err, "the sealed image is still writable");
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static int reexec_sealed(char **argv, struct vs_error *err)
{
	_cleanup_close_ int fd = -1;
	if (open_sealed(&fd, err) < 0)
		return -1;
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	return vs_error_errno(err, errno, "execveat");
}

int exeseal_ensure(char **argv, enum exeseal_kind *ret_kind, struct vs_error *err)
{
	*ret_kind = EXESEAL_WRITABLE;
	if (vs_weakened("exe"))
		return 0;
	if (exeseal_self_kind(ret_kind, err) < 0 ||
	    (*ret_kind == EXESEAL_WRITABLE && reexec_sealed(argv, err) < 0))
		return vs_error_wrap(err, "protect the vessel binary against overwrite");
	const char *slash = strrchr(argv[0], '/');
	prctl(PR_SET_NAME, slash ? slash + 1 : argv[0], 0, 0, 0);
	return 0;
}
