/* lib/fmath.c against libm: vs_log2, vs_pow10 and vs_ceil agree to a few
 * ulp over the ranges vessel uses, and the cpu.shares -> cpu.weight map
 * built on them gives libm's answer for every shares value it computes
 * (2 < shares < 262144), so dropping libm changed no container's weight. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/fmath.h"
#include "runtime/cgroup/cgroup-internal.h"
#include "tap.h"

/* Relative error, absolute below 1 (log2 near x = 1 is near 0). */
static double rel(double a, double b)
{
	return fabs(a - b) / (fabs(b) > 1 ? fabs(b) : 1);
}

/* The map as it was written with libm. */
static uint64_t weight_libm(uint64_t shares)
{
	double l = log2((double)shares);
	double exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
	return (uint64_t)ceil(pow(10.0, exponent) - 1e-9);
}

int main(void)
{
	double worst = 0;
	for (double x = 1e-3; x < 1e12; x *= 1.0137)
		if (rel(vs_log2(x), log2(x)) > worst)
			worst = rel(vs_log2(x), log2(x));
	printf("# vs_log2 worst relative error %g\n", worst);
	CHECK(worst < 1e-14, "vs_log2 within 1e-14 of libm's log2");
	CHECK(vs_log2(1024) == 10, "vs_log2(1024) is exactly 10");

	worst = 0;
	for (double e = -20; e < 20; e += 0.00123)
		if (rel(vs_pow10(e), pow(10, e)) > worst)
			worst = rel(vs_pow10(e), pow(10, e));
	printf("# vs_pow10 worst relative error %g\n", worst);
	CHECK(worst < 1e-14, "vs_pow10 within 1e-14 of libm's pow(10, e)");

	int ceil_ok = 1;
	for (double x = -1000.5; x < 1000; x += 0.25)
		ceil_ok &= vs_ceil(x) == ceil(x);
	CHECK(ceil_ok, "vs_ceil equals ceil on [-1000.5, 1000)");
	CHECK(vs_ceil(99.999999999) == 100 && vs_ceil(100) == 100, "vs_ceil at an integer");

	uint64_t bad = 0, n_bad = 0;
	for (uint64_t s = 3; s < 262144; s++)
		if (cg_cpu_shares_to_weight(s) != weight_libm(s) && n_bad++ == 0)
			bad = s;
	if (n_bad)
		printf("# first shares value that differs: %llu (%llu values)\n",
		       (unsigned long long)bad, (unsigned long long)n_bad);
	CHECK_INT(n_bad, ==, 0);
	return tap_done();
}
