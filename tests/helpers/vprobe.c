/* static */
/* libs: -lseccomp -lcap */
/* vprobe: a static multi-call probe the tests copy into container rootfs
 * (/usr/bin/vprobe) to report what busybox cannot: capability sets, open fds,
 * namespace inodes, rlimits, no_new_privs, seccomp mode, the result of one
 * syscall.  Static, because the busybox rootfs has no libc.
 *
 *   vprobe caps | fds | ns | rlimits | nnp | seccomp | ids | umask |
 *          personality | sched | ioprio | affinity | uts | tty
 *   vprobe syscall NAME [ARG...]   numbers are passed as integers, anything
 *                                  else as a pointer to the string
 *   vprobe open PATH [r|w|rw|dir]  try to open PATH
 *   vprobe write PATH TEXT         try to write TEXT to PATH
 *   vprobe mountflags PATH         statvfs flags of the mount holding PATH
 *   vprobe signals                 print "ready", then each signal received;
 *                                  exit 0 after SIGTERM or SIGINT
 *
 * Output is line-oriented "key value" text made for grep in bats.  Exit
 * status: 0 when the probe (or the tried operation) succeeded, 1 when the
 * operation failed (the errno name is printed), 2 for bad usage. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

static int fail_errno(const char *what)
{
	int e = errno;
	printf("%s: %s (%s)\n", what, errname(e), strerror(e));
	return 1;
}

/* Value of "Key:" in /proc/self/status, or NULL. */
static char *status_field(const char *key, char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[512];
	size_t klen = strlen(key);
	char *ret = NULL;
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			char *v = line + klen + 1;
			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(buf, len, "%s", v);
			ret = buf;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int probe_caps(void)
{
	static const char *const sets[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
	char buf[64];
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		if (!status_field(sets[i], buf, sizeof(buf)))
			return fail_errno("/proc/self/status");
		unsigned long long mask = strtoull(buf, NULL, 16);
		printf("%s: %s ", sets[i], buf);
		const char *sep = "";
		for (int bit = 0; bit < 64; bit++) {
			if (!(mask & (1ULL << bit)))
				continue;
			char *name = cap_to_name(bit);
			printf("%s%s", sep, name ? name : "?");
			cap_free(name);
			sep = ",";
		}
		printf("\n");
	}
	return 0;
}

static int probe_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	if (!d)
		return fail_errno("/proc/self/fd");
	while ((e = readdir(d))) {
		char path[300], target[PATH_MAX];
		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		printf("%s %s\n", e->d_name, target);
	}
	closedir(d);
	return 0;
}

static int probe_ns(void)
{
	static const char *const names[] = {
	    "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children",
	    "user",   "uts"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[64];
		struct stat st;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
		if (stat(path, &st) == 0)
			printf("%s %lu\n", names[i], (unsigned long)st.st_ino);
	}
	return 0;
}

static void print_limit(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf(" unlimited");
	else
		printf(" %llu", (unsigned long long)v);
}

static int probe_rlimits(void)
{
	static const struct {
		const char *name;
		int res;
	} lims[] = {
	    {"RLIMIT_AS", RLIMIT_AS},
	    {"RLIMIT_CORE", RLIMIT_CORE},
	    {"RLIMIT_CPU", RLIMIT_CPU},
	    {"RLIMIT_DATA", RLIMIT_DATA},
	    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
	    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
	    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	    {"RLIMIT_NICE", RLIMIT_NICE},
	    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	    {"RLIMIT_NPROC", RLIMIT_NPROC},
	    {"RLIMIT_RSS", RLIMIT_RSS},
	    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
	    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	    {"RLIMIT_STACK", RLIMIT_STACK},
	};
	for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
		struct rlimit rl;
		if (getrlimit(lims[i].res, &rl) < 0)
			return fail_errno(lims[i].name);
		printf("%s", lims[i].name);
		print_limit(rl.rlim_cur);
		print_limit(rl.rlim_max);
		printf("\n");
	}
	return 0;
}

static int probe_nnp(void)
{
	int v = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	if (v < 0)
		return fail_errno("prctl PR_GET_NO_NEW_PRIVS");
	printf("nnp %d\n", v);
	return 0;
}

