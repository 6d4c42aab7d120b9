/* Shared by module.c (the Python glue) and the kernel translation units
 * (kernels_base.c, kernels_v3.c, kernels_v4.c: the same kernels for three CPU levels). */
#ifndef LOSSKIT_COMMON_H
#define LOSSKIT_COMMON_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

#define LK_BLOCK 1024            /* elements per thread work item (no sum) */
#define LK_PAR_MIN 32768         /* fewer elements than this: one thread */
#define LK_MAX_PARAMS 8
#define LK_CE_SMALL 32           /* softmax rows of at most this many classes go by blocks */
#define LK_CE_ROWS 32            /* rows per block */
#define LK_LEAF 128              /* NumPy's PW_BLOCKSIZE: the largest leaf of its pairwise sum */
#define LK_CHUNK 8192            /* NumPy's buffer: float32 values are summed in float64 chunks of it */
#define LK_STACK_LEAVES 128

/* what a call computes */
#define LK_SUM 1    /* the weighted sum of the losses (and of the weights) */
#define LK_VALUES 2 /* the per-element weighted losses */
#define LK_GRAD 4
#define LK_HESS 8

/* data-check flags */
#define LK_BAD 1u
#define LK_SAW_ZERO 2u  /* a margin label 0 (of {0, 1}) */
#define LK_SAW_MINUS 4u /* a margin label -1 (of {-1, +1}) */

#define LK_LN2 0.6931471805599453094172321214581766

typedef struct {
    const void *y, *f, *w;
    void *l, *g, *h;
    Py_ssize_t n;
    double p[LK_MAX_PARAMS];
    double scale;
    int mode;
    int nthreads;
    unsigned flags;
    const Py_ssize_t *leaf_start; /* nleaves + 1 offsets (the sum's leaves) */
    Py_ssize_t nleaves;
    double *sums; /* one per leaf */
} lk_args;

/* the arguments of a class-axis call (kind): softmax cross-entropy or KL divergence from logits
 * (softmax.h), or a multiclass hinge (margin.h) */
#define LK_KIND_SOFTMAX_CE 0
#define LK_KIND_MULTI_MARGIN 1
#define LK_KIND_CATEGORICAL_HINGE 2
#define LK_KIND_KL_LOGITS 3
typedef struct {
    const void *s, *y;          /* logits (n x K); targets (n x K) or NULL */
    const int64_t *labels;      /* integer labels (n) or NULL */
    const double *w;            /* row weights (n) or NULL: sample weight x ignore mask x class weight */
    const double *aw;           /* sample weights (n) or NULL: which rows are checked */
    void *l, *g, *h;            /* per-row values (n), gradient and Hessian (n x K), or NULL */
    Py_ssize_t n, K;
    double ls, scale, row_tol;
    int kind;                   /* LK_KIND_*: softmax CE, KL from logits, a multiclass hinge (margin.h) */
    double margin;
    int64_t ignore_index;
    int has_ignore;
    int nthreads;
    unsigned flags;
    const Py_ssize_t *leaf_start;
    Py_ssize_t nleaves;
    double *sums;
} lk_cargs;

/* -- NumPy's pairwise summation (numpy/_core/src/umath/loops_utils.h.src), reproduced so that
 *    the kernels' sums equal the reference path's np.sum of the same values bit for bit ----- */

/* a leaf: fewer than 8 values in order; else 8 accumulators, combined as a tree, then the rest */
static inline double lk_leaf_sum(const double *v, Py_ssize_t m) {
    if (m < 8) {
        double res = 0.0;
        for (Py_ssize_t i = 0; i < m; i++) res += v[i];
        return res;
    }
    double r0 = v[0], r1 = v[1], r2 = v[2], r3 = v[3], r4 = v[4], r5 = v[5], r6 = v[6], r7 = v[7];
    Py_ssize_t i;
    for (i = 8; i < m - (m % 8); i += 8) {
        r0 += v[i];
        r1 += v[i + 1];
        r2 += v[i + 2];
        r3 += v[i + 3];
        r4 += v[i + 4];
        r5 += v[i + 5];
        r6 += v[i + 6];
        r7 += v[i + 7];
    }
    double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < m; i++) res += v[i];
    return res;
}

