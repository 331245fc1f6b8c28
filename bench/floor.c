/* bench-floor: the least a runtime must make the kernel do to run the bench's
 * busybox container to completion.  Its time is the floor the runtimes'
 * `run` times are divided by.
 *
 *   bench-floor [--bare] [--no-cgroup] [--marks] [--seccomp FILE] ROOTFS CMD [ARG]...
 *
 * By default it is the same-work floor: the kernel work vessel's default
 * config (the busybox bundle's `vessel spec`, on a cgroup2 host) asks for,
 * and nothing of a runtime's own (no config parsing, state directory,
 * locking, hooks, exec FIFO or sync protocol beyond one wait):
 *   parent: mkdir a cgroup in the cgroup2 mount (the last cgroup2 line of
 *           /proc/self/mountinfo, as runtimes find it), load and attach the
 *           device program of the default rules (the standard nodes, deny
 *           the rest: the same 64 instructions vessel generates), clone3
 *           with CLONE_INTO_CGROUP and the config's namespaces (pid, net,
 *           ipc, uts, mount, cgroup), wait, rmdir the cgroup.
 *   child:  hostname; loopback up; make / private, bind the rootfs, mount
 *           /proc, /dev (tmpfs), /dev/pts, /dev/shm, /dev/mqueue, /sys (ro),
 *           /sys/fs/cgroup (cgroup2, ro); the six device nodes and /dev
 *           symlinks; mask and read-only paths; pivot_root; root read-only;
 *           RLIMIT_NOFILE; drop every capability from the bounding set but
 *           the config's three; uid/gid 0 and no groups; capset; no_new_privs;
 *           the seccomp filter (--seccomp: a program vessel compiled and
 *           cached, <root>/@cache/seccomp/<key>.bpf, loaded raw as vessel
 *           loads a cache hit); exec.
 * Left out, as runtime choices the config does not ask for: the session
 * keyring, the checked /dev/null and openat2 path resolution, the close of
 * inherited fds.
 * --bare is the earlier floor (no device program, rlimit, capabilities,
 * user, no_new_privs or seccomp): the second line of the report.
 * --no-cgroup skips the cgroup and its device program (the floor for a
 * runtime run without one).
 * --marks prints "PHASE CLOCK_REALTIME_NS" lines on stderr as each phase
 * ends (bench/phases.py lines them up with vessel's --debug log). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* setresuid, clone3's flags */
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <grp.h>
#include <unistd.h>

static int marks;

static void mark(const char *phase)
{
	struct timespec ts;
	if (!marks)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "%s %lld\n", phase, (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
}

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

/* The device program of the default config: the standard nodes every
 * runtime allows (mknod of any node; rwm on null, zero, full, random,
 * urandom, tty, console, ptmx and pts/N), checked last rule first, and
 * deny for the rest, as vessel's generator lays it out (64 instructions). */
struct dev_rule {
	char type;
	int major, minor;
	unsigned access;
};
#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)
static const struct dev_rule dev_rules[] = {
    {'c', -1, -1, BPF_DEVCG_ACC_MKNOD},
    {'b', -1, -1, BPF_DEVCG_ACC_MKNOD},
    {'c', 1, 3, ACC_ALL},
    {'c', 1, 5, ACC_ALL},
    {'c', 1, 7, ACC_ALL},
    {'c', 1, 8, ACC_ALL},
    {'c', 1, 9, ACC_ALL},
    {'c', 5, 0, ACC_ALL},
    {'c', 5, 1, ACC_ALL},
    {'c', 5, 2, ACC_ALL},
    {'c', 136, -1, ACC_ALL},
};

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

static size_t dev_rule_insns(struct bpf_insn *v, const struct dev_rule *r)
{
	size_t n = 0;
	v[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
		      r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	if (r->access != ACC_ALL) {
		v[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 3, 0, 0);
		v[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, 1, 0, 0, (int)(~r->access & ACC_ALL));
		v[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 1, 0, 0, 0);
	}
	if (r->major >= 0)
		v[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, r->major);
	if (r->minor >= 0)
		v[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, r->minor);
	v[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
	v[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t i = 0; i < n; i++)
		if (v[i].code == (BPF_JMP | BPF_JNE | BPF_K))
			v[i].off = (short)(n - i - 1);
	return n;
}

static void attach_device_program(int cgfd)
{
	struct bpf_insn v[128] = {
	    INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0), /* r2 = access_type */
	    INSN(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0),
	    INSN(BPF_ALU64 | BPF_RSH | BPF_K, 3, 0, 0, 16),	/* r3 = access */
	    INSN(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0xffff), /* r2 = type */
	    INSN(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0),	/* r4 = major */
	    INSN(BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0),	/* r5 = minor */
	};
	size_t n = 6;
	for (size_t i = sizeof(dev_rules) / sizeof(dev_rules[0]); i-- > 0;)
		n += dev_rule_insns(v + n, &dev_rules[i]);
	v[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	v[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (unsigned long)v;
	a.insn_cnt = (unsigned)n;
	a.license = (unsigned long)"Apache-2.0";
	int prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (prog < 0)
		die("bpf(BPF_PROG_LOAD)");
	memset(&a, 0, sizeof(a));
	a.target_fd = (unsigned)cgfd;
	a.attach_bpf_fd = (unsigned)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof(a)) < 0)
		die("bpf(BPF_PROG_ATTACH)");
	close(prog);
}

/* A vessel seccomp cache entry (runtime/seccomp/cache.c): magic, key,
 * flags, instruction count, two string lengths, then the program.  Read in
 * the parent, like the runtime's cache lookup; loaded in the child. */
struct sc_entry {
	char magic[8];
	unsigned char key[32];
	unsigned flags, n_insns, path_len, meta_len;
};

static struct sock_fprog read_seccomp(const char *path, unsigned *ret_flags)
{
	struct sock_fprog prog = {0};
	struct sc_entry h;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, "VSSCBPF1", 8) != 0 || h.n_insns == 0 || h.n_insns > 65536)
		die(path);
	size_t len = h.n_insns * sizeof(struct sock_filter);
	prog.filter = malloc(len);
	if (!prog.filter || read(fd, prog.filter, len) != (ssize_t)len)
		die(path);
	close(fd);
	prog.len = (unsigned short)h.n_insns;
	*ret_flags = h.flags;
	return prog;
}

