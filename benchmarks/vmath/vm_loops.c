/*
 * The loops under test: out[i] = lk_<fn>(x[i]) for every function of vmath.h,
 * plus two loops that call two functions in one body.  run.sh compiles this file
 * once per variant, with VARIANT naming the symbols:
 *   base  -march=x86-64                 (SSE2, no FMA: LK_FMA is a*b+c)
 *   v3    -march=x86-64-v3              (AVX2, LK_FMA is __builtin_fma)
 *   v4    -march=x86-64-v4              (AVX-512)
 *   tc3   -march=x86-64 + target("arch=x86-64-v3") on each loop: what a
 *   tc4   target_clones clone gets (FMA by contraction only, __FMA__ undefined)
 * and once with LK_LOOP_CLONES for the vectorisation report of target_clones.
 */
#include <math.h>

#include "vmath.h"

#ifndef VARIANT
#define VARIANT base
#endif
#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)

#if defined(LK_LOOP_CLONES)
#define ATTR __attribute__((noinline, target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#elif defined(LK_LOOP_TARGET)
#define ATTR __attribute__((noinline, target(LK_LOOP_TARGET)))
#else
#define ATTR __attribute__((noinline))
#endif

#define LOOP(name, T, expr)                                                           \
    ATTR void CAT(name, VARIANT)(const T *restrict x, T *restrict y, long n)          \
    {                                                                                 \
        for (long i = 0; i < n; i++) y[i] = expr;                                     \
    }

/* one loop per line: run.sh maps -fopt-info line numbers back to these names */
LOOP(exp_d, double, lk_exp_d(x[i]))
LOOP(expm1_d, double, lk_expm1_d(x[i]))
LOOP(log_d, double, lk_log_d(x[i]))
LOOP(log1p_d, double, lk_log1p_d(x[i]))
LOOP(exp_f, float, lk_exp_f(x[i]))
LOOP(expm1_f, float, lk_expm1_f(x[i]))
LOOP(log_f, float, lk_log_f(x[i]))
LOOP(log1p_f, float, lk_log1p_f(x[i]))
LOOP(softplus_d, double, lk_log1p_d(lk_exp_d(-fabs(x[i]))))
LOOP(softplus_f, float, lk_log1p_f(lk_exp_f(-fabsf(x[i]))))

/* The same composite evaluated in blocks through a stack buffer: two short loops
 * instead of one long dependency chain per element (faster, see README.md). */
#define BLOCKED(name, T, B, first, second)                                           \
    ATTR void CAT(name, VARIANT)(const T *restrict x, T *restrict y, long n)          \
    {                                                                                 \
        T t[B];                                                                       \
        for (long i0 = 0; i0 < n; i0 += B) {                                          \
            long m = n - i0 < B ? n - i0 : B;                                         \
            for (long j = 0; j < m; j++) t[j] = first;                                \
            for (long j = 0; j < m; j++) y[i0 + j] = second;                          \
        }                                                                             \
    }
BLOCKED(softplusb_d, double, 256, lk_exp_d(-fabs(x[i0 + j])), lk_log1p_d(t[j]))
BLOCKED(softplusb_f, float, 512, lk_exp_f(-fabsf(x[i0 + j])), lk_log1p_f(t[j]))
