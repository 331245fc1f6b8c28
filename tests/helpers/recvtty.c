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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fdsock.h"

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
	int conn = hl_accept_one(argv[optind]);
	char name[4096];
	int master;
	hl_recv_fd(conn, name, sizeof(name), &master);
	close(conn);
	unlink(argv[optind]);
	if (!isatty(master)) {
		fprintf(stderr, "recvtty: received fd is not a tty\n");
		return 2;
	}
	if (namefile) {
		FILE *f = fopen(namefile, "w");
		if (!f || fprintf(f, "%s\n", name) < 0 || fclose(f) != 0)
			hl_die(namefile);
	}
	if (input && write(master, input, strlen(input)) < 0)
		hl_die("write input");
	char buf[4096];
	for (;;) {
		ssize_t n = read(master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) /* EIO: the last slave closed */
			break;
		if (write(1, buf, (size_t)n) != n)
			hl_die("write stdout");
	}
	return 0;
}
