/* The Weston-Watkins multiclass hinge (multi_margin) of integer labels, for one storage type S
 * (included once per S by softmax.h, whose driver runs it row by row for the calls of kind
 * LK_KIND_MULTI_MARGIN). In double, mirroring the reference path (losses/multiclass.py,
 * MultiMargin) operation for operation:
 *
 *   t_k = margin - s_y + s_k (k != y), 0 at k = y;   value = sum_k max(t_k, 0) / K
 *   c_k = [t_k > 0] (1 / K);   gradient = c_k - [k == y] sum_k c_k;   Hessian 0
 *
 * with the sums over the classes in NumPy's pairwise order (np.sum, as the reference sums), and
 * the row weights W (the sample weights) applied as in softmax.h: W v per row, (W scale) d per
 * class, 0 where that weight is 0. Checks: a nan logit; a label outside [0, K). Rows whose
 * sample weight is 0 are not checked. */

#define MM_ROW CAT(mm_row, SSFX) /* #undef'd by softmax.h after its driver */

/* Row r: its flags; its weighted value in *out_value (if asked). tb, cb: K doubles of scratch. */
static inline unsigned MM_ROW(const lk_cargs *a, Py_ssize_t r, double *tb, double *cb, double *out_value) {
    const Py_ssize_t K = a->K;
    const S *restrict s = (const S *)a->s + r * K;
    const double W = a->w ? a->w[r] : 1.0;
    unsigned bad = 0;
    const Py_ssize_t label = ce_label(a, r, &bad);
    const double base = a->margin - (double)s[label];
    const double c = 1.0 / (double)K;
    _Pragma("omp simd reduction(|:bad)")
    for (Py_ssize_t k = 0; k < K; k++) {
        double x = (double)s[k];
        bad |= (x != x) ? LK_BAD : 0u;
        double t = (k == label) ? 0.0 : base + x;
        tb[k] = (t > 0.0 || t != t) ? t : 0.0; /* np.maximum(t, 0): nan stays nan (inf - inf) */
        cb[k] = t > 0.0 ? c : 0.0;
    }
    if (out_value) {
        double v = pw_sum(tb, K) / (double)K;
        *out_value = (W == 0.0) ? 0.0 : W * v;
    }
    const double ws = W * a->scale;
    if (a->g) {
        S *restrict G = (S *)a->g + r * K;
        const double cs = pw_sum(cb, K);
        _Pragma("omp simd")
        for (Py_ssize_t k = 0; k < K; k++) {
            double g = (k == label) ? cb[k] - cs : cb[k];
            G[k] = (S)((ws == 0.0) ? 0.0 : ws * g);
        }
    }
    if (a->h) memset((S *)a->h + r * K, 0, (size_t)K * sizeof(S));
    const int active = !a->aw || a->aw[r] != 0.0;
    return active ? bad : 0u;
}

/* The Crammer-Singer multiclass hinge (categorical_hinge) of one-hot target rows, as the
 * reference computes it (losses/multiclass.py, CategoricalHinge), in double:
 *
 *   s_y = sum_k [y_k == 1] s_k;   m = max_k of s_k where y_k != 1 (-inf where it is);
 *   margin = (1 + m) - s_y;   value = max(margin, 0)
 *   gradient = [margin > 0] (onehot(argmax) - [y == 1]),   the first maximum;   Hessian 0
 *
 * nan propagates as NumPy's maximum and argmax propagate it, and rows without exactly one 1 get
 * the formula's result (rows of weight 0, or validate=False).
 * Checks: a target not 0 or 1, a row without exactly one 1; a nan logit. Rows whose sample
 * weight is 0 are not checked. */
#define CH_ROW CAT(ch_row, SSFX) /* #undef'd by softmax.h after its driver */

static inline unsigned CH_ROW(const lk_cargs *a, Py_ssize_t r, double *tb, double *out_value) {
    const Py_ssize_t K = a->K;
    const S *restrict s = (const S *)a->s + r * K;
    const S *restrict y = (const S *)a->y + r * K;
    const double W = a->w ? a->w[r] : 1.0;
    unsigned bad = 0;
    double m = -INFINITY;
    Py_ssize_t best = 0, ones = 0;
    for (Py_ssize_t k = 0; k < K; k++) {
        const double x = (double)s[k], t = (double)y[k];
        bad |= ((x != x) | ((t != 0.0) & (t != 1.0))) ? LK_BAD : 0u;
        ones += t == 1.0;
        tb[k] = (t == 1.0) ? x : 0.0;
        const double wrong = (t == 1.0) ? -INFINITY : x;
        if ((wrong > m) | ((wrong != wrong) & (m == m))) { /* argmax: the first maximum, or the first nan */
            m = wrong;
            best = k;
        }
    }
    bad |= (ones != 1) ? LK_BAD : 0u;
    const double margin = (1.0 + m) - pw_sum(tb, K);
    if (out_value) {
        const double v = (margin > 0.0 || margin != margin) ? margin : 0.0;
        *out_value = (W == 0.0) ? 0.0 : W * v;
    }
    const double ws = W * a->scale, inside = margin > 0.0 ? 1.0 : 0.0;
    if (a->g) {
        S *restrict G = (S *)a->g + r * K;
        for (Py_ssize_t k = 0; k < K; k++) {
            const double g = inside * ((k == best ? 1.0 : 0.0) - ((double)y[k] == 1.0 ? 1.0 : 0.0));
            G[k] = (S)((ws == 0.0) ? 0.0 : ws * g);
        }
    }
    if (a->h) memset((S *)a->h + r * K, 0, (size_t)K * sizeof(S));
    const int active = !a->aw || a->aw[r] != 0.0;
    return active ? bad : 0u;
}
