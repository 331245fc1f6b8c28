/* The init stage: what the container's init does between clone3 and
 * SYNC_READY, as one ordered list of steps (init_steps below).  The order is
 * the contract, and part of it is a security property: each step's comment
 * says what it needs from the earlier ones.  Any failure is sent to the
 * parent as SYNC_ERROR and the init exits.
 *
 * The three rules the order keeps (CVE-2024-21626, CVE-2016-9962):
 *  - the init is born non-dumpable (do_clone) and stays so until execve, so
 *    no process of the container can ptrace it or open /proc/<init>/fd,
 *    mem or environ while it still runs vessel's code;
 *  - "fds" closes every fd of vessel's right after the namespaces are
 *    joined, before the first container path is resolved (rootfs, cwd,
 *    args[0]); what it keeps is listed there, with why each is harmless;
 *  - the cwd is checked to be inside the root after whichever chdir sticks.
 * And the seccomp filter goes on as late as it can (in exec.c, right
 * before execve), so a profile need not allow vessel's own syscalls. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/sanitize.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/weaken.h"
#include "runtime/hooks/hooks.h"
#include "runtime/net/net.h"
#include "runtime/spawn/spawn-internal.h"
#include "runtime/terminal/terminal.h"

static int step_identity(struct spawn_ctx *ctx, struct vs_error *err)
{
	sigset_t none;
	sigemptyset(&none);
	/* vessel may have blocked the signals `run` forwards; the user process
	 * must start with an empty mask. */
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_NAME, "vessel:init", 0, 0, 0);
	/* Until SYNC_READY the init is half-made: it must die with its parent. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return vs_error_errno(err, errno, "set parent death signal");
	/* do_clone made us non-dumpable already (the flag is copied with the
	 * mm); say it again here so this list shows it.  Nothing before execve
	 * may turn it back on: the user switch and the user namespace only
	 * ever lower it (commit_creds), and execve restores it for the user's
	 * program. */
	if (!vs_weakened("dumpable") && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return vs_error_errno(err, errno, "set non-dumpable");
	close(ctx->sock_parent);
	ctx->sock_parent = -1;
	if (ctx->cfg->close_in_init >= 0)
		close(ctx->cfg->close_in_init);
	/* The agent reads the state to EOF: our copy of the parent's
	 * connection would keep it waiting (even with "fds" weakened). */
	if (ctx->seccomp_listener >= 0)
		close(ctx->seccomp_listener);
	ctx->seccomp_listener = -1;
	return 0;
}

/* unshare(CLONE_NEWPID) only moves children: the child forks, tells the
 * parent the grandchild's pid and exits; the grandchild, pid 1 of the new
 * namespace, carries on as the init.  The pipe keeps the grandchild from
 * talking to the parent before the parent knows who it is. */
static int fork_for_pid(struct spawn_ctx *ctx, struct vs_error *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return vs_error_errno(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0)
		return vs_error_errno(err, errno, "fork into the pid namespace");
	if (pid > 0) {
		char buf[16];
		snprintf(buf, sizeof(buf), "%d", (int)pid);
		int r = sync_send(ctx->sock_child, SYNC_PID, buf, strlen(buf), -1, err);
		if (r == 0)
			(void)!write(p[1], "x", 1);
		_exit(r < 0 ? 1 : 0);
	}
	close(p[1]);
	char c;
	ssize_t n = read(p[0], &c, 1);
	close(p[0]);
	if (n != 1)
		return vs_error_set(err, "the forking process died");
	prctl(PR_SET_NAME, "vessel:init", 0, 0, 0);
	vs_sanitizer_child(); /* the report fd is bound to a pid: ours is new */
	return 0;
}

static int step_namespaces(struct spawn_ctx *ctx, struct vs_error *err)
{
	if (ns_join(&ctx->ns, err) < 0 || ns_unshare_late(&ctx->ns, err) < 0)
		return -1;
	if (ctx->ns.fork_for_pid && fork_for_pid(ctx, err) < 0)
		return -1;
	return ns_unshare_time(&ctx->ns, err);
}

