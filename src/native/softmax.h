/* Softmax cross-entropy from logits for one storage type S (included once per S): rows (samples)
 * of at most LK_CE_SMALL classes by transposed blocks of rows (CE_BLOCK), wider rows one at a
 * time. Computes in double (float32 wide rows: their exps in float), mirroring the reference path
 * (_stable.log_softmax, _stable.softmax, _CrossEntropyBase) operation for operation:
 *
 *   m = max(s) (0 if not finite);  e = exp(s - m);  S = sum(e);  lse = log(S)
 *   value    = -sum_k [y_k != 0] y_k ((s_k - m) - lse)
 *   gradient = q sum(y) - y;   Hessian = q (1 - q) sum(y),  q = e (1 / S)
 *
 * where y is the target row (one-hot of an integer label, or a given distribution),
 * smoothed as y (1 - ls) + ls / K. Sums over classes follow NumPy's pairwise order.
 * Row weights W (sample weight x ignore mask x class weight) come from _fast.py; a row
 * with W == 0 contributes 0. Rows with a zero sample weight or an ignored label are not
 * checked (a zero class weight does not exempt a row, as in the reference).
 *
 * Checks: a logit that is nan or +inf; a label outside [0, K); a target outside [0, 1];
 * a target row whose sum is off 1 by more than sqrt(eps) (eps of S).
 *
 * KL divergence from logits (LK_KIND_KL_LOGITS) is the same computation for target rows with the
 * value sum_k [y_k != 0] y_k (log y_k - ((s_k - m) - lse)) (its derivatives are cross-entropy's).
 * The same driver runs the multiclass hinges (margin.h) row by row.
 */

#define CE_ROW CAT(ce_row, SSFX)
#define CE_TAIL CAT(ce_tail, SSFX)
#define CE_MAX CAT(ce_max, SSFX)
#define CE_BLOCK CAT(ce_block, SSFX)
#define CE_T_IN CAT(ce_t_in, SSFX)
#define CE_T_OUT CAT(ce_t_out, SSFX)
#define CE_RUN CAT(run_softmax_ce, SSFX)
#define CE_ROW_F CAT(ce_row_wide, SSFX)
#define CE_ROW_FT CAT(ce_row_wide_targets, SSFX)
#define CE_EXPS_F CAT(ce_exps_float, SSFX)
#define CE_TAIL_WIDE CAT(ce_tail_wide, SSFX)
#define CE_YSUM CAT(ce_ysum, SSFX)

#ifndef LK_CE_LABEL_DEFINED
#define LK_CE_LABEL_DEFINED
/* The label of row r: 0 for an ignored row (weight 0 there; the reference replaces it so) and for
 * one outside [0, K), which is flagged. */
static inline Py_ssize_t ce_label(const lk_cargs *a, Py_ssize_t r, unsigned *bad) {
    Py_ssize_t label = (Py_ssize_t)a->labels[r];
    if (a->has_ignore && label == a->ignore_index) return 0;
    if (label < 0 || label >= a->K) {
        *bad |= LK_BAD;
        return 0;
    }
    return label;
}

/* One term of KL divergence, y (log y - log q), 0 where y is (the reference's guard); lq = log q. */
LK_INLINE double ce_kl_term(double y, double lq) {
    return (y == 0.0) ? 0.0 : y * (lk_log_d(y == 0.0 ? 1.0 : y) - lq);
}
#endif

/* Per-thread scratch, kept between calls: a fresh malloc of 3K doubles per call and thread is a
 * fresh mmap for large K, and its page faults cost as much as the pass itself (K = 32000).
 * Bounded by the largest K seen; OpenMP's threads persist, so the buffers are reused. */
#ifndef LK_SCRATCH_DEFINED
#define LK_SCRATCH_DEFINED
static _Thread_local double *lk_scratch = NULL;
static _Thread_local size_t lk_scratch_size = 0;

static double *scratch(size_t n) {
    if (n > lk_scratch_size) {
        double *grown = (double *)realloc(lk_scratch, n * sizeof(double));
        if (!grown) return NULL;
        lk_scratch = grown;
        lk_scratch_size = n;
    }
    return lk_scratch;
}
#endif

#include "margin.h"

