/* Drivers of the elementwise losses for one storage type S (included once per S).
 *
 * Arrays hold S (float or double) and compute in S: float64 arrays in double, float32 arrays
 * in float, with losskit's own float exp and log (within 0.77 ulp), twice the SIMD width of
 * double. float32 results stay within a few ulps of exact (tests/test_native.py and
 * tests/test_accuracy.py hold them to it); sums of float32 values accumulate in double.
 * (float32 arrays computed in double and rounded once were 1.4-1.9x slower for the simple
 * losses at 10^6 values, one thread: mse value 0.30 -> 0.21 ms, huber value+gradient
 * 0.59 -> 0.31 ms.)
 *
 * One pass over memory computes what a call asks for -- the weighted sum of the
 * losses, the per-element losses, the gradient, the Hessian -- and the data
 * checks. Sums follow NumPy's own pairwise summation exactly (the reference path
 * sums with NumPy), leaf by leaf, so the two paths give the same sum of the same
 * values and the result does not depend on the number of threads. Blocks or
 * leaves are shared among threads (OpenMP) when n >= LK_PAR_MIN.
 *
 * Weights (w, optional) follow the reference path exactly: a value's loss is
 * w * l, zero where w == 0 (even if l is inf or nan), and derivatives are
 * (w * scale) * d, zero where that weight is 0; the unweighted "mean" multiplies
 * by scale = 1/n rounded to T. Data checks skip values whose weight is 0.
 */

/* The compute type CT of storage type S, and the element functions' suffix CS. */
#undef LK_CT
#undef LK_CS
#if defined(LK_FLOAT_STORAGE) && LK_FLOAT_STORAGE
#define LK_CT float
#define LK_CS _f
#else
#define LK_CT double
#define LK_CS _d
#endif
#ifndef LK_TMAX_d
#define LK_TMAX_d 1.7976931348623157e308
#define LK_TMAX_f 3.4028234663852886e38f
#endif

/* ELEM_BODY: element i, with compile-time MODE and WEIGHTED; the value to be summed goes to
 * V[i - i0] (a leaf buffer) in the LK_SUM modes. */
