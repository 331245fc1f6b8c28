/* The pty inside the container and the fd hand-off over unix sockets. */
#include "runtime/terminal/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"

int term_check_flags(bool terminal, bool detach, const char *console_socket, struct vs_error *err)
{
	if (console_socket && !terminal)
		return vs_error_set(err, "cannot use console socket if the process does not "
					 "allocate a tty (process.terminal is false)");
	if (terminal && detach && !console_socket)
		return vs_error_set(err, "cannot allocate tty if vessel will detach without "
					 "setting console socket");
	return 0;
}

int term_console_socket_connect(const char *path, int *ret_fd, struct vs_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return vs_error_set(err, "console socket path %s is too long", path);
	strcpy(sa.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vs_error_errno(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return vs_error_errno(err, errno, "connect to console socket %s", path);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

void term_pty_close(struct term_pty *pty)
{
	vs_closep(&pty->master);
	vs_closep(&pty->slave);
	pty->master = pty->slave = -1;
	free(pty->slave_name);
	pty->slave_name = NULL;
}

int term_pty_open(const char *ptmx, const struct oci_console_size *size, struct term_pty *ret,
		  struct vs_error *err)
{
	struct term_pty pty = TERM_PTY_INIT;
	int unlock = 0, n;
	if (!ptmx)
		ptmx = "/dev/ptmx";
	pty.master = open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (pty.master < 0)
		return vs_error_errno(err, errno, "open %s", ptmx);
	if (ioctl(pty.master, TIOCSPTLCK, &unlock) < 0 || ioctl(pty.master, TIOCGPTN, &n) < 0) {
		vs_error_errno(err, errno, "unlock pty of %s", ptmx);
		goto fail;
	}
	/* TIOCGPTPEER opens the slave through the master, not by /dev/pts/N, so
	 * no other pty (or a planted file) can be substituted. */
	pty.slave = ioctl(pty.master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (pty.slave < 0) {
		vs_error_errno(err, errno, "open pty slave of %s", ptmx);
		goto fail;
	}
	pty.slave_name = vs_strdup_printf("/dev/pts/%d", n);
	if (size && size->height && size->width) {
		struct winsize ws = {.ws_row = (unsigned short)size->height,
				     .ws_col = (unsigned short)size->width};
		if (ioctl(pty.slave, TIOCSWINSZ, &ws) < 0) {
			vs_error_errno(err, errno, "set console size %ux%u", size->height,
				       size->width);
			goto fail;
		}
	}
	*ret = pty;
	return 0;
fail:
	term_pty_close(&pty);
	return -1;
}

bool term_stdin_size(struct oci_console_size *ret)
{
	struct winsize ws;
	if (!isatty(0) || ioctl(0, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		return false;
	ret->height = ws.ws_row;
	ret->width = ws.ws_col;
	return true;
}

void term_pty_inherit_size(int master)
{
	struct winsize ws;
	if (master >= 0 && isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		(void)ioctl(master, TIOCSWINSZ, &ws);
}

int term_pty_make_stdio(int slave, uid_t uid, struct vs_error *err)
{
	/* EPERM: already a process-group leader, i.e. the spawn made us a
	 * session leader before; TIOCSCTTY below still needs to succeed. */
	if (setsid() < 0 && errno != EPERM)
		return vs_error_errno(err, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return vs_error_errno(err, errno, "make the pty the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (fd != slave && dup2(slave, fd) < 0)
			return vs_error_errno(err, errno, "dup pty onto fd %d", fd);
	if (uid != 0 && fchown(slave, uid, (gid_t)-1) < 0)
		return vs_error_errno(err, errno, "chown pty to uid %u", (unsigned)uid);
	return 0;
}

int term_send_fd(int sock, int fd, const void *data, size_t len, struct vs_error *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	if (len == 0)
		return vs_error_set(err, "send fd: at least one byte of data is needed");
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return vs_error_errno(err, errno, "send fd");
	return 0;
}

static int take_fd_from_cmsg(struct msghdr *msg, int *ret_fd)
{
	int got = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfds; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (got < 0)
				got = fd;
			else
				close(fd); /* only one was asked for */
		}
	}
	*ret_fd = got;
	return got >= 0 ? 0 : -1;
}

int term_recv_fd(int sock, int *ret_fd, void *buf, size_t cap, size_t *ret_len,
		 struct vs_error *err)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	char dummy = 0;
	struct iovec iov = {.iov_base = cap ? buf : &dummy, .iov_len = cap ? cap : 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return vs_error_errno(err, errno, "receive fd");
	int fd;
	if (take_fd_from_cmsg(&msg, &fd) < 0)
		return vs_error_set(err, n == 0 ? "receive fd: peer closed the socket"
						: "receive fd: message carries no fd");
	if (msg.msg_flags & MSG_CTRUNC) {
		close(fd);
		return vs_error_set(err, "receive fd: control data truncated");
	}
	if (ret_len)
		*ret_len = (size_t)n;
	*ret_fd = fd;
	return 0;
}
