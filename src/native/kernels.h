/* The kernels of one CPU level. Included by kernels_base.c, kernels_v3.c and kernels_v4.c,
 * each after its own `#pragma GCC target` and with LK_LEVEL set, so that the same source is
 * compiled three times (baseline x86-64, AVX2+FMA, AVX-512); module.c picks one at load.
 *
 * Every unit includes vmath.h itself: its LK_FMA is __builtin_fma exactly where the target
 * has FMA. The kernels' own arithmetic is never contracted into FMAs (-std=c11 keeps
 * fp-contract off), so it rounds like NumPy's and the two paths agree to the last bit. */
#include "common.h"
#include "vmath.h"


/* -- the element functions, in double -------------------------------------------------------- */
#define T double
#define SFX _d
#define TMAX 1.7976931348623157e308
#define ABS(x) __builtin_fabs(x)
#define SQRT(x) __builtin_sqrt(x)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define EXP lk_exp_d
#define EXP_NEG lk_exp_neg_d /* x <= 0 only */
#define EXPM1_EXP_NEG lk_expm1_exp_neg_d /* x <= 0 only */
#define EXPM1 lk_expm1_d
#define LOG lk_log_d
#define LOG1P lk_log1p_d
#define LOG1P_SMALL lk_log1p_small_d /* 0 <= x < sqrt(2) - 1 only */
#define LOG1P_UNIT lk_log1p_unit_d   /* 0 <= x <= 1 only */
/* _stable.hypot1: the same operations */
#define HYPOT1(a) ((a) > 0x1p60 ? (a) : __builtin_sqrt(((a) > 0x1p60 ? 0.0 : (a)) * ((a) > 0x1p60 ? 0.0 : (a)) + 1.0))
#include "ops.h"

/* -- the element functions, in float: for float32 arrays (elementwise.h) ------------------------ */
#define T float
#define SFX _f
#define TMAX 3.4028234663852886e38f
#define ABS(x) __builtin_fabsf(x)
#define SQRT(x) __builtin_sqrtf(x)
#define EXP lk_exp_f
#define EXP_NEG lk_exp_neg_f
#define EXPM1_EXP_NEG lk_expm1_exp_neg_f
#define EXPM1 lk_expm1_f
#define LOG lk_log_f
#define LOG1P lk_log1p_f
#define LOG1P_SMALL lk_log1p_small_f
#define LOG1P_UNIT lk_log1p_unit_f
#define HYPOT1(a) ((a) > 0x1p30f ? (a) : __builtin_sqrtf(((a) > 0x1p30f ? 0.0f : (a)) * ((a) > 0x1p30f ? 0.0f : (a)) + 1.0f))
#include "ops.h"
#define T double /* softmax.h computes in double */

/* -- the drivers, for float64 and float32 arrays ------------------------------------------------ */
#define S double
#define SSFX _d
#include "elementwise.h"
#include "softmax.h"
#undef S
#undef SSFX
#define S float
#define SSFX _f
#define LK_FLOAT_STORAGE 1
#include "elementwise.h"
#include "softmax.h"
#undef S
#undef SSFX

/* -- the floor: out = a + b, the memory-bandwidth floor for the benchmarks ----------------------- */
#define DEFINE_FLOOR(T_, SFX_)                                                                        \
    static void floor##SFX_(const T_ *restrict A, const T_ *restrict B, T_ *restrict O, Py_ssize_t n,  \
                            int nthreads) {                                                           \
        int nt = n >= LK_PAR_MIN ? nthreads : 1;                                                      \
        _Pragma("omp parallel for simd schedule(static) num_threads(nt) if(nt > 1)")                  \
        for (Py_ssize_t i = 0; i < n; i++) O[i] = A[i] + B[i];                                        \
    }
DEFINE_FLOOR(double, _d)
DEFINE_FLOOR(float, _f)

const lk_kernels CAT(lk_kernels, LK_LEVEL) = {
    LK_ELEMENTWISE_TABLE(_d), LK_ELEMENTWISE_TABLE(_f), run_softmax_ce_d, run_softmax_ce_f, floor_d, floor_f,
};
