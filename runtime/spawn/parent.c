/* The parent stage: everything heavy happens here, single-threaded, before
 * the clone (parse, resolve, compile, create the cgroup); then clone3 and
 * the parent's half of the handshake in sync-internal.h. */
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/sched.h>
#include <sys/pidfd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/weaken.h"
#include "runtime/hooks/hooks.h"
#include "runtime/net/net.h"
#include "runtime/spawn/spawn-internal.h"
#include "runtime/terminal/terminal.h"

/* runc's debug message at its equivalent point, logged beside the step's
 * name ("init step ready (runc: ...)"): the shim's users, and runc's own
 * tests, look for those words in a --debug log.  Each is what the step
 * does: the init begins; it joins and makes its namespaces (runc's
 * nsexec); it reports ready and closes the sync socket. */
static const struct {
	const char *stage, *step, *runc;
} runc_names[] = {
    {"init", "identity", "child process in init()"},
    {"init", "namespaces", "nsexec container setup"},
    {"init", "ready", "init: closing the pipe to signal completion"},
};

static void log_step(const char *stage, const char *step)
{
	for (size_t i = 0; i < ARRAY_SIZE(runc_names); i++)
		if (!strcmp(runc_names[i].stage, stage) && !strcmp(runc_names[i].step, step)) {
			vs_log_debug("%s step %s (runc: %s)", stage, step, runc_names[i].runc);
			return;
		}
	vs_log_debug("%s step %s", stage, step);
}

int spawn_run_steps(const char *stage, const struct spawn_step *steps, size_t n,
		    struct spawn_ctx *ctx, struct vs_error *err)
{
	/* The init's stderr is the container's: its steps go to --log or to
	 * its copy of the caller's stderr (spawn_init_main). */
	bool log = vs_log_debug_enabled() && (strcmp(stage, "init") != 0 || vs_log_fd() >= 0);
	for (size_t i = 0; i < n; i++) {
		if (log)
			log_step(stage, steps[i].name);
		if (steps[i].fn(ctx, err) < 0)
			return vs_error_wrap(err, "%s step %s", stage, steps[i].name);
	}
	return 0;
}

