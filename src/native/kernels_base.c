/* The kernels for baseline x86-64 (SSE2), and for every other platform. */
#define LK_LEVEL _base
#include "kernels.h"
