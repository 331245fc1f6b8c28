/* recvtty: the console-socket receiver for tests (what containerd's shim or
 * conmon do with --console-socket).
 *
 *   recvtty [-i INPUT] [-n NAMEFILE] SOCKET
 *
 * Listens on the unix socket SOCKET, accepts one connection, receives one fd
 * with SCM_RIGHTS (the pty master), writes the message's data (the pty name)
 * to NAMEFILE, writes INPUT (taken literally) to the master, then copies
 * everything the master yields to stdout until the pty has no slave left
 * (EIO).  Exit 0 on success, 1 on
 * any error (printed to stderr), 2 if the fd received is not a tty. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(fd, 1) < 0)
		die("listen");
	return fd;
}

static int recv_master(int conn, char *name, size_t cap)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = name, .iov_len = cap - 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		die("recvmsg");
	name[n > 0 ? n : 0] = '\0';
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "recvtty: no fd received\n");
		exit(1);
	}
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int main(int argc, char **argv)
{
	const char *input = NULL, *namefile = NULL;
	int c;
	while ((c = getopt(argc, argv, "i:n:")) != -1) {
		if (c == 'i')
			input = optarg;
		else if (c == 'n')
			namefile = optarg;
		else
			return 1;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: recvtty [-i INPUT] [-n NAMEFILE] SOCKET\n");
		return 1;
	}
	int lfd = listen_on(argv[optind]);
	int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	char name[4096];
	int master = recv_master(conn, name, sizeof(name));
	close(conn);
	close(lfd);
	unlink(argv[optind]);
	if (!isatty(master)) {
		fprintf(stderr, "recvtty: received fd is not a tty\n");
		return 2;
	}
	if (namefile) {
		FILE *f = fopen(namefile, "w");
		if (!f || fprintf(f, "%s\n", name) < 0 || fclose(f) != 0)
			die(namefile);
	}
	if (input && write(master, input, strlen(input)) < 0)
		die("write input");
	char buf[4096];
	for (;;) {
		ssize_t n = read(master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) /* EIO: the last slave closed */
			break;
		if (write(1, buf, (size_t)n) != n)
			die("write stdout");
	}
	return 0;
}
