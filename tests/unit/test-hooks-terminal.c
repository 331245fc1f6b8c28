/* runtime/terminal: flag rules, pty creation and size, fd passing, and the
 * foreground supervisor (exit codes, signals, pty proxy).  Uses the host's
 * /dev/ptmx. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/terminal/terminal.h"
#include "tap.h"

static void test_flags(void)
{
	struct vs_error err = VS_ERROR_INIT;
	CHECK_INT(term_check_flags(true, false, NULL, &err), ==, 0);
	CHECK_INT(term_check_flags(true, true, "/s", &err), ==, 0);
	CHECK_INT(term_check_flags(false, true, NULL, &err), ==, 0);
	CHECK_INT(term_check_flags(true, true, NULL, &err), ==, -1);
	CHECK(err.msg && strstr(err.msg, "cannot allocate tty"), "detached tty needs a socket");
	vs_error_clear(&err);
	CHECK_INT(term_check_flags(false, true, "/s", &err), ==, -1);
	CHECK(err.msg && strstr(err.msg, "cannot use console socket"), "socket needs a tty");
	vs_error_clear(&err);
	CHECK_INT(term_console_socket_connect("/nonexistent/sock", &(int){0}, &err), ==, -1);
	CHECK_STR(err.msg,
		  "connect to console socket /nonexistent/sock: No such file or directory");
	vs_error_clear(&err);
}

static void test_pty_size_and_passing(void)
{
	struct vs_error err = VS_ERROR_INIT;
	struct oci_console_size sz = {.height = 33, .width = 111};
	struct term_pty pty = TERM_PTY_INIT;
	CHECK_INT(term_pty_open(NULL, &sz, &pty, &err), ==, 0);
	struct winsize ws = {0};
	CHECK_INT(ioctl(pty.master, TIOCGWINSZ, &ws), ==, 0);
	CHECK_INT(ws.ws_row, ==, 33);
	CHECK_INT(ws.ws_col, ==, 111);
	CHECK(pty.slave_name && strncmp(pty.slave_name, "/dev/pts/", 9) == 0, "slave name");
	struct stat a, b;
	CHECK(stat(pty.slave_name, &a) == 0 && fstat(pty.slave, &b) == 0 && a.st_rdev == b.st_rdev,
	      "the slave fd is the named pty");

	int sp[2];
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), ==, 0);
	CHECK_INT(term_send_fd(sp[0], pty.master, pty.slave_name, strlen(pty.slave_name), &err), ==,
		  0);
	int got = -1;
	char name[64] = {0};
	size_t len = 0;
	CHECK_INT(term_recv_fd(sp[1], &got, name, sizeof(name) - 1, &len, &err), ==, 0);
	CHECK_STR(name, pty.slave_name);
	CHECK(got >= 0 && isatty(got), "received fd is a tty");
	CHECK_INT(write(got, "hi\n", 3), ==, 3);
	char buf[16] = {0};
	CHECK_INT(read(pty.slave, buf, sizeof(buf)), ==, 3);
	CHECK_STR(buf, "hi\n");
	close(got);
	close(sp[0]);
	CHECK_INT(term_recv_fd(sp[1], &got, NULL, 0, NULL, &err), ==, -1);
	CHECK_STR(err.msg, "receive fd: peer closed the socket");
	vs_error_clear(&err);
	close(sp[1]);
	term_pty_close(&pty);
}

static int fg(pid_t pid, int master, int *code)
{
	struct vs_error err = VS_ERROR_INIT;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct term_wait_opts o = {.pid = pid, .pidfd = pidfd, .master = master};
	int r = term_foreground_wait(&o, code, &err);
	close(pidfd);
	vs_error_clear(&err);
	return r;
}

static void test_exit_codes_and_signals(void)
{
	int code = -1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	CHECK_INT(fg(pid, -1, &code), ==, 0);
	CHECK_INT(code, ==, 7);

	/* The child waits for SIGUSR1 and exits 42 on it: proves forwarding. */
	CHECK_INT(term_signals_block(&(struct vs_error)VS_ERROR_INIT), ==, 0);
	pid = fork();
	if (pid == 0) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		int sig;
		sigwait(&s, &sig);
		_exit(42);
	}
	kill(getpid(), SIGUSR1); /* pending on us until the supervisor forwards it */
	CHECK_INT(fg(pid, -1, &code), ==, 0);
	CHECK_INT(code, ==, 42);

	pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		pause();
		_exit(0);
	}
	kill(getpid(), SIGTERM);
	CHECK_INT(fg(pid, -1, &code), ==, 0);
	CHECK_INT(code, ==, 128 + SIGTERM);
}

static void test_pty_proxy(void)
{
	struct vs_error err = VS_ERROR_INIT;
	struct term_pty pty = TERM_PTY_INIT;
	CHECK_INT(term_pty_open(NULL, NULL, &pty, &err), ==, 0);
	int out[2];
	CHECK_INT(pipe(out), ==, 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(pty.master);
		if (term_pty_make_stdio(pty.slave, 0, &err) < 0)
			_exit(99);
		_exit(isatty(1) && write(1, "from the pty\n", 13) == 13 ? 5 : 98);
	}
	close(pty.slave);
	pty.slave = -1;
	int saved = dup(1);
	dup2(out[1], 1);
	close(out[1]);
	int code = -1;
	int r = fg(pid, pty.master, &code);
	dup2(saved, 1);
	close(saved);
	CHECK_INT(r, ==, 0);
	CHECK_INT(code, ==, 5);
	char buf[64] = {0};
	CHECK(read(out[0], buf, sizeof(buf) - 1) > 0, "proxied output read");
	CHECK_STR(buf, "from the pty\r\n");
	close(out[0]);
	term_pty_close(&pty);
}

int main(void)
{
	test_flags();
	test_pty_size_and_passing();
	test_exit_codes_and_signals();
	test_pty_proxy();
	return tap_done();
}