/* The sums of g consecutive leaves whose values lie back to back in v (leaf k: v[off[k] - off[0]]
 * to v[off[k + 1] - off[0]]), each in exactly lk_leaf_sum's order. A leaf's 8 accumulators are
 * one chain of dependent adds (4 cycles each: 0.7 cycle per value over a leaf of 128, more than
 * computing most losses); LK_GROUP leaves' chains advance together, so their adds overlap. */
#define LK_GROUP 4
_Static_assert(LK_GROUP * LK_LEAF <= LK_BLOCK, "a group of leaves fits a block's first-stage buffers");
typedef double lk_v8d __attribute__((vector_size(64), aligned(8))); /* 8 accumulators, unaligned loads */
static inline __attribute__((always_inline)) lk_v8d lk_load8(const double *p) {
    lk_v8d x;
    memcpy(&x, p, sizeof x);
    return x;
}
static inline __attribute__((always_inline)) double lk_tree8(lk_v8d r) {
    return ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
}
static inline __attribute__((always_inline)) void lk_leaf_sums(const double *v, const Py_ssize_t *off, Py_ssize_t g,
                                                               double *out) {
    const Py_ssize_t base = off[0];
    Py_ssize_t m[LK_GROUP] = {0}, common = 0;
    int full = g == LK_GROUP;
    for (Py_ssize_t k = 0; full && k < LK_GROUP; k++) {
        m[k] = off[k + 1] - off[k];
        full = m[k] >= 8;
        common = (k == 0 || m[k] / 8 < common) ? m[k] / 8 : common; /* blocks of 8 all four have */
    }
    if (!full) { /* the last, partial group, or leaves under 8 values (tiny inputs) */
        for (Py_ssize_t k = 0; k < g; k++) out[k] = lk_leaf_sum(v + off[k] - base, off[k + 1] - off[k]);
        return;
    }
    const double *p0 = v + off[0] - base, *p1 = v + off[1] - base, *p2 = v + off[2] - base, *p3 = v + off[3] - base;
    lk_v8d r0 = lk_load8(p0), r1 = lk_load8(p1), r2 = lk_load8(p2), r3 = lk_load8(p3);
    for (Py_ssize_t s = 1; s < common; s++) {
        r0 += lk_load8(p0 + 8 * s);
        r1 += lk_load8(p1 + 8 * s);
        r2 += lk_load8(p2 + 8 * s);
        r3 += lk_load8(p3 + 8 * s);
    }
    lk_v8d r[LK_GROUP] = {r0, r1, r2, r3};
    const double *p[LK_GROUP] = {p0, p1, p2, p3};
    for (int k = 0; k < LK_GROUP; k++) {
        Py_ssize_t s = common;
        for (; s < m[k] / 8; s++) r[k] += lk_load8(p[k] + 8 * s);
        double res = lk_tree8(r[k]);
        for (Py_ssize_t i = 8 * s; i < m[k]; i++) res += p[k][i];
        out[k] = res;
    }
}

/* np.sum of n contiguous doubles (also along the last axis of a C-contiguous array) */
static inline double pw_sum(const double *v, Py_ssize_t n) {
    if (n <= LK_LEAF) return lk_leaf_sum(v, n);
    Py_ssize_t n2 = n / 2;
    n2 -= n2 % 8;
    return pw_sum(v, n2) + pw_sum(v + n2, n - n2);
}


#define LK_N_OPS 22

/* One CPU level's kernels (module.c picks a level when it loads). */
typedef struct {
    int (*elementwise_d[LK_N_OPS])(lk_args *);
    int (*elementwise_f[LK_N_OPS])(lk_args *);
    int (*softmax_d)(lk_cargs *);
    int (*softmax_f)(lk_cargs *);
    void (*floor_d)(const double *, const double *, double *, Py_ssize_t, int);
    void (*floor_f)(const float *, const float *, float *, Py_ssize_t, int);
} lk_kernels;

extern const lk_kernels lk_kernels_base, lk_kernels_v3, lk_kernels_v4;

#endif
