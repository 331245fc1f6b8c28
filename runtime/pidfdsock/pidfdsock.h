/* pidfdsock: the --pidfd-socket hand-off of create, run and exec.
 *
 * A caller (a shim, a supervisor) that wants to signal or wait for the
 * container's process without the pid-reuse race of kill(2) passes
 * --pidfd-socket PATH: vessel connects to the AF_UNIX stream socket at PATH
 * before anything is made (a bad path fails the command with nothing left
 * behind), and once the process exists sends one message whose data is the
 * process's kind ("standard" for a container's init, "setns" for an exec'd
 * process: the words runc uses) and whose SCM_RIGHTS carries a pidfd of it.
 * A send that fails fails the command, which then undoes what it made.
 *
 *   pfd_socket_connect(path)      before the spawn
 *   ... spawn ...
 *   pfd_socket_send(sock, pidfd)  the process exists; then close(sock)
 */
#ifndef VESSEL_RUNTIME_PIDFDSOCK_H
#define VESSEL_RUNTIME_PIDFDSOCK_H

#include "lib/error.h"

#define PFD_KIND_INIT "standard"
#define PFD_KIND_EXEC "setns"

/* Connect to the socket at path; *ret_fd is O_CLOEXEC. */
int pfd_socket_connect(const char *path, int *ret_fd, struct vs_error *err);
/* Send pidfd (the caller keeps it open) with kind as the data. */
int pfd_socket_send(int sock, int pidfd, const char *kind, struct vs_error *err);

#endif
