/* The parent/child protocol of the spawn: a closed set of messages over a
 * SOCK_SEQPACKET socketpair (one message per packet, boundaries kept, EOF
 * when the other side is gone).
 *
 *   parent (vessel create/run)                 child ("vessel:init")
 *   --------------------------                 ---------------------
 *   clone3(CLONE_NEW*, CLONE_PIDFD,
 *          CLONE_INTO_CGROUP)  ------------->  join namespaces by path,
 *                                              unshare cgroup (and time) ns
 *                               <------------  SYNC_PID {pid} (only for a new pid
 *                                              ns in a joined user ns: the child
 *                                              forked, the grandchild is the
 *                                              init; the child exits)
 *   reap the child, pidfd_open(pid)
 *                               <------------  SYNC_IDMAP_REQ  (only with a new
 *                                              user or time namespace)
 *   write uid_map, gid_map,
 *   timens_offsets
 *   SYNC_IDMAP_ACK  ------------------------>  become uid 0 of the user ns,
 *                                              enter the time ns; hostname,
 *                                              sysctl, lo up, keyring, rootfs
 *                                              mounts
 *                               <------------  SYNC_HOOKS_REQ (only with
 *                                              prestart, createRuntime,
 *                                              createContainer or
 *                                              startContainer hooks,
 *                                              or linux.netDevices)
 *   move netDevices in; prestart +
 *   createRuntime hooks (runtime ns)
 *   SYNC_HOOKS_ACK {state "creating"} ------>  createContainer hooks
 *   SYNC_STATE {state "created"} ----------->  (kept for startContainer hooks)
 *                                              pivot, attributes, user, caps,
 *                                              no_new_privs, seccomp (only with
 *                                              a listener; else just before
 *                                              execve, see spawn.h)
 *                               <------------  SYNC_SECCOMP_FD {fd} (NOTIFY only)
 *   send fd + state to listenerPath
 *   SYNC_SECCOMP_ACK ----------------------->
 *                               <------------  SYNC_PTY {fd} (terminal, no socket)
 *                               <------------  SYNC_READY
 *   write state.json, pid file; create         open the exec FIFO (blocks
 *   returns                                    until `start` opens it)
 *
 *   at any point before SYNC_READY:
 *                               <------------  SYNC_ERROR {errno, len, msg};
 *                                              the child _exit()s, the parent
 *                                              prints msg once, kills what
 *                                              is left and removes everything.
 *
 * After SYNC_READY the sync socket is closed; from there the init reports
 * to `start` through the exec FIFO (see spawn.h). */
#ifndef VESSEL_RUNTIME_SPAWN_SYNC_INTERNAL_H
#define VESSEL_RUNTIME_SPAWN_SYNC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

enum sync_type {
	SYNC_IDMAP_REQ = 1,
	SYNC_IDMAP_ACK,
	SYNC_HOOKS_REQ,
	SYNC_HOOKS_ACK,
	SYNC_STATE,
	SYNC_SECCOMP_FD,
	SYNC_SECCOMP_ACK,
	SYNC_PTY,
	SYNC_READY,
	SYNC_ERROR,
	SYNC_PID,
};

/* Every packet starts with this header; `len` payload bytes follow (the
 * error message, a state JSON).  errnum is only meaningful for SYNC_ERROR. */
struct sync_hdr {
	uint32_t type;
	int32_t errnum;
	uint32_t len;
};

/* Largest payload: a state JSON with many annotations still fits. */
#define SYNC_MAX_PAYLOAD (1u << 20)

struct sync_msg {
	enum sync_type type;
	int errnum;
	char *payload; /* NUL-terminated, NULL when len is 0 */
	size_t len;
	int fd; /* passed with SCM_RIGHTS, -1 when none */
};

const char *sync_type_name(enum sync_type type);

/* Send one message; fd < 0 sends none. */
int sync_send(int sock, enum sync_type type, const char *payload, size_t len, int fd,
	      struct vs_error *err);
/* Receive one; EOF is an error "connection closed".  ret->payload and
 * ret->fd belong to the caller (sync_msg_clear). */
int sync_recv(int sock, struct sync_msg *ret, struct vs_error *err);
void sync_msg_clear(struct sync_msg *m);
/* Receive one and require it to be `want` (a SYNC_ERROR becomes err). */
int sync_expect(int sock, enum sync_type want, struct sync_msg *ret, struct vs_error *err);

/* Child: report err to the parent as SYNC_ERROR (best effort). */
void sync_send_error(int sock, const struct vs_error *err);

#endif
