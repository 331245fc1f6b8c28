/* runtime/rootfs applied for real: a forked child unshares a mount namespace
 * and applies a plan to a hand-made rootfs full of hostile symlinks, then
 * checks from inside what landed where; the parent then checks that nothing
 * landed on the host.  Needs root (skipped otherwise). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/error.h"
#include "runtime/rootfs/rootfs.h"
#include "tap.h"

#define TMPFS_MAGIC_ 0x01021994

static char base[] = "/tmp/vessel-rootfs-test-XXXXXX";
static char rootfs[256], hostdir[256], marker[64];

/* Runs a shell command whose "%1$s" placeholders all name the same path. */
__attribute__((format(printf, 1, 2))) static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fprintf(stderr, "# setup command failed: %s\n", cmd);
}

static void make_tree(void)
{
	if (!mkdtemp(base))
		abort();
	snprintf(rootfs, sizeof(rootfs), "%s/bundle/rootfs", base);
	snprintf(hostdir, sizeof(hostdir), "%s/hostdir", base);
	snprintf(marker, sizeof(marker), "vessel-escape-%d", (int)getpid());
	sh("mkdir -p %1$s/bundle/rootfs/tmp %1$s/bundle/rootfs/proc %1$s/hostdir "
	   "%1$s/bundle/rootfs/etc",
	   base);
	sh("echo secret > %1$s/bundle/rootfs/etc/secret && mkdir -p %1$s/bundle/rootfs/secretdir",
	   base);
	sh("echo data > %1$s/hostdir/file", base);
	/* Hostile symlinks: absolute to "/", climbing with "..", and one to a
	 * host device node. */
	sh("ln -s / %1$s/bundle/rootfs/evil && ln -s ../../../../../../.. %1$s/bundle/rootfs/up",
	   base);
	sh("mkdir -p %1$s/bundle/rootfs/dev && ln -s /dev/null %1$s/bundle/rootfs/dev/host-null",
	   base);
}

static struct oci_mount mnt(char *dest, char *type, char *source, char **options)
{
	struct oci_mount m = {
	    .destination = dest, .type = type, .source = source, .options = options};
	return m;
}

static int mounted_tmpfs(const char *path)
{
	struct statfs s;
	return statfs(path, &s) == 0 && s.f_type == TMPFS_MAGIC_;
}

static void child_checks(struct rootfs_plan *plan)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/tmp/%s", rootfs, marker);
	CHECK(mounted_tmpfs(p), "symlink-to-/ destination landed inside the root");
	snprintf(p, sizeof(p), "%s/%s-up", rootfs, marker);
	CHECK(mounted_tmpfs(p), "'..' symlink destination landed inside the root");
	snprintf(p, sizeof(p), "%s/data/file", rootfs);
	CHECK(access(p, R_OK) == 0, "bind mount shows the host dir");
	CHECK(open(p, O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS, "ro bind refuses writes");
	struct stat st;
	snprintf(p, sizeof(p), "%s/dev/null", rootfs);
	CHECK(stat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
	      "/dev/null is the null device");
	CHECK_INT(st.st_mode & 07777, ==, 0666);
	snprintf(p, sizeof(p), "%s/dev/shm", rootfs);
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 01777,
	      "/dev/shm is a sticky world-writable directory");
	snprintf(p, sizeof(p), "%s/dev/vdev", rootfs);
	CHECK(stat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 5) &&
		  (st.st_mode & 07777) == 0640 && st.st_uid == 1234 && st.st_gid == 4321,
	      "linux.devices node has its major/minor/mode/owner");
	snprintf(p, sizeof(p), "%s/etc/secret", rootfs);
	char buf[16] = {0};
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 0, "masked file reads empty");
	if (fd >= 0)
		close(fd);
	snprintf(p, sizeof(p), "%s/secretdir", rootfs);
	CHECK(mounted_tmpfs(p), "masked directory is a tmpfs");
	snprintf(p, sizeof(p), "%s/etc/newfile", rootfs);
	CHECK(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644) < 0 && errno == EROFS,
	      "readonly path refuses writes");

	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(rootfs_pivot(plan, &err), ==, 0);
	if (err.msg)
		printf("# %s\n", err.msg);
	CHECK(access("/data/file", R_OK) == 0, "after pivot, / is the container root");
	CHECK(access("/proc/self", F_OK) == 0, "/proc is the new proc");
	CHECK(open("/tmp/x", O_CREAT | O_WRONLY | O_CLOEXEC, 0644) < 0 && errno == EROFS,
	      "readonly root refuses writes");
	char link[64] = {0};
	CHECK(readlink("/dev/ptmx", link, sizeof(link) - 1) > 0 && strcmp(link, "pts/ptmx") == 0,
	      "/dev/ptmx -> pts/ptmx");
}

