/* static */
/* tcp-loop: one live TCP connection over loopback, both ends in this
 * process, for checkpoint --tcp-established (tests/criu).
 *
 *   tcp-loop PORT OUT
 *
 * Listens on 127.0.0.1:PORT, connects to it, accepts that one connection
 * and closes the listener (no second connection can ever be made).  Then,
 * every 0.2 s, sends the next number through the connection, reads it back
 * on the other end and writes it to OUT (replaced whole each time).  When
 * the connection fails (a restore without it, a reset) it writes
 * "broken: <why>" to OUT and exits 1: a number in OUT that keeps growing
 * after a restore is the same connection, still carrying data. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *out;

static void put(const char *text)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	FILE *f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, out) < 0)
		exit(2);
}

static void broken(const char *what)
{
	char msg[256];
	snprintf(msg, sizeof(msg), "broken: %s: %s\n", what, strerror(errno));
	put(msg);
	exit(1);
}

static int pair(int port, int *ret_server)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1, l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || c < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		broken("socket");
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0)
		broken("listen");
	if (connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
		broken("connect");
	*ret_server = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (*ret_server < 0)
		broken("accept");
	close(l);
	return c;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: tcp-loop PORT OUT\n");
		return 2;
	}
	out = argv[2];
	int server, client = pair(atoi(argv[1]), &server);
	const struct timespec tick = {0, 200 * 1000 * 1000};
	for (unsigned long i = 1;; i++) {
		char buf[32], got[32];
		int n = snprintf(buf, sizeof(buf), "%lu\n", i);
		if (write(client, buf, (size_t)n) != n)
			broken("send");
		ssize_t r = 0, k;
		while (r < n && (k = read(server, got + r, (size_t)(n - r))) > 0)
			r += k;
		if (r != n || memcmp(buf, got, (size_t)n) != 0) {
			errno = r < 0 ? errno : EPROTO;
			broken("receive");
		}
		put(buf);
		nanosleep(&tick, NULL);
	}
}
