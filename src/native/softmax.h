/* Softmax cross-entropy from logits, one row (sample) at a time, for one storage type S
 * (included once per S). Computes in double, mirroring the reference path
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
 */

#define CE_ROW CAT(ce_row, SSFX)
#define CE_TAIL CAT(ce_tail, SSFX)
#define CE_MAX CAT(ce_max, SSFX)
#define CE_MAX_SHORT CAT(ce_max_short, SSFX)
#define CE_BLOCK CAT(ce_block, SSFX)
#define CE_RUN CAT(run_softmax_ce, SSFX)
#define CE_ROW_F CAT(ce_row_wide, SSFX)
#define CE_ROW_FT CAT(ce_row_wide_targets, SSFX)
#define CE_EXPS_F CAT(ce_exps_float, SSFX)
#define CE_TAIL_WIDE CAT(ce_tail_wide, SSFX)
#define CE_YSUM CAT(ce_ysum, SSFX)

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

/* The same m for a short row, without the check: four running maxima instead of an `omp simd`
 * reduction, whose lanes GCC keeps on the stack (a store-forwarding stall per row: 22% of the
 * (1e5, 10) pass). A nan is skipped here; CE_BLOCK flags it, and +inf, by the row's sum. */
static inline double CE_MAX_SHORT(const S *restrict s, Py_ssize_t K) {
    double m0 = -INFINITY, m1 = -INFINITY, m2 = -INFINITY, m3 = -INFINITY;
    Py_ssize_t k = 0;
    for (; k + 4 <= K; k += 4) {
        double x0 = (double)s[k], x1 = (double)s[k + 1], x2 = (double)s[k + 2], x3 = (double)s[k + 3];
        m0 = x0 > m0 ? x0 : m0;
        m1 = x1 > m1 ? x1 : m1;
        m2 = x2 > m2 ? x2 : m2;
        m3 = x3 > m3 ? x3 : m3;
    }
    for (; k < K; k++) {
        double x = (double)s[k];
        m0 = x > m0 ? x : m0;
    }
    m0 = m1 > m0 ? m1 : m0;
    m2 = m3 > m2 ? m3 : m2;
    m0 = m2 > m0 ? m2 : m0;
    return (m0 - m0 == 0.0) ? m0 : 0.0;
}

/* The rest of row r, given m, e = exp(s - m) (eb), inv = 1 / sum(e) and lse = log(sum(e)). */
/* always_inline: without it GCC stops inlining it into CE_BLOCK once CE_ROW has a second tail,
 * and short target rows lose 20-25% */
