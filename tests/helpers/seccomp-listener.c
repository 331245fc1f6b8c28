/* seccomp-listener: a tiny seccomp agent for the NOTIFY tests (runs on the
 * host, so it is linked dynamically).
 *
 *   seccomp-listener SOCKET STATE_FILE [ERRNO]
 *
 * Listens on the unix socket SOCKET (created as SOCKET.tmp and renamed into
 * place once listening, so "the file exists" means "connect works"), accepts
 * one connection, receives the seccomp notify fd (SCM_RIGHTS) and the
 * container process state JSON, writes the JSON to STATE_FILE (atomically),
 * then answers notifications until every task under the filter is gone:
 * mkdir/mkdirat get "success" (0) without anything being created, or -ERRNO
 * when ERRNO is given; any other notified syscall is let through
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE).  Each answer is printed on stdout as
 * "answered NAME". Gives up after 120 s so a broken test cannot leave it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "seccomp-listener: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listen_at(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char tmp[sizeof(addr.sun_path)];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		die("socket path too long");
	strcpy(addr.sun_path, tmp);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("bind");
	if (listen(fd, 1) < 0)
		die("listen");
	if (rename(tmp, path) < 0)
		die("rename");
	return fd;
}

/* Reads the whole state (the runtime closes the connection after it); the
 * fd comes with the first message. */
static int receive(int conn, char *buf, size_t cap, int *ret_fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	size_t len = 0;
	*ret_fd = -1;
	for (;;) {
		struct iovec iov = {buf + len, cap - 1 - len};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
		if (*ret_fd < 0) {
			msg.msg_control = u.b;
			msg.msg_controllen = sizeof(u.b);
		}
		ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("recvmsg");
		struct cmsghdr *c = msg.msg_controllen ? CMSG_FIRSTHDR(&msg) : NULL;
		if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
		if (n == 0 || len + (size_t)n >= cap - 1)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (int)len;
}

static void write_state(const char *path, const char *json)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f || fputs(json, f) < 0 || fclose(f) != 0)
		die("write state");
	if (rename(tmp, path) < 0)
		die("rename state");
}

static void answer(int nfd, int err_answer)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	memset(&req, 0, sizeof(req));
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		if (errno == EINTR || errno == ENOENT)
			return;
		die("SECCOMP_IOCTL_NOTIF_RECV");
	}
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	const char *name = "other";
	if (req.data.nr == SYS_mkdir || req.data.nr == SYS_mkdirat) {
		name = req.data.nr == SYS_mkdir ? "mkdir" : "mkdirat";
		resp.error = err_answer ? -err_answer : 0;
	} else {
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	}
	/* ENOENT: the task died or was interrupted before the answer. */
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
		die("SECCOMP_IOCTL_NOTIF_SEND");
	printf("answered %s\n", name);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static char state[1 << 16];
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: seccomp-listener SOCKET STATE_FILE [ERRNO]\n");
		return 2;
	}
	int err_answer = argc == 4 ? atoi(argv[3]) : 0;
	alarm(120);
	int lfd = listen_at(argv[1]);
	int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	int nfd;
	receive(conn, state, sizeof(state), &nfd);
	close(conn);
	close(lfd);
	if (nfd < 0) {
		fprintf(stderr, "seccomp-listener: no fd received\n");
		return 1;
	}
	write_state(argv[2], state);
	for (;;) {
		struct pollfd p = {.fd = nfd, .events = POLLIN};
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (p.revents & POLLIN)
			answer(nfd, err_answer);
		else if (p.revents & (POLLHUP | POLLERR))
			return 0; /* no task uses the filter any more */
	}
}
