/* static */
/* sysbench: per-syscall cost, for bench/seccomp (run on the host and inside
 * containers; static because the busybox rootfs has no libc).
 *
 *   sysbench [ITERATIONS] [ROUNDS]
 *
 * For each operation prints "NAME NS_PER_CALL", the best (lowest) of ROUNDS
 * rounds of ITERATIONS calls each: the minimum is the least disturbed by the
 * other tenants of a 2-core machine.  Time is the thread's CPU time (user +
 * system), not wall time, so being preempted by other load does not count.
 * Syscalls are made with syscall(2) so libc caching (getpid) cannot hide
 * them. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int zero_fd = -1;

static void op_getpid(void)
{
	syscall(SYS_getpid);
}

static void op_getppid(void)
{
	syscall(SYS_getppid);
}

static void op_read1(void)
{
	char c;
	if (syscall(SYS_read, zero_fd, &c, 1) != 1)
		abort();
}

static void op_fstat(void)
{
	struct stat sb;
	if (syscall(SYS_fstat, zero_fd, &sb) != 0)
		abort();
}

static void op_open_close(void)
{
	long fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		abort();
	syscall(SYS_close, fd);
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double bench(void (*op)(void), long iterations, int rounds)
{
	double best = -1;
	for (int r = 0; r < rounds; r++) {
		double t0 = now_ns();
		for (long i = 0; i < iterations; i++)
			op();
		double per = (now_ns() - t0) / (double)iterations;
		if (best < 0 || per < best)
			best = per;
	}
	return best;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*op)(void);
	} ops[] = {
	    {"getpid", op_getpid}, {"getppid", op_getppid},	    {"read1", op_read1},
	    {"fstat", op_fstat},   {"openat_close", op_open_close},
	};
	long iterations = argc > 1 ? atol(argv[1]) : 200000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	if (iterations <= 0 || rounds <= 0) {
		fprintf(stderr, "usage: sysbench [ITERATIONS] [ROUNDS]\n");
		return 2;
	}
	zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (zero_fd < 0) {
		perror("sysbench: open /dev/zero");
		return 1;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		printf("%s %.1f\n", ops[i].name, bench(ops[i].op, iterations, rounds));
	return 0;
}