static inline __attribute__((always_inline)) unsigned CE_TAIL(const lk_cargs *a, Py_ssize_t r, double m,
                                                              const double *restrict eb, double inv, double lse,
                                                              unsigned bad, double *sb, double *yb,
                                                              double *out_value) {
    const Py_ssize_t K = a->K;
    const S *restrict s = (const S *)a->s + r * K;
    const double W = a->w ? a->w[r] : 1.0;
    const double ls = a->ls;
    /* the target row, smoothed */
    Py_ssize_t label = -1;
    double row_sum = 1.0; /* a given target row's sum, before smoothing */
    if (a->labels) {
        label = (Py_ssize_t)a->labels[r];
        if (a->has_ignore && label == a->ignore_index) {
            label = 0; /* ignored: weight 0 (W == 0 here), label replaced as in the reference */
        } else if (label < 0 || label >= K) {
            bad |= LK_BAD;
            label = 0;
        }
        if (ls != 0.0) {
            const double off = ls / (double)K, on = 1.0 * (1.0 - ls) + ls / (double)K;
            _Pragma("omp simd")
            for (Py_ssize_t k = 0; k < K; k++) yb[k] = off;
            yb[label] = on;
        }
    } else {
        const S *restrict y = (const S *)a->y + r * K;
        const double keep = 1.0 - ls, add = ls / (double)K;
        /* no `omp simd reduction` here: GCC keeps its lanes on the stack, a stall per row */
        unsigned outside = 0;
        for (Py_ssize_t k = 0; k < K; k++) {
            double t = (double)y[k];
            outside |= !(t >= 0.0) | !(t <= 1.0);
            yb[k] = t;
        }
        if (outside) bad |= LK_BAD;
        row_sum = pw_sum(yb, K);
        if (!(fabs(row_sum - 1.0) <= a->row_tol)) bad |= LK_BAD;
        if (ls != 0.0) {
            _Pragma("omp simd")
            for (Py_ssize_t k = 0; k < K; k++) yb[k] = yb[k] * keep + add;
        }
    }
    const int onehot = a->labels && ls == 0.0; /* y = onehot(label): sums and products simplify exactly */
    const double ysum = onehot ? 1.0 : (a->labels || ls != 0.0) ? pw_sum(yb, K) : row_sum; /* yb unchanged */

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
    const int active = (!a->aw || a->aw[r] != 0.0) && !(a->labels && a->has_ignore && a->labels[r] == a->ignore_index);
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
    if (out_value) {
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

    Py_ssize_t label = (Py_ssize_t)a->labels[r];
    if (a->has_ignore && label == a->ignore_index) {
        label = 0; /* ignored: weight 0 (W == 0 here), label replaced as in the reference */
    } else if (label < 0 || label >= K) {
        bad |= LK_BAD;
        label = 0;
    }
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

/* Rows r0..r1 (at most LK_CE_ROWS of at most LK_CE_SMALL classes): the same operations as
 * CE_ROW, with the exp of the whole block in one loop and the log of the block's sums in
 * another. Row by row, a few classes leave the vector loops mostly prologue and epilogue. */
static inline unsigned CE_BLOCK(const lk_cargs *a, Py_ssize_t r0, Py_ssize_t r1, double *sb, double *yb,
                                double *vals, int need_value) {
    const Py_ssize_t K = a->K, nr = r1 - r0, len = nr * K;
    const S *restrict s = (const S *)a->s + r0 * K;
    double eb[LK_CE_ROWS * LK_CE_SMALL], ms[LK_CE_ROWS], inv[LK_CE_ROWS], lse[LK_CE_ROWS];
    unsigned bad[LK_CE_ROWS], flags = 0;
    for (Py_ssize_t i = 0; i < nr; i++) {
        ms[i] = CE_MAX_SHORT(s + i * K, K);
        _Pragma("omp simd")
        for (Py_ssize_t k = 0; k < K; k++) eb[i * K + k] = (double)s[i * K + k] - ms[i];
    }
    _Pragma("omp simd")
    for (Py_ssize_t j = 0; j < len; j++) eb[j] = lk_exp_neg_d(eb[j]);
    /* a nan or +inf logit, and only those, makes the row's sum nan or +inf: the others give
     * exp(s - m) in [0, 1] (m the finite maximum, or 0 when all are -inf) */
    for (Py_ssize_t i = 0; i < nr; i++) {
        lse[i] = pw_sum(eb + i * K, K);
        bad[i] = (lse[i] < INFINITY) ? 0u : LK_BAD;
    }
    _Pragma("omp simd")
    for (Py_ssize_t i = 0; i < nr; i++) {
        inv[i] = 1.0 / lse[i];
        lse[i] = lk_log_d(lse[i]);
    }
    for (Py_ssize_t i = 0; i < nr; i++) {
        double v = 0.0;
        flags |= CE_TAIL(a, r0 + i, ms[i], eb + i * K, inv[i], lse[i], bad[i], sb, yb, need_value ? &v : NULL);
        if (vals) vals[i] = v;
        if (a->l) ((S *)a->l)[r0 + i] = (S)v;
    }
    return flags;
}

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
                if (K <= LK_CE_SMALL) {
                    for (Py_ssize_t q = r0; q < r1; q += LK_CE_ROWS) {
                        Py_ssize_t q1 = q + LK_CE_ROWS < r1 ? q + LK_CE_ROWS : r1;
                        flags |= CE_BLOCK(a, q, q1, sb, yb, want_sum ? vals + (q - r0) : NULL, need_value);
                    }
                } else {
                    for (Py_ssize_t r = r0; r < r1; r++) {
                        double v = 0.0;
#ifdef LK_FLOAT_STORAGE
                        if (a->labels && a->ls == 0.0)
                            flags |= CE_ROW_F(a, r, (float *)eb, need_value ? &v : NULL);
                        else if (!a->labels)
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
#undef CE_MAX_SHORT
#undef CE_BLOCK
#undef CE_RUN
#undef CE_ROW_F
#undef CE_ROW_FT
#undef CE_EXPS_F
#undef CE_TAIL_WIDE
#undef CE_YSUM