static void run_child(struct rootfs_plan *plan, int report_fd)
{
	/* The child numbers its TAP lines on from the parent's count and
	 * reports back how far it got. */
	tap_failed = 0;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(unshare(CLONE_NEWNS), ==, 0);
	int r = rootfs_prepare(plan, &err);
	CHECK_INT(r, ==, 0);
	if (err.msg)
		printf("# %s\n", err.msg);
	if (r == 0)
		child_checks(plan);
	fflush(stdout);
	int counts[2] = {tap_n, tap_failed};
	(void)!write(report_fd, counts, sizeof(counts));
	_exit(0);
}

static void test_apply(void)
{
	char *tmpfs_opts[] = {"nosuid", "size=1m", NULL};
	char *ro_bind[] = {"rbind", "ro", NULL};
	char *proc_opts[] = {"nosuid", "noexec", "nodev", NULL};
	char d1[128], d2[128];
	snprintf(d1, sizeof(d1), "/evil/tmp/%s", marker);
	snprintf(d2, sizeof(d2), "/up/%s-up", marker);
	struct oci_mount mounts[] = {
	    mnt("/proc", "proc", "proc", proc_opts),
	    mnt(d1, "tmpfs", "tmpfs", tmpfs_opts),
	    mnt(d2, "tmpfs", "tmpfs", tmpfs_opts),
	    mnt("/data", "bind", hostdir, ro_bind),
	};
	struct oci_device devs[] = {{.path = "/dev/vdev",
				     .type = 'c',
				     .major = 1,
				     .minor = 5,
				     .file_mode = {true, 0640},
				     .uid = {true, 1234},
				     .gid = {true, 4321}}};
	char *masked[] = {"/etc/secret", "/secretdir", "/nonexistent", NULL};
	char *ro[] = {"/etc", NULL};
	struct oci_root root = {.path = "rootfs", .readonly = true};
	char bundle[300];
	snprintf(bundle, sizeof(bundle), "%s/bundle", base);
	struct rootfs_config cfg = {
	    .bundle = bundle,
	    .root = &root,
	    .mounts = mounts,
	    .n_mounts = 4,
	    .devices = devs,
	    .n_devices = 1,
	    .masked_paths = masked,
	    .readonly_paths = ro,
	};
	struct rootfs_plan *plan = NULL;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(rootfs_plan_new(&cfg, &plan, &err), ==, 0);
	if (!plan) {
		printf("# %s\n", err.msg);
		return;
	}
	int p[2];
	if (pipe(p) < 0)
		abort();
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		run_child(plan, p[1]);
	close(p[1]);
	int counts[2] = {tap_n, 1};
	bool reported = read(p[0], counts, sizeof(counts)) == sizeof(counts);
	waitpid(pid, NULL, 0);
	tap_n = counts[0];
	tap_failed += counts[1];
	CHECK(reported, "child reported");
	rootfs_plan_free(plan);

	char host[128];
	snprintf(host, sizeof(host), "/tmp/%s", marker);
	CHECK(access(host, F_OK) < 0, "nothing created on the host's /tmp");
	snprintf(host, sizeof(host), "/%s-up", marker);
	CHECK(access(host, F_OK) < 0, "nothing created on the host's /");
	struct stat st;
	CHECK(stat("/dev/null", &st) == 0 && st.st_uid == 0 && (st.st_mode & 0777) == 0666,
	      "host /dev/null untouched");
}

