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
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/fdsock.h"

/* Reads the whole state (the runtime closes the connection after it); the
 * fd comes with the first message. */
static int receive(int conn, char *buf, size_t cap)
{
	int fd;
	size_t len = hl_recv_fd(conn, buf, cap, &fd);
	while (len < cap - 1) {
		ssize_t n = read(conn, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			hl_die("read state");
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return fd;
}

static void write_state(const char *path, const char *json)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f || fputs(json, f) < 0 || fclose(f) != 0)
		hl_die("write state");
	if (rename(tmp, path) < 0)
		hl_die("rename state");
}

static void answer(int nfd, int err_answer)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	memset(&req, 0, sizeof(req));
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		if (errno == EINTR || errno == ENOENT)
			return;
		hl_die("SECCOMP_IOCTL_NOTIF_RECV");
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
		hl_die("SECCOMP_IOCTL_NOTIF_SEND");
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
	int conn = hl_accept_one(argv[1]);
	int nfd = receive(conn, state, sizeof(state));
	close(conn);
	write_state(argv[2], state);
	for (;;) {
		struct pollfd p = {.fd = nfd, .events = POLLIN};
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			hl_die("poll");
		}
		if (p.revents & POLLIN)
			answer(nfd, err_answer);
		else if (p.revents & (POLLHUP | POLLERR))
			return 0; /* no task uses the filter any more */
	}
}
