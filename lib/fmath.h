/* The two transcendental functions vessel needs, without libm.
 *
 * Only the cgroup v2 cpu.shares -> cpu.weight map needs them (log2 and a
 * power of ten), yet linking libm made every vessel command map it: about
 * 0.3 MB of peak RSS in `run` (296 KB of libm's pages, measured with
 * smaps) and one more object for ld.so, twice per create/run/exec since
 * the binary re-executes itself sealed (runtime/exeseal).  These are exact
 * to a few ulp over the ranges vessel uses; tests/unit/test-fmath.c checks
 * them against libm, and the whole shares map exhaustively. */
#ifndef VESSEL_LIB_FMATH_H
#define VESSEL_LIB_FMATH_H

/* log2(x) for x > 0 (finite, normal). */
double vs_log2(double x);

/* 10^e for |e| <= 300. */
double vs_pow10(double e);

/* The smallest integral value not less than x, for |x| < 2^52. */
double vs_ceil(double x);

#endif
