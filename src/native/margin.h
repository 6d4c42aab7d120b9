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
