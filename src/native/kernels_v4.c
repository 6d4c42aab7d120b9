/* The kernels for x86-64-v4: AVX-512 F/BW/DQ/VL (chosen at load when the CPU has it). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#pragma GCC target("arch=x86-64-v4")
#define LK_LEVEL_BUILT 1
#endif
#define LK_LEVEL _v4
#include "kernels.h"