/* Right after the joins (the last use of the namespace fds) and before
 * the first container path is resolved: from here the init holds no fd of
 * vessel's but these, none of which leads anywhere on the host through
 * /proc/self/fd (CVE-2024-21626):
 *   0..2 and --preserve-fds/LISTEN_FDS  the caller's, meant for the process;
 *   sock_child   a socketpair end: a socket cannot be a cwd, a path prefix or
 *                a binary, and reopening one through /proc fails (ENXIO);
 *                closed when the init is ready;
 *   fifo_path    O_PATH of the exec FIFO in the state dir: a FIFO, not a
 *                directory, so nothing can be walked from it, and execve
 *                refuses it; closed once the init has opened it;
 *   console      the --console-socket connection, a socket; closed by
 *                "terminal";
 *   rootfs fds   detached id-mapped trees of bind sources that become the
 *                container's mounts anyway; "rootfs" consumes them;
 *   log file     --log, a regular file opened O_WRONLY|O_APPEND|O_CLOEXEC:
 *                not a directory (nothing to walk or chdir into), and only
 *                this non-dumpable process can reach it; the steps' --debug
 *                lines go there until execve closes it (runc keeps its log
 *                pipe the same way).  With --debug and no --log it is
 *                instead a CLOEXEC copy of the stderr the init was born
 *                with (the caller's, which a container without a terminal
 *                gets as its fd 2 anyway), above the preserved fds.
 * Gone: the state-dir lock (closed by "identity"), the host namespace fds
 * of linux.namespaces paths, the cgroup directory, the seccomp listener
 * socket, and whatever vessel's caller leaked to it. */
static int step_fds(struct spawn_ctx *ctx, struct vs_error *err)
{
	int keep[5 + 64];
	size_t n = 0;
	if (vs_weakened("fds"))
		return proc_pass_fds(ctx->n_preserve, err);
	keep[n++] = vs_sanitizer_fd();
	keep[n++] = vs_log_fd();
	keep[n++] = ctx->sock_child;
	keep[n++] = ctx->fifo_path;
	keep[n++] = ctx->console;
	size_t n_rootfs = rootfs_plan_fds(ctx->rootfs, keep + n, ARRAY_SIZE(keep) - n);
	if (n_rootfs > ARRAY_SIZE(keep) - n)
		return vs_error_set(err, "more than %zu id-mapped mounts", ARRAY_SIZE(keep) - n);
	n += n_rootfs;
	return proc_close_fds(ctx->n_preserve, keep, n, err);
}

/* The maps are written by the parent (it holds CAP_SETUID/CAP_SETGID over
 * the new user namespace); the time offsets too, and only then may the init
 * enter its time namespace. */
