/* sec-fd-stall: a seccomp agent that never answers (host side, dynamic).
 *
 *   sec-fd-stall SOCKET READY_FILE
 *
 * Listens on SOCKET (made as SOCKET.tmp, renamed once listening), takes one
 * connection and its seccomp notify fd, creates READY_FILE, then holds the
 * fd without answering: a task of the filter that makes a NOTIFY syscall
 * blocks there until this agent exits (SIGTERM, or 600 s), and then gets
 * ENOSYS.  tests/security/cve-2024-21626.bats uses it to hold `vessel
 * exec`'s child at a known step while the container looks at it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "sec-fd-stall: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: sec-fd-stall SOCKET READY_FILE\n");
		return 2;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char tmp[sizeof(sa.sun_path)];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]) >= (int)sizeof(tmp))
		return die("socket path too long");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", tmp);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(tmp);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0 ||
	    rename(tmp, argv[1]) < 0)
		return die("listen");
	alarm(600);
	int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return die("accept");
	char buf[65536], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	if (recvmsg(c, &m, MSG_CMSG_CLOEXEC) < 0)
		return die("recvmsg");
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return die("no notify fd");
	int fd = open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return die("ready file");
	close(fd);
	for (;;)
		pause();
}
