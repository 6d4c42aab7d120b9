/* Accuracy of lk_exp_neg_f (vmath.h) on every float in [-104, 0], against exp in double, and of
 * lk_exp_neg_d on 10^8 random doubles in [-745.2, 0] (uniform, and uniform in [-1, 0]) against expl.
 *
 *   gcc -O2 -march=x86-64-v3 -fno-math-errno -fno-trapping-math -I src/native \
 *       benchmarks/vmath/check_exp_neg.c -lm -o /tmp/check_exp_neg && /tmp/check_exp_neg
 *
 * (also without -march: the baseline build, no FMA). Prints the largest error in ulps of the
 * result, separately where the result is normal and where it is subnormal. */
#include <math.h>
#include <stdio.h>
#include "vmath.h"

int main(void) {
    double worst_normal = 0.0, worst_sub = 0.0;
    float at_normal = 0.0f, at_sub = 0.0f;
    long count = 0;
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
    }
    printf("%ld inputs; normal results: max %.3f ulp at %a; subnormal: max %.3f ulp at %a\n", count, worst_normal,
           (double)at_normal, worst_sub, (double)at_sub);
    printf("exp_neg(0) = %a, exp_neg(-inf) = %a, exp_neg(-104) = %a\n", (double)lk_exp_neg_f(0.0f),
           (double)lk_exp_neg_f(-INFINITY), (double)lk_exp_neg_f(-104.0f));
    /* double: random inputs (a 64-bit LCG), errors against expl (64-bit significand) */
    double worst_d = 0.0, at_d = 0.0;
    uint64_t state = 12345;
    for (long i = 0; i < 100000000; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(state >> 11) * 0x1p-53;
        double x = (i & 1) ? -745.2 * u : -u;
        long double exact = expl((long double)x);
        double got = lk_exp_neg_d(x);
        double rounded = (double)exact;
        if (rounded < 0x1p-1022) continue;
        double err = (double)(fabsl((long double)got - exact) / (long double)(nextafter(rounded, INFINITY) - rounded));
        if (err > worst_d) { worst_d = err; at_d = x; }
    }
    printf("double: normal results: max %.3f ulp at %a; exp_neg_d(0) = %a, exp_neg_d(-inf) = %a\n", worst_d, at_d,
           lk_exp_neg_d(0.0), lk_exp_neg_d(-INFINITY));
    return !(worst_d < 0.99 && lk_exp_neg_d(0.0) == 1.0 && lk_exp_neg_d(-INFINITY) == 0.0 &&
             worst_normal < 0.99 && worst_sub <= 1.0 && lk_exp_neg_f(0.0f) == 1.0f && lk_exp_neg_f(-INFINITY) == 0.0f);
}
