/* Elementary functions for the kernels. TEMPORARY: libm wrappers (correct, not
 * vectorised), replaced by the vectorisable implementations. */
#ifndef LOSSKIT_VMATH_H
#define LOSSKIT_VMATH_H
#include <math.h>
static inline double lk_exp_d(double x) { return exp(x); }
static inline double lk_expm1_d(double x) { return expm1(x); }
static inline double lk_log_d(double x) { return log(x); }
static inline double lk_log1p_d(double x) { return log1p(x); }
static inline float lk_exp_f(float x) { return expf(x); }
static inline float lk_expm1_f(float x) { return expm1f(x); }
static inline float lk_log_f(float x) { return logf(x); }
static inline float lk_log1p_f(float x) { return log1pf(x); }
#endif