/* m = max(s) of row r, 0 if not finite (as the reference); flags a nan or +inf logit */
static inline double CE_MAX(const lk_cargs *a, Py_ssize_t r, unsigned *bad) {
    const Py_ssize_t K = a->K;
    const S *restrict s = (const S *)a->s + r * K;
    unsigned b = 0;
    double m = -INFINITY;
    _Pragma("omp simd reduction(max:m) reduction(|:b)")
    for (Py_ssize_t k = 0; k < K; k++) {
        double x = (double)s[k];
        b |= ((x != x) | (x == INFINITY)) ? LK_BAD : 0u;
        m = x > m ? x : m;
    }
    *bad |= b;
    return (m - m == 0.0) ? m : 0.0;
}

/* The rest of a wide row r with an integer label (target rows: CE_TAIL_WIDE), given m,
 * e = exp(s - m) (eb), inv = 1 / sum(e) and lse = log(sum(e)). */
static inline unsigned CE_TAIL(const lk_cargs *a, Py_ssize_t r, double m, const double *restrict eb, double inv,
                               double lse, unsigned bad, double *sb, double *yb, double *out_value) {
    const Py_ssize_t K = a->K;
    const S *restrict s = (const S *)a->s + r * K;
    const double W = a->w ? a->w[r] : 1.0;
    const double ls = a->ls;
    /* the label's row, smoothed */
    const Py_ssize_t label = ce_label(a, r, &bad);
    if (ls != 0.0) {
        const double off = ls / (double)K, on = 1.0 * (1.0 - ls) + ls / (double)K;
        _Pragma("omp simd")
        for (Py_ssize_t k = 0; k < K; k++) yb[k] = off;
        yb[label] = on;
    }
    const int onehot = ls == 0.0; /* y = onehot(label): sums and products simplify exactly */
    const double ysum = onehot ? 1.0 : pw_sum(yb, K);

    if (out_value) {
        double v;
        if (onehot) {
            v = -(((double)s[label] - m) - lse);
        } else {
            _Pragma("omp simd")
            for (Py_ssize_t k = 0; k < K; k++) {
                double yk = yb[k];
                sb[k] = (yk == 0.0) ? 0.0 : yk * (((double)s[k] - m) - lse);
            }
            v = -pw_sum(sb, K);
        }
        *out_value = (W == 0.0) ? 0.0 : W * v;
    }
    if (a->g || a->h) {
        const double ws = W * a->scale;
        S *restrict G = a->g ? (S *)a->g + r * K : NULL;
        S *restrict H = a->h ? (S *)a->h + r * K : NULL;
        if (G) {
            if (onehot) {
                _Pragma("omp simd")
                for (Py_ssize_t k = 0; k < K; k++) {
                    double q = eb[k] * inv;
                    double g = q * ysum - (k == label ? 1.0 : 0.0);
                    G[k] = (S)((ws == 0.0) ? 0.0 : ws * g);
                }
            } else {
                _Pragma("omp simd")
                for (Py_ssize_t k = 0; k < K; k++) {
                    double q = eb[k] * inv;
                    double g = q * ysum - yb[k];
                    G[k] = (S)((ws == 0.0) ? 0.0 : ws * g);
                }
            }
        }
        if (H) {
            _Pragma("omp simd")
            for (Py_ssize_t k = 0; k < K; k++) {
                double q = eb[k] * inv;
                double h = q * (1.0 - q) * ysum;
                H[k] = (S)((ws == 0.0) ? 0.0 : ws * h);
            }
        }
    }
    const int active = (!a->aw || a->aw[r] != 0.0) && !(a->has_ignore && a->labels[r] == a->ignore_index);
    return active ? bad : 0u;
}

/* sum_k y_k of a wide target row, smoothed: sum(t (1 - ls) + ls / K); flags a target outside
 * [0, 1] or nan (it makes the row's sum nan) and a row sum off 1 by more than row_tol. */
static inline double CE_YSUM(const lk_cargs *a, const S *restrict y, unsigned *bad) {
    const Py_ssize_t K = a->K;
    double row_sum = 0.0;
    _Pragma("omp simd reduction(+:row_sum)")
    for (Py_ssize_t k = 0; k < K; k++) {
        double t = (double)y[k];
        row_sum += (t >= 0.0 && t <= 1.0) ? t : (double)NAN;
    }
    if (!(fabs(row_sum - 1.0) <= a->row_tol)) *bad |= LK_BAD;
    return a->ls == 0.0 ? row_sum : row_sum * (1.0 - a->ls) + (a->ls / (double)K) * (double)K;
}

