/* exeseal: a container must never be able to overwrite vessel's binary
 * (CVE-2019-5736).
 *
 * Every vessel process a container can see runs vessel's binary: the init
 * waiting in "created" (a neighbour's too, in a pod sharing a pid
 * namespace), the exec child until its execve, and vessel itself when the
 * container turns /bin/sh into "#!/proc/self/exe" and `vessel exec` runs it.
 * /proc/PID/exe of any of them is the binary, reachable from inside the
 * container; once the last vessel process has left it (ETXTBSY no longer
 * applies), a reopen of that link for writing would overwrite the host's
 * vessel and the next command would run the container's code as root.
 *
 * So create, run and exec (the only commands whose processes enter a
 * container) first re-execute themselves from an image that cannot be
 * written, and everything they clone inherits it as /proc/PID/exe:
 *
 *   already sealed        /proc/self/exe on a read-only mount, or a sealed
 *                         memfd: nothing to do (this is how the re-executed
 *                         vessel finds itself, and a vessel installed on a
 *                         read-only /usr never pays)
 *   read-only bind        open_tree(OPEN_TREE_CLONE) of the binary, made
 *                         read-only with mount_setattr: a detached mount,
 *                         in no mount namespace and seen by nobody; execveat
 *                         closes its fd, which dissolves it, so from then on
 *                         no one can change its flags, clone it or attach it
 *                         (the kernel refuses all three on a mount that is
 *                         not mounted).  No copy; needs CAP_SYS_ADMIN over
 *                         vessel's mount namespace.
 *   sealed memfd          the fallback (rootless, no mount API): a copy of
 *                         the binary in a memfd sealed against write, shrink
 *                         and grow.  Works unprivileged; costs a copy of the
 *                         binary per command.
 *
 * The re-exec keeps everything the caller gave: the same argv and environ,
 * every fd (nothing has been opened yet; the sealed image's own fd is
 * O_CLOEXEC), the signal mask and dispositions, the pid.  The kernel names
 * the new image after the fd ("memfd:vessel", or the fd number before Linux
 * 6.14), so the task's name is set back from argv[0]. */
#ifndef VESSEL_RUNTIME_EXESEAL_EXESEAL_H
#define VESSEL_RUNTIME_EXESEAL_EXESEAL_H

#include "lib/error.h"

enum exeseal_kind {
	EXESEAL_WRITABLE, /* nothing stops a write: not sealed */
	EXESEAL_READONLY, /* on a read-only mount (the detached bind, or the host's) */
	EXESEAL_MEMFD,	  /* a memfd sealed against writes */
};

/* What protects the file behind fd (any open mode, O_PATH included). */
int exeseal_fd_kind(int fd, enum exeseal_kind *ret, struct vs_error *err);

/* What protects the running binary (/proc/self/exe). */
int exeseal_self_kind(enum exeseal_kind *ret, struct vs_error *err);

/* The two sealed images of the running binary, as an O_CLOEXEC fd that
 * execveat(fd, "", ..., AT_EMPTY_PATH) runs.  Exposed for the unit tests. */
int exeseal_open_bind(int *ret_fd, struct vs_error *err);
int exeseal_open_memfd(int *ret_fd, struct vs_error *err);

/* Returns 0 when the running binary is already sealed (*ret_kind says how;
 * the task's name is then set to argv[0]'s last component).  Otherwise
 * re-executes argv from a sealed image and does not return, unless that
 * fails (-1 with err). */
int exeseal_ensure(char **argv, enum exeseal_kind *ret_kind, struct vs_error *err);

const char *exeseal_kind_name(enum exeseal_kind kind);

#endif
