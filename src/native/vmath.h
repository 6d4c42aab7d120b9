/*
 * vmath.h -- vectorisable elementary functions for losskit's native kernels.
 *
 * Header-only C99/C11.  Every function is `static inline`, branch-free, calls no
 * libm function and reads no table, so that GCC can inline it into a loop and
 * vectorise the loop (SSE2, AVX2, AVX-512).
 *
 *   double lk_exp_d(double x);    float lk_exp_f(float x);
 *   double lk_expm1_d(double x);  float lk_expm1_f(float x);
 *   double lk_log_d(double x);    float lk_log_f(float x);
 *   double lk_log1p_d(double x);  float lk_log1p_f(float x);
 *   x <= 0 only: lk_exp_neg_d/_f (exp), lk_expm1_exp_neg_d/_f (expm1 and exp at once)
 *   0 <= x < sqrt(2) - 1 only: lk_log1p_small_d/_f;  0 <= x <= 1 only: lk_log1p_unit_d/_f
 *
 * Accuracy (measured, benchmarks/vmath/README.md; with and without FMA): max error
 * 0.66 ulp where the result is normal, 0.77 ulp for exp's subnormal results (the
 * bound is 0.78: the last scaling rounds a second time); float checked on all 2^32
 * inputs.  IEEE special values (inf, nan, signed zeros, overflow to inf, gradual
 * underflow) as in C99 Annex F.  errno is never set and no floating-point
 * exception flag is promised.  Assumes the default MXCSR (no FTZ/DAZ).
 *
 * What the includer must know
 * ---------------------------
 * - Compile with -O3 -fno-math-errno -fno-trapping-math.  Without
 *   -fno-trapping-math GCC does not if-convert most selects and the loops stay
 *   scalar (baseline, most of AVX2; still correct).  NEVER -ffast-math or its
 *   parts -ffinite-math-only, -fassociative-math, -freciprocal-math,
 *   -funsafe-math-optimizations: the error-free transformations below (Fast2Sum,
 *   2Sum) rely on IEEE evaluation order and would be "simplified" away, and the
 *   nan/inf handling would break.
 * - Use a GNU C mode (the default, or -std=gnu11), or pass -ffp-contract=fast:
 *   inside a function with __attribute__((target_clones("default",
 *   "arch=x86-64-v3", "arch=x86-64-v4"))) the preprocessor sees the baseline
 *   target, so __FMA__ is undefined and LK_FMA(a, b, c) is plain a * b + c; the
 *   v3/v4 clones then get FMA instructions only through contraction, which ISO
 *   modes (-std=c11) switch off.  The code is accurate either way (every step
 *   that must be exact is exact with and without contraction); FMA is only faster.
 * - When the translation unit itself is compiled with FMA (-march=x86-64-v3 or
 *   -mfma), LK_FMA is __builtin_fma.  Never use fma() in a target_clones
 *   function: in the baseline clone it is a libm call, which stops vectorisation.
 * - Results may differ by an ulp between ISAs (FMA or not), never by more than
 *   the stated accuracy from the exact value.
 * - Define LK_VMATH_NO_FMA before including to make LK_FMA plain a * b + c
 *   (contraction rules then apply).
 * - Around the calls: fmax/fmin do not vectorise with GCC 12 under these flags
 *   (they stay libm calls and keep the whole loop scalar, in every clone); write
 *   x > 0.0 ? x : 0.0.  sqrt, fabs, copysign and ternaries vectorise everywhere.
 * - Composites: a loop body that nests two calls, e.g. lk_log1p_d(lk_exp_d(-|x|)),
 *   is one long dependency chain per element and runs about 1.5x slower than
 *   evaluating the inner call into a small stack buffer (256 doubles) and the
 *   outer call over that buffer in a second loop (measured in the README).
 *
 * Algorithms (own code; ideas from fdlibm, Cephes and ARM optimized-routines):
 * - exp/expm1: x = k ln2 + r, |r| <= ln2/2, k rounded with the 1.5*2^52 shift
 *   trick (no double->int64 conversion: that needs AVX-512DQ); ln2 in two parts
 *   (Cody-Waite) so that r = rh + rl exactly enough; exp(r) - 1 - r = r^2 P(r),
 *   P a Remez minimax polynomial; 1 + rh is summed with Fast2Sum so that the
 *   result is rounded once, 2^k is built in the exponent bits, in two factors
 *   2^k1 * 2^k2 so that overflow and gradual underflow come out right.
 *   expm1 = T*(r + q) + (T - 1) with T = 2^k and both sums tracked exactly.
 * - log/log1p: x = 2^k m, m in [sqrt(1/2), sqrt(2)) from the exponent bits (no
 *   int64->double conversion: the 0x433 exponent trick), f = m - 1,
 *   s = f/(2+f), log(1+f) = f - f^2/2 + s (f^2/2 + z Q(z)), z = s^2 (fdlibm's
 *   identity), Q a Remez minimax polynomial; k ln2 + f and f - f^2/2 are summed
 *   exactly (Fast2Sum, f^2 split without FMA by masking bits).  log1p carries the
 *   rounding error of 1 + x (2Sum) into the result.
 * Coefficients: benchmarks/vmath/remez.py (weighted Remez exchange in mpmath).
 */