static int step_idmap(struct spawn_ctx *ctx, struct vs_error *err)
{
	if (ctx->ns.new_user || ctx->ns.new_time) {
		/* Rootless: the parent writes the maps through a stand-in that
		 * joins our user namespace by this fd (ns/idmap-rootless.c),
		 * so we stay non-dumpable.  The time offsets still need
		 * /proc/<init>/timens_offsets to be the unprivileged parent's:
		 * with a time namespace, and only then, the init is dumpable
		 * for the exchange (nothing of the container runs yet; the
		 * window is in docs/security.md). */
		bool rootless_maps = ctx->ns.rootless && ctx->ns.new_user;
		bool dumpable_window = ctx->ns.rootless && ctx->ns.new_time;
		if (rootless_maps && vs_weakened("idmap-standin")) {
			rootless_maps = false; /* maps through us, dumpable */
			dumpable_window = true;
		}
		_cleanup_close_ int userns = -1;
		if (rootless_maps) {
			userns = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
			if (userns < 0)
				return vs_error_errno(err, errno, "open /proc/self/ns/user");
		}
		if (dumpable_window && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
			return vs_error_errno(err, errno, "set dumpable for the parent's writes");
		struct sync_msg m;
		if (sync_send(ctx->sock_child, SYNC_IDMAP_REQ, NULL, 0, userns, err) < 0 ||
		    sync_expect(ctx->sock_child, SYNC_IDMAP_ACK, &m, err) < 0)
			return -1;
		sync_msg_clear(&m);
		if (dumpable_window && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
			return vs_error_errno(err, errno, "set non-dumpable");
	}
	if (ctx->ns.new_time && ns_enter_time(err) < 0)
		return -1;
	/* In a user namespace vessel's uid 0 may be unmapped: become the
	 * namespace's root so files the setup creates have a valid owner. */
	if (ctx->ns.has[OCI_NS_USER]) {
		if (setresgid(0, 0, 0) < 0)
			return vs_error_errno(err, errno, "setresgid 0 in the user namespace");
		if (setresuid(0, 0, 0) < 0)
			return vs_error_errno(err, errno, "setresuid 0 in the user namespace");
	}
	return 0;
}

static int step_hostname(struct spawn_ctx *ctx, struct vs_error *err)
{
	const char *h = ctx->c->hostname, *d = ctx->c->domainname;
	if (h && sethostname(h, strlen(h)) < 0)
		return vs_error_errno(err, errno, "hostname: sethostname \"%s\"", h);
	if (d && setdomainname(d, strlen(d)) < 0)
		return vs_error_errno(err, errno, "domainname: setdomainname \"%s\"", d);
	return 0;
}

/* Namespaced sysctls are written through the host's /proc, still mounted
 * here: /proc/sys/net and /proc/sys/kernel answer for the writer's
 * namespaces, and the rootfs step has not masked anything yet. */
static int step_sysctl(struct spawn_ctx *ctx, struct vs_error *err)
{
	return proc_apply_sysctl(&ctx->proc, err);
}

static int step_network(struct spawn_ctx *ctx, struct vs_error *err)
{
	if (!ctx->ns.has[OCI_NS_NETWORK] || ctx->ns.join_fds[OCI_NS_NETWORK] >= 0)
		return 0;
	return net_loopback_up(err);
}

/* A session keyring of its own, so the container cannot read the keys of
 * whoever ran vessel (runc's behaviour, --no-new-keyring opts out). */
static int step_keyring(struct spawn_ctx *ctx, struct vs_error *err)
{
	if (ctx->cfg->no_new_keyring)
		return 0;
	_cleanup_free_ char *name = vs_strdup_printf("_ses.%s", ctx->cfg->id);
	/* KEYCTL_JOIN_SESSION_KEYRING = 1 */
	if (syscall(SYS_keyctl, 1, name, 0, 0, 0) < 0 && errno != ENOSYS)
		return vs_error_errno(err, errno, "join session keyring %s", name);
	return 0;
}

static int step_rootfs(struct spawn_ctx *ctx, struct vs_error *err)
{
	return rootfs_prepare(ctx->rootfs, err);
}

/* Whether the parent has work at the hooks step: a hook that needs the
 * state it sends, or linux.netDevices to move in (parent_net_devices). */
static bool init_has_setup_hooks(const struct oci_config *c)
{
	return c->hooks[OCI_HOOK_PRESTART].n || c->hooks[OCI_HOOK_CREATE_RUNTIME].n ||
	       c->hooks[OCI_HOOK_CREATE_CONTAINER].n || c->hooks[OCI_HOOK_START_CONTAINER].n ||
	       (c->lnx && c->lnx->n_net_devices);
}

/* prestart and createRuntime run in the parent (runtime namespaces) now
 * that the mounts exist; createContainer then runs here, in the container's
 * namespaces but before pivot_root, as the spec places it.  Without any of
 * those hooks (or startContainer, which needs the "created" state) and
 * without netDevices to move, the round trip is skipped: the parent only
 * answers requests, and its two state JSONs and the wake-ups cost `run`
 * about 0.5 ms (bench/NOTES.md). */
static int step_hooks(struct spawn_ctx *ctx, struct vs_error *err)
{
	struct sync_msg m;
	if (!init_has_setup_hooks(ctx->c))
		return 0;
	if (sync_send(ctx->sock_child, SYNC_HOOKS_REQ, NULL, 0, -1, err) < 0 ||
	    sync_expect(ctx->sock_child, SYNC_HOOKS_ACK, &m, err) < 0)
		return -1;
	ctx->state_creating = TAKE_PTR(m.payload);
	sync_msg_clear(&m);
	if (sync_expect(ctx->sock_child, SYNC_STATE, &m, err) < 0)
		return -1;
	ctx->state_created = TAKE_PTR(m.payload);
	sync_msg_clear(&m);
	const struct oci_hook_list *l = &ctx->c->hooks[OCI_HOOK_CREATE_CONTAINER];
	if (l->n == 0)
		return 0;
	return hooks_run_in(OCI_HOOK_CREATE_CONTAINER, l, ctx->state_creating, HOOKS_FAIL,
			    rootfs_plan_root(ctx->rootfs), err);
}

static int step_pivot(struct spawn_ctx *ctx, struct vs_error *err)
{
	/* Without a mount namespace nothing is mounted on the root's /proc:
	 * keep our fd table's directory to reopen the exec FIFO through.  The
	 * init is non-dumpable until execve and exec.c closes it before
	 * then, so the container never reaches this host /proc fd. */
	if (!ctx->ns.has[OCI_NS_MOUNT]) {
		ctx->fd_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (ctx->fd_dir < 0)
			return vs_error_errno(err, errno, "open /proc/self/fd");
	}
	int r = rootfs_pivot(ctx->rootfs, err);
	vs_sanitizer_selftest("init");
	return r;
}

/* After pivot: the pty must come from the container's own devpts. */
static int step_terminal(struct spawn_ctx *ctx, struct vs_error *err)
{
	const struct oci_process *p = ctx->c->process;
	/* Without a terminal the init still leads a session of its own, as
	 * runc's: CRIU refuses to dump a tree whose session leader is outside
	 * it (vessel's), and the caller's terminal signals stay vessel's. */
	if (!p->terminal)
		return setsid() < 0 ? vs_error_errno(err, errno, "setsid") : 0;
	struct term_pty pty = TERM_PTY_INIT;
	if (term_pty_open("/dev/ptmx", p->console_size, &pty, err) < 0)
		return -1;
	int r = rootfs_bind_console(ctx->rootfs, pty.slave, err);
	if (r == 0 && ctx->console >= 0)
		r = term_send_fd(ctx->console, pty.master, pty.slave_name, strlen(pty.slave_name),
				 err);
	else if (r == 0)
		r = sync_send(ctx->sock_child, SYNC_PTY, NULL, 0, pty.master, err);
	if (r == 0)
		r = term_pty_make_stdio(pty.slave, p->user.uid, err);
	if (pty.slave <= 2)
		pty.slave = -1; /* it became stdio: keep it */
	term_pty_close(&pty);
	if (ctx->console >= 0)
		close(ctx->console);
	ctx->console = -1;
	return r;
}

/* What the setup opened of its own (the rootfs's root fd, now "/") and any
 * fd a step forgot: only the sync socket and the FIFO (and, without a mount
 * namespace, the fd dir of step_pivot) go on to "ready".
 * Right after the last step that opens fds of vessel's, before the cwd and
 * the program are resolved. */
static int step_fds_setup(struct spawn_ctx *ctx, struct vs_error *err)
{
	int keep[5] = {ctx->sock_child, ctx->fifo_path, ctx->fd_dir, vs_sanitizer_fd(),
		       vs_log_fd()};
	if (vs_weakened("fds"))
		return 0;
	return proc_close_fds(ctx->n_preserve, keep, ARRAY_SIZE(keep), err);
}

/* As root, in the final root (after pivot): runc creates a missing cwd. */
static int step_cwd(struct spawn_ctx *ctx, struct vs_error *err)
{
	return proc_make_cwd(ctx->c->process->cwd, err);
}

static int step_attributes(struct spawn_ctx *ctx, struct vs_error *err)
{
	return proc_apply_attrs(&ctx->proc, err);
}

/* The listener must hold the notify fd before the user process can make a
 * NOTIFY syscall; the parent knows the host pid the message needs. */
int spawn_seccomp_load(struct spawn_ctx *ctx, struct vs_error *err)
{
	int notify = -1;
	if (sc_load(ctx->seccomp, &notify, err) < 0)
		return -1;
	if (notify < 0)
		return 0;
	struct sync_msg m;
	int r = sync_send(ctx->sock_child, SYNC_SECCOMP_FD, NULL, 0, notify, err);
	close(notify);
	if (r < 0 || sync_expect(ctx->sock_child, SYNC_SECCOMP_ACK, &m, err) < 0)
		return -1;
	sync_msg_clear(&m);
	return 0;
}

static int step_bounding(struct spawn_ctx *ctx, struct vs_error *err)
{
	return proc_caps_drop_bounding(&ctx->proc, err);
}

static int step_user(struct spawn_ctx *ctx, struct vs_error *err)
{
	return proc_switch_user(&ctx->c->process->user, err);
}

static int step_capabilities(struct spawn_ctx *ctx, struct vs_error *err)
{
	return proc_caps_apply(&ctx->proc, err);
}

/* As root, before the user switch (runc's order): a cwd only root can
 * search still works.  One root cannot enter is retried as the user. */
static int step_chdir(struct spawn_ctx *ctx, struct vs_error *err)
{
	return proc_chdir_privileged(ctx->c->process->cwd, &ctx->chdir_as_user, err);
}

static int step_chdir_user(struct spawn_ctx *ctx, struct vs_error *err)
{
	return ctx->chdir_as_user ? proc_chdir(ctx->c->process->cwd, err) : 0;
}

static int step_no_new_privs(struct spawn_ctx *ctx, struct vs_error *err)
{
	return proc_set_no_new_privs(ctx->c->process, err);
}

/* As the user, in the final root and cwd: exactly what execve will see. */
static int step_executable(struct spawn_ctx *ctx, struct vs_error *err)
{
	return proc_resolve_exe(&ctx->proc, err);
}

/* The filter goes on right before execve (exec.c), so no syscall of
 * vessel's is subject to it; without noNewPrivileges the kernel wants
 * CAP_SYS_ADMIN for it, which "capabilities" keeps until execve (caps_hold,
 * see parent.c).  Except when the profile has a listener: its notify fd
 * must reach the parent over the sync socket, which is gone after "ready". */
static int step_seccomp_notify(struct spawn_ctx *ctx, struct vs_error *err)
{
	return sc_filter_listener_path(ctx->seccomp) ? spawn_seccomp_load(ctx, err) : 0;
}

bool spawn_seccomp_at_exec(const struct spawn_ctx *ctx)
{
	return !sc_filter_listener_path(ctx->seccomp);
}

static int step_ready(struct spawn_ctx *ctx, struct vs_error *err)
{
	/* From here the init outlives `vessel create`. */
	if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0)
		return vs_error_errno(err, errno, "clear parent death signal");
	vs_sanitizer_selftest("init-ready");
	return sync_send(ctx->sock_child, SYNC_READY, NULL, 0, -1, err);
}

static const struct spawn_step init_steps[] = {
    {"identity", step_identity},
    {"namespaces", step_namespaces},
    {"fds", step_fds},
    {"idmap", step_idmap},
    {"hostname", step_hostname},
    {"sysctl", step_sysctl},
    {"network", step_network},
    {"keyring", step_keyring},
    {"rootfs", step_rootfs},
    {"hooks", step_hooks},
    {"pivot", step_pivot},
    {"terminal", step_terminal},
    {"fds-setup", step_fds_setup},
    {"cwd", step_cwd},
    {"attributes", step_attributes},
    {"bounding", step_bounding},
    {"chdir", step_chdir},
    {"user", step_user},
    {"capabilities", step_capabilities},
    {"chdir-as-user", step_chdir_user},
    {"no_new_privs", step_no_new_privs},
    {"executable", step_executable},
    {"seccomp-notify", step_seccomp_notify},
    {"ready", step_ready},
};

void spawn_init_main(struct spawn_ctx *ctx)
{
	struct vs_error err = VS_ERROR_INIT;
	vs_sanitizer_child(); /* before pivot_root: see lib/sanitize.h */
	/* Above the fds the container is given; "fds" keeps it (see there). */
	(void)vs_log_keep_stderr(3 + (int)ctx->n_preserve);
	if (spawn_run_steps("init", init_steps, ARRAY_SIZE(init_steps), ctx, &err) < 0) {
		sync_send_error(ctx->sock_child, &err);
		_exit(1);
	}
	close(ctx->sock_child);
	ctx->sock_child = -1;
	spawn_exec_stage(ctx);
}
