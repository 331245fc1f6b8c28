/* The --pidfd-socket hand-off (see pidfdsock.h). */
#include "runtime/pidfdsock/pidfdsock.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"

int pfd_socket_connect(const char *path, int *ret_fd, struct vs_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (!path[0])
		return vs_error_set(err, "--pidfd-socket: empty path");
	if (strlen(path) >= sizeof(sa.sun_path))
		return vs_error_set(err, "--pidfd-socket %s: path too long", path);
	strcpy(sa.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vs_error_errno(err, errno, "--pidfd-socket: socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return vs_error_errno(err, errno, "--pidfd-socket: connect to %s", path);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int pfd_socket_send(int sock, int pidfd, const char *kind, struct vs_error *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = {.iov_base = (void *)kind, .iov_len = strlen(kind)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &pidfd, sizeof(int));
	/* MSG_NOSIGNAL: a receiver that went away is an error to report, not a
	 * SIGPIPE that kills vessel halfway through a create. */
	ssize_t n;
	while ((n = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return vs_error_errno(err, errno, "--pidfd-socket: send the pidfd");
	return 0;
}
