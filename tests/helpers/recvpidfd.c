/* recvpidfd: the --pidfd-socket receiver for tests (what a shim that wants
 * race-free signals does with --pidfd-socket).
 *
 *   recvpidfd [-s SIGNAL] SOCKET INFOFILE
 *   recvpidfd -c SOCKET DONEFILE
 *
 * Listens on the unix socket SOCKET, accepts one connection and receives
 * one message with one fd by SCM_RIGHTS.  Writes "KIND PID\n" to INFOFILE
 * (atomically, through INFOFILE.tmp): KIND the message's data, PID the
 * "Pid:" line of the fd's /proc/self/fdinfo, which only a pidfd has, so a
 * fd of any other kind fails here.  With -s, then waits for SIGTERM and
 * sends SIGNAL (a number) through the pidfd (pidfd_send_signal), which
 * reaches exactly the process the pidfd was opened for.  With -c, accepts
 * the connection, closes it unread, then creates DONEFILE: a receiver gone
 * before vessel sends.  Exit 0 on success, 1 on any error (printed to
 * stderr), 2 if the fd is not a pidfd. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "recvpidfd: %s: %s\n", what, strerror(errno));
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

static int recv_fd(int conn, char *kind, size_t cap)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = kind, .iov_len = cap - 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		die("recvmsg");
	kind[n > 0 ? n : 0] = '\0';
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int))) {
		fprintf(stderr, "recvpidfd: no fd received\n");
		exit(1);
	}
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* The pid a pidfd refers to, from its fdinfo; -1 when fd is no pidfd. */
static long pidfd_pid(int fd)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	FILE *f = fopen(path, "re");
	if (!f)
		die(path);
	long pid = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

static void write_info(const char *file, const char *kind, long pid)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	FILE *f = fopen(tmp, "we");
	if (!f || fprintf(f, "%s %ld\n", kind, pid) < 0 || fclose(f) != 0)
		die(tmp);
	if (rename(tmp, file) < 0)
		die(file);
}

int main(int argc, char **argv)
{
	int sig = 0, c;
	bool close_only = false;
	while ((c = getopt(argc, argv, "cs:")) != -1) {
		if (c == 'c')
			close_only = true;
		else if (c == 's')
			sig = atoi(optarg);
		else
			return 1;
	}
	if (optind != argc - 2) {
		fprintf(stderr, "usage: recvpidfd [-s SIGNAL] SOCKET INFOFILE\n");
		return 1;
	}
	/* Blocked before anyone can know our pid: a SIGTERM that comes early
	 * stays pending for sigwait. */
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	if (sig && sigprocmask(SIG_BLOCK, &term, NULL) < 0)
		die("sigprocmask");
	int lfd = listen_on(argv[optind]);
	int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	if (close_only) {
		close(conn);
		close(lfd);
		write_info(argv[optind + 1], "closed", 0);
		return 0;
	}
	char kind[256];
	int pidfd = recv_fd(conn, kind, sizeof(kind));
	close(conn);
	close(lfd);
	unlink(argv[optind]);
	long pid = pidfd_pid(pidfd);
	if (pid < 0) {
		fprintf(stderr, "recvpidfd: the fd received is not a pidfd\n");
		return 2;
	}
	write_info(argv[optind + 1], kind, pid);
	if (!sig)
		return 0;
	int got;
	if (sigwait(&term, &got) != 0)
		die("sigwait");
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		die("pidfd_send_signal");
	return 0;
}
