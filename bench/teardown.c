/* bench-teardown: how long a runtime takes from its container's exit to
 * its own exit, for a foreground `run`.
 *
 *   bench-teardown --stamp            (static; the container's process)
 *   bench-teardown CMD [ARG]...       (the harness, on the host)
 *
 * --stamp writes CLOCK_MONOTONIC in ns to stdout and exits at once.  The
 * harness runs CMD (a `RUNTIME run` of a bundle whose process is the
 * stamp) with its stdout on a pipe, reads the stamp, waits for CMD and
 * prints one line: "TEARDOWN_NS WALL_NS MAXRSS_KB STATUS", TEARDOWN_NS
 * being the time from the stamp to wait4()'s return.  CLOCK_MONOTONIC is
 * one clock for every process outside a time namespace, which no runtime
 * here makes.  What the interval holds: the container process's exit (and
 * with it its namespaces' teardown, the same for every runtime), the
 * runtime noticing it, and everything the runtime does after (state and
 * cgroup removal, unmounts, its own exit).
 *
 * Exit status as bench-timer: 0 when CMD exited 0, 1 when it did not or no
 * stamp came, 2 when it could not be run. */
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

static int stamp(void)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld\n", now_ns());
	return write(1, buf, (size_t)n) == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--stamp") == 0)
		return stamp();
	if (argc < 2) {
		fprintf(stderr, "usage: bench-teardown --stamp | CMD [ARG]...\n");
		return 2;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return 2;
	long long t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	close(p[1]);
	/* Read to EOF: the pipe may outlive the runtime in a process it left
	 * behind, so EOF is not the end; wait4 is. */
	char out[256] = "";
	size_t len = 0;
	ssize_t r;
	while ((r = read(p[0], out + len, sizeof(out) - 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		len += (size_t)r;
		if (len == sizeof(out) - 1)
			break;
	}
	out[len] = '\0';
	struct rusage ru;
	int status;
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return 2;
	long long t1 = now_ns();
	long long st = atoll(out);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("%lld %lld %ld %d\n", st > 0 ? t1 - st : 0, t1 - t0, ru.ru_maxrss, code);
	return code == 127 ? 2 : (code == 0 && st > 0 ? 0 : 1);
}
