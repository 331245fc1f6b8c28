/* bench-sysops: the classic OS-virtualization micro-benchmark, cost per call
 * of a few system calls, run on the host and inside containers (linked
 * statically: the busybox rootfs has no libc).
 *
 *   bench-sysops [ITERATIONS [ROUNDS [TRUE]]]
 *
 * Operations: getpid, getppid, getpgid, getsid, read of 1 byte of /dev/zero,
 * shmget+shmat+shmdt (+IPC_RMID, or the segments would pile up), fork+wait
 * (the child _exits at once), execve of TRUE (default /bin/true: the static
 * busybox of the bench's rootfs, also on the host side) + wait.
 * fork and execve cost 10^3-10^4 times a getpid, so they run ITERATIONS/100
 * and ITERATIONS/400 times.
 *
 * Prints "NAME MIN_NS MEDIAN_NS" per operation over ROUNDS rounds: the
 * minimum is the least disturbed by other tenants of the machine, the
 * median says how typical it is.  Calls go through syscall(2) so libc caching
 * (getpid) cannot hide them. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int zero_fd = -1;
static const char *true_path = "/bin/true";

static void op_getpid(void)
{
	syscall(SYS_getpid);
}

static void op_getppid(void)
{
	syscall(SYS_getppid);
}

static void op_getpgid(void)
{
	syscall(SYS_getpgid, 0);
}

static void op_getsid(void)
{
	syscall(SYS_getsid, 0);
}

static void op_read_zero(void)
{
	char c;
	if (syscall(SYS_read, zero_fd, &c, 1) != 1)
		abort();
}

static void op_shm(void)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (id < 0)
		abort();
	void *p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		abort();
	shmdt(p);
	shmctl(id, IPC_RMID, NULL);
}

static void reap(pid_t pid)
{
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		abort();
}

static void op_fork(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	reap(pid);
}

static void op_exec(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {(char *)"true", NULL};
		execv(true_path, argv);
		_exit(127);
	}
	reap(pid);
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void bench(const char *name, void (*op)(void), long iterations, int rounds)
{
	double per[1000];
	if (iterations < 1)
		iterations = 1;
	for (int r = 0; r < rounds; r++) {
		double t0 = now_ns();
		for (long i = 0; i < iterations; i++)
			op();
		per[r] = (now_ns() - t0) / (double)iterations;
	}
	qsort(per, (size_t)rounds, sizeof(per[0]), cmp_double);
	printf("%s %.1f %.1f\n", name, per[0], per[rounds / 2]);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	if (argc > 3)
		true_path = argv[3];
	if (n < 1 || rounds < 1 || rounds > 1000) {
		fprintf(stderr, "usage: bench-sysops [ITERATIONS [ROUNDS [TRUE]]]\n");
		return 2;
	}
	zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (zero_fd < 0) {
		perror("bench-sysops: /dev/zero");
		return 1;
	}
	bench("getpid", op_getpid, n, rounds);
	bench("getppid", op_getppid, n, rounds);
	bench("getpgid", op_getpgid, n, rounds);
	bench("getsid", op_getsid, n, rounds);
	bench("read_zero", op_read_zero, n, rounds);
	bench("shm_cycle", op_shm, n / 20, rounds);
	bench("fork_wait", op_fork, n / 100, rounds);
	bench("execve_true", op_exec, n / 400, rounds);
	return 0;
}
