/* Element functions of the elementwise losses, in T (double for float64 arrays, float for float32
 * arrays).
 *
 * Included by kernels.h with T, SFX, TMAX, ABS, SQRT, HYPOT1 and the vmath names (EXP, EXPM1,
 * LOG, LOG1P) defined, once per T; it undefines them at its end.
 * Each OP(y, f, P, &l, &g, &h) computes the loss, its derivative and its
 * second derivative with respect to f; the drivers store only what a call
 * asks for and the compiler drops the rest. Each formula mirrors the array-API
 * reference in losskit/losses/ operation for operation, so the two paths
 * agree to the last bits in float64 (see tests/test_native.py).
 *
 * Scalar expressions of parameters (1 - q, 1 - eps, ...) come precomputed in
 * double, as NumPy computes the reference's Python scalars.
 *
 * Each CHECK(y, f) returns LK_BAD for a value outside the loss's domain
 * (the reference path then raises the precise error), and the margin
 * losses report which label encodings they saw (LK_SAW_ZERO, LK_SAW_MINUS).
 * Bodies are branch-free: ternaries are if-converted to selects.
 */

#define OP(name) CAT(op_##name, SFX)
#define CHECK(name) CAT(check_##name, SFX)
/* always_inline: GCC's size heuristics decline to inline the larger ones (with exp and log
 * inside), and a call in the loop body keeps the loop scalar. */
#define OPSIG(name) \
    LK_INLINE void OP(name)(T y, T f, T pre, T pre2 __attribute__((unused)), const T *restrict P, T *l, T *g, T *h)
/* A first stage: the loss's first exp or log, evaluated for a whole block in its own loop before
 * the element function gets it as `pre` (and a second result of the same stage, if HASPRE2, as
 * `pre2`). One loop body with two chained exp/log calls is one long dependency chain per element
 * and spills registers: 1.5x slower (benchmarks/vmath/README.md). */