/* The rest of a wide row of targets (CE_TAIL's operations for K > LK_CE_SMALL, in fewer passes):
 * the targets are checked and summed in one loop (a target outside [0, 1], or nan, makes the sum
 * nan and the row check fail), dotted with the log-softmax in a second, and the gradient and
 * Hessian written in one loop each, the smoothed target recomputed where it is needed instead
 * of stored. One reduction per loop: with several, GCC keeps their lanes on the stack (a
 * store-to-load chain per vector). The sums are not in NumPy's pairwise order: through exp and
 * log the two paths agree to a few ulps, not bit for bit (tests/test_native.py). */
static inline unsigned CE_TAIL_WIDE(const lk_cargs *a, Py_ssize_t r, double m, const double *restrict eb, double inv,
                                    double lse, unsigned bad, double *out_value) {
    const Py_ssize_t K = a->K;
    const S *restrict s = (const S *)a->s + r * K;
    const S *restrict y = (const S *)a->y + r * K;
    const double W = a->w ? a->w[r] : 1.0;
    const double ls = a->ls, keep = 1.0 - ls, add = ls / (double)K;
    const double ysum = CE_YSUM(a, y, &bad);
    if (out_value && a->kind == LK_KIND_KL_LOGITS) { /* sum_k y_k (log y_k - log q_k) */
        double acc = 0.0;
        _Pragma("omp simd reduction(+:acc)")
        for (Py_ssize_t k = 0; k < K; k++) acc += ce_kl_term((double)y[k], ((double)s[k] - m) - lse);
        *out_value = (W == 0.0) ? 0.0 : W * acc;
    } else if (out_value) {
        double acc = 0.0;
        _Pragma("omp simd reduction(+:acc)")
        for (Py_ssize_t k = 0; k < K; k++) {
            double yk = (double)y[k] * keep + add;
            double term = yk * (((double)s[k] - m) - lse);
            acc += (yk == 0.0) ? 0.0 : term;
        }
        *out_value = (W == 0.0) ? 0.0 : W * -acc;
    }
    const double ws = W * a->scale;
    S *restrict G = a->g ? (S *)a->g + r * K : NULL;
    S *restrict H = a->h ? (S *)a->h + r * K : NULL;
    const unsigned flags = (!a->aw || a->aw[r] != 0.0) ? bad : 0u; /* a zero sample weight exempts the row */
    if (ws == 0.0) { /* and its targets, unchecked, may be anything: no 0 * nan */
        if (G) memset(G, 0, (size_t)K * sizeof(S));
        if (H) memset(H, 0, (size_t)K * sizeof(S));
        return flags;
    }
    if (G) {
        const double cq = ws * inv * ysum, cy = ws * keep, c0 = ws * add;
        _Pragma("omp simd")
        for (Py_ssize_t k = 0; k < K; k++) G[k] = (S)(eb[k] * cq - ((double)y[k] * cy + c0));
    }
    if (H) {
        const double wy = ws * ysum;
        _Pragma("omp simd")
        for (Py_ssize_t k = 0; k < K; k++) {
            double q = eb[k] * inv;
            H[k] = (S)(q * (1.0 - q) * wy);
        }
    }
    return flags;
}

/* One row, for wide rows: max, exp, sum and log of the row, then the tail. */
static inline unsigned CE_ROW(const lk_cargs *a, Py_ssize_t r, double *sb, double *eb, double *yb, double *out_value) {
    const Py_ssize_t K = a->K;
    const S *restrict s = (const S *)a->s + r * K;
    unsigned bad = 0;
    const double m = CE_MAX(a, r, &bad);
    _Pragma("omp simd")
    for (Py_ssize_t k = 0; k < K; k++) eb[k] = lk_exp_neg_d((double)s[k] - m);
    const double total = pw_sum(eb, K);
    if (!a->labels) return CE_TAIL_WIDE(a, r, m, eb, 1.0 / total, lk_log_d(total), bad, out_value);
    return CE_TAIL(a, r, m, eb, 1.0 / total, lk_log_d(total), bad, sb, yb, out_value);
}

#ifdef LK_FLOAT_STORAGE
/* The float part of a wide float32 row: m = max(s) in float (exact; 0 if not finite), flagging a
 * nan or +inf logit; e_k = exp(s_k - m) in float into eb; returns sum(e) accumulated in double. */