static int probe_seccomp(void)
{
	char buf[64];
	if (!status_field("Seccomp", buf, sizeof(buf)))
		return fail_errno("/proc/self/status Seccomp");
	printf("seccomp %s\n", buf);
	if (status_field("Seccomp_filters", buf, sizeof(buf)))
		printf("filters %s\n", buf);
	return 0;
}

static int probe_ids(void)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 || n < 0)
		return fail_errno("ids");
	printf("uid %u %u %u\ngid %u %u %u\ngroups", ru, eu, su, rg, eg, sg);
	for (int i = 0; i < n; i++)
		printf(" %u", groups[i]);
	printf("\n");
	return 0;
}

static int probe_umask(void)
{
	mode_t m = umask(0);
	umask(m);
	printf("umask %04o\n", (unsigned)m);
	return 0;
}

static int probe_personality(void)
{
	int p = personality(0xffffffff);
	if (p < 0)
		return fail_errno("personality");
	printf("personality 0x%x%s\n", (unsigned)p,
	       (p & PER_MASK) == PER_LINUX32 ? " linux32" : "");
	return 0;
}

static int probe_sched(void)
{
	static const char *const policies[] = {"SCHED_OTHER",	"SCHED_FIFO", "SCHED_RR",
					       "SCHED_BATCH",	"SCHED_ISO",  "SCHED_IDLE",
					       "SCHED_DEADLINE"};
	int pol = sched_getscheduler(0);
	struct sched_param sp;
	if (pol < 0 || sched_getparam(0, &sp) < 0)
		return fail_errno("sched_getscheduler");
	int base = pol & ~SCHED_RESET_ON_FORK;
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	if (nice == -1 && errno)
		return fail_errno("getpriority");
	printf("policy %s\npriority %d\nnice %d\nreset_on_fork %d\n",
	       base >= 0 && base < 7 ? policies[base] : "?", sp.sched_priority, nice,
	       !!(pol & SCHED_RESET_ON_FORK));
	return 0;
}

static int probe_ioprio(void)
{
	static const char *const classes[] = {"IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT",
					      "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
	long v = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
	if (v < 0)
		return fail_errno("ioprio_get");
	int cls = (int)(v >> 13);
	printf("class %s\npriority %ld\n", cls >= 0 && cls < 4 ? classes[cls] : "?", v & 0xff);
	return 0;
}

static int probe_affinity(void)
{
	cpu_set_t set;
	const char *sep = "";
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return fail_errno("sched_getaffinity");
	printf("cpus ");
	for (int i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		int j = i;
		while (j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, &set))
			j++;
		printf(j > i ? "%s%d-%d" : "%s%d", sep, i, j);
		sep = ",";
		i = j;
	}
	printf("\n");
	return 0;
}

static int probe_uts(void)
{
	struct utsname u;
	if (uname(&u) < 0)
		return fail_errno("uname");
	printf("hostname %s\ndomainname %s\n", u.nodename, u.domainname);
	return 0;
}

static int probe_tty(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		const char *name = ttyname(fd);
		printf("fd%d %s\n", fd, isatty(fd) ? (name ? name : "tty") : "notty");
	}
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	printf("ctty %s\n", fd >= 0 ? "yes" : errname(errno));
	if (fd >= 0)
		close(fd);
	return 0;
}

static int probe_syscall(int argc, char **argv)
{
	if (argc < 1 || argc > 7) {
		fprintf(stderr, "usage: vprobe syscall NAME [ARG...] (at most 6 args)\n");
		return 2;
	}
	int nr = seccomp_syscall_resolve_name(argv[0]);
	if (nr < 0) {
		fprintf(stderr, "vprobe: unknown syscall '%s'\n", argv[0]);
		return 2;
	}
	long args[6] = {0};
	for (int i = 1; i < argc; i++) {
		char *end;
		errno = 0;
		long v = strtol(argv[i], &end, 0);
		args[i - 1] = (*argv[i] && !*end && !errno) ? v : (long)argv[i];
	}
	errno = 0;
	long ret = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
	if (ret < 0)
		return fail_errno(argv[0]);
	printf("%s: ok %ld\n", argv[0], ret);
	return 0;
}

