/* linux.seccomp -> a loaded seccomp filter.
 *
 * The work is split so the child does almost nothing:
 *
 *   parent, before the clone            child, last steps before execve
 *   ---------------------------------   ---------------------------------
 *   sc_compile(cfg->lnx->seccomp, &f)
 *     libseccomp builds the filter,
 *     names/actions/ops/archs/flags
 *     are checked, the BPF program is
 *     exported into f (plain memory)
 *   if (sc_filter_listener_path(f))
 *     sc_listener_connect(path, &lfd)   (the socket lives in the host mount
 *                                        namespace: connect before the clone)
 *                          --- clone ---
 *                                       sc_load(f, &notify_fd)
 *                                         one seccomp(2) call, no allocation
 *                                       if notify_fd >= 0:
 *                                         hand it to the listener (see below)
 *                                       close fds, execve
 *
 * Ordering rule (where the spawn must call sc_load): as the very last step
 * before execve, after the user switch, the capabilities, the exec FIFO and
 * the startContainer hooks, so a profile need allow nothing of vessel's
 * own (tests/security/seccomp-order.bats runs busybox under an allow-list
 * of only its syscalls).  Without noNewPrivileges the kernel only lets a
 * task holding CAP_SYS_ADMIN (in its user namespace) install a filter: the
 * capabilities step keeps it in the permitted and effective sets until
 * execve, which drops it (proc_plan.caps_hold, runtime/process).
 * The startContainer hooks run under the filter too, as with runc (whose
 * init loads it before them): each forked hook loads it right before its
 * own execve (hooks_opts.pre_exec, runtime/spawn/exec.c), so the init's
 * order above is kept.
 *
 * Syscalls vessel makes after sc_load (runtime/spawn/exec.c,
 * runtime/exec/child.c):
 *   always:        execve; on failure write (the error) + exit_group (in a
 *                  startContainer hook's process: the same)
 *   with NOTIFY, in the init only (the notify fd must reach the parent over
 *   the sync socket, gone after "ready"): sendmsg, recvmsg (the ack), close,
 *                  prctl (PR_SET_PDEATHSIG), sendmsg (ready), openat + write
 *                  + close (exec FIFO), sched_setaffinity (final affinity),
 *                  and the startContainer hooks' clone, execve, pipe2, read,
 *                  poll, wait4, pidfd_open, kill.
 * A profile that denies one of these fails the container start with the
 * errno of that syscall (an ERRNO action) or kills the init (KILL actions).
 *
 * Handing over the notify fd: sc_send_listener() sends one message with the
 * fd (SCM_RIGHTS) and the container process state JSON built by
 * sc_listener_payload().  The state holds the host pid, which the child does
 * not know; so either the child passes notify_fd to the parent over the sync
 * socket and the parent calls sc_send_listener(lfd, ...) (runc's way), or
 * the parent sends the finished payload to the child, which calls it.
 * Either way the listener must have the fd before the process execs: a
 * NOTIFY syscall with no listener blocks forever.
 *
 * Flags: SECCOMP_FILTER_FLAG_LOG, _SPEC_ALLOW, _WAIT_KILLABLE_RECV and
 * _TSYNC are passed to seccomp(2) by sc_load; sc_compile checks that the
 * running kernel knows each one and fails clearly otherwise.
 * WAIT_KILLABLE_RECV only means something with a listener; on a filter
 * without NOTIFY it is dropped (the kernel would refuse the pair).
 *
 * ENOSYS stub: when defaultAction is SCMP_ACT_ERRNO (errno other than
 * ENOSYS), syscalls numbered above the highest one the profile names get
 * ENOSYS, as with runc, so libc falls back to older syscalls instead of
 * failing with EPERM on kernels newer than the profile. */
#ifndef VESSEL_RUNTIME_SECCOMP_SECCOMP_H
#define VESSEL_RUNTIME_SECCOMP_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/oci.h"

struct sc_filter;

/* Build and check the filter.  Unknown syscall names are skipped (logged at
 * debug level), as runc does; an unknown action, operator, architecture or
 * flag, a bad argument index, or NOTIFY without listenerPath is an error
 * naming the JSON path ("linux.seccomp.syscalls[2].action: ...").
 * seccomp may be NULL: *ret_filter is then NULL too (nothing to load). */
int sc_compile(const struct oci_seccomp *seccomp, struct sc_filter **ret_filter,
	       struct vs_error *err);
void sc_filter_free(struct sc_filter *filter);

/* sc_compile through a cache of compiled filters in cache_dir (the runtime
 * uses <--root>/@cache/seccomp; made 0700 if its parent exists, entries
 * 0600).  Same results and errors as sc_compile; a cache that cannot be
 * read or written is only logged at debug level.  cache_dir NULL = no
 * cache.  The key (SHA-256) covers the profile, vessel's and libseccomp's
 * versions, the native arch and the running kernel. */
int sc_compile_cached(const struct oci_seccomp *seccomp, const char *cache_dir,
		      struct sc_filter **ret_filter, struct vs_error *err);
#define SC_CACHE_KEY_LEN 32
int sc_cache_key(const struct oci_seccomp *seccomp, unsigned char key[SC_CACHE_KEY_LEN],
		 struct vs_error *err);
/* <cache_dir>/<hex key>.bpf, freshly allocated. */
char *sc_cache_entry_path(const char *cache_dir, const unsigned char key[SC_CACHE_KEY_LEN]);

/* listenerPath when the profile uses SCMP_ACT_NOTIFY, else NULL. */
const char *sc_filter_listener_path(const struct sc_filter *filter);
const char *sc_filter_listener_metadata(const struct sc_filter *filter);
/* Number of BPF instructions (for tests and --debug). */
size_t sc_filter_size(const struct sc_filter *filter);

/* Child side: install the filter with one seccomp(2) call.  No allocation on
 * success.  *ret_notify_fd gets the user-notification fd (O_CLOEXEC) when
 * the filter uses NOTIFY, else -1; ret_notify_fd may be NULL only for a
 * filter without NOTIFY.  filter NULL is a no-op. */
int sc_load(const struct sc_filter *filter, int *ret_notify_fd, struct vs_error *err);

/* Connect a SOCK_STREAM unix socket to path (O_CLOEXEC). */
int sc_listener_connect(const char *path, int *ret_fd, struct vs_error *err);

/* What the listener is told about the container (runtime-spec "container
 * process state"). */
struct sc_listener_state {
	const char *id;
	const char *status; /* "creating" */
	pid_t pid;	    /* host pid of the container process */
	const char *bundle; /* absolute path */
	const struct oci_kv *annotations;
	size_t n_annotations;
	const char *metadata; /* listenerMetadata, may be NULL */
};

/* The JSON object sent with the fd:
 * {"ociVersion","fds":["seccompFd"],"pid","metadata","state":{...}}. */
char *sc_listener_payload(const struct sc_listener_state *state);

/* Send payload and notify_fd in one sendmsg (SCM_RIGHTS) on sock_fd. */
int sc_send_listener(int sock_fd, int notify_fd, const char *payload, struct vs_error *err);

/* The profile `vessel spec` writes: an allow-list, default ERRNO(EPERM),
 * for x86_64 and arm64 (and their 32-bit compat ABIs).  Freshly allocated in
 * the layout of oci/oci.h, so oci_config_free() frees it as part of a
 * config; sc_profile_free() frees a lone one. */
struct oci_seccomp *sc_default_profile(void);
void sc_profile_free(struct oci_seccomp *seccomp);

#endif
