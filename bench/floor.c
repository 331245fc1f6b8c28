/* bench-floor: the least a runtime must make the kernel do to run the bench's
 * busybox container to completion.  Its time is the floor the runtimes'
 * `run` times are divided by.
 *
 *   bench-floor [--no-cgroup] ROOTFS CMD [ARG]...
 *
 * What it does is what the bench's config.json asks for, nothing more: no
 * config parsing, no state directory, no locking, no hooks, no seccomp, no
 * capability or rlimit work, no sync protocol beyond one wait:
 *   parent: mkdir a cgroup in the cgroup2 mount (the last cgroup2 line of
 *           /proc/self/mountinfo, as runtimes find it), clone3 with
 *           CLONE_INTO_CGROUP and the config's namespaces (pid, net, ipc,
 *           uts, mount, cgroup), wait, rmdir the cgroup.
 *   child:  make / private, bind the rootfs, mount /proc, /dev (tmpfs),
 *           /dev/pts, /dev/shm, /dev/mqueue, /sys (ro), /sys/fs/cgroup
 *           (cgroup2, ro); the six device nodes and /dev symlinks; mask and
 *           read-only paths; hostname; loopback up; pivot_root; root
 *           read-only; exec.
 * --no-cgroup skips the cgroup (the floor for a runtime run without one). */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "bench-floor: %s: %s\n", what, strerror(errno));
	_exit(125);
}

static void mnt(const char *src, const char *dst, const char *type, unsigned long flags,
		const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		die(dst);
}

static const char *const masked[] = {
    "proc/acpi",
    "proc/asound",
    "proc/kcore",
    "proc/keys",
    "proc/latency_stats",
    "proc/timer_list",
    "proc/timer_stats",
    "proc/sched_debug",
    "proc/scsi",
    "sys/firmware",
    "sys/devices/virtual/powercap",
};
static const char *const readonly[] = {
    "proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger",
};

static void mount_api_filesystems(void)
{
	const unsigned long nse = MS_NOSUID | MS_NOEXEC | MS_NODEV;
	mnt("proc", "proc", "proc", 0, NULL);
	mnt("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	mkdir("dev/pts", 0755);
	mkdir("dev/shm", 0755);
	mkdir("dev/mqueue", 0755);
	mnt("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=0620,gid=5");
	mnt("shm", "dev/shm", "tmpfs", nse, "mode=1777,size=65536k");
	mnt("mqueue", "dev/mqueue", "mqueue", nse, NULL);
	mnt("sysfs", "sys", "sysfs", nse | MS_RDONLY, NULL);
	mnt("cgroup", "sys/fs/cgroup", "cgroup2", nse | MS_RELATIME | MS_RDONLY, NULL);
}

static void make_devices(void)
{
	static const struct {
		const char *name;
		unsigned major, minor;
	} devs[] = {{"dev/null", 1, 3},	  {"dev/zero", 1, 5},	 {"dev/full", 1, 7},
		    {"dev/random", 1, 8}, {"dev/urandom", 1, 9}, {"dev/tty", 5, 0}};
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (mknod(devs[i].name, S_IFCHR | 0666, makedev(devs[i].major, devs[i].minor)) < 0)
			die(devs[i].name);
	static const char *const links[][2] = {{"/proc/self/fd", "dev/fd"},
					       {"/proc/self/fd/0", "dev/stdin"},
					       {"/proc/self/fd/1", "dev/stdout"},
					       {"/proc/self/fd/2", "dev/stderr"},
					       {"pts/ptmx", "dev/ptmx"}};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			die(links[i][1]);
}

/* Paths that do not exist on this kernel are skipped, as runtimes do. */
static void mask_paths(void)
{
	struct stat st;
	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
		if (stat(masked[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			mnt("tmpfs", masked[i], "tmpfs", MS_RDONLY, NULL);
		else
			mnt("dev/null", masked[i], NULL, MS_BIND, NULL);
	}
	for (size_t i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++) {
		if (stat(readonly[i], &st) < 0)
			continue;
		mnt(readonly[i], readonly[i], NULL, MS_BIND | MS_REC, NULL);
		mnt(NULL, readonly[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL);
	}
}

static void loopback_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {.ifr_name = "lo"};
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		die("lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		die("lo up");
	close(s);
}

static void child(const char *rootfs, char **argv)
{
	mnt(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	mnt(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
	if (chdir(rootfs) < 0)
		die(rootfs);
	mount_api_filesystems();
	make_devices();
	mask_paths();
	if (sethostname("vessel", 6) < 0)
		die("sethostname");
	loopback_up();
	/* pivot_root(".", ".") stacks the old root under the new one; the
	 * detach then drops it without needing a directory for it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		die("umount old root");
	if (chdir("/") < 0)
		die("chdir /");
	mnt(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
	execv(argv[0], argv);
	die(argv[0]);
}

/* The mount point of the last cgroup2 line: a later mount hides an earlier
 * one at the same place (as in the bench's private mount namespace). */
static char *cgroup2_mount(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], *found = NULL;
	while (f && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - cgroup2 ");
		char point[4096];
		if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1) {
			free(found);
			found = strdup(point);
		}
	}
	if (f)
		fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	int use_cgroup = 1;
	if (argc > 1 && strcmp(argv[1], "--no-cgroup") == 0) {
		use_cgroup = 0;
		argv++, argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: bench-floor [--no-cgroup] ROOTFS CMD [ARG]...\n");
		return 2;
	}
	char cg[4096] = "";
	int cgfd = -1;
	if (use_cgroup) {
		char *base = cgroup2_mount();
		if (!base) {
			errno = ENOENT;
			die("no cgroup2 mount");
		}
		snprintf(cg, sizeof(cg), "%s/bench-floor-%d", base, (int)getpid());
		free(base);
		if (mkdir(cg, 0755) < 0)
			die(cg);
		cgfd = open(cg, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (cgfd < 0)
			die(cg);
	}
	struct clone_args ca = {
	    .flags = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS |
		     CLONE_NEWCGROUP | (use_cgroup ? CLONE_INTO_CGROUP : 0),
	    .exit_signal = SIGCHLD,
	    .cgroup = (unsigned long long)(cgfd < 0 ? 0 : cgfd),
	};
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0)
		die("clone3");
	if (pid == 0)
		child(argv[1], argv + 2);
	int status;
	if (waitpid((pid_t)pid, &status, 0) < 0)
		die("waitpid");
	if (use_cgroup && rmdir(cg) < 0)
		die(cg);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
