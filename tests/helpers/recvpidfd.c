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
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/fdsock.h"

/* The pid a pidfd refers to, from its fdinfo; -1 when fd is no pidfd. */
static long pidfd_pid(int fd)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	FILE *f = fopen(path, "re");
	if (!f)
		hl_die(path);
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
		hl_die(tmp);
	if (rename(tmp, file) < 0)
		hl_die(file);
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
		hl_die("sigprocmask");
	int conn = hl_accept_one(argv[optind]);
	if (close_only) {
		close(conn);
		write_info(argv[optind + 1], "closed", 0);
		return 0;
	}
	char kind[256];
	int pidfd;
	hl_recv_fd(conn, kind, sizeof(kind), &pidfd);
	close(conn);
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
		hl_die("sigwait");
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		hl_die("pidfd_send_signal");
	return 0;
}