static inline double CE_EXPS_F(const float *restrict s, Py_ssize_t K, float *restrict eb, unsigned *bad, float *m) {
    unsigned b = 0;
    float mf = -INFINITY;
    _Pragma("omp simd reduction(max:mf) reduction(|:b)")
    for (Py_ssize_t k = 0; k < K; k++) {
        float x = s[k];
        b |= ((x != x) | (x == INFINITY)) ? LK_BAD : 0u;
        mf = x > mf ? x : mf;
    }
    *bad |= b;
    mf = (mf - mf == 0.0f) ? mf : 0.0f;
    double total = 0.0;
    _Pragma("omp simd reduction(+:total)")
    for (Py_ssize_t k = 0; k < K; k++) {
        float e = lk_exp_neg_f(s[k] - mf);
        eb[k] = e;
        total += (double)e;
    }
    *m = mf;
    return total;
}

/* A wide float32 row with an integer label and no smoothing (the language-model case): the same
 * quantities as CE_ROW + CE_TAIL, in float where nothing cancels: exps by CE_EXPS_F, the gradient
 * q_k = e_k / S in float. At the label, q - 1 cancels as q -> 1, but then the label holds the
 * maximum, its e is exactly 1 and q - 1 = (1 - S) / S is as accurate as S, a sum of positive
 * terms each within an ulp. (Target rows can cancel at every class: CE_ROW_FT; smoothed labels
 * too, and CE_ROW computes them in double.) */
static inline unsigned CE_ROW_F(const lk_cargs *a, Py_ssize_t r, float *restrict eb, double *out_value) {
    const Py_ssize_t K = a->K;
    const float *restrict s = (const float *)a->s + r * K;
    const double W = a->w ? a->w[r] : 1.0;
    unsigned bad = 0;
    float mf;
    const double total = CE_EXPS_F(s, K, eb, &bad, &mf);
    const double m = (double)mf, inv = 1.0 / total;

    const Py_ssize_t label = ce_label(a, r, &bad);
    if (out_value) *out_value = (W == 0.0) ? 0.0 : W * -(((double)s[label] - m) - lk_log_d(total));

    const double ws = W * a->scale;
    float *restrict G = a->g ? (float *)a->g + r * K : NULL;
    float *restrict H = a->h ? (float *)a->h + r * K : NULL;
    if (ws == 0.0) {
        if (G) memset(G, 0, (size_t)K * sizeof(float));
        if (H) memset(H, 0, (size_t)K * sizeof(float));
    } else {
        if (G) {
            const float c = (float)(inv * ws); /* two roundings: within 1.5 ulp of ws q_k */
            _Pragma("omp simd")
            for (Py_ssize_t k = 0; k < K; k++) G[k] = eb[k] * c;
            G[label] = (float)(ws * ((double)eb[label] * inv - 1.0));
        }
        if (H) {
            _Pragma("omp simd")
            for (Py_ssize_t k = 0; k < K; k++) {
                double q = (double)eb[k] * inv;
                H[k] = (float)(ws * (q * (1.0 - q)));
            }
        }
    }
    const int active = (!a->aw || a->aw[r] != 0.0) && !(a->has_ignore && a->labels[r] == a->ignore_index);
    return active ? bad : 0u;
}

/* A wide float32 row of targets: float exps as in CE_ROW_F, the rest in double (CE_TAIL_WIDE's
 * passes). The gradient ws (q_k ysum - y_k) can cancel at every class, where the float e_k's ulp
 * would show: it is at most ws q_max ysum 2^-23 (q <= q_max = 1 / S, e <= 1), so a row whose
 * largest gradient is under half of ws q_max ysum (a near-perfect prediction) is computed again
 * in double by CE_ROW: every float32 gradient stays within a few ulps of its row's largest. */