#define ELEM_BODY(OPNAME, CHECKNAME, MODE, WEIGHTED, CT, CS)                              \
    {                                                                                     \
        CT y_ = (CT)Y[i], f_ = (CT)F[i], l_, g_, h_;                                      \
        CT pre_ = CAT(HAS_PRE_##OPNAME, CS) ? E[i - i0] : (CT)0;                          \
        CT pre2_ = (CAT(HAS_PRE_##OPNAME, CS) == 2) ? E2[i - i0] : (CT)0;                 \
        CAT(op_##OPNAME, CS)(y_, f_, pre_, pre2_, P, &l_, &g_, &h_);                      \
        unsigned fl_ = CAT(check_##CHECKNAME, CS)(y_, f_);                                \
        if (WEIGHTED) {                                                                   \
            CT w_ = (CT)W[i];                                                             \
            fl_ = (w_ != 0) ? fl_ : 0u;                                                   \
            fl_ |= (!(w_ >= 0) | !(w_ <= CAT(LK_TMAX, CS))) ? LK_BAD : 0u;                \
            CT wl_ = (w_ == 0) ? (CT)0 : w_ * l_;                                         \
            if ((MODE) & LK_SUM) V[i - i0] = (double)wl_;                                 \
            if ((MODE) & LK_VALUES) L[i] = (S)wl_;                                        \
            if ((MODE) & (LK_GRAD | LK_HESS)) {                                           \
                CT ws_ = w_ * sc;                                                         \
                if ((MODE) & LK_GRAD) G[i] = (S)((ws_ == 0) ? (CT)0 : ws_ * g_);          \
                if ((MODE) & LK_HESS) H[i] = (S)((ws_ == 0) ? (CT)0 : ws_ * h_);          \
            }                                                                             \
        } else {                                                                          \
            if ((MODE) & LK_SUM) V[i - i0] = (double)l_;                                  \
            if ((MODE) & LK_VALUES) L[i] = (S)l_;                                         \
            if ((MODE) & LK_GRAD) G[i] = (S)(scaled ? g_ * sc : g_);                      \
            if ((MODE) & LK_HESS) H[i] = (S)(scaled ? h_ * sc : h_);                      \
        }                                                                                 \
        flags_b |= fl_;                                                                   \
    }

/* ELEM_LOOP: the threaded loop for one (MODE, WEIGHTED) combination. Without a sum: blocks of
 * LK_BLOCK. With a sum: groups of LK_GROUP consecutive leaves of NumPy's pairwise summation
 * (module.c), their values in a buffer, each leaf summed NumPy's way into sums[k] (the group's
 * sums side by side: common.h, lk_leaf_sums); module.c combines the leaves in NumPy's tree. */
#define ELEM_LOOP(OPNAME, CHECKNAME, MODE, WEIGHTED, CT, CS)                                        \
    do {                                                                                            \
        const Py_ssize_t nl = a->nleaves;                                                           \
        const Py_ssize_t nw = ((MODE) & LK_SUM) ? (nl + LK_GROUP - 1) / LK_GROUP : nb;              \
        _Pragma("omp parallel for schedule(static) num_threads(nt) reduction(|:flags) if(nt > 1)")  \
        for (Py_ssize_t b = 0; b < nw; b++) {                                                       \
            Py_ssize_t i0, i1, l0 = b * LK_GROUP, l1 = (l0 + LK_GROUP < nl) ? l0 + LK_GROUP : nl;   \
            if ((MODE) & LK_SUM) { /* a group of consecutive leaves */                              \
                i0 = a->leaf_start[l0];                                                             \
                i1 = a->leaf_start[l1];                                                             \
            } else {                                                                                \
                i0 = b * LK_BLOCK;                                                                  \
                i1 = (i0 + LK_BLOCK < n) ? i0 + LK_BLOCK : n;                                       \
            }                                                                                       \
            double V[LK_GROUP * LK_LEAF];                                                           \
            unsigned flags_b = 0;                                                                   \
            /* the parameters as block-local values: loads of them inside the inner loop keep */    \
            /* the float32 loops scalar ("no vectype") */                                           \
            CT P[LK_MAX_PARAMS];                                                                    \
            for (int k_ = 0; k_ < LK_MAX_PARAMS; k_++) P[k_] = (CT)PP[k_];                          \
            CT E[LK_BLOCK], E2[LK_BLOCK]; /* the first stage of the block (ops.h: PRE) */          \
            if (CAT(HAS_PRE_##OPNAME, CS)) {                                                        \
                _Pragma("omp simd")                                                                 \
                for (Py_ssize_t i = i0; i < i1; i++)                                                \
                    E[i - i0] = CAT(pre_##OPNAME, CS)((CT)Y[i], (CT)F[i], P, &E2[i - i0]);          \
            }                                                                                       \
            _Pragma("omp simd reduction(|:flags_b)")                                                \
            for (Py_ssize_t i = i0; i < i1; i++) ELEM_BODY(OPNAME, CHECKNAME, MODE, WEIGHTED, CT, CS) \
            if ((MODE) & LK_SUM) lk_leaf_sums(V, a->leaf_start + l0, l1 - l0, a->sums + l0);        \
            flags |= flags_b;                                                                       \
        }                                                                                           \
    } while (0)

/* ELEM_FN: one loop (a MODE and weighting) as its own function. GCC gives up if-converting
 * some of the loops when a dozen of them share one function (measured: half stayed scalar). */
#define ELEM_FN(OPNAME, CHECKNAME, MODE, WEIGHTED, TAG, CT, CS)                           \
    static __attribute__((noinline)) unsigned CAT(CAT(loop_##OPNAME##_##TAG##_, WEIGHTED), SSFX)(lk_args *a) { \
        const S *restrict Y = (const S *)a->y, *restrict F = (const S *)a->f;             \
        const S *restrict W = (const S *)a->w;                                            \
        S *restrict L = (S *)a->l, *restrict G = (S *)a->g, *restrict H = (S *)a->h;      \
        const double *restrict PP = a->p;                                                 \
        const CT sc = (CT)a->scale;                                                       \
        const int scaled = a->scale != 1.0;                                               \
        const Py_ssize_t n = a->n, nb = (n + LK_BLOCK - 1) / LK_BLOCK;                    \
        const int nt = (n >= LK_PAR_MIN) ? a->nthreads : 1;                               \
        unsigned flags = 0;                                                               \
        (void)W;                                                                          \
        (void)sc;                                                                         \
        (void)scaled;                                                                     \
        ELEM_LOOP(OPNAME, CHECKNAME, MODE, WEIGHTED, CT, CS);                             \
        return flags;                                                                     \
    }

#define ELEM_FNS(OPNAME, CHECKNAME, MODE, TAG, CT, CS) \
    ELEM_FN(OPNAME, CHECKNAME, MODE, 0, TAG, CT, CS)   \
    ELEM_FN(OPNAME, CHECKNAME, MODE, 1, TAG, CT, CS)

#define ELEM_CASE(OPNAME, MODE, TAG)                                                                  \
    case (MODE):                                                                                      \
        a->flags = a->w ? CAT(loop_##OPNAME##_##TAG##_1, SSFX)(a) : CAT(loop_##OPNAME##_##TAG##_0, SSFX)(a); \
        return 0;

/* DEFINE_ELEMENTWISE: the driver of one loss for storage type S: a loop per output combination. */
#define DEFINE_ELEMENTWISE(OPNAME, CHECKNAME) DEFINE_ELEMENTWISE_(OPNAME, CHECKNAME, LK_CT, LK_CS)
#define DEFINE_ELEMENTWISE_(OPNAME, CHECKNAME, CT, CS) DEFINE_ELEMENTWISE__(OPNAME, CHECKNAME, CT, CS)
#define DEFINE_ELEMENTWISE__(OPNAME, CHECKNAME, CT, CS)                   \
    ELEM_FNS(OPNAME, CHECKNAME, LK_SUM, s, CT, CS)                        \
    ELEM_FNS(OPNAME, CHECKNAME, LK_VALUES, v, CT, CS)                     \
    ELEM_FNS(OPNAME, CHECKNAME, LK_GRAD, g, CT, CS)                       \
    ELEM_FNS(OPNAME, CHECKNAME, LK_HESS, h, CT, CS)                       \
    ELEM_FNS(OPNAME, CHECKNAME, LK_SUM | LK_GRAD, sg, CT, CS)             \
    ELEM_FNS(OPNAME, CHECKNAME, LK_VALUES | LK_GRAD, vg, CT, CS)          \
    ELEM_FNS(OPNAME, CHECKNAME, LK_GRAD | LK_HESS, gh, CT, CS)            \
    static int CAT(run_##OPNAME, SSFX)(lk_args *a) {                      \
        switch (a->mode) {                                                \
            ELEM_CASE(OPNAME, LK_SUM, s)                                  \
            ELEM_CASE(OPNAME, LK_VALUES, v)                               \
            ELEM_CASE(OPNAME, LK_GRAD, g)                                 \
            ELEM_CASE(OPNAME, LK_HESS, h)                                 \
            ELEM_CASE(OPNAME, LK_SUM | LK_GRAD, sg)                       \
            ELEM_CASE(OPNAME, LK_VALUES | LK_GRAD, vg)                    \
            ELEM_CASE(OPNAME, LK_GRAD | LK_HESS, gh)                      \
            default:                                                      \
                return -1;                                                \
        }                                                                 \
    }

DEFINE_ELEMENTWISE(mse, real)
DEFINE_ELEMENTWISE(mae, real)
DEFINE_ELEMENTWISE(huber, real)
DEFINE_ELEMENTWISE(pseudo_huber, real)
DEFINE_ELEMENTWISE(log_cosh, real)
DEFINE_ELEMENTWISE(quantile, real)
DEFINE_ELEMENTWISE(poisson_rate, poisson_rate)
DEFINE_ELEMENTWISE(poisson_log, poisson_log)
DEFINE_ELEMENTWISE(msle, msle)
DEFINE_ELEMENTWISE(mape, real)
DEFINE_ELEMENTWISE(bce_prob, prob_prob)
DEFINE_ELEMENTWISE(bce_logit, prob_logit)
DEFINE_ELEMENTWISE(hinge, margin)
DEFINE_ELEMENTWISE(squared_hinge, margin)
DEFINE_ELEMENTWISE(modified_huber, margin)
DEFINE_ELEMENTWISE(exponential, margin)
DEFINE_ELEMENTWISE(brier, prob_prob)
DEFINE_ELEMENTWISE(focal_logit, binary_logit)
DEFINE_ELEMENTWISE(focal_prob, binary_prob)
DEFINE_ELEMENTWISE(xent_prob, prob_prob)
DEFINE_ELEMENTWISE(kl_prob, prob_prob)
DEFINE_ELEMENTWISE(rmse, real)

/* The drivers in the order of the op ids (_fast.py's _OPS); kernels.h builds the tables. */
#ifndef LK_ELEMENTWISE_TABLE
#define LK_ELEMENTWISE_TABLE(S_)                                                                   \
    {CAT(run_mse, S_),          CAT(run_mae, S_),         CAT(run_huber, S_),                      \
     CAT(run_pseudo_huber, S_), CAT(run_log_cosh, S_),    CAT(run_quantile, S_),                   \
     CAT(run_poisson_rate, S_), CAT(run_poisson_log, S_), CAT(run_msle, S_),                       \
     CAT(run_mape, S_),         CAT(run_bce_prob, S_),    CAT(run_bce_logit, S_),                  \
     CAT(run_hinge, S_),        CAT(run_squared_hinge, S_), CAT(run_modified_huber, S_),           \
     CAT(run_exponential, S_),  CAT(run_brier, S_),       CAT(run_focal_logit, S_),                \
     CAT(run_focal_prob, S_),   CAT(run_xent_prob, S_),   CAT(run_kl_prob, S_),                    \
     CAT(run_rmse, S_)}
#endif
