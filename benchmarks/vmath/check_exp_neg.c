/* Accuracy of lk_exp_neg_f (vmath.h) on every float in [-104, 0], against exp in double.
 *
 *   gcc -O2 -march=x86-64-v3 -fno-math-errno -fno-trapping-math -I src/native \
 *       benchmarks/vmath/check_exp_neg.c -lm -o /tmp/check_exp_neg && /tmp/check_exp_neg
 *
 * (also without -march: the baseline build, no FMA). Prints the largest error in ulps of the
 * float result, separately where the result is normal and where it is subnormal. */
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
    return !(worst_normal < 0.99 && worst_sub <= 1.0 && lk_exp_neg_f(0.0f) == 1.0f && lk_exp_neg_f(-INFINITY) == 0.0f);
}
