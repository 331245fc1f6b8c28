/* Foreground supervision: wait for a process through its pidfd, forward
 * signals to it, and proxy its pty to our stdio. */
#include "runtime/terminal/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"

/* Synchronous faults (SEGV, BUS, ...) stay vessel's own; SIGCHLD is how we
 * notice our children; everything else a user can send is forwarded, like
 * runc does. */
static void forward_set(sigset_t *set)
{
	static const int sigs[] = {SIGHUP,  SIGINT,    SIGQUIT, SIGUSR1,  SIGUSR2, SIGPIPE, SIGALRM,
				   SIGTERM, SIGCONT,   SIGTSTP, SIGTTIN,  SIGTTOU, SIGURG,  SIGXCPU,
				   SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO,   SIGPWR,  SIGSYS};
	sigemptyset(set);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(set, sigs[i]);
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaddset(set, s);
}

int term_signals_block(struct vs_error *err)
{
	sigset_t set;
	forward_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return vs_error_errno(err, errno, "block signals");
	return 0;
}

struct fg {
	const struct term_wait_opts *o;
	int sfd;
	bool stdin_open, master_open, raw;
	struct termios saved;
	char pending[65536]; /* stdin bytes not yet accepted by the pty */
	size_t n_pending;
};

static void copy_winsize(struct fg *f)
{
	struct winsize ws;
	if (f->o->master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(f->o->master, TIOCSWINSZ, &ws);
}

static int on_signal(struct fg *f, struct vs_error *err)
{
	struct signalfd_siginfo si;
	ssize_t n = read(f->sfd, &si, sizeof(si));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n != (ssize_t)sizeof(si))
		return vs_error_errno(err, errno, "read signalfd");
	int sig = (int)si.ssi_signo;
	if (sig == SIGWINCH && f->o->master >= 0) {
		copy_winsize(f);
		return 0;
	}
	/* ESRCH: it exited; the pidfd will report it next. */
	if (syscall(SYS_pidfd_send_signal, f->o->pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
		vs_log_warn("forward signal %d to pid %d: %s", sig, (int)f->o->pid,
			    strerror(errno));
	return 0;
}

/* master -> stdout.  Returns false when the pty is gone (EIO: no slave
 * left) or nothing is to be read right now. */
static bool pump_master(struct fg *f)
{
	char buf[16384];
	ssize_t n = read(f->o->master, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return false;
	if (n <= 0) {
		f->master_open = false;
		return false;
	}
	if (vs_write_all(1, buf, (size_t)n) < 0)
		f->master_open = false; /* stdout gone: keep waiting, drop output */
	return true;
}

static void pump_stdin(struct fg *f)
{
	ssize_t n = read(0, f->pending, sizeof(f->pending));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		f->stdin_open = false;
		return;
	}
	f->n_pending = (size_t)n;
}

static void flush_pending(struct fg *f)
{
	ssize_t n = write(f->o->master, f->pending, f->n_pending);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) {
		f->n_pending = 0;
		f->stdin_open = false;
		return;
	}
	memmove(f->pending, f->pending + n, f->n_pending - (size_t)n);
	f->n_pending -= (size_t)n;
}

/* One round of poll.  Returns 1 when the process has exited. */
static int fg_step(struct fg *f, struct vs_error *err)
{
	enum { FG_PID, FG_SIG, FG_MASTER, FG_STDIN, FG_N };
	struct pollfd p[FG_N] = {
	    [FG_PID] = {.fd = f->o->pidfd, .events = POLLIN},
	    [FG_SIG] = {.fd = f->sfd, .events = POLLIN},
	    [FG_MASTER] = {.fd = f->master_open ? f->o->master : -1,
			   .events = (short)(POLLIN | (f->n_pending ? POLLOUT : 0))},
	    [FG_STDIN] = {.fd = f->stdin_open && !f->n_pending ? 0 : -1, .events = POLLIN},
	};
	if (poll(p, FG_N, -1) < 0)
		return errno == EINTR ? 0 : vs_error_errno(err, errno, "poll");
	if (p[FG_SIG].revents && on_signal(f, err) < 0)
		return -1;
	if (p[FG_MASTER].revents & (POLLIN | POLLHUP | POLLERR))
		pump_master(f);
	if (f->master_open && (p[FG_MASTER].revents & POLLOUT))
		flush_pending(f);
	if (p[FG_STDIN].revents)
		pump_stdin(f);
	return p[FG_PID].revents ? 1 : 0;
}

static void raw_on(struct fg *f)
{
	if (f->o->master < 0 || !isatty(0) || tcgetattr(0, &f->saved) < 0)
		return;
	struct termios raw = f->saved;
	/* Fully raw, output included: the container's own pty already turned
	 * "\n" into "\r\n"; doing it again here would double the "\r". */
	cfmakeraw(&raw);
	f->raw = tcsetattr(0, TCSANOW, &raw) == 0;
}

static int reap(pid_t pid, int *ret_code, struct vs_error *err)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return vs_error_errno(err, errno, "wait for pid %d", (int)pid);
	*ret_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	return 0;
}

int term_foreground_wait(const struct term_wait_opts *o, int *ret_code, struct vs_error *err)
{
	sigset_t set;
	forward_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return vs_error_errno(err, errno, "block signals");
	struct fg f = {.o = o, .stdin_open = o->master >= 0, .master_open = o->master >= 0};
	_cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return vs_error_errno(err, errno, "signalfd");
	f.sfd = sfd;
	if (o->master >= 0) {
		(void)fcntl(o->master, F_SETFL, fcntl(o->master, F_GETFL) | O_NONBLOCK);
		copy_winsize(&f);
		raw_on(&f);
	}
	int r;
	while ((r = fg_step(&f, err)) == 0)
		;
	/* The process is gone; what it wrote last is still in the pty. */
	while (r > 0 && f.master_open) {
		struct pollfd p = {.fd = o->master, .events = POLLIN};
		if (poll(&p, 1, 50) <= 0 || !pump_master(&f))
			break;
	}
	if (f.raw)
		(void)tcsetattr(0, TCSANOW, &f.saved);
	if (r < 0)
		return -1;
	return reap(o->pid, ret_code, err);
}
