/* OCI lifecycle hooks: run one hook list (config.json "hooks.<kind>").
 *
 * Each hook is fork+execve of `path` with argv = `args` (args[0] is argv[0];
 * no args: argv = {path}), envp = exactly the hook's `env` (nothing of
 * vessel's own environment), the spec state JSON on stdin (a pipe filled
 * before the fork, EOF after it), stdout and stderr both on vessel's stderr
 * (fd 2: a hook must never write into a container's stdout stream), no other
 * fd, default signal dispositions and an empty signal mask.  stderr passes
 * through a pipe: vessel copies it to its stderr and keeps the last 1 KiB
 * for the error of a failed hook (runc puts it in its error too).  `timeout`
 * seconds (when set) is enforced with a pidfd: the hook is SIGKILLed and the
 * error reads "<kind> hook #<i> <path>: timed out after <N> s".
 *
 * Errors name the kind, the index in the list, the path, and the cause:
 *   "error running hook: createRuntime hook #1 /usr/bin/x: exited with status 3"
 *   "error running hook: prestart hook #0 /bin/nope: exec: No such file or directory"
 *   "error running hook: poststart hook #0 /bin/y: killed by signal 9 (SIGKILL: killed)"
 *   "error running hook: prestart hook #0 /bin/z: exited with status 1, stderr: no such device"
 *
 * Where each kind is called (runtime-spec v1.2 config.md "POSIX-platform
 * Hooks" and runtime.md "Lifecycle"), for the spawn:
 *
 *   kind            process that calls hooks_run      when                       on failure
 *   --------------  --------------------------------  -------------------------  -----------
 *   prestart        vessel parent (runtime ns)        create: after the child's   fail create
 *                                                     namespaces and mounts exist,
 *                                                     before pivot_root (runc's
 *                                                     placement), BEFORE createRuntime
 *   createRuntime   vessel parent (runtime ns)        same point, after prestart  fail create
 *   createContainer the container init (container    after createRuntime returned fail create
 *                   ns), BEFORE pivot_root: the path  (parent acks), after rootfs
 *                   still resolves in the runtime's   mounts, before pivot
 *                   filesystem, as the spec requires
 *   startContainer  the container init, after pivot   start: after the exec FIFO  fail start
 *                   (path resolves in the container)  released the init, right    (init exits,
 *                                                     before execve of the user   start errors)
 *                                                     process
 *   poststart       vessel `start`/`run` (runtime ns) after the user process was  warn only
 *                                                     started, before start       (spec 1.2;
 *                                                     returns                     runc kills)
 *   poststop        vessel `delete` (runtime ns)      after the container is      warn only
 *                                                     deleted (cgroup and state
 *                                                     dir gone, lock released),
 *                                                     before delete returns
 *
 * State JSON: oci_state_to_json(state, true).  Status is "creating" for
 * prestart/createRuntime/createContainer, "created" for startContainer,
 * "running" for poststart, "stopped" for poststop; pid is the init's pid in
 * the runtime's pid namespace (the parent sends the JSON to the init over the
 * sync socket for the two in-container kinds: the init cannot know its host
 * pid).
 *
 * Works from any process: the vessel parent, or the container's init (pid 1
 * of a new pid namespace; plain fork there).  The caller must not reap
 * children with waitpid(-1) while a hook runs (signalfd/blocked SIGCHLD is
 * fine).  A failed hook list of policy HOOKS_FAIL has already run every hook
 * before the failing one; the caller tears the container down. */
#ifndef VESSEL_RUNTIME_HOOKS_H
#define VESSEL_RUNTIME_HOOKS_H

#include "lib/error.h"
#include "oci/oci.h"

enum hooks_policy {
	HOOKS_FAIL, /* stop at the first failing hook and return -1 */
	HOOKS_WARN, /* log a warning per failing hook, run the rest, return 0 */
};

/* The spec's policy for a kind: HOOKS_WARN for poststart and poststop,
 * HOOKS_FAIL for the others. */
enum hooks_policy hooks_default_policy(enum oci_hook_kind kind);

/* Run list->hooks[0..n) in order.  state_json may be NULL (empty stdin).
 * Returns 0, or -1 with err set (only with HOOKS_FAIL). */
int hooks_run(enum oci_hook_kind kind, const struct oci_hook_list *list, const char *state_json,
	      enum hooks_policy policy, struct vs_error *err);

/* The same, each hook started in directory cwd (NULL: the caller's).  The
 * working directory of each kind, as runc 1.1.5 has it (the spec names
 * none): prestart, createRuntime and poststart the bundle; createContainer
 * the container's root before pivot_root (the rootfs path); startContainer
 * the process's cwd (the init is there by then); poststop the caller's. */
int hooks_run_in(enum oci_hook_kind kind, const struct oci_hook_list *list, const char *state_json,
		 enum hooks_policy policy, const char *cwd, struct vs_error *err);

/* hooks_run_in with more per-hook settings: cwd (NULL: the caller's), and
 * pre_exec, called in the forked hook process right before its execve
 * (after its fds are set up; async-signal-safe work only; returns < 0 with
 * errno set, reported as "<pre_exec_what>: <errno>").  The init uses it to
 * run startContainer hooks under the container's seccomp filter, as runc
 * does, while the init itself stays unfiltered until its own execve. */
struct hooks_opts {
	const char *cwd;
	int (*pre_exec)(void *arg);
	void *pre_exec_arg;
	const char *pre_exec_what;
};
int hooks_run_opts(enum oci_hook_kind kind, const struct oci_hook_list *list,
		   const char *state_json, enum hooks_policy policy, const struct hooks_opts *o,
		   struct vs_error *err);

/* Run one hook; `index` only labels errors. */
int hooks_run_one(enum oci_hook_kind kind, size_t index, const struct oci_hook *hook,
		  const char *state_json, struct vs_error *err);

#endif