/* The process part of the config: rlimits, the capability sets
 * (AUDIT_WRITE, KILL, NET_BIND_SERVICE in every set but ambient), user
 * 0:0 without supplementary groups, no_new_privs. */
static void credentials(void)
{
	const unsigned long keep =
	    1UL << CAP_AUDIT_WRITE | 1UL << CAP_KILL | 1UL << CAP_NET_BIND_SERVICE;
	struct rlimit nofile = {1024, 1024};
	if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
		die("setrlimit");
	for (int c = 0; c < 64; c++) {
		if (keep & (1UL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break; /* past the last capability */
			die("PR_CAPBSET_DROP");
		}
	}
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		die("setresuid");
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {{0}};
	data[0].effective = data[0].permitted = data[0].inheritable = (unsigned)keep;
	if (syscall(SYS_capset, &hdr, data) < 0)
		die("capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		die("PR_CAP_AMBIENT");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("PR_SET_NO_NEW_PRIVS");
}

struct plan {
	int bare;
	const char *rootfs;
	char **argv;
	struct sock_fprog seccomp; /* .len 0: none */
	unsigned seccomp_flags;
};

static void child(const struct plan *p)
{
	mark("clone");
	if (sethostname("vessel", 6) < 0)
		die("sethostname");
	loopback_up();
	mnt(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	mnt(p->rootfs, p->rootfs, NULL, MS_BIND | MS_REC, NULL);
	if (chdir(p->rootfs) < 0)
		die(p->rootfs);
	mount_api_filesystems();
	make_devices();
	mask_paths();
	mark("rootfs");
	/* pivot_root(".", ".") stacks the old root under the new one; the
	 * detach then drops it without needing a directory for it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		die("umount old root");
	if (chdir("/") < 0)
		die("chdir /");
	mnt(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
	mark("pivot");
	if (!p->bare)
		credentials();
	mark("credentials");
	if (p->seccomp.len &&
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->seccomp_flags, &p->seccomp) < 0)
		die("seccomp");
	mark("seccomp");
	execv(p->argv[0], p->argv);
	die(p->argv[0]);
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

static int make_cgroup(char *cg, size_t size, int with_program)
{
	char *base = cgroup2_mount();
	if (!base) {
		errno = ENOENT;
		die("no cgroup2 mount");
	}
	snprintf(cg, size, "%s/bench-floor-%d", base, (int)getpid());
	free(base);
	if (mkdir(cg, 0755) < 0)
		die(cg);
	int fd = open(cg, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(cg);
	if (with_program)
		attach_device_program(fd);
	return fd;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench-floor [--bare] [--no-cgroup] [--marks] [--seccomp FILE] ROOTFS CMD "
		"[ARG]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct plan p = {0};
	int use_cgroup = 1, i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--bare") == 0)
			p.bare = 1;
		else if (strcmp(argv[i], "--no-cgroup") == 0)
			use_cgroup = 0;
		else if (strcmp(argv[i], "--marks") == 0)
			marks = 1;
		else if (strcmp(argv[i], "--seccomp") == 0 && i + 1 < argc)
			p.seccomp = read_seccomp(argv[++i], &p.seccomp_flags);
		else
			usage();
	}
	if (argc - i < 2)
		usage();
	p.rootfs = argv[i];
	p.argv = argv + i + 1;
	char cg[4096] = "";
	mark("start");
	int cgfd = use_cgroup ? make_cgroup(cg, sizeof(cg), !p.bare) : -1;
	mark("cgroup");
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
		child(&p);
	int status;
	if (waitpid((pid_t)pid, &status, 0) < 0)
		die("waitpid");
	mark("exited");
	if (use_cgroup && rmdir(cg) < 0)
		die(cg);
	mark("end");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
