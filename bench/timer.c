/* bench-timer: run one command and report its wall time and peak RSS.
 *
 *   bench-timer [-q] [-c] [-i FILE] CMD [ARG]...
 *
 * Prints one line on stdout: "WALL_NS MAXRSS_KB STATUS", with -c
 * "WALL_NS MAXRSS_KB STATUS CPU_NS" (user + system time of CMD and the
 * descendants it reaped, from the same rusage), where WALL_NS is
 * CLOCK_MONOTONIC from just before fork() to just after wait4() returned,
 * MAXRSS_KB is ru_maxrss from wait4() and STATUS is the exit status (128+N
 * when killed by signal N).  The command's stdout goes to /dev/null, its
 * stderr too with -q; its stdin is /dev/null, or FILE with -i.  CPU_NS
 * matters on a machine shared with other tenants: the CPU a command burns
 * is a steadier figure than its wall time, which includes waiting for a core.
 *
 * Why wait4's rusage: it is the kernel's own high-water mark of the child,
 * taken at exit, with the maxima of the descendants the child itself reaped
 * folded in (the kernel merges a reaped child's cmaxrss into its parent).  So
 * for `run` it covers the runtime and the helper processes it waited for;
 * for `create` the container init is still alive and is not counted.
 *
 * Why a C harness rather than `date` arithmetic in the shell: the shell's own
 * fork, the date processes and the pipeline would be inside the measured
 * interval and cost as much as the fastest operations measured.
 *
 * Exit status: 0 when the command exited 0, 1 when it did not (the line is
 * printed either way), 2 when it could not be run. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_ns(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000000LL + tv->tv_usec * 1000LL;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-timer [-q] [-c] [-i FILE] CMD [ARG]...\n");
	exit(2);
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void child_exec(char **argv, const char *in, int quiet)
{
	int fd = open(in ? in : "/dev/null", O_RDONLY | O_CLOEXEC);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || null < 0 || dup2(fd, 0) < 0 || dup2(null, 1) < 0)
		_exit(127);
	if (quiet && dup2(null, 2) < 0)
		_exit(127);
	execvp(argv[0], argv);
	_exit(127);
}

int main(int argc, char **argv)
{
	const char *in = NULL;
	int quiet = 0, cpu = 0, opt;
	while ((opt = getopt(argc, argv, "+qci:")) != -1) {
		if (opt == 'q')
			quiet = 1;
		else if (opt == 'c')
			cpu = 1;
		else if (opt == 'i')
			in = optarg;
		else
			usage();
	}
	if (optind >= argc)
		usage();

	struct rusage ru;
	int status;
	long long t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench-timer: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0)
		child_exec(argv + optind, in, quiet);
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "bench-timer: wait4: %s\n", strerror(errno));
			return 2;
		}
	}
	long long t1 = now_ns();

	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (cpu)
		printf("%lld %ld %d %lld\n", t1 - t0, ru.ru_maxrss, code,
		       tv_ns(&ru.ru_utime) + tv_ns(&ru.ru_stime));
	else
		printf("%lld %ld %d\n", t1 - t0, ru.ru_maxrss, code);
	if (code == 127) {
		fprintf(stderr, "bench-timer: could not run %s\n", argv[optind]);
		return 2;
	}
	return code == 0 ? 0 : 1;
}
