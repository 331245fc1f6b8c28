/* fdsock: see fdsock.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fdsock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void hl_die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror(errno));
	exit(1);
}

int hl_accept_one(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.tmp", path) >=
	    (int)sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		hl_die(path);
	}
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		hl_die("socket");
	unlink(sa.sun_path);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		hl_die("bind");
	if (listen(lfd, 1) < 0)
		hl_die("listen");
	if (rename(sa.sun_path, path) < 0)
		hl_die(path);
	int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		hl_die("accept");
	close(lfd);
	return conn;
}

size_t hl_recv_fd(int conn, char *data, size_t cap, int *ret_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = data, .iov_len = cap - 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	ssize_t n;
	do
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		hl_die("recvmsg");
	data[n] = '\0';
	/* MSG_CTRUNC: more fds than the one expected (the kernel closed the
	 * rest), which is as wrong as none. */
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)) || (msg.msg_flags & MSG_CTRUNC)) {
		fprintf(stderr, "%s: no fd received, or more than one\n",
			program_invocation_short_name);
		exit(1);
	}
	memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
	return (size_t)n;
}