static inline unsigned CE_ROW_FT(const lk_cargs *a, Py_ssize_t r, double *sb, double *eb, double *yb,
                                 double *out_value) {
    const Py_ssize_t K = a->K;
    const float *restrict s = (const float *)a->s + r * K;
    const float *restrict y = (const float *)a->y + r * K;
    float *restrict ef = (float *)sb;
    unsigned bad = 0;
    float mf;
    const double total = CE_EXPS_F(s, K, ef, &bad, &mf);
    const double inv = 1.0 / total, lse = lk_log_d(total);
    const double W = a->w ? a->w[r] : 1.0;
    const double ls = a->ls, keep = 1.0 - ls, add = ls / (double)K;
    const double ysum = CE_YSUM(a, y, &bad);
    const unsigned flags = (!a->aw || a->aw[r] != 0.0) ? bad : 0u; /* a zero sample weight exempts the row */
    const double ws = W * a->scale;
    float *restrict G = a->g ? (float *)a->g + r * K : NULL;
    float *restrict H = a->h ? (float *)a->h + r * K : NULL;
    if (ws == 0.0) { /* and its targets, unchecked, may be anything: no 0 * nan */
        if (G) memset(G, 0, (size_t)K * sizeof(float));
        if (H) memset(H, 0, (size_t)K * sizeof(float));
        if (out_value) *out_value = 0.0;
        return flags;
    }
    if (G) {
        const double cq = ws * inv * ysum, cy = ws * keep, c0 = ws * add;
        _Pragma("omp simd")
        for (Py_ssize_t k = 0; k < K; k++) G[k] = (float)((double)ef[k] * cq - ((double)y[k] * cy + c0));
        float gmax = 0.0f;
        _Pragma("omp simd reduction(max:gmax)")
        for (Py_ssize_t k = 0; k < K; k++) {
            float g = __builtin_fabsf(G[k]);
            gmax = g > gmax ? g : gmax;
        }
        if (!(fabs(cq) <= 2.0 * (double)gmax)) return CE_ROW(a, r, sb, eb, yb, out_value) | flags;
    }
    if (out_value) {
        /* -sum_k y_k ((s_k - m) - lse) = sum_k y_k (m - s_k) + lse ysum: terms >= 0, nothing cancels,
         * so the products can be taken in float (within an ulp each; summed in double) */
        const float keepf = (float)keep, addf = (float)add;
        double acc = 0.0;
        _Pragma("omp simd reduction(+:acc)")
        for (Py_ssize_t k = 0; k < K; k++) {
            float yk = y[k] * keepf + addf;
            float term = yk * (mf - s[k]);
            acc += (double)(yk == 0.0f ? 0.0f : term);
        }
        *out_value = W * (acc + lse * ysum);
    }
    if (H) {
        const double wy = ws * ysum;
        _Pragma("omp simd")
        for (Py_ssize_t k = 0; k < K; k++) {
            double q = (double)ef[k] * inv;
            H[k] = (float)(q * (1.0 - q) * wy);
        }
    }
    return flags;
}
#endif

/* Short rows (at most LK_CE_SMALL classes), LK_CE_ROWS at a time, transposed: class k of row i at
 * [k * LK_CE_ROWS + i]. Row by row, ten classes leave every vector loop mostly prologue and
 * epilogue; across rows, each per-row step -- the max, NumPy's pairwise sum over classes, the log,
 * the target row's checks, the gradient -- is one vertical operation over rows in SIMD lanes. The
 * operations are CE_TAIL's (the sums in lk_leaf_sum's order), so the results are the row-by-row
 * results bit for bit. Loops run over the rows rounded up to a multiple of 8; the rows past the
 * block are zeros and never stored. */
#ifndef LK_CE_T_DEFINED
#define LK_CE_T_DEFINED
#define LK_R LK_CE_ROWS
/* out[i] = lk_leaf_sum over k of v[k * LK_R + i] (K <= LK_CE_SMALL < 128: one leaf), i < nr8 */
static inline void ce_sum_t(const double *restrict v, Py_ssize_t K, Py_ssize_t nr8, double *restrict out) {
    if (K < 8) {
        for (Py_ssize_t i = 0; i < nr8; i++) out[i] = 0.0;
        for (Py_ssize_t k = 0; k < K; k++) {
            _Pragma("omp simd")
            for (Py_ssize_t i = 0; i < nr8; i++) out[i] += v[k * LK_R + i];
        }
        return;
    }
    /* the 8 accumulators r_j = v_j + v_(j+8) + ...: the first 8 columns themselves when K < 16
     * (a copy loop would become 8 memcpy calls) */
    double acc[8 * LK_R];
    const double *restrict r = v;
    Py_ssize_t k = 8;
    if (K >= 16) {
        for (Py_ssize_t j = 0; j < 8; j++) {
            _Pragma("omp simd")
            for (Py_ssize_t i = 0; i < nr8; i++) acc[j * LK_R + i] = v[j * LK_R + i] + v[(8 + j) * LK_R + i];
        }
        for (k = 16; k < K - (K % 8); k += 8) {
            for (Py_ssize_t j = 0; j < 8; j++) {
                _Pragma("omp simd")
                for (Py_ssize_t i = 0; i < nr8; i++) acc[j * LK_R + i] += v[(k + j) * LK_R + i];
            }
        }
        r = acc;
    }
    _Pragma("omp simd")
    for (Py_ssize_t i = 0; i < nr8; i++)
        out[i] = ((r[i] + r[LK_R + i]) + (r[2 * LK_R + i] + r[3 * LK_R + i])) +
                 ((r[4 * LK_R + i] + r[5 * LK_R + i]) + (r[6 * LK_R + i] + r[7 * LK_R + i]));
    for (; k < K; k++) {
        _Pragma("omp simd")
        for (Py_ssize_t i = 0; i < nr8; i++) out[i] += v[k * LK_R + i];
    }
}
#endif