static void plan_error(struct rootfs_config *cfg, const char *part)
{
	struct rootfs_plan *plan = NULL;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(rootfs_plan_new(cfg, &plan, &err), ==, -1);
	CHECK(err.msg && strstr(err.msg, part), part);
	if (err.msg && !strstr(err.msg, part))
		printf("#   got: %s\n", err.msg);
	vs_error_clear(&err);
	rootfs_plan_free(plan);
}

static void test_plan_errors(void)
{
	char bundle[300];
	snprintf(bundle, sizeof(bundle), "%s/bundle", base);
	struct oci_root root = {.path = "rootfs"};
	struct oci_mount m[1] = {mnt("/../../etc", "tmpfs", "tmpfs", NULL)};
	struct rootfs_config cfg = {.bundle = bundle, .root = &root, .mounts = m, .n_mounts = 1};
	plan_error(&cfg, "mounts[0].destination: \"/../../etc\" climbs above the container root");
	m[0] = mnt("/", "tmpfs", "tmpfs", NULL);
	plan_error(&cfg, "mounts[0].destination: mounting over the container's /");
	m[0] = mnt("/x", NULL, "/tmp", NULL);
	plan_error(&cfg, "mounts[0].type: required");
	m[0] = mnt("/x", "bind", "/nonexistent-vessel", NULL);
	plan_error(&cfg, "mounts[0].source: open /nonexistent-vessel");
	m[0] = mnt("/x", "cgroup2", "cgroup", NULL);
	plan_error(&cfg, "mounts[0]: a cgroup mount without a cgroup namespace");
	cfg.n_mounts = 0;
	cfg.propagation = "sideways";
	plan_error(&cfg, "linux.rootfsPropagation: unknown value \"sideways\"");
	cfg.propagation = NULL;
	char *masked[] = {"/proc/../..", NULL};
	cfg.masked_paths = masked;
	plan_error(&cfg, "linux.maskedPaths[0]");
	cfg.masked_paths = NULL;
	struct oci_kv ann[] = {{"run.vessel.rootfs.overlay.lower", "/tmp"}};
	cfg.annotations = ann;
	cfg.n_annotations = 1;
	plan_error(&cfg, "an overlay root needs all of");
	cfg.n_annotations = 0;
	root.path = "nope";
	plan_error(&cfg, "root.path");
}

/* "idmap" without mappings of its own borrows the container's. */
static void test_idmap_borrows_container_maps(void)
{
	char bundle[300];
	snprintf(bundle, sizeof(bundle), "%s/bundle", base);
	struct oci_root root = {.path = "rootfs"};
	char *opts[] = {"bind", "idmap", NULL};
	struct oci_mount m[1] = {mnt("/h", "bind", hostdir, opts)};
	struct oci_id_mapping map = {.container_id = 0, .host_id = 100000, .size = 65536};
	struct rootfs_config cfg = {.bundle = bundle, .root = &root, .mounts = m, .n_mounts = 1};
	plan_error(&cfg, "an id-mapped mount needs uidMappings and gidMappings");
	cfg.uid_mappings = cfg.gid_mappings = &map;
	cfg.n_uid_mappings = cfg.n_gid_mappings = 1;
	struct rootfs_plan *plan = NULL;
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(rootfs_plan_new(&cfg, &plan, &err), ==, 0);
	if (err.msg)
		printf("# %s\n", err.msg);
	rootfs_plan_free(plan);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	make_tree();
	test_plan_errors();
	test_idmap_borrows_container_maps();
	test_apply();
	sh("rm -rf %1$s", base);
	return tap_done();
}