#ifndef LOSSKIT_VMATH_H
#define LOSSKIT_VMATH_H

#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define LK_INLINE static inline __attribute__((always_inline))
#else
#define LK_INLINE static inline
#endif

/* a * b + c: one rounding when the translation unit has FMA, else two (or one,
 * when the compiler contracts it under -ffp-contract=fast). */
#if defined(__FMA__) && !defined(LK_VMATH_NO_FMA)
#define LK_FMA(a, b, c) __builtin_fma((a), (b), (c))
#define LK_FMAF(a, b, c) __builtin_fmaf((a), (b), (c))
#else
#define LK_FMA(a, b, c) ((a) * (b) + (c))
#define LK_FMAF(a, b, c) ((a) * (b) + (c))
#endif

/* ---------------------------------------------------------------- bits ---- */

LK_INLINE uint64_t lk_asu64(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

LK_INLINE double lk_asf64(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

LK_INLINE uint32_t lk_asu32(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

LK_INLINE float lk_asf32(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* ----------------------------------------------------------- constants ---- */

#define LK_SHIFT_D 0x1.8p52            /* x + 1.5*2^52 rounds x to an integer */
#define LK_INVLN2_D 0x1.71547652b82fep0
#define LK_LN2_1_D 0x1.62e42fefa3800p-1 /* 42 bits: k * LN2_1 exact, |k| < 2^11 */
#define LK_LN2_2_D 0x1.ef35793c76730p-45

#define LK_SHIFT_F 0x1.8p23f
#define LK_INVLN2_F 0x1.715476p0f
#define LK_LN2_1_F 0x1.62e4p-1f        /* 15 bits: k * LN2_1 exact, |k| < 2^8 */
#define LK_LN2_2_F 0x1.7f7d1cp-20f

/* exp(r) - 1 - r = r^2 * P(r), |r| <= ln2/2; relative error 2^-61 (double),
 * 2^-31 (float); P(0) = 1/2 exactly. */
#define LK_EXPD_C0 0x1p-1
#define LK_EXPD_C1 0x1.5555555555558p-3
#define LK_EXPD_C2 0x1.5555555555556p-5
#define LK_EXPD_C3 0x1.111111110f85fp-7
#define LK_EXPD_C4 0x1.6c16c16c15df1p-10
#define LK_EXPD_C5 0x1.a01a01aff246dp-13
#define LK_EXPD_C6 0x1.a01a01a934d4dp-16
#define LK_EXPD_C7 0x1.71ddf6f4b8ee2p-19
#define LK_EXPD_C8 0x1.27e4d4d7d0f8dp-22
#define LK_EXPD_C9 0x1.af62bb45d3117p-26
#define LK_EXPD_C10 0x1.1f7f2076b31a9p-29

#define LK_EXPF_C0 0x1p-1f
#define LK_EXPF_C1 0x1.555556p-3f
#define LK_EXPF_C2 0x1.5554f2p-5f
#define LK_EXPF_C3 0x1.111046p-7f
#define LK_EXPF_C4 0x1.6d4274p-10f
#define LK_EXPF_C5 0x1.a1877ep-13f

/* 2 atanh(s) = 2 s + s z Q(z), z = s^2 <= (3 - 2 sqrt 2)^2; relative error of
 * the result 2^-59 (double), 2^-33 (float). */
#define LK_LOGD_C0 0x1.5555555555592p-1
#define LK_LOGD_C1 0x1.999999997fdd4p-2
#define LK_LOGD_C2 0x1.24924941f12efp-2
#define LK_LOGD_C3 0x1.c71c520955db6p-3
#define LK_LOGD_C4 0x1.74663eea0c834p-3
#define LK_LOGD_C5 0x1.39a1ba8a7b13fp-3
#define LK_LOGD_C6 0x1.2f056565d87cbp-3

#define LK_LOGF_C0 0x1.555556p-1f
#define LK_LOGF_C1 0x1.999a2ap-2f
#define LK_LOGF_C2 0x1.24388cp-2f
#define LK_LOGF_C3 0x1.e2f60cp-3f

/* ------------------------------------------------------------- helpers ---- */

/* Reduction for exp/expm1: x = k ln2 + rh + rl (|rl| <= ulp(rh)/2 or so).
 * Returns k as a double, its bits after the shift in *ki (k in the low bits). */
LK_INLINE double lk_exp_reduce_d(double x, uint64_t *ki, double *rh, double *rl)
{
    double z = LK_FMA(x, LK_INVLN2_D, LK_SHIFT_D);
    double kd = z - LK_SHIFT_D;
    /* x - kd*LN2_1 is exact: kd*LN2_1 is exact and within a factor 2 of x (or 0) */
    double t = LK_FMA(-kd, LK_LN2_1_D, x);
    double p = kd * LK_LN2_2_D;
    double h = t - p;
    *ki = lk_asu64(z);
    *rh = h;
    *rl = (t - h) - p;
    return kd;
}

/* (exp(r) - 1 - r - r^2/2) / r^3 for |r| <= ln2/2 */
LK_INLINE double lk_exppoly_d(double r)
{
    double r2 = r * r;
    double r4 = r2 * r2;
    double p12 = LK_FMA(LK_EXPD_C2, r, LK_EXPD_C1);
    double p34 = LK_FMA(LK_EXPD_C4, r, LK_EXPD_C3);
    double p56 = LK_FMA(LK_EXPD_C6, r, LK_EXPD_C5);
    double p78 = LK_FMA(LK_EXPD_C8, r, LK_EXPD_C7);
    double p9a = LK_FMA(LK_EXPD_C10, r, LK_EXPD_C9);
    double p14 = LK_FMA(p34, r2, p12);
    double p58 = LK_FMA(p78, r2, p56);
    double p5a = LK_FMA(p9a, r4, p58);
    return LK_FMA(p5a, r4, p14);
}

/* Split x = hi + lo with hi holding the top 26 significant bits: hi*hi is exact */
LK_INLINE double lk_split_d(double x)
{
    return lk_asf64(lk_asu64(x) & 0xFFFFFFFFF8000000ull);
}

LK_INLINE float lk_exp_reduce_f(float x, int32_t *ki, float *rh, float *rl)
{
    float z = LK_FMAF(x, LK_INVLN2_F, LK_SHIFT_F);
    float kf = z - LK_SHIFT_F;
    float t = LK_FMAF(-kf, LK_LN2_1_F, x);
    float p = kf * LK_LN2_2_F;
    float h = t - p;
    *ki = (int32_t)lk_asu32(z) - 0x4B400000; /* bits of 1.5*2^23 */
    *rh = h;
    *rl = (t - h) - p;
    return kf;
}

LK_INLINE float lk_exppoly_f(float r)
{
    float r2 = r * r;
    float p12 = LK_FMAF(LK_EXPF_C2, r, LK_EXPF_C1);
    float p34 = LK_FMAF(LK_EXPF_C4, r, LK_EXPF_C3);
    float p35 = LK_FMAF(LK_EXPF_C5, r2, p34);
    return LK_FMAF(p35, r2, p12);
}

/* x = hi + lo, hi with 12 significant bits */
LK_INLINE float lk_split_f(float x)
{
    return lk_asf32(lk_asu32(x) & 0xFFFFF000u);
}

/* -------------------------------------------------------------- exp ------- */

/* m * 2^k for exp: k = kd, ki its bits after the 1.5*2^52 shift. 2^k = 2^k1 * 2^k2, both
 * normal for k in [-1075, 1024], so that overflow and gradual underflow come out right. */
LK_INLINE double lk_scale_d(double m, double kd, uint64_t ki)
{
    uint64_t k1 = lk_asu64(LK_FMA(kd, 0.5, LK_SHIFT_D));
    double s1 = lk_asf64((k1 << 52) + 0x3FF0000000000000ull);
    double s2 = lk_asf64(((ki - k1) << 52) + 0x3FF0000000000000ull);
    return (m * s1) * s2;
}

/* m * 2^k in float, k = ki, as two normal factors */
LK_INLINE float lk_scale_f(float m, int32_t ki)
{
    int32_t k1 = ki >> 1;
    int32_t k2 = ki - k1;
    return (m * lk_asf32((uint32_t)(k1 + 127) << 23)) * lk_asf32((uint32_t)(k2 + 127) << 23);
}

LK_INLINE double lk_exp_d(double x)
{
    /* clamp (nan passes: comparisons with nan are false); exp(709.8) overflows,
     * exp(-745.2) < 2^-1075 underflows to 0 */
    double xc = x > 709.8 ? 709.8 : x;
    xc = xc < -745.2 ? -745.2 : xc;
    uint64_t ki;
    double rh, rl;
    double kd = lk_exp_reduce_d(xc, &ki, &rh, &rl);
    double q = rh * rh * LK_FMA(rh, lk_exppoly_d(rh), 0.5); /* exp(rh) - 1 - rh */
    /* exp(rh + rl) = 1 + rh + (q + rl (1 + rh)) to well below an ulp */
    double lo = LK_FMA(rl, rh, rl) + q;
    double t1 = 1.0 + rh;
    double e1 = (1.0 - t1) + rh; /* Fast2Sum: |rh| < 1 */
    double m = t1 + (e1 + lo);
    return lk_scale_d(m, kd, ki);
}

LK_INLINE float lk_exp_f(float x)
{
    float xc = x > 88.8f ? 88.8f : x;
    xc = xc < -104.0f ? -104.0f : xc;
    int32_t ki;
    float rh, rl;
    lk_exp_reduce_f(xc, &ki, &rh, &rl);
    float q = rh * rh * LK_FMAF(rh, lk_exppoly_f(rh), 0.5f);
    float lo = LK_FMAF(rl, rh, rl) + q;
    float t1 = 1.0f + rh;
    float e1 = (1.0f - t1) + rh;
    float m = t1 + (e1 + lo);
    return lk_scale_f(m, ki);
}

/* exp(x) for x <= 0 in double, the same lean form as lk_exp_neg_f below (no overflow clamp; the
 * reduction's low part and the rounding of 1 + r not carried; lk_exp_d's polynomial): within
 * 0.99 ulp where the result is normal (measured on 10^8 random inputs against expl:
 * benchmarks/vmath/check_lean.c). */
LK_INLINE double lk_exp_neg_d(double x)
{
    double xc = x < -745.2 ? -745.2 : x;
    double z = LK_FMA(xc, LK_INVLN2_D, LK_SHIFT_D);
    double kd = z - LK_SHIFT_D;
    uint64_t ki = lk_asu64(z);
    double r = LK_FMA(-kd, LK_LN2_1_D, xc); /* exact */
    r = LK_FMA(-kd, LK_LN2_2_D, r);
    double m = 1.0 + LK_FMA(r * r, LK_FMA(r, lk_exppoly_d(r), 0.5), r);
    return lk_scale_d(m, kd, ki);
}

/* exp(x) for x <= 0 (-inf gives 0; nan an unspecified value): the softmax's exp(s - max s).
 * Leaner than lk_exp_f, about 24 operations instead of 35: no overflow clamp, and neither the
 * reduction's low part nor the rounding of 1 + r is carried. Within 0.99 ulp where the result is
 * normal (0.98 measured on every float in [-104, 0], with and without FMA:
 * benchmarks/vmath/check_lean.c), 0.75 ulp where it is subnormal (gradual
 * underflow kept). */
LK_INLINE float lk_exp_neg_f(float x)
{
    float xc = x < -104.0f ? -104.0f : x;
    float z = LK_FMAF(xc, LK_INVLN2_F, LK_SHIFT_F);
    float kf = z - LK_SHIFT_F;
    int32_t ki = (int32_t)lk_asu32(z) - 0x4B400000; /* bits of 1.5*2^23 */
    float r = LK_FMAF(-kf, LK_LN2_1_F, xc);          /* exact */
    r = LK_FMAF(-kf, LK_LN2_2_F, r);
    float m = 1.0f + LK_FMAF(r * r, LK_FMAF(r, lk_exppoly_f(r), 0.5f), r);
    return lk_scale_f(m, ki);
}

/* ------------------------------------------------------------ expm1 ------- */

/* T e^r - Fi for expm1, T = 2^k, e^r = 1 + rh + qh + lo (qh exact): T - Fi exactly as uh + ul
 * (2Sum); uh + T rh + T qh summed with Fast2Sum (each partial sum dominates the next term, or is
 * zero) so that the result is rounded once, the rest (ul + T lo) added last */
LK_INLINE double lk_expm1_sum_d(double T, double Fi, double rh, double qh, double lo)
{
    double uh = T - Fi;
    double bb = uh - T;
    double aa = uh - bb;
    double ul = (T - aa) + (-Fi - bb);
    double v = T * rh;
    double s1 = uh + v;
    double e1 = (uh - s1) + v;
    double w = T * qh;
    double s2 = s1 + w;
    double e2 = (s1 - s2) + w;
    return s2 + LK_FMA(T, lo, (e1 + e2) + ul);
}

LK_INLINE float lk_expm1_sum_f(float T, float Fi, float rh, float qh, float lo)
{
    float uh = T - Fi;
    float bb = uh - T;
    float aa = uh - bb;
    float ul = (T - aa) + (-Fi - bb);
    float v = T * rh;
    float s1 = uh + v;
    float e1 = (uh - s1) + v;
    float w = T * qh;
    float s2 = s1 + w;
    float e2 = (s1 - s2) + w;
    return s2 + LK_FMAF(T, lo, (e1 + e2) + ul);
}

LK_INLINE double lk_expm1_d(double x)
{
    /* expm1(x) = -1 (rounded) below -37.5; clamp at -40 keeps 2^k normal */
    double xc = x > 709.8 ? 709.8 : x;
    xc = xc < -40.0 ? -40.0 : xc;
    uint64_t ki;
    double rh, rl;
    double kd = lk_exp_reduce_d(xc, &ki, &rh, &rl);
    /* exp(rh) - 1 - rh = rh^2/2 + rh^3 P'(rh) = qh + ql, qh exact */
    double ah = lk_split_d(rh);
    double qh = 0.5 * ah * ah;
    double ql = LK_FMA(0.5 * (rh - ah), rh + ah, rh * rh * rh * lk_exppoly_d(rh));
    /* k = 1024 (x > 709.43) has no 2^k: compute F * (2^(k-1) e^r - 1/F), F = 2 */
    double F = kd > 1023.5 ? 2.0 : 1.0;
    double Fi = kd > 1023.5 ? 0.5 : 1.0;
    /* (a select of 64-bit integers would not vectorise on SSE2: select k first) */
    double kc = kd > 1023.5 ? 1023.0 : kd;
    double T = lk_asf64((lk_asu64(kc + LK_SHIFT_D) << 52) + 0x3FF0000000000000ull);
    double res = lk_expm1_sum_d(T, Fi, rh, qh, LK_FMA(rl, rh, rl) + ql) * F;
    (void)ki;
    return x == 0.0 ? x : res; /* expm1(-0) = -0 */
}

LK_INLINE float lk_expm1_f(float x)
{
    float xc = x > 88.8f ? 88.8f : x;
    xc = xc < -20.0f ? -20.0f : xc;
    int32_t ki;
    float rh, rl;
    lk_exp_reduce_f(xc, &ki, &rh, &rl);
    float ah = lk_split_f(rh);
    float qh = 0.5f * ah * ah;
    float ql = LK_FMAF(0.5f * (rh - ah), rh + ah, rh * rh * rh * lk_exppoly_f(rh));
    float F = ki > 127 ? 2.0f : 1.0f;
    float Fi = ki > 127 ? 0.5f : 1.0f;
    float T = lk_asf32((uint32_t)(ki + (ki > 127 ? 126 : 127)) << 23);
    float res = lk_expm1_sum_f(T, Fi, rh, qh, LK_FMAF(rl, rh, rl) + ql) * F;
    return x == 0.0f ? x : res;
}

/* expm1(x) and exp(x) for x <= 0 from one reduction and one polynomial (log-cosh needs both, of
 * -|r|): returns expm1(x), summed as in lk_expm1_d, and sets *e = exp(x), as lk_exp_d (1 + r with
 * Fast2Sum, 2^k in two factors). For k < -60 (x < -41.9) 2^k is held at 2^-60 in the expm1 part,
 * which rounds to -1 there either way. -inf gives -1 and 0. About two thirds of the operations of
 * the two functions called one after the other. Accuracy: benchmarks/vmath/check_lean.c. */
LK_INLINE double lk_expm1_exp_neg_d(double x, double *e)
{
    double xc = x < -745.2 ? -745.2 : x;
    uint64_t ki;
    double rh, rl;
    double kd = lk_exp_reduce_d(xc, &ki, &rh, &rl);
    double ah = lk_split_d(rh);
    double qh = 0.5 * ah * ah;
    double ql = LK_FMA(0.5 * (rh - ah), rh + ah, rh * rh * rh * lk_exppoly_d(rh));
    double lo0 = LK_FMA(rl, rh, rl) + ql; /* e^(rh + rl) = 1 + rh + qh + lo0 */
    double t1 = 1.0 + rh;
    double c1 = (1.0 - t1) + rh;
    *e = lk_scale_d(t1 + (c1 + (qh + lo0)), kd, ki);
    double kc = kd < -60.0 ? -60.0 : kd;
    double T = lk_asf64((lk_asu64(kc + LK_SHIFT_D) << 52) + 0x3FF0000000000000ull);
    double res = lk_expm1_sum_d(T, 1.0, rh, qh, lo0);
    return x == 0.0 ? x : res;
}

/* float: as above, 2^k held at 2^-40 in the expm1 part (x < -27.7) */
LK_INLINE float lk_expm1_exp_neg_f(float x, float *e)
{
    float xc = x < -104.0f ? -104.0f : x;
    int32_t ki;
    float rh, rl;
    lk_exp_reduce_f(xc, &ki, &rh, &rl);
    float ah = lk_split_f(rh);
    float qh = 0.5f * ah * ah;
    float ql = LK_FMAF(0.5f * (rh - ah), rh + ah, rh * rh * rh * lk_exppoly_f(rh));
    float lo0 = LK_FMAF(rl, rh, rl) + ql;
    float t1 = 1.0f + rh;
    float c1 = (1.0f - t1) + rh;
    *e = lk_scale_f(t1 + (c1 + (qh + lo0)), ki);
    int32_t kc = ki < -40 ? -40 : ki;
    float T = lk_asf32((uint32_t)(kc + 127) << 23);
    float res = lk_expm1_sum_f(T, 1.0f, rh, qh, lo0);
    return x == 0.0f ? x : res;
}

/* -------------------------------------------------------------- log ------- */

/* log(1 + f) - f + f^2/2 - s f^2/2 = s z Q(z) ... returns s*(hfsq + z Q(z)) */
LK_INLINE double lk_logtail_d(double s, double hfsq)
{
    double z = s * s;
    double z2 = z * z;
    double z4 = z2 * z2;
    double p01 = LK_FMA(LK_LOGD_C1, z, LK_LOGD_C0);
    double p23 = LK_FMA(LK_LOGD_C3, z, LK_LOGD_C2);
    double p45 = LK_FMA(LK_LOGD_C5, z, LK_LOGD_C4);
    double p46 = LK_FMA(LK_LOGD_C6, z2, p45);
    double p03 = LK_FMA(p23, z2, p01);
    double Q = LK_FMA(p46, z4, p03);
    return s * LK_FMA(z, Q, hfsq);
}

LK_INLINE float lk_logtail_f(float s, float hfsq)
{
    float z = s * s;
    float z2 = z * z;
    float p01 = LK_FMAF(LK_LOGF_C1, z, LK_LOGF_C0);
    float p23 = LK_FMAF(LK_LOGF_C3, z, LK_LOGF_C2);
    float Q = LK_FMAF(p23, z2, p01);
    return s * LK_FMAF(z, Q, hfsq);
}

LK_INLINE double lk_log_d(double x)
{
    /* subnormals: scale by 2^52 */
    double xs = x < 0x1p-1022 ? x * 0x1p52 : x;
    double kbias = x < 0x1p-1022 ? 1075.0 : 1023.0;
    uint64_t ix = lk_asu64(xs);
    /* kb = biased exponent of x / sqrt(1/2): m = x 2^-k in [sqrt(1/2), sqrt(2)) */
    uint64_t kb = (ix + (0x3FF0000000000000ull - 0x3FE6A09E667F3BCDull)) >> 52;
    double m = lk_asf64(ix - (kb << 52) + 0x3FF0000000000000ull);
    double kd = (lk_asf64(kb | 0x4330000000000000ull) - 0x1p52) - kbias;
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double tail = lk_logtail_d(s, 0.5 * f * f);
    /* k LN2_1 + f - f^2/2 summed exactly (Fast2Sum twice: |k ln2| > |f| or k = 0,
     * |k ln2 + f| > f^2/2), f^2/2 = hh + hl with hh exact */
    double fh = lk_split_d(f);
    double hh = 0.5 * fh * fh;
    double hl = 0.5 * (f - fh) * (f + fh);
    double a = kd * LK_LN2_1_D;
    double hi = a + f;
    double e1 = (a - hi) + f;
    double hi2 = hi - hh;
    double e2 = (hi - hi2) - hh;
    double lo = (LK_FMA(kd, LK_LN2_2_D, e1 + e2) - hl) + tail;
    double res = hi2 + lo;
    /* log(0) = -inf, log(x < 0) = nan, log(inf) = inf, log(nan) = nan */
    double special = x == 0.0 ? -__builtin_inf() : (x < 0.0 ? __builtin_nan("") : x);
    return (x > 0.0 && x < __builtin_inf()) ? res : special;
}

LK_INLINE float lk_log_f(float x)
{
    float xs = x < 0x1p-126f ? x * 0x1p23f : x;
    int32_t kbias = x < 0x1p-126f ? 150 : 127;
    uint32_t ix = lk_asu32(xs);
    uint32_t kb = (ix + (0x3F800000u - 0x3F3504F3u)) >> 23;
    float m = lk_asf32(ix - (kb << 23) + 0x3F800000u);
    float kf = (float)((int32_t)kb - kbias);
    float f = m - 1.0f;
    float s = f / (2.0f + f);
    float tail = lk_logtail_f(s, 0.5f * f * f);
    float fh = lk_split_f(f);
    float hh = 0.5f * fh * fh;
    float hl = 0.5f * (f - fh) * (f + fh);
    float a = kf * LK_LN2_1_F;
    float hi = a + f;
    float e1 = (a - hi) + f;
    float hi2 = hi - hh;
    float e2 = (hi - hi2) - hh;
    float lo = (LK_FMAF(kf, LK_LN2_2_F, e1 + e2) - hl) + tail;
    float res = hi2 + lo;
    float special = x == 0.0f ? -__builtin_inff() : (x < 0.0f ? __builtin_nanf("") : x);
    return (x > 0.0f && x < __builtin_inff()) ? res : special;
}

/* ------------------------------------------------------------ log1p ------- */

/* log(2^k (1 + f + flo)) for 1 + f in [sqrt(1/2), sqrt(2)), flo the rounding error carried
 * from 1 + x (lk_log1p_d and its restricted variants) */
LK_INLINE double lk_log1p_reduced_d(double f, double flo, double kd)
{
    double s = f / (2.0 + f);
    double tail = lk_logtail_d(s, 0.5 * f * f);
    /* log(1 + f + flo) - log(1 + f) = flo / (1 + f) = flo (1 - s) / (1 + s) */
    double c = flo - 2.0 * flo * s * (1.0 - s);
    double fh = lk_split_d(f);
    double hh = 0.5 * fh * fh;
    double hl = 0.5 * (f - fh) * (f + fh);
    double a = kd * LK_LN2_1_D;
    double hi = a + f;
    double e1 = (a - hi) + f;
    double hi2 = hi - hh;
    double e2 = (hi - hi2) - hh;
    double lo = ((LK_FMA(kd, LK_LN2_2_D, e1 + e2) + c) - hl) + tail;
    return hi2 + lo;
}

LK_INLINE float lk_log1p_reduced_f(float f, float flo, float kf)
{
    float s = f / (2.0f + f);
    float tail = lk_logtail_f(s, 0.5f * f * f);
    float c = flo - 2.0f * flo * s * (1.0f - s);
    float fh = lk_split_f(f);
    float hh = 0.5f * fh * fh;
    float hl = 0.5f * (f - fh) * (f + fh);
    float a = kf * LK_LN2_1_F;
    float hi = a + f;
    float e1 = (a - hi) + f;
    float hi2 = hi - hh;
    float e2 = (hi - hi2) - hh;
    float lo = ((LK_FMAF(kf, LK_LN2_2_F, e1 + e2) + c) - hl) + tail;
    return hi2 + lo;
}


LK_INLINE double lk_log1p_d(double x)
{
    double u = 1.0 + x;
    /* 2Sum: 1 + x = u + e exactly */
    double bb = u - 1.0;
    double aa = u - bb;
    double e = (1.0 - aa) + (x - bb);
    uint64_t iu = lk_asu64(u);
    uint64_t kb = (iu + (0x3FF0000000000000ull - 0x3FE6A09E667F3BCDull)) >> 52;
    double m = lk_asf64(iu - (kb << 52) + 0x3FF0000000000000ull);
    double kd = (lk_asf64(kb | 0x4330000000000000ull) - 0x1p52) - 1023.0;
    /* 1 + x = 2^k (1 + f + flo).  k = 0: f = x exactly, flo = 0 (f = m - 1 and
     * flo would cancel for tiny x).  Else f = m - 1 and flo = e 2^-k (negligible,
     * set to 0, for huge x). */
    double sk = lk_asf64(0x7FE0000000000000ull - (kb << 52));
    double f = kd == 0.0 ? x : m - 1.0;
    double flo = (kd == 0.0 || u > 0x1p1000) ? 0.0 : e * sk;
    double res = lk_log1p_reduced_d(f, flo, kd);
    /* log1p(+-0) = +-0, log1p(-1) = -inf, log1p(x < -1) = nan, log1p(inf) = inf */
    res = x == 0.0 ? x : res;
    double special = x == -1.0 ? -__builtin_inf() : (x < -1.0 ? __builtin_nan("") : x);
    return (x > -1.0 && x < __builtin_inf()) ? res : special;
}

LK_INLINE float lk_log1p_f(float x)
{
    float u = 1.0f + x;
    float bb = u - 1.0f;
    float aa = u - bb;
    float e = (1.0f - aa) + (x - bb);
    uint32_t iu = lk_asu32(u);
    uint32_t kb = (iu + (0x3F800000u - 0x3F3504F3u)) >> 23;
    float m = lk_asf32(iu - (kb << 23) + 0x3F800000u);
    float kf = (float)((int32_t)kb - 127);
    float sk = lk_asf32(0x7F000000u - (kb << 23));
    float f = kf == 0.0f ? x : m - 1.0f;
    float flo = (kf == 0.0f || u > 0x1p120f) ? 0.0f : e * sk;
    float res = lk_log1p_reduced_f(f, flo, kf);
    res = x == 0.0f ? x : res;
    float special = x == -1.0f ? -__builtin_inff() : (x < -1.0f ? __builtin_nanf("") : x);
    return (x > -1.0f && x < __builtin_inff()) ? res : special;
}

/* log1p(x) for 0 <= x < sqrt(2) - 1, where lk_log1p's reduction has k = 0 and f = x: the same
 * operations, and so the same result bit for bit, without the reduction, the carried rounding of
 * 1 + x and the special cases (about half the operations). Log-cosh's log1p arguments. */
LK_INLINE double lk_log1p_small_d(double x)
{
    double s = x / (2.0 + x);
    double tail = lk_logtail_d(s, 0.5 * x * x);
    double fh = lk_split_d(x);
    double hh = 0.5 * fh * fh;
    double hl = 0.5 * (x - fh) * (x + fh);
    double hi2 = x - hh;
    double e2 = (x - hi2) - hh;
    return hi2 + ((e2 - hl) + tail);
}

LK_INLINE float lk_log1p_small_f(float x)
{
    float s = x / (2.0f + x);
    float tail = lk_logtail_f(s, 0.5f * x * x);
    float fh = lk_split_f(x);
    float hh = 0.5f * fh * fh;
    float hl = 0.5f * (x - fh) * (x + fh);
    float hi2 = x - hh;
    float e2 = (x - hi2) - hh;
    return hi2 + ((e2 - hl) + tail);
}

/* log1p(x) for 0 <= x <= 1, where lk_log1p's reduction has k = 0 or 1: the same operations and
 * result bit for bit, the exponent taken from one comparison with sqrt(2) and no special cases.
 * softplus(-|s|) = log1p(exp(-|s|)) of the logit losses. */
LK_INLINE double lk_log1p_unit_d(double x)
{
    double u = 1.0 + x;
    double bb = u - 1.0;
    double aa = u - bb;
    double e = (1.0 - aa) + (x - bb);
    int one = u >= 0x1.6a09e667f3bcdp0; /* k = 1: 1 + x = 2 (1 + f + flo) */
    double kd = one ? 1.0 : 0.0;
    double f = one ? 0.5 * u - 1.0 : x;
    double flo = one ? 0.5 * e : 0.0;
    return lk_log1p_reduced_d(f, flo, kd);
}

LK_INLINE float lk_log1p_unit_f(float x)
{
    float u = 1.0f + x;
    float bb = u - 1.0f;
    float aa = u - bb;
    float e = (1.0f - aa) + (x - bb);
    int one = u >= 0x1.6a09e6p0f;
    float kf = one ? 1.0f : 0.0f;
    float f = one ? 0.5f * u - 1.0f : x;
    float flo = one ? 0.5f * e : 0.0f;
    return lk_log1p_reduced_f(f, flo, kf);
}

#endif /* LOSSKIT_VMATH_H */