/* The block's nr rows (row-major, K classes) into t, transposed and in double; rows nr..nr8 zero */
static inline void CE_T_IN(const S *restrict x, Py_ssize_t K, Py_ssize_t nr, Py_ssize_t nr8, double *restrict t) {
    for (Py_ssize_t i = 0; i < nr; i++)
        for (Py_ssize_t k = 0; k < K; k++) t[k * LK_R + i] = (double)x[i * K + k];
    for (Py_ssize_t i = nr; i < nr8; i++)
        for (Py_ssize_t k = 0; k < K; k++) t[k * LK_R + i] = 0.0;
}

/* and back: the first nr rows of t into out (row-major), rounded to S */
static inline void CE_T_OUT(const double *restrict t, Py_ssize_t K, Py_ssize_t nr, S *restrict out) {
    for (Py_ssize_t i = 0; i < nr; i++)
        for (Py_ssize_t k = 0; k < K; k++) out[i * K + k] = (S)t[k * LK_R + i];
}

static inline unsigned CE_BLOCK(const lk_cargs *a, Py_ssize_t r0, Py_ssize_t r1, double *vals, int need_value) {
    const Py_ssize_t K = a->K, nr = r1 - r0, nr8 = (nr + 7) & ~(Py_ssize_t)7;
    const S *restrict s = (const S *)a->s + r0 * K;
    const double ls = a->ls;
    const int onehot = a->labels && ls == 0.0; /* y = onehot(label): sums and products simplify exactly */
    double sT[LK_CE_SMALL * LK_R], eT[LK_CE_SMALL * LK_R], yT[LK_CE_SMALL * LK_R], bT[LK_CE_SMALL * LK_R];
    double m[LK_R], inv[LK_R], lse[LK_R], ysum[LK_R], lab[LK_R], ws[LK_R];
    unsigned bad[LK_R];
    CE_T_IN(s, K, nr, nr8, sT);
    /* m = max(s), 0 if not finite; a nan is skipped here and flagged, as +inf, by the row's sum */
    for (Py_ssize_t i = 0; i < nr8; i++) m[i] = -INFINITY;
    for (Py_ssize_t k = 0; k < K; k++) {
        _Pragma("omp simd")
        for (Py_ssize_t i = 0; i < nr8; i++) m[i] = sT[k * LK_R + i] > m[i] ? sT[k * LK_R + i] : m[i];
    }
    _Pragma("omp simd")
    for (Py_ssize_t i = 0; i < nr8; i++) m[i] = (m[i] - m[i] == 0.0) ? m[i] : 0.0;
    for (Py_ssize_t k = 0; k < K; k++) {
        _Pragma("omp simd")
        for (Py_ssize_t i = 0; i < nr8; i++) eT[k * LK_R + i] = lk_exp_neg_d(sT[k * LK_R + i] - m[i]);
    }
    /* a nan or +inf logit, and only those, makes the row's sum nan or +inf */
    ce_sum_t(eT, K, nr8, inv);
    _Pragma("omp simd")
    for (Py_ssize_t i = 0; i < nr8; i++) {
        bad[i] = (inv[i] < INFINITY) ? 0u : LK_BAD;
        lse[i] = lk_log_d(inv[i]);
        inv[i] = 1.0 / inv[i];
    }
    /* the target rows, smoothed */
    if (a->labels) {
        const double off = ls / (double)K, on = 1.0 * (1.0 - ls) + ls / (double)K;
        for (Py_ssize_t i = 0; i < nr8; i++) lab[i] = (i < nr) ? (double)ce_label(a, r0 + i, &bad[i]) : 0.0;
        for (Py_ssize_t k = 0; k < K; k++) {
            _Pragma("omp simd")
            for (Py_ssize_t i = 0; i < nr8; i++) yT[k * LK_R + i] = ((double)k == lab[i]) ? on : off;
        }
        if (onehot) {
            for (Py_ssize_t i = 0; i < nr8; i++) ysum[i] = 1.0;
        } else {
            ce_sum_t(yT, K, nr8, ysum);
        }
    } else {
        const S *restrict y = (const S *)a->y + r0 * K;
        CE_T_IN(y, K, nr, nr8, yT);
        for (Py_ssize_t k = 0; k < K; k++) {
            _Pragma("omp simd")
            for (Py_ssize_t i = 0; i < nr8; i++) {
                double t = yT[k * LK_R + i];
                bad[i] |= (!(t >= 0.0) | !(t <= 1.0)) ? LK_BAD : 0u;
            }
        }
        ce_sum_t(yT, K, nr8, ysum); /* the row's sum before smoothing */
        for (Py_ssize_t i = 0; i < nr; i++)
            if (!(fabs(ysum[i] - 1.0) <= a->row_tol)) bad[i] |= LK_BAD;
        if (ls != 0.0) {
            const double keep = 1.0 - ls, add = ls / (double)K;
            for (Py_ssize_t k = 0; k < K; k++) {
                _Pragma("omp simd")
                for (Py_ssize_t i = 0; i < nr8; i++) yT[k * LK_R + i] = yT[k * LK_R + i] * keep + add;
            }
            ce_sum_t(yT, K, nr8, ysum);
        }
    }
    for (Py_ssize_t i = 0; i < nr8; i++) ws[i] = (i >= nr) ? 0.0 : a->w ? a->w[r0 + i] : 1.0;
    if (need_value) {
        double v[LK_R];
        if (onehot) {
            for (Py_ssize_t i = 0; i < nr; i++) v[i] = -((sT[(Py_ssize_t)lab[i] * LK_R + i] - m[i]) - lse[i]);
        } else if (a->kind == LK_KIND_KL_LOGITS) { /* sum_k y_k (log y_k - log q_k), 0 where y_k is */
            for (Py_ssize_t k = 0; k < K; k++) {
                _Pragma("omp simd")
                for (Py_ssize_t i = 0; i < nr8; i++) {
                    bT[k * LK_R + i] = ce_kl_term(yT[k * LK_R + i], (sT[k * LK_R + i] - m[i]) - lse[i]);
                }
            }
            ce_sum_t(bT, K, nr8, v);
        } else {
            for (Py_ssize_t k = 0; k < K; k++) {
                _Pragma("omp simd")
                for (Py_ssize_t i = 0; i < nr8; i++) {
                    double yk = yT[k * LK_R + i];
                    bT[k * LK_R + i] = (yk == 0.0) ? 0.0 : yk * ((sT[k * LK_R + i] - m[i]) - lse[i]);
                }
            }
            ce_sum_t(bT, K, nr8, v);
            for (Py_ssize_t i = 0; i < nr; i++) v[i] = -v[i];
        }
        for (Py_ssize_t i = 0; i < nr; i++) {
            double wv = (ws[i] == 0.0) ? 0.0 : ws[i] * v[i];
            if (vals) vals[i] = wv;
            if (a->l) ((S *)a->l)[r0 + i] = (S)wv;
        }
    }
    for (Py_ssize_t i = 0; i < nr8; i++) ws[i] *= a->scale;
    if (a->g) {
        for (Py_ssize_t k = 0; k < K; k++) {
            _Pragma("omp simd")
            for (Py_ssize_t i = 0; i < nr8; i++) {
                double q = eT[k * LK_R + i] * inv[i];
                double g = q * ysum[i] - yT[k * LK_R + i];
                bT[k * LK_R + i] = (ws[i] == 0.0) ? 0.0 : ws[i] * g;
            }
        }
        CE_T_OUT(bT, K, nr, (S *)a->g + r0 * K);
    }
    if (a->h) {
        for (Py_ssize_t k = 0; k < K; k++) {
            _Pragma("omp simd")
            for (Py_ssize_t i = 0; i < nr8; i++) {
                double q = eT[k * LK_R + i] * inv[i];
                double h = q * (1.0 - q) * ysum[i];
                bT[k * LK_R + i] = (ws[i] == 0.0) ? 0.0 : ws[i] * h;
            }
        }
        CE_T_OUT(bT, K, nr, (S *)a->h + r0 * K);
    }
    unsigned flags = 0;
    for (Py_ssize_t i = 0; i < nr; i++) {
        const Py_ssize_t r = r0 + i;
        const int active =
            (!a->aw || a->aw[r] != 0.0) && !(a->labels && a->has_ignore && a->labels[r] == a->ignore_index);
        flags |= active ? bad[i] : 0u;
    }
    return flags;
}

