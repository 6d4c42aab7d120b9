/* The kernels for x86-64-v3: AVX2, FMA, BMI2 (chosen at load when the CPU has it). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#pragma GCC target("arch=x86-64-v3")
#define LK_LEVEL_BUILT 1
#endif
#define LK_LEVEL _v3
#include "kernels.h"
