/* lib/fmath: see fmath.h (why not libm). */
#include "lib/fmath.h"

#include <stdint.h>
#include <string.h>

#define LN2	0.693147180559945309417232121458176568
#define LOG2_10 3.32192809488736234787031942948939018

/* x = m * 2^k with m in [1, 2), from the bits of a normal double. */
static double split(double x, int *k)
{
	uint64_t b;
	memcpy(&b, &x, sizeof(b));
	*k = (int)((b >> 52) & 0x7ff) - 1023;
	b = (b & ~(0x7ffULL << 52)) | (1023ULL << 52);
	memcpy(&x, &b, sizeof(x));
	return x;
}

/* 2^n for an integer n in the range of normal doubles. */
static double pow2i(int n)
{
	uint64_t b = (uint64_t)(n + 1023) << 52;
	double x;
	memcpy(&x, &b, sizeof(x));
	return x;
}

double vs_log2(double x)
{
	int k;
	double m = split(x, &k);
	/* ln m = 2 atanh t with t = (m - 1) / (m + 1) in [0, 1/3): the odd
	 * series' 25th term is below 3^-49, past a double's precision. */
	double t = (m - 1) / (m + 1), t2 = t * t, term = t, sum = 0;
	for (int n = 1; n < 50; n += 2) {
		sum += term / n;
		term *= t2;
	}
	return k + 2 * sum / LN2;
}

double vs_pow10(double e)
{
	/* 10^e = 2^y, y = n + f with f in [0, 1): 2^f = exp(f ln 2), whose
	 * Taylor series at f ln 2 < 0.7 is exact to a double after 25 terms. */
	double y = e * LOG2_10;
	int n = (int)y;
	if (n > y)
		n--;
	double z = (y - n) * LN2, term = 1, sum = 1;
	for (int i = 1; i < 25; i++) {
		term *= z / i;
		sum += term;
	}
	return sum * pow2i(n);
}

double vs_ceil(double x)
{
	double t = (double)(int64_t)x; /* truncates toward zero */
	return t < x ? t + 1 : t;
}
