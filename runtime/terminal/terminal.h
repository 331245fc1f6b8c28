/* terminal: the container's pty, the --console-socket hand-off, and the
 * foreground supervisor (wait, forward signals, proxy a pty).
 *
 * process.terminal = true, who does what:
 *
 *   vessel (host mount ns)                 container init / exec child
 *   ----------------------                 ---------------------------
 *   term_check_flags()
 *   --console-socket given:
 *     term_console_socket_connect(path)    (the path is resolved HERE, in the
 *     -> fd, inherited by the child         host mount ns: the child, already
 *        across clone (O_CLOEXEC, so it     in the container's, could not)
 *        never reaches the user process)
 *   clone ------------------------------>  ... rootfs_pivot() ...
 *                                          term_pty_open("/dev/ptmx", size)
 *                                            the container's devpts (opened
 *                                            after pivot: the pty belongs to
 *                                            the container's devpts instance)
 *                                          rootfs_bind_console(plan, pty.slave)
 *                                            (init only; exec does not)
 *                                          socket given: term_send_fd(consock,
 *                                            pty.master, slave name)  -> the
 *                                            receiver (containerd, conmon,
 *                                            tests/helpers/recvtty) owns it
 *                                          no socket (foreground run/exec):
 *                                            term_send_fd(sync socket, master)
 *   term_recv_fd(sync socket) <-----------   (the parent proxies it)
 *                                          close(pty.master)
 *                                          term_pty_make_stdio(pty.slave, uid)
 *                                            setsid, TIOCSCTTY, 0/1/2 = slave
 *                                          ... user, caps, seccomp, execve
 *   term_foreground_wait(pid, pidfd, master)
 *     raw mode on our tty, stdin -> master, master -> stdout, SIGWINCH
 *     resizes the pty, other signals forwarded through the pidfd; returns the
 *     exit code (128+N when killed by signal N).
 *
 * The master never stays open in the container: after the hand-off the only
 * holder is the receiver, so the receiver sees EIO when the container's last
 * slave user exits. */
#ifndef VESSEL_RUNTIME_TERMINAL_H
#define VESSEL_RUNTIME_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/oci.h"

/* runc's rules: a tty without a socket cannot detach; a socket without a
 * tty is meaningless.  Messages match runc's. */
int term_check_flags(bool terminal, bool detach, const char *console_socket, struct vs_error *err);

/* Connect to the receiver's unix socket (SOCK_STREAM); ret_fd is O_CLOEXEC. */
int term_console_socket_connect(const char *path, int *ret_fd, struct vs_error *err);

struct term_pty {
	int master;	  /* O_CLOEXEC, O_NOCTTY */
	int slave;	  /* O_CLOEXEC, O_NOCTTY; got with TIOCGPTPEER (no path race) */
	char *slave_name; /* "/dev/pts/N" in the devpts instance of ptmx */
};
#define TERM_PTY_INIT                                                                              \
	{                                                                                          \
		-1, -1, NULL                                                                       \
	}

/* Open a new pty from ptmx (NULL = "/dev/ptmx"), unlock it, and set its
 * window size when size is given and non-zero. */
int term_pty_open(const char *ptmx, const struct oci_console_size *size, struct term_pty *ret,
		  struct vs_error *err);
void term_pty_close(struct term_pty *pty);

/* Foreground without a socket: give the pty vessel's own terminal size
 * (stdin's) before the process starts, so its first look at the size is
 * right (SIGWINCH only covers later changes).  No-op when stdin is not a
 * tty.  term_stdin_size() fills size for a pty not made yet (exec). */
void term_pty_inherit_size(int master);
bool term_stdin_size(struct oci_console_size *ret);

/* Make slave the controlling terminal of a new session (setsid; being a
 * session leader already is fine) and stdin/stdout/stderr; chown it to uid
 * (group kept: devpts' gid=) so the user process can use it.  The caller
 * closes `slave` afterwards if it is not 0..2. */
int term_pty_make_stdio(int slave, uid_t uid, struct vs_error *err);

/* Send fd with `len` bytes of data (len >= 1: stream sockets carry
 * ancillary data only with data) in one sendmsg. */
int term_send_fd(int sock, int fd, const void *data, size_t len, struct vs_error *err);
/* Receive one message with one fd.  Up to cap bytes of its data go to buf
 * (may be NULL with cap 0); ret_len may be NULL.  A message without an fd,
 * or EOF, is an error. */
int term_recv_fd(int sock, int *ret_fd, void *buf, size_t cap, size_t *ret_len,
		 struct vs_error *err);

/* Foreground supervision of a started process that is a child of the
 * caller (so it can be reaped).  master < 0: no pty, stdio is inherited and
 * only signals are forwarded (SIGWINCH too).  Returns 0 with the shell-style
 * exit code in *ret_code. */
/* Block the signals term_foreground_wait forwards.  Call it before the
 * process starts, so a signal sent in between is forwarded rather than
 * killing vessel; every child must restore an empty mask before execve. */
int term_signals_block(struct vs_error *err);

struct term_wait_opts {
	pid_t pid;
	int pidfd;
	int master;
};
int term_foreground_wait(const struct term_wait_opts *o, int *ret_code, struct vs_error *err);

#endif
