/* static */
/* bench/migrate/dirtier.c: the workload of the migration benchmark
 * (bench/migrate/migrate.sh).
 *
 *   dirtier MIB RATE_MIBS [nothp]
 *                           allocate MIB MiB, fill it, then dirty RATE_MIBS
 *                           MiB/s of it (random 4 KiB pages) for ever;
 *                           nothp: madvise(MADV_NOHUGEPAGE) first
 *   dirtier --now           print CLOCK_MONOTONIC in ns (the script's clock)
 *
 * It reports on stdout, one line each, with CLOCK_MONOTONIC in ns (there is
 * no time namespace, so the script, criu and the restored process all read
 * the same clock):
 *   ready T                 all pages present; dirtying starts
 *   gap T0 T1 DIRTIED       the loop did not run between T0 and T1 for more
 *                           than GAP_NS: it was frozen (pre-dump, dump) or
 *                           not yet restored.  DIRTIED: pages dirtied so far
 *   hb T DIRTIED            a heartbeat, once a second
 * A migration's downtime is the gap that spans the final dump: from the
 * last tick before the freeze to the first tick of the restored process,
 * as the process itself saw it.  The loop ticks every TICK_NS, so the
 * measure is good to about a tick (plus the scheduler's delay under TCG).
 *
 * Static: it runs in the busybox rootfs and in the VM. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE	4096u
#define TICK_NS 2000000ll   /* 2 ms */
#define GAP_NS	100000000ll /* 100 ms: far above a tick, even under TCG */

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* One write(2) per line: stdout is a file the restored process shares with
 * the restoring vessel (O_APPEND), never a stdio buffer a dump could hold. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && write(STDOUT_FILENO, line, (size_t)n) < 0)
		_exit(3);
}

static uint64_t rng = 88172645463325252ull;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void run(size_t npages, double rate_pages, int nothp)
{
	/* MAP_POPULATE is not enough: untouched populated pages are the zero
	 * page, which criu does not dump.  Each page gets its own bytes. */
	unsigned char *mem =
	    mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		fprintf(stderr, "dirtier: mmap %zu pages: %s\n", npages, strerror(errno));
		exit(2);
	}
	/* With transparent huge pages the kernel's soft-dirty bits, which
	 * pre-dump rounds read, are per 2 MiB: one write re-sends 512 pages. */
	if (nothp && madvise(mem, npages * PAGE, MADV_NOHUGEPAGE) < 0) {
		fprintf(stderr, "dirtier: madvise MADV_NOHUGEPAGE: %s\n", strerror(errno));
		exit(2);
	}
	for (size_t i = 0; i < npages; i++)
		memset(mem + i * PAGE, (int)(i % 251) + 1, 64);
	int64_t start = now_ns(), last = start, next_hb = start + 1000000000ll;
	uint64_t dirtied = 0;
	double carry = 0;
	say("ready %" PRId64 "\n", start);
	const struct timespec tick = {0, TICK_NS};
	for (;;) {
		int64_t t = now_ns(), dt = t - last;
		if (dt > GAP_NS) {
			say("gap %" PRId64 " %" PRId64 " %" PRIu64 "\n", last, t, dirtied);
			dt = TICK_NS;
		}
		last = t;
		if (t >= next_hb) {
			say("hb %" PRId64 " %" PRIu64 "\n", t, dirtied);
			next_hb = t + 1000000000ll;
		}
		/* Paced by the clock (a late tick dirties more), but after a
		 * freeze it does not catch up: a frozen process dirties nothing. */
		carry += rate_pages * (double)dt / 1e9;
		uint64_t owed = (uint64_t)carry;
		carry -= (double)owed;
		for (uint64_t k = 0; k < owed && npages; k++)
			mem[(xorshift() % npages) * PAGE + 64]++;
		dirtied += owed;
		nanosleep(&tick, NULL);
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--now") == 0) {
		printf("%" PRId64 "\n", now_ns());
		return 0;
	}
	int nothp = argc == 4 && strcmp(argv[3], "nothp") == 0;
	if (argc != 3 && !nothp) {
		fprintf(stderr, "usage: dirtier MIB RATE_MIB_PER_S [nothp] | dirtier --now\n");
		return 2;
	}
	char *end;
	unsigned long mib = strtoul(argv[1], &end, 10);
	if (*end || end == argv[1] || mib == 0 || mib > 1024 * 1024) {
		fprintf(stderr, "dirtier: bad size '%s' (MiB)\n", argv[1]);
		return 2;
	}
	double rate = strtod(argv[2], &end);
	if (*end || rate < 0) {
		fprintf(stderr, "dirtier: bad rate '%s'\n", argv[2]);
		return 2;
	}
	run((size_t)mib * (1024 * 1024 / PAGE), rate * (1024 * 1024 / PAGE), nothp);
	return 0;
}
