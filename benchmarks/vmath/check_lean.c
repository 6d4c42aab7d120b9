/* The lean variants of vmath.h, for restricted arguments.
 *
 * Accuracy of lk_exp_neg_f on every float in [-104, 0], against exp in double, and of
 * lk_exp_neg_d on 10^8 random doubles in [-745.2, 0] (uniform, and uniform in [-1, 0]) against expl.
 * The same for both results of lk_expm1_exp_neg_f / _d (against expm1 / expm1l and exp / expl).
 * lk_log1p_small_f / _d against lk_log1p_f / _d, which they must equal bit for bit: every float in
 * [0, sqrt(2) - 1), 10^7 random doubles there; likewise lk_log1p_unit_f / _d on [0, 1].
 *
 *   gcc -O2 -march=x86-64-v3 -fno-math-errno -fno-trapping-math -I src/native \
 *       benchmarks/vmath/check_lean.c -lm -o /tmp/check_lean && /tmp/check_lean
 *
 * (also without -march: the baseline build, no FMA). Prints the largest error in ulps of the
 * result, separately where the result is normal and where it is subnormal. */
#include <math.h>
#include <stdio.h>
#include "vmath.h"

/* error of got against exact in ulps of the float result (subnormal spacing below the normal range) */
static double ulps_f(float got, double exact) {
    float rounded = (float)exact;
    double a = fabs((double)rounded);
    double ulp = a >= 0x1p-126 ? (double)nextafterf(fabsf(rounded), INFINITY) - a : 0x1p-149;
    return fabs((double)got - exact) / ulp;
}

static double ulps_d(double got, long double exact) {
    double rounded = (double)exact;
    double a = fabs(rounded);
    double ulp = a >= 0x1p-1022 ? nextafter(a, INFINITY) - a : 0x1p-1074;
    return (double)(fabsl((long double)got - exact) / (long double)ulp);
}

int main(void) {
    double worst_normal = 0.0, worst_sub = 0.0;
    float at_normal = 0.0f, at_sub = 0.0f;
    long count = 0;
    double worst_m1f = 0.0, worst_ef = 0.0;
    for (uint32_t u = 0x80000000u; ; u++) { /* -0 and down: every negative float */
        float x = lk_asf32(u);
        if (!(x >= -104.0f)) break;
        double exact = exp((double)x);
        float got = lk_exp_neg_f(x);
        float rounded = (float)exact;
        double ulp = rounded >= 0x1p-126f ? (double)nextafterf(rounded, INFINITY) - (double)rounded : 0x1p-149;
        double err = fabs((double)got - exact) / ulp;
        if (rounded >= 0x1p-126f) {
            if (err > worst_normal) { worst_normal = err; at_normal = x; }
        } else if (err > worst_sub) { worst_sub = err; at_sub = x; }
        count++;
        float e2;
        float m2 = lk_expm1_exp_neg_f(x, &e2);
        double em = ulps_f(m2, expm1((double)x)), ee = ulps_f(e2, exact);
        worst_m1f = em > worst_m1f ? em : worst_m1f;
        worst_ef = ee > worst_ef ? ee : worst_ef;
    }
    printf("%ld inputs; normal results: max %.3f ulp at %a; subnormal: max %.3f ulp at %a\n", count, worst_normal,
           (double)at_normal, worst_sub, (double)at_sub);
    printf("exp_neg(0) = %a, exp_neg(-inf) = %a, exp_neg(-104) = %a\n", (double)lk_exp_neg_f(0.0f),
           (double)lk_exp_neg_f(-INFINITY), (double)lk_exp_neg_f(-104.0f));
    /* double: random inputs (a 64-bit LCG), errors against expl (64-bit significand) */
    printf("expm1_exp_neg_f: expm1 max %.3f ulp, exp max %.3f ulp\n", worst_m1f, worst_ef);
    double worst_d = 0.0, at_d = 0.0, worst_m1d = 0.0, worst_ed = 0.0;
    uint64_t state = 12345;
    for (long i = 0; i < 100000000; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(state >> 11) * 0x1p-53;
        double x = (i & 1) ? -745.2 * u : -u;
        long double exact = expl((long double)x);
        double got = lk_exp_neg_d(x);
        double e2;
        double m2 = lk_expm1_exp_neg_d(x, &e2);
        double em = ulps_d(m2, expm1l((long double)x)), ee = ulps_d(e2, exact);
        worst_m1d = em > worst_m1d ? em : worst_m1d;
        worst_ed = ee > worst_ed ? ee : worst_ed;
        double rounded = (double)exact;
        if (rounded < 0x1p-1022) continue;
        double err = (double)(fabsl((long double)got - exact) / (long double)(nextafter(rounded, INFINITY) - rounded));
        if (err > worst_d) { worst_d = err; at_d = x; }
    }
    printf("double: normal results: max %.3f ulp at %a; exp_neg_d(0) = %a, exp_neg_d(-inf) = %a\n", worst_d, at_d,
           lk_exp_neg_d(0.0), lk_exp_neg_d(-INFINITY));
    printf("expm1_exp_neg_d: expm1 max %.3f ulp, exp max %.3f ulp\n", worst_m1d, worst_ed);
    long log1p_diff = 0;
    for (uint32_t u = 0; ; u++) {
        float x = lk_asf32(u);
        if (!(x < 0.41421356f)) break;
        log1p_diff += lk_asu32(lk_log1p_small_f(x)) != lk_asu32(lk_log1p_f(x));
    }
    for (long i = 0; i < 10000000; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double x = (double)(state >> 11) * 0x1p-53 * 0.41421356;
        x = (i & 1) ? x : x * 0x1p-40;
        log1p_diff += lk_asu64(lk_log1p_small_d(x)) != lk_asu64(lk_log1p_d(x));
    }
    for (uint32_t u = 0; ; u++) {
        float x = lk_asf32(u);
        if (!(x <= 1.0f)) break;
        log1p_diff += lk_asu32(lk_log1p_unit_f(x)) != lk_asu32(lk_log1p_f(x));
    }
    for (long i = 0; i < 10000000; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double x = (double)(state >> 11) * 0x1p-53;
        x = (i & 1) ? x : x * 0x1p-40;
        log1p_diff += lk_asu64(lk_log1p_unit_d(x)) != lk_asu64(lk_log1p_d(x));
    }
    log1p_diff += lk_log1p_unit_d(1.0) != lk_log1p_d(1.0) || lk_log1p_unit_d(0x1.6a09e667f3bcdp0 - 1.0) != lk_log1p_d(0x1.6a09e667f3bcdp0 - 1.0);
    printf("log1p_small, log1p_unit: %ld results differ from lk_log1p's\n", log1p_diff);
    double m0, e0, mi, ei;
    m0 = lk_expm1_exp_neg_d(-0.0, &e0);
    mi = lk_expm1_exp_neg_d(-INFINITY, &ei);
    int specials = m0 == 0.0 && signbit(m0) && e0 == 1.0 && mi == -1.0 && ei == 0.0;
    return !(specials && log1p_diff == 0 && worst_m1d < 0.99 && worst_ed < 0.99 && worst_m1f < 0.99 && worst_ef < 0.99 && worst_d < 0.99 && lk_exp_neg_d(0.0) == 1.0 && lk_exp_neg_d(-INFINITY) == 0.0 &&
             worst_normal < 0.99 && worst_sub <= 1.0 && lk_exp_neg_f(0.0f) == 1.0f && lk_exp_neg_f(-INFINITY) == 0.0f);
}