#define PRE(name) CAT(pre_##name, SFX)
#define PRESIG(name) LK_INLINE T PRE(name)(T y, T f, const T *restrict P, T *restrict pre2 __attribute__((unused)))
#define NOPRE(name)                                   \
    enum { CAT(HAS_PRE_##name, SFX) = 0 };            \
    PRESIG(name) {                                    \
        (void)y, (void)f, (void)P;                    \
        return (T)0;                                  \
    }
#define HASPRE(name) enum { CAT(HAS_PRE_##name, SFX) = 1 };
#define HASPRE2(name) enum { CAT(HAS_PRE_##name, SFX) = 2 };
#define CHECKSIG(name) LK_INLINE unsigned CHECK(name)(T y, T f)

/* Domains (see _base._check_domain): y_true must be finite; a "real" y_pred
 * must not be nan; any other y_pred domain must be finite and inside it. */
#define FINITE(x) (ABS(x) <= TMAX)
#define NOTNAN(x) ((x) == (x))
#define BAD_IF(c) ((c) ? LK_BAD : 0u)

CHECKSIG(real) { return BAD_IF(!FINITE(y) | !NOTNAN(f)); }
CHECKSIG(poisson_rate) { return BAD_IF(!FINITE(y) | !(y >= 0) | !FINITE(f) | !(f >= 0)); }
CHECKSIG(poisson_log) { return BAD_IF(!FINITE(y) | !(y >= 0) | !NOTNAN(f)); }
CHECKSIG(msle) { return BAD_IF(!FINITE(y) | !(y > -1) | !FINITE(f) | !(f > -1)); }
CHECKSIG(prob_prob) { return BAD_IF(!(y >= 0) | !(y <= 1) | !(f >= 0) | !(f <= 1)); }
CHECKSIG(prob_logit) { return BAD_IF(!(y >= 0) | !(y <= 1) | !NOTNAN(f)); }
CHECKSIG(binary_prob) { return BAD_IF(!((y == 0) | (y == 1)) | !(f >= 0) | !(f <= 1)); }
CHECKSIG(binary_logit) { return BAD_IF(!((y == 0) | (y == 1)) | !NOTNAN(f)); }
CHECKSIG(margin) {
    return BAD_IF(!((y == 0) | (y == 1) | (y == -1)) | !NOTNAN(f)) | ((y == 0) ? LK_SAW_ZERO : 0u) |
           ((y == -1) ? LK_SAW_MINUS : 0u);
}

/* -- regression ---------------------------------------------------------------------- */

NOPRE(mse)
OPSIG(mse) {
    (void)pre;
    (void)P;
    T r = f - y;
    *l = r * r;
    *g = (T)2 * r;
    *h = (T)2;
}

NOPRE(mae)
OPSIG(mae) {
    (void)pre;
    (void)P;
    T r = f - y;
    *l = ABS(r);
    *g = (r > 0) ? (T)1 : ((r < 0) ? (T)-1 : (T)0);
    *h = (T)0;
}

/* RMSE's two passes (_fast._rmse): the sum of r^2 first, then the gradient r / rmse with
 * P[0] = the RMSE in the array's dtype (inf where it is 0: a zero gradient, as the reference's). */
NOPRE(rmse)
OPSIG(rmse) { /* P: rmse */
    (void)pre;
    T r = f - y;
    *l = r * r;
    *g = r / P[0];
    *h = (T)0;
}

NOPRE(huber)
OPSIG(huber) { /* P: delta */
    (void)pre;
    T d = P[0], r = f - y, a = ABS(r);
    T q = MIN(a, d);
    *l = (T)0.5 * q * q + d * (a - q);
    *g = MAX(MIN(r, d), -d);
    *h = (a <= d) ? (T)1 : (T)0;
}

/* HYPOT1(a) = hypot(a, 1) for a >= 0 (module.c): _stable.hypot1's operations exactly. */

NOPRE(pseudo_huber)
OPSIG(pseudo_huber) { /* P: delta */
    (void)pre;
    T d = P[0], r = f - y, ra = ABS(r);
    T a = ra / d; /* = |r / d|: division is symmetric in sign */
    T hy = HYPOT1(a);
    *l = (d * ra) * (a / (hy + (T)1));
    *g = r / hy;
    T s = a * a + (T)1;
    *h = ((T)1 / s) / hy;
}

/* log-cosh from a = |r| through u = expm1(-a) and t = exp(-a), one reduction for both (vmath.h):
 *   near (a <= 0.8): cosh a - 1 = (e^a + e^-a - 2) / 2 = u^2 / (2 t), log cosh a = log1p(u^2 / (2 t));
 *   far: log cosh a = (a - log 2) + log1p(t^2), as _stable.log_cosh (t^2 = exp(-2a));
 *   tanh a = (1 - t^2) / (1 + t^2) = -u (2 + u) / (1 + t^2), no cancellation at a -> 0;
 *   sech^2 a = 4 t^2 / (1 + t^2)^2.
 * Both log1p arguments stay below cosh(0.8) - 1 = 0.337 < sqrt(2) - 1, where LOG1P_SMALL applies
 * (the reference switches at a = 1; the far form has no cancellation from a = log 2 on). u and t
 * each within 0.75 ulp: value, tanh and sech^2 within 2, 3 and 4 ulps of exact elementwise in
 * float64 (2.7, 2.9, 4.0 in float32; measured on 3700 residuals from 1e-9 to 60). */
HASPRE2(log_cosh)
PRESIG(log_cosh) {
    (void)P;
    T t;
    T u = EXPM1_EXP_NEG(-ABS(f - y), &t);
    *pre2 = t;
    return u;
}

OPSIG(log_cosh) {
    (void)P;
    T r = f - y, a = ABS(r);
    T u = pre, t = pre2, t2 = t * t; /* expm1(-a), exp(-a) */
    int small = a <= (T)0.8;
    T lg = LOG1P_SMALL(small ? (u * u) / ((T)2 * t) : t2);
    *l = small ? lg : (a - (T)LK_LN2) + lg;
    T inv = (T)1 / ((T)1 + t2);
    T th = -u * ((T)2 + u) * inv;
    *g = (r < 0) ? -th : th;
    *h = ((T)4 * t2) * inv * inv;
}

NOPRE(quantile)
OPSIG(quantile) { /* P: q, 1 - q */
    (void)pre;
    T q = P[0], r = f - y;
    *l = MAX(-q * r, P[1] * r);
    *g = P[1] - ((y >= f) ? (T)1 : (T)0);
    *h = (T)0;
}

NOPRE(poisson_rate)
OPSIG(poisson_rate) {
    (void)pre;
    (void)P;
    int zero = y == 0;
    *l = f - (zero ? (T)0 : y * LOG(zero ? (T)1 : f));
    *g = (T)1 - (zero ? (T)0 : y / (zero ? (T)1 : f));
    T ff = f * f;
    *h = zero ? (T)0 : y / (zero ? (T)1 : ff);
}

NOPRE(poisson_log)
OPSIG(poisson_log) {
    (void)pre;
    (void)P;
    T e = EXP(f);
    *l = e - y * f;
    *g = e - y;
    *h = e;
}

HASPRE(msle)
PRESIG(msle) {
    (void)y, (void)P;
    return LOG1P(f);
}

OPSIG(msle) {
    (void)P;
    T d = pre - LOG1P(y); /* log1p(f) - log1p(y) */
    T u = (T)1 + f;
    *l = d * d;
    *g = (T)2 * d / u;
    *h = (T)2 * ((T)1 - d) / (u * u);
}

NOPRE(mape)
OPSIG(mape) { /* P: eps of T */
    (void)pre;
    T r = f - y, s = MAX(ABS(y), P[0]);
    *l = ABS(r) / s;
    *g = ((r > 0) ? (T)1 : ((r < 0) ? (T)-1 : (T)0)) / s;
    *h = (T)0;
}

/* -- binary ------------------------------------------------------------------------------- */

/* a * b with 0 * b = 0 even where b is infinite */
#define MUL0(a, b) (((a) == 0) ? (T)0 : (a) * (b))
/* x / y with 0 / y = 0 */
#define DIV0(x, y) (((x) == 0) ? (T)0 : (x) / (((x) == 0) ? (T)1 : (y)))

/* P: pos_weight (or -1: none), label_smoothing, 1 - ls, ls / 2, and for probabilities the clip
 * bounds eps, 1 - eps (-inf, +inf when eps = 0: min(max(f, lo), hi) is then f itself; a select
 * on eps around the clip would keep GCC from vectorising) */
#define BCE_TARGETS                                       \
    T yy = (P[1] != 0) ? y * P[2] + P[3] : y;             \
    T pos = (P[0] >= 0) ? P[0] * yy : yy;                 \
    T neg = (T)1 - yy

HASPRE(bce_prob)
PRESIG(bce_prob) {
    (void)y;
    return LOG(MIN(MAX(f, P[4]), P[5])); /* log of the clipped probability */
}

OPSIG(bce_prob) {
    BCE_TARGETS;
    T p = MIN(MAX(f, P[4]), P[5]);
    T q = (T)1 - p;
    *l = -(MUL0(pos, pre) + MUL0(neg, LOG1P(-p)));
    *g = DIV0(neg, q) - DIV0(pos, p);
    *h = DIV0(pos, p * p) + DIV0(neg, q * q);
}

HASPRE(bce_logit)
PRESIG(bce_logit) {
    (void)y, (void)P;
    return EXP_NEG(-ABS(f));
}

OPSIG(bce_logit) {
    BCE_TARGETS;
    T e = pre; /* exp(-|f|) */
    T lg = LOG1P_UNIT(e);
    T sp_pos = MAX(f, (T)0) + lg;  /* softplus(f) */
    T sp_neg = MAX(-f, (T)0) + lg; /* softplus(-f) */
    *l = MUL0(pos, sp_neg) + MUL0(neg, sp_pos);
    /* as _stable.sigmoid_pair / sigmoid_product: one reciprocal */
    T big = (T)1 / ((T)1 + e), small = e * big;
    T sig = (f >= 0) ? big : small, sig_neg = (f >= 0) ? small : big;
    *g = neg * sig - pos * sig_neg;
    *h = (pos + neg) * (small * big);
}

NOPRE(hinge)
OPSIG(hinge) {
    (void)pre;
    (void)P;
    T t = (y == 0) ? (T)-1 : y;
    *l = MAX((T)1 - t * f, (T)0);
    *g = -t * ((t * f < 1) ? (T)1 : (T)0);
    *h = (T)0;
}

NOPRE(squared_hinge)
OPSIG(squared_hinge) {
    (void)pre;
    (void)P;
    T t = (y == 0) ? (T)-1 : y;
    T m = MAX((T)1 - t * f, (T)0);
    *l = m * m;
    *g = (T)-2 * t * m;
    *h = (T)2 * ((t * f < 1) ? (T)1 : (T)0);
}

NOPRE(modified_huber)
OPSIG(modified_huber) {
    (void)pre;
    (void)P;
    T t = (y == 0) ? (T)-1 : y;
    T z = t * f;
    T m = MAX((T)1 - z, (T)0);
    *l = (z >= -1) ? m * m : (T)-4 * z;
    *g = t * ((z >= -1) ? (T)-2 * m : (T)-4);
    *h = (T)2 * (((z >= -1) & (z < 1)) ? (T)1 : (T)0);
}

NOPRE(exponential)
OPSIG(exponential) {
    (void)pre;
    (void)P;
    T t = (y == 0) ? (T)-1 : y;
    T e = EXP(-t * f);
    *l = e;
    *g = -t * e;
    *h = e;
}

NOPRE(brier)
OPSIG(brier) {
    (void)pre;
    (void)P;
    T r = f - y;
    *l = r * r;
    *g = (T)2 * r;
    *h = (T)2;
}

/* Focal loss with an integer gamma in {0, 1, 2} (the reference's own special cases of pow).
 * P: gamma, alpha (or -1: none), 1 - alpha, clip bounds eps and 1 - eps (or -inf, +inf), 2 gamma + 1 */
/* x^gm for gm in {0, 1, 2}: exactly 1, x or x*x. Two flat selects: a nested one keeps GCC
 * from vectorising the loop. */
#define POWG(x, gm) (((gm) >= 1 ? (x) : (T)1) * ((gm) >= 2 ? (x) : (T)1))
#define ALPHA_T (P[1] >= 0 ? P[1] * y + P[2] * ((T)1 - y) : (T)1)

HASPRE(focal_logit)
PRESIG(focal_logit) {
    (void)P;
    /* the full exp, not EXP_NEG: the Hessian's formula cancels and turns EXP_NEG's 0.98 ulp into
     * 11 ulps of difference from the reference path (measured), more than its 10 */
    return EXP(-ABS(((T)2 * y - (T)1) * f));
}

OPSIG(focal_logit) {
    T gm = P[0], at = ALPHA_T;
    T t = (T)2 * y - (T)1;
    T z = t * f;
    T e = pre; /* exp(-|z|) */
    T big = (T)1 / ((T)1 + e), small = e * big;                /* _stable.sigmoid_pair */
    T p = (z >= 0) ? big : small, q = (z >= 0) ? small : big; /* sigmoid(z), sigmoid(-z) */
    T sp = MAX(-z, (T)0) + LOG1P_UNIT(e);                           /* softplus(-z) */
    T qg = POWG(q, gm);
    *l = at * qg * sp;
    T inner = (gm != 0) ? gm * (p * sp) + q : q;
    *g = -t * at * qg * inner;
    T hh = P[5] * q * p;
    hh = (gm != 0) ? hh + gm * (p * sp) * (gm * p - q) : hh;
    *h = at * qg * hh;
}

HASPRE(focal_prob)
PRESIG(focal_prob) {
    (void)y;
    return LOG(MIN(MAX(f, P[3]), P[4])); /* log of the clipped probability */
}

OPSIG(focal_prob) {
    T gm = P[0], at = ALPHA_T;
    T pc = MIN(MAX(f, P[3]), P[4]);
    int one = y == 1;
    T pt = one ? pc : (T)1 - pc;
    T u = one ? (T)1 - pc : pc;
    T log_pt = one ? pre : LOG1P(-pc);
    T t = (T)2 * y - (T)1;
    T ug = POWG(u, gm);
    *l = -at * ug * log_pt;
    /* log(p_t) / (1 - p_t), -1 in the limit p_t -> 1 */
    T ratio = (u == 0) ? (T)-1 : log_pt / ((u == 0) ? (T)1 : u);
    T inner = (T)-1 / pt;
    inner = (gm != 0) ? inner + gm * ratio : inner;
    *g = t * at * ug * inner;
    T hh = ug / (pt * pt);
    T big = -(gm - (T)1) * ratio + (T)2 / pt;
    T term = gm * POWG(u, gm - 1) * big;
    hh = hh + ((gm != 0) ? term : (T)0); /* gm = 0: exactly hh (term may be inf * 0 there) */
    *h = at * hh;
}

/* -- class axis from probabilities, value by value ------------------------------------------
 * Categorical (and sparse, as one-hot rows) cross-entropy and KL divergence from probabilities:
 * each term y_k log q_k is one element's; _fast.py sums them per row or in all, and smooths the
 * labels before (a select on the smoothing here left the loops scalar). P: the clip bounds
 * (eps, 1; -inf, +inf when eps = 0: no clip). As the reference (losses/multiclass.py), y log q
 * is 0 where y is, and y / q too. */

/* y / d with 0 / d = 0 even where d is 0 (eps = 0): adding 1 to d where y is 0 keeps the
 * division safe without a select around it (DIV0's selects made GCC branch here) */
#define DIV0_ARITH(x, d) ((x) / ((d) + (((x) == 0) ? (T)1 : (T)0)))

HASPRE(xent_prob)
PRESIG(xent_prob) {
    (void)y;
    return LOG(MIN(MAX(f, P[0]), P[1])); /* log of the clipped probability */
}

OPSIG(xent_prob) {
    T q = MIN(MAX(f, P[0]), P[1]);
    *l = MUL0(y, -pre);
    *g = -DIV0_ARITH(y, q);
    *h = DIV0_ARITH(y, q * q);
}

/* KL(y || q): y (log y - log q); log q in the first stage, log y (of 1 where y is 0) here (both
 * in one stage left the loop scalar) */
HASPRE(kl_prob)
PRESIG(kl_prob) {
    (void)y;
    return LOG(MIN(MAX(f, P[0]), P[1]));
}

OPSIG(kl_prob) {
    T q = MIN(MAX(f, P[0]), P[1]);
    *l = MUL0(y, LOG((y == 0) ? (T)1 : y) - pre);
    *g = -DIV0_ARITH(y, q);
    *h = DIV0_ARITH(y, q * q);
}

#undef T
#undef SFX
#undef TMAX
#undef ABS
#undef SQRT
#undef EXP
#undef EXP_NEG
#undef EXPM1_EXP_NEG
#undef LOG1P_SMALL
#undef LOG1P_UNIT
#undef EXPM1
#undef LOG
#undef LOG1P
#undef HYPOT1
