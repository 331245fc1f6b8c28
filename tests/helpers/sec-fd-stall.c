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
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/fdsock.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: sec-fd-stall SOCKET READY_FILE\n");
		return 2;
	}
	alarm(600);
	int conn = hl_accept_one(argv[1]);
	char buf[65536];
	int nfd;
	hl_recv_fd(conn, buf, sizeof(buf), &nfd);
	int fd = open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		hl_die(argv[2]);
	close(fd);
	for (;;)
		pause();
}