static bool net_is_host(const struct ns_plan *ns)
{
	struct stat a, b;
	int fd = ns->join_fds[OCI_NS_NETWORK];
	return fd >= 0 && fstat(fd, &a) == 0 && stat("/proc/1/ns/net", &b) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int step_namespaces(struct spawn_ctx *ctx, struct vs_error *err)
{
	const struct oci_linux *l = ctx->c->lnx;
	if (ns_plan_build(l ? l->namespaces : NULL, l ? l->n_namespaces : 0, &ctx->ns, err) < 0)
		return -1;
	if (ctx->c->hostname && ctx->c->hostname[0] && !ctx->ns.has[OCI_NS_UTS])
		return vs_error_set(err, "hostname: setting the hostname needs a uts namespace");
	if (ctx->c->domainname && ctx->c->domainname[0] && !ctx->ns.has[OCI_NS_UTS])
		return vs_error_set(err,
				    "domainname: setting the domainname needs a uts namespace");
	if (l && l->n_net_devices && (!ctx->ns.has[OCI_NS_NETWORK] || net_is_host(&ctx->ns)))
		return vs_error_set(err, "linux.netDevices: needs a network namespace of the "
					 "container's own (linux.namespaces)");
	if (ctx->ns.new_user && (!l->n_uid_mappings || !l->n_gid_mappings))
		return vs_error_set(err, "a new user namespace needs linux.uidMappings and "
					 "linux.gidMappings");
	return 0;
}

static int step_process(struct spawn_ctx *ctx, struct vs_error *err)
{
	const struct oci_linux *l = ctx->c->lnx;
	struct proc_ns_info nsi = {
	    .ipc = ctx->ns.has[OCI_NS_IPC],
	    .net = ctx->ns.has[OCI_NS_NETWORK],
	    .uts = ctx->ns.has[OCI_NS_UTS],
	    .net_is_host = net_is_host(&ctx->ns),
	};
	if (!ctx->c->process)
		return vs_error_set(err, "process: required to create a container");
	if (proc_prepare(ctx->c->process, l ? l->personality : NULL, l ? l->sysctl : NULL,
			 l ? l->n_sysctl : 0, &nsi, &ctx->proc, err) < 0 ||
	    (l && proc_prepare_mempolicy(l->memory_policy, &ctx->proc, err) < 0))
		return -1;
	/* systemd socket activation: LISTEN_FDS fds pass through like
	 * --preserve-fds, and the container is told it owns them. */
	const char *lf = getenv("LISTEN_FDS");
	int n;
	ctx->n_preserve = ctx->cfg->preserve_fds;
	if (lf && vs_parse_int(lf, &n) == 0 && n > 0) {
		for (int fd = 3; fd < 3 + n; fd++)
			if (fcntl(fd, F_GETFD) < 0)
				return vs_error_set(err, "LISTEN_FDS=%d: fd %d is not open", n, fd);
		if (n > ctx->n_preserve)
			ctx->n_preserve = n;
		_cleanup_free_ char *v = vs_strdup_printf("LISTEN_FDS=%d", n);
		vs_strv_push(&ctx->proc.env, v);
		vs_strv_push(&ctx->proc.env, "LISTEN_PID=1");
	}
	return 0;
}

/* Hybrid hosts: the v1 hierarchies a cgroup mount shows (rootfs.h). */
static struct rootfs_cgroup_v1 *cgroup_v1_mounts(const struct cg_v1_hierarchy *v, size_t n)
{
	struct rootfs_cgroup_v1 *r = vs_malloc0((n + 1) * sizeof(*r));
	for (size_t i = 0; i < n; i++)
		r[i] = (struct rootfs_cgroup_v1){v[i].name, v[i].options, v[i].dir};
	return r;
}

static int step_rootfs(struct spawn_ctx *ctx, struct vs_error *err)
{
	const struct oci_config *c = ctx->c;
	const struct oci_linux *l = c->lnx;
	if (!c->root || !c->root->path)
		return vs_error_set(err, "root.path: required");
	struct cg_v1_hierarchy *v1 = NULL;
	size_t n_v1 = 0;
	cg_v1_hierarchies(ctx->cgroup, &v1, &n_v1);
	_cleanup_free_ struct rootfs_cgroup_v1 *rv1 = cgroup_v1_mounts(v1, n_v1);
	struct rootfs_config rc = {
	    .bundle = ctx->cfg->bundle,
	    .root = c->root,
	    .mounts = c->mounts,
	    .n_mounts = c->n_mounts,
	    .devices = l ? l->devices : NULL,
	    .n_devices = l ? l->n_devices : 0,
	    .masked_paths = l ? l->masked_paths : NULL,
	    .readonly_paths = l ? l->readonly_paths : NULL,
	    .propagation = l ? l->rootfs_propagation : NULL,
	    .mount_label = l ? l->mount_label : NULL,
	    .annotations = c->annotations,
	    .n_annotations = c->n_annotations,
	    .terminal = c->process->terminal,
	    .no_pivot = ctx->cfg->no_pivot,
	    .userns = ctx->ns.has[OCI_NS_USER],
	    .cgroupns = ctx->ns.has[OCI_NS_CGROUP],
	    .no_mountns = !ctx->ns.has[OCI_NS_MOUNT],
	    .cgroup_dir = cg_handle_dir(ctx->cgroup),
	    .cgroup_v1 = rv1,
	    .n_cgroup_v1 = n_v1,
	};
	int r = rootfs_plan_new(&rc, &ctx->rootfs, err);
	cg_v1_hierarchies_free(v1, n_v1);
	return r;
}

static int step_seccomp(struct spawn_ctx *ctx, struct vs_error *err)
{
	if (sc_compile_cached(ctx->c->lnx ? ctx->c->lnx->seccomp : NULL,
			      ctx->cfg->seccomp_cache_dir, &ctx->seccomp, err) < 0)
		return -1;
	/* The filter goes on last, after the capabilities are dropped: without
	 * noNewPrivileges the kernel then wants CAP_SYS_ADMIN, so the init
	 * keeps it until execve (which drops it, see proc_plan.caps_hold). */
	if (ctx->seccomp && !ctx->c->process->no_new_privileges)
		ctx->proc.caps_hold = 1ULL << CAP_SYS_ADMIN;
	const char *path = sc_filter_listener_path(ctx->seccomp);
	if (path && sc_listener_connect(path, &ctx->seccomp_listener, err) < 0)
		return vs_error_wrap(err, "linux.seccomp.listenerPath");
	return 0;
}

static int step_terminal(struct spawn_ctx *ctx, struct vs_error *err)
{
	const char *sock = ctx->cfg->console_socket;
	if (sock && ctx->c->process->terminal)
		return term_console_socket_connect(sock, &ctx->console, err);
	return 0;
}

static int step_fifo(struct spawn_ctx *ctx, struct vs_error *err)
{
	ctx->fifo_path = open(ctx->cfg->exec_fifo, O_PATH | O_CLOEXEC);
	if (ctx->fifo_path < 0)
		return vs_error_errno(err, errno, "open %s", ctx->cfg->exec_fifo);
	return 0;
}

static int step_cgroup(struct spawn_ctx *ctx, struct vs_error *err)
{
	const struct oci_linux *l = ctx->c->lnx;
	struct cg_config cc = {
	    .id = ctx->cfg->id,
	    .cgroups_path = l ? l->cgroups_path : NULL,
	    .resources = l ? l->resources : NULL,
	    .devices = l ? l->devices : NULL,
	    .n_devices = l ? l->n_devices : 0,
	    .systemd = ctx->cfg->systemd_cgroup,
	    .annotations = ctx->c->annotations,
	    .n_annotations = ctx->c->n_annotations,
	};
	return cg_create(&cc, &ctx->cgroup, err);
}

#define SPAWN_RDTGROUP_MAGIC 0x7655821 /* RDTGROUP_SUPER_MAGIC */

/* linux.intelRdt: the spec wants an error where resctrl is not mounted;
 * where it is, vessel does not write resctrl groups yet, and a setting it
 * cannot apply is refused, never dropped (runtime.md: an error, not a
 * silent no). */
static int step_intel_rdt(struct spawn_ctx *ctx, struct vs_error *err)
{
	const struct oci_linux *l = ctx->c->lnx;
	struct statfs sfs;
	if (!l || !l->intel_rdt)
		return 0;
	if (statfs("/sys/fs/resctrl", &sfs) < 0 || sfs.f_type != SPAWN_RDTGROUP_MAGIC)
		return vs_error_set(err,
				    "linux.intelRdt: resctrl is not mounted at /sys/fs/resctrl "
				    "(no Intel RDT/AMD PQoS on this host, or not mounted): "
				    "cannot apply it");
	return vs_error_set(err, "linux.intelRdt: not supported by vessel yet (resctrl groups "
				 "are not written): remove the section to run without it");
}

/* The cgroup comes before the rootfs plan: a cgroup mount without a cgroup
 * namespace binds the container's cgroup directory, which must exist. */
static const struct spawn_step prepare_steps[] = {
    {"namespaces", step_namespaces}, {"process", step_process}, {"intelRdt", step_intel_rdt},
    {"cgroup", step_cgroup},	     {"rootfs", step_rootfs},	{"seccomp", step_seccomp},
    {"terminal", step_terminal},     {"fifo", step_fifo},
};

/* The init's identity goes to the caller before the parent can block on
 * the handshake: from SYNC_READY on the init outlives vessel (its parent
 * death signal is cleared), and if vessel is killed before state.json is
 * written, this record is all that names it. */
static int report_started(struct spawn_ctx *ctx, struct vs_error *err)
{
	const struct spawn_config *cfg = ctx->cfg;
	if (spawn_proc_stat(ctx->pid, &ctx->start_time, NULL, err) < 0)
		return vs_error_wrap(err, "container init %d", (int)ctx->pid);
	return cfg->started ? cfg->started(cfg->state_data, ctx->pid, ctx->start_time, err) : 0;
}

static int do_clone(struct spawn_ctx *ctx, struct vs_error *err)
{
	int fds[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return vs_error_errno(err, errno, "socketpair");
	ctx->sock_parent = fds[0];
	ctx->sock_child = fds[1];
	int pidfd = -1, saved_pidns = -1;
	struct clone_args args = {
	    .flags = ctx->ns.clone_flags | CLONE_PIDFD,
	    .pidfd = (uint64_t)(uintptr_t)&pidfd,
	    .exit_signal = SIGCHLD,
	};
	if (cg_handle_fd(ctx->cgroup) >= 0) {
		/* The init is born in its cgroup: it never runs a single
		 * instruction outside the container's limits. */
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cg_handle_fd(ctx->cgroup);
	}
	/* The init will be our grandchild (fork_for_pid): be its reaper when
	 * the child in between exits, so `run` can wait for it. */
	if (ctx->ns.fork_for_pid && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return vs_error_errno(err, errno, "become a subreaper");
	if (ns_pid_enter(&ctx->ns, &saved_pidns, err) < 0)
		return -1;
	/* The init is born non-dumpable (clone copies the flag with the mm):
	 * in a joined pid namespace it is visible from its first instruction,
	 * and must not be ptraced or have its /proc/PID/fd opened
	 * (CVE-2016-9962).  vessel itself is dumpable again right after. */
	int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	if (!vs_weakened("dumpable"))
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	int clone_errno = errno;
	if (pid == 0)
		spawn_init_main(ctx);
	if (dumpable > 0)
		prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
	ns_pid_leave(saved_pidns);
	if (pid < 0)
		return vs_error_errno(err, clone_errno, "clone3");
	ctx->pid = (pid_t)pid;
	ctx->pidfd = pidfd;
	close(ctx->sock_child);
	ctx->sock_child = -1;
	return report_started(ctx, err);
}

/* linux.netDevices: the init's network namespace exists and its mounts
 * are made (SYNC_HOOKS_REQ); moved before the prestart and createRuntime
 * hooks, so they (and the container) find the interfaces in place. */
static int parent_net_devices(struct spawn_ctx *ctx, struct vs_error *err)
{
	const struct oci_linux *l = ctx->c->lnx;
	if (!l || !l->n_net_devices)
		return 0;
	_cleanup_free_ struct net_dev *devs = vs_malloc0(l->n_net_devices * sizeof(*devs));
	for (size_t i = 0; i < l->n_net_devices; i++)
		devs[i] = (struct net_dev){l->net_devices[i].host_name, l->net_devices[i].name};
	return net_devices_move(ctx->pidfd, devs, l->n_net_devices, err);
}

/* Both hook kinds of the runtime namespaces run with the pid now known. */
static int parent_hooks(struct spawn_ctx *ctx, struct vs_error *err)
{
	const struct spawn_config *cfg = ctx->cfg;
	if (parent_net_devices(ctx, err) < 0)
		return -1;
	_cleanup_free_ char *creating = cfg->state_json(cfg->state_data, ctx->pid, "creating");
	_cleanup_free_ char *created = cfg->state_json(cfg->state_data, ctx->pid, "created");
	static const enum oci_hook_kind kinds[] = {OCI_HOOK_PRESTART, OCI_HOOK_CREATE_RUNTIME};
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		const struct oci_hook_list *l = &ctx->c->hooks[kinds[i]];
		if (l->n && hooks_run_in(kinds[i], l, creating, HOOKS_FAIL, cfg->bundle, err) < 0)
			return -1;
	}
	if (sync_send(ctx->sock_parent, SYNC_HOOKS_ACK, creating, strlen(creating), -1, err) < 0)
		return -1;
	return sync_send(ctx->sock_parent, SYNC_STATE, created, strlen(created), -1, err);
}

/* userns_fd: the init's user namespace, sent along when vessel is
 * unprivileged (init.c step_idmap). */
static int parent_idmap(struct spawn_ctx *ctx, int userns_fd, struct vs_error *err)
{
	const struct oci_linux *l = ctx->c->lnx;
	if (ctx->ns.new_user &&
	    ns_write_id_maps(ctx->pid, userns_fd, l->uid_mappings, l->n_uid_mappings,
			     l->gid_mappings, l->n_gid_mappings, err) < 0)
		return -1;
	if (ctx->ns.new_time &&
	    ns_write_time_offsets(ctx->pid, &l->time_monotonic, &l->time_boottime, err) < 0)
		return -1;
	return sync_send(ctx->sock_parent, SYNC_IDMAP_ACK, NULL, 0, -1, err);
}

static int parent_seccomp_fd(struct spawn_ctx *ctx, int notify, struct vs_error *err)
{
	const struct oci_config *c = ctx->c;
	struct sc_listener_state st = {
	    .id = ctx->cfg->id,
	    .status = "creating",
	    .pid = ctx->pid,
	    .bundle = ctx->cfg->bundle,
	    .annotations = c->annotations,
	    .n_annotations = c->n_annotations,
	    .metadata = sc_filter_listener_metadata(ctx->seccomp),
	};
	_cleanup_free_ char *payload = sc_listener_payload(&st);
	if (ctx->seccomp_listener < 0)
		return vs_error_set(err, "seccomp notify fd without a listener");
	if (sc_send_listener(ctx->seccomp_listener, notify, payload, err) < 0)
		return vs_error_wrap(err, "linux.seccomp.listenerPath");
	/* EOF tells the agent the state is complete (exec does the same): an
	 * agent that reads to EOF would otherwise wait for `create` to end,
	 * while the init waits on its first notified syscall. */
	close(ctx->seccomp_listener);
	ctx->seccomp_listener = -1;
	return sync_send(ctx->sock_parent, SYNC_SECCOMP_ACK, NULL, 0, -1, err);
}

static int parent_switch_pid(struct spawn_ctx *ctx, const char *payload, struct vs_error *err)
{
	int pid;
	if (!payload || vs_parse_int(payload, &pid) < 0 || pid <= 0)
		return vs_error_set(err, "sync: bad pid from the init");
	siginfo_t si;
	while (waitid(P_PIDFD, (id_t)ctx->pidfd, &si, WEXITED) < 0 && errno == EINTR)
		;
	close(ctx->pidfd);
	ctx->pidfd = pidfd_open(pid, 0);
	if (ctx->pidfd < 0)
		return vs_error_errno(err, errno, "pidfd_open %d", pid);
	ctx->pid = pid;
	return report_started(ctx, err);
}

/* Serve the init's requests until it is ready or fails. */
static int handshake(struct spawn_ctx *ctx, struct vs_error *err)
{
	for (;;) {
		struct sync_msg m;
		if (sync_recv(ctx->sock_parent, &m, err) < 0)
			return vs_error_set(err, "container init exited during setup");
		int r = 0;
		switch (m.type) {
		case SYNC_IDMAP_REQ:
			r = parent_idmap(ctx, m.fd, err);
			break;
		case SYNC_HOOKS_REQ:
			r = parent_hooks(ctx, err);
			break;
		case SYNC_SECCOMP_FD:
			r = parent_seccomp_fd(ctx, m.fd, err);
			break;
		case SYNC_PTY:
			ctx->pty_master = TAKE_FD(m.fd);
			break;
		case SYNC_PID:
			r = parent_switch_pid(ctx, m.payload, err);
			break;
		case SYNC_READY:
			sync_msg_clear(&m);
			return 0;
		case SYNC_ERROR:
			vs_error_set_raw(err, m.errnum, m.payload ? m.payload : "unknown error");
			r = -1;
			break;
		default:
			r = vs_error_set(err, "sync: unexpected %s from init",
					 sync_type_name(m.type));
		}
		sync_msg_clear(&m);
		if (r < 0)
			return -1;
	}
}

static void ctx_clear(struct spawn_ctx *ctx)
{
	ns_plan_clear(&ctx->ns);
	proc_plan_clear(&ctx->proc);
	rootfs_plan_free(ctx->rootfs);
	sc_filter_free(ctx->seccomp);
	cg_handle_free(ctx->cgroup);
	int *fds[] = {&ctx->seccomp_listener, &ctx->console, &ctx->fifo_path, &ctx->sock_parent,
		      &ctx->sock_child,	      &ctx->pidfd,   &ctx->pty_master};
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
}

/* A half-made container: kill and reap the init, remove the cgroup. */
static void teardown(struct spawn_ctx *ctx)
{
	if (ctx->pidfd >= 0) {
		pidfd_send_signal(ctx->pidfd, SIGKILL, NULL, 0);
		siginfo_t si;
		while (waitid(P_PIDFD, (id_t)ctx->pidfd, &si, WEXITED) < 0 && errno == EINTR)
			;
	}
	struct vs_error ignored = VS_ERROR_INIT;
	if (ctx->cgroup && cg_destroy(ctx->cgroup, &ignored) < 0)
		vs_error_clear(&ignored);
}

static int spawn_fill_result(struct spawn_ctx *ctx, struct spawn_result *ret, struct vs_error *err)
{
	/* Hybrid hosts: the v1 cgroups (accounting, and the cpu, memory and
	 * pids limits already written there) are joined once the init is
	 * ready, before it executes anything of the user's. */
	if (cg_v1_enter(ctx->cgroup, ctx->pid, err) < 0)
		return -1;
	ret->start_time = ctx->start_time;
	ret->pid = ctx->pid;
	ret->pidfd = TAKE_FD(ctx->pidfd);
	ret->rootfs = vs_strdup(rootfs_plan_root(ctx->rootfs));
	ret->cgroup_path = vs_strdup(cg_handle_path(ctx->cgroup));
	ret->pty_master = TAKE_FD(ctx->pty_master);
	return 0;
}

int spawn_init(const struct spawn_config *cfg, struct spawn_result *ret, struct vs_error *err)
{
	struct spawn_ctx ctx = {
	    .cfg = cfg,
	    .c = cfg->config,
	    .seccomp_listener = -1,
	    .console = -1,
	    .fifo_path = -1,
	    .fd_dir = -1,
	    .sock_parent = -1,
	    .sock_child = -1,
	    .pidfd = -1,
	    .fifo = -1,
	    .pty_master = -1,
	};
	for (int i = 0; i < OCI_NS_COUNT; i++)
		ctx.ns.join_fds[i] = -1;
	*ret = (struct spawn_result){.pidfd = -1, .pty_master = -1};
	int r = spawn_run_steps("prepare", prepare_steps, ARRAY_SIZE(prepare_steps), &ctx, err);
	/* Hybrid hosts: the init inherits the v1 cgroups (see cgroup.h).  A
	 * container without a cgroup (rootless) joins none, so vessel has
	 * nowhere to return from (and may not write its own v1 cgroups). */
	_cleanup_strv_ char **own_v1 = r == 0 && cg_handle_fd(ctx.cgroup) >= 0 ? cg_v1_own() : NULL;
	if (r == 0)
		r = cg_v1_enter(ctx.cgroup, getpid(), err);
	if (r == 0)
		r = do_clone(&ctx, err);
	if (own_v1) {
		struct vs_error ignored = VS_ERROR_INIT;
		if (cg_v1_return(own_v1, r == 0 ? err : &ignored) < 0)
			r = -1;
		vs_error_clear(&ignored);
	}
	if (r == 0)
		r = handshake(&ctx, err);
	if (r == 0)
		r = spawn_fill_result(&ctx, ret, err);
	if (r < 0)
		teardown(&ctx);
	ctx_clear(&ctx);
	return r;
}

void spawn_result_clear(struct spawn_result *r)
{
	if (r->pidfd >= 0)
		close(r->pidfd);
	if (r->pty_master >= 0)
		close(r->pty_master);
	free(r->rootfs);
	free(r->cgroup_path);
	*r = (struct spawn_result){.pidfd = -1, .pty_master = -1};
}