static int CE_RUN(lk_cargs *a) {
    const Py_ssize_t n = a->n, K = a->K;
    const int want_sum = a->sums != NULL;
    const Py_ssize_t work = want_sum ? a->nleaves : (n + 63) / 64;
    const int nt = (n * K >= LK_PAR_MIN && work > 1) ? a->nthreads : 1;
    unsigned flags = 0;
    int failed = 0;
    _Pragma("omp parallel num_threads(nt) reduction(|:flags) reduction(|:failed) if(nt > 1)")
    {
        double *buf = scratch(3 * (size_t)K + LK_LEAF);
        if (!buf) {
            failed = 1;
        } else {
            double *sb = buf, *eb = buf + K, *yb = buf + 2 * K, *vals = buf + 3 * K;
            _Pragma("omp for schedule(static)")
            for (Py_ssize_t b = 0; b < work; b++) {
                Py_ssize_t r0 = want_sum ? a->leaf_start[b] : b * 64;
                Py_ssize_t r1 = want_sum ? a->leaf_start[b + 1] : (r0 + 64 < n ? r0 + 64 : n);
                const int need_value = want_sum || a->l;
                const int hinge = a->kind == LK_KIND_MULTI_MARGIN || a->kind == LK_KIND_CATEGORICAL_HINGE;
                if (K <= LK_CE_SMALL && !hinge) {
                    for (Py_ssize_t q = r0; q < r1; q += LK_CE_ROWS) {
                        Py_ssize_t q1 = q + LK_CE_ROWS < r1 ? q + LK_CE_ROWS : r1;
                        flags |= CE_BLOCK(a, q, q1, want_sum ? vals + (q - r0) : NULL, need_value);
                    }
                } else {
                    for (Py_ssize_t r = r0; r < r1; r++) {
                        double v = 0.0;
                        if (a->kind == LK_KIND_MULTI_MARGIN)
                            flags |= MM_ROW(a, r, sb, eb, need_value ? &v : NULL);
                        else if (a->kind == LK_KIND_CATEGORICAL_HINGE)
                            flags |= CH_ROW(a, r, sb, need_value ? &v : NULL);
                        else
#ifdef LK_FLOAT_STORAGE
                        if (a->labels && a->ls == 0.0)
                            flags |= CE_ROW_F(a, r, (float *)eb, need_value ? &v : NULL);
                        else if (!a->labels && a->kind == LK_KIND_SOFTMAX_CE) /* KL's terms cancel: CE_ROW */
                            flags |= CE_ROW_FT(a, r, sb, eb, yb, need_value ? &v : NULL);
                        else
#endif
                        flags |= CE_ROW(a, r, sb, eb, yb, need_value ? &v : NULL);
                        if (want_sum) vals[r - r0] = v;
                        if (a->l) ((S *)a->l)[r] = (S)v;
                    }
                }
                if (want_sum) a->sums[b] = lk_leaf_sum(vals, r1 - r0);
            }
        }
    }
    a->flags = flags;
    return failed ? -2 : 0;
}

#undef CE_ROW
#undef CE_TAIL
#undef CE_MAX
#undef CE_BLOCK
#undef CE_T_IN
#undef CE_T_OUT
#undef CE_RUN
#undef CE_ROW_F
#undef CE_ROW_FT
#undef CE_EXPS_F
#undef CE_TAIL_WIDE
#undef CE_YSUM
#undef MM_ROW
#undef CH_ROW