static int probe_open(int argc, char **argv)
{
	static const struct {
		const char *mode;
		int flags;
	} modes[] = {
	    {"r", O_RDONLY}, {"w", O_WRONLY}, {"rw", O_RDWR}, {"dir", O_RDONLY | O_DIRECTORY}};
	if (argc < 1 || argc > 2) {
		fprintf(stderr, "usage: vprobe open PATH [r|w|rw|dir]\n");
		return 2;
	}
	int flags = -1;
	const char *mode = argc > 1 ? argv[1] : "r";
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(mode, modes[i].mode) == 0)
			flags = modes[i].flags;
	if (flags < 0) {
		fprintf(stderr, "vprobe: open: unknown mode '%s'\n", mode);
		return 2;
	}
	int fd = open(argv[0], flags | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(argv[0]);
	close(fd);
	printf("%s: ok\n", argv[0]);
	return 0;
}

static int probe_write(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: vprobe write PATH TEXT\n");
		return 2;
	}
	int fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail_errno(argv[0]);
	size_t len = strlen(argv[1]);
	ssize_t n = write(fd, argv[1], len);
	int e = errno;
	close(fd);
	errno = e;
	if (n < 0 || (size_t)n != len)
		return fail_errno(argv[0]);
	printf("%s: ok\n", argv[0]);
	return 0;
}

static int probe_mountflags(int argc, char **argv)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} flags[] = {
	    {ST_RDONLY, "ro"},	     {ST_NOSUID, "nosuid"},	    {ST_NODEV, "nodev"},
	    {ST_NOEXEC, "noexec"},   {ST_SYNCHRONOUS, "sync"},	    {ST_MANDLOCK, "mand"},
	    {ST_NOATIME, "noatime"}, {ST_NODIRATIME, "nodiratime"}, {ST_RELATIME, "relatime"}};
	struct statvfs sv;
	if (argc != 1) {
		fprintf(stderr, "usage: vprobe mountflags PATH\n");
		return 2;
	}
	if (statvfs(argv[0], &sv) < 0)
		return fail_errno(argv[0]);
	printf("%s:", argv[0]);
	if (!(sv.f_flag & ST_RDONLY))
		printf(" rw");
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (sv.f_flag & flags[i].flag)
			printf(" %s", flags[i].name);
	printf("\n");
	return 0;
}

static int probe_signals(void)
{
	sigset_t all;
	int sig;
	/* sigwait rather than handlers: the order and the printing stay simple
	 * and nothing runs in signal context. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (sigwait(&all, &sig) != 0)
			return fail_errno("sigwait");
		printf("got %s\n", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
		fflush(stdout);
		if (sig == SIGTERM || sig == SIGINT)
			return 0;
	}
}

struct probe {
	const char *name;
	int (*simple)(void);
	int (*with_args)(int argc, char **argv);
};

static const struct probe probes[] = {
    {"caps", probe_caps, NULL},
    {"fds", probe_fds, NULL},
    {"ns", probe_ns, NULL},
    {"rlimits", probe_rlimits, NULL},
    {"nnp", probe_nnp, NULL},
    {"seccomp", probe_seccomp, NULL},
    {"ids", probe_ids, NULL},
    {"umask", probe_umask, NULL},
    {"personality", probe_personality, NULL},
    {"sched", probe_sched, NULL},
    {"ioprio", probe_ioprio, NULL},
    {"affinity", probe_affinity, NULL},
    {"uts", probe_uts, NULL},
    {"tty", probe_tty, NULL},
    {"signals", probe_signals, NULL},
    {"syscall", NULL, probe_syscall},
    {"open", NULL, probe_open},
    {"write", NULL, probe_write},
    {"mountflags", NULL, probe_mountflags},
};

static int usage(void)
{
	fprintf(stderr, "usage: vprobe PROBE [ARG...]\nprobes:");
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		fprintf(stderr, " %s", probes[i].name);
	fprintf(stderr, "\n");
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (strcmp(argv[1], probes[i].name) != 0)
			continue;
		if (probes[i].simple) {
			if (argc != 2) {
				fprintf(stderr, "vprobe: %s takes no arguments\n", argv[1]);
				return 2;
			}
			return probes[i].simple();
		}
		return probes[i].with_args(argc - 2, argv + 2);
	}
	fprintf(stderr, "vprobe: unknown probe '%s'\n", argv[1]);
	return usage();
}
