/*
 * Accuracy and speed checker for src/native/vmath.h.
 *
 * The loops under test live in vm_loops.c, compiled once per ISA variant (see
 * run.sh); this driver is compiled for baseline x86-64 and links all variants,
 * so that the (slow) reference is computed once per point and every variant is
 * compared with it.
 *
 *   check_vmath [--quick] [--exhaustive-float] [--worst FILE]   accuracy
 *   check_vmath --bench [--reps N]                              throughput
 *
 * Reference: long double expl/expm1l/logl/log1pl (64-bit mantissa) for double
 * inputs, double exp/expm1/log/log1p for float inputs.  ulp error =
 * |y - ref| / ulp(ref), ulp taken in the target format at ref's binade (the
 * subnormal spacing below the normal range).
 */
#define _GNU_SOURCE
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void (*loop_d)(const double *, double *, long);
typedef void (*loop_f)(const float *, float *, long);

#define DECL(v)                                                                       \
    void exp_d_##v(const double *, double *, long);                                   \
    void expm1_d_##v(const double *, double *, long);                                 \
    void log_d_##v(const double *, double *, long);                                   \
    void log1p_d_##v(const double *, double *, long);                                 \
    void exp_f_##v(const float *, float *, long);                                     \
    void expm1_f_##v(const float *, float *, long);                                   \
    void log_f_##v(const float *, float *, long);                                     \
    void log1p_f_##v(const float *, float *, long);                                   \
    void softplus_d_##v(const double *, double *, long);                              \
    void softplus_f_##v(const float *, float *, long);                                \
    void softplusb_d_##v(const double *, double *, long);                             \
    void softplusb_f_##v(const float *, float *, long);
DECL(base)
DECL(v3)
DECL(v4)
DECL(tc3)
DECL(tc4)

#define NFN 4
static const char *fn_name[NFN] = {"exp", "expm1", "log", "log1p"};

struct variant {
    const char *name;
    const char *desc;
    int level; /* 1 baseline, 3 AVX2+FMA, 4 AVX-512 */
    loop_d d[NFN + 2]; /* the four functions, then log1p(exp(-|x|)) nested and blocked */
    loop_f f[NFN + 2];
};

#define VAR(v, desc, level)                                                           \
    {#v, desc, level, {exp_d_##v, expm1_d_##v, log_d_##v, log1p_d_##v, softplus_d_##v, softplusb_d_##v}, \
     {exp_f_##v, expm1_f_##v, log_f_##v, log1p_f_##v, softplus_f_##v, softplusb_f_##v}}
static struct variant variants[] = {
    VAR(base, "-march=x86-64 (SSE2, no FMA)", 1),
    VAR(v3, "-march=x86-64-v3 (AVX2+FMA)", 3),
    VAR(v4, "-march=x86-64-v4 (AVX-512)", 4),
    VAR(tc3, "target(arch=x86-64-v3) clone", 3),
    VAR(tc4, "target(arch=x86-64-v4) clone", 4),
};
#define NVAR ((int)(sizeof variants / sizeof variants[0]))
static int var_ok[NVAR];

static void detect(void)
{
    __builtin_cpu_init();
    int v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    int v4 = v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    for (int v = 0; v < NVAR; v++)
        var_ok[v] = variants[v].level == 1 || (variants[v].level == 3 && v3) || (variants[v].level == 4 && v4);
}

/* ------------------------------------------------------------------ rng --- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double rnd_unit(void) { return (double)(rnd64() >> 11) * 0x1p-53; }
static double rnd_uniform(double a, double b) { return a + (b - a) * rnd_unit(); }
static uint64_t d2u(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static double u2d(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }
static uint32_t f2u(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static float u2f(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }

/* ------------------------------------------------------------ ulp error --- */

static double ulp_err_d(double y, long double ref)
{
    if (isnan(ref)) return isnan(y) ? 0.0 : INFINITY;
    if (isnan(y)) return INFINITY;
    if (isinf(y)) {
        double r = (double)ref; /* ref rounded to double */
        return (isinf(r) && signbit(r) == signbit(y)) ? 0.0 : INFINITY;
    }
    if (ref == 0) return y == 0 ? 0.0 : fabs(y) / 0x1p-1074;
    int e = ilogbl(ref);
    if (e < -1022) e = -1022;
    return (double)(fabsl((long double)y - ref) / ldexpl(1.0L, e - 52));
}

static double ulp_err_f(float y, double ref)
{
    if (isnan(ref)) return isnan(y) ? 0.0 : INFINITY;
    if (isnan(y)) return INFINITY;
    if (isinf(y)) {
        float r = (float)ref;
        return (isinf(r) && signbit(r) == signbit(y)) ? 0.0 : INFINITY;
    }
    if (ref == 0) return y == 0 ? 0.0 : fabs(y) / 0x1p-149;
    int e = ilogb(ref);
    if (e < -126) e = -126;
    return fabs((double)y - ref) / ldexp(1.0, e - 23);
}

static long double ref_d(int fn, double x)
{
    switch (fn) {
    case 0: return expl(x);
    case 1: return expm1l(x);
    case 2: return logl(x);
    default: return log1pl(x);
    }
}

static double ref_f(int fn, float x)
{
    switch (fn) {
    case 0: return exp((double)x);
    case 1: return expm1((double)x);
    case 2: return log((double)x);
    default: return log1p((double)x);
    }
}

/* ------------------------------------------------------------ statistics --- */

struct stat {
    double maxerr, arg, y;
    double maxnorm, argn, yn; /* max over points whose exact result is not subnormal */
    long n, over05, over1;
};
static struct stat st_d[NVAR][NFN], st_f[NVAR][NFN];
/* per point set, the worst over all variants (for the breakdown) */
#define MAXSETS 32
static const char *set_name[2][NFN][MAXSETS];
static double set_max[2][NFN][MAXSETS];
static long set_n[2][NFN][MAXSETS];
static int nsets[2][NFN];

#define CHUNK (1L << 20)
static double *xd, *yd;
static long double *rd;
static float *xf, *yf;
static double *rf;

static void account(struct stat *s, double err, double x, double y, int subnormal)
{
    s->n++;
    if (!subnormal && !(err <= s->maxnorm)) {
        s->maxnorm = err;
        s->argn = x;
        s->yn = y;
    }
    if (err > 0.5) s->over05++;
    if (err > 1.0) s->over1++;
    if (err > s->maxerr || (isnan(err) && !isnan(s->maxerr))) {
        s->maxerr = err;
        s->arg = x;
        s->y = y;
    }
}

static void eval_chunk_d(int fn, long n, int set)
{
    for (long i = 0; i < n; i++) rd[i] = ref_d(fn, xd[i]);
    for (int v = 0; v < NVAR; v++) {
        if (!var_ok[v]) continue;
        variants[v].d[fn](xd, yd, n);
        for (long i = 0; i < n; i++) {
            double e = ulp_err_d(yd[i], rd[i]);
            account(&st_d[v][fn], e, xd[i], yd[i], fabsl(rd[i]) < DBL_MIN && rd[i] != 0);
            if (e > set_max[0][fn][set]) set_max[0][fn][set] = e;
        }
    }
    set_n[0][fn][set] += n;
}

static void eval_chunk_f(int fn, long n, int set)
{
    for (long i = 0; i < n; i++) rf[i] = ref_f(fn, xf[i]);
    for (int v = 0; v < NVAR; v++) {
        if (!var_ok[v]) continue;
        variants[v].f[fn](xf, yf, n);
        for (long i = 0; i < n; i++) {
            double e = ulp_err_f(yf[i], rf[i]);
            account(&st_f[v][fn], e, xf[i], yf[i], fabs(rf[i]) < FLT_MIN && rf[i] != 0);
            if (e > set_max[1][fn][set]) set_max[1][fn][set] = e;
        }
    }
    set_n[1][fn][set] += n;
}

/* A point set is a generator called with an index; points are buffered and
 * evaluated a chunk at a time. */
static long fill;
static int cur_fn, cur_set, cur_prec;
static double scale_pts = 1.0;

static void begin_set(int prec, int fn, const char *name)
{
    cur_prec = prec;
    cur_fn = fn;
    cur_set = nsets[prec][fn]++;
    set_name[prec][fn][cur_set] = name;
    fill = 0;
}
static void flush(void)
{
    if (fill == 0) return;
    if (cur_prec == 0)
        eval_chunk_d(cur_fn, fill, cur_set);
    else
        eval_chunk_f(cur_fn, fill, cur_set);
    fill = 0;
}
static void put_d(double x)
{
    xd[fill++] = x;
    if (fill == CHUNK) flush();
}
static void put_f(float x)
{
    xf[fill++] = x;
    if (fill == CHUNK) flush();
}
static long npts(long n) { return (long)(n * scale_pts) > 1 ? (long)(n * scale_pts) : 1; }

/* consecutive doubles around c: n below, n above (c included) */
static void sweep_d(double c, long n)
{
    for (long i = -n; i <= n; i++) {
        double x;
        if (c == 0)
            x = u2d((uint64_t)(i < 0 ? -i : i) | (i < 0 ? 0x8000000000000000ull : 0));
        else
            x = u2d((uint64_t)((int64_t)d2u(c) + (c > 0 ? i : -i)));
        put_d(x);
    }
}
static void sweep_f(float c, long n)
{
    for (long i = -n; i <= n; i++) {
        float x;
        if (c == 0)
            x = u2f((uint32_t)(i < 0 ? -i : i) | (i < 0 ? 0x80000000u : 0));
        else
            x = u2f((uint32_t)((int64_t)f2u(c) + (c > 0 ? i : -i)));
        put_f(x);
    }
}
/* uniform bit patterns of |x| in [0, bits(b)], sign chosen with probability pneg */
static void bits_range_d(double b, double bneg, long n)
{
    for (long i = 0; i < n; i++) {
        int neg = (rnd64() & 1) && bneg > 0;
        uint64_t hi = d2u(neg ? bneg : b);
        uint64_t u = rnd64() % (hi + 1);
        put_d(neg ? -u2d(u) : u2d(u));
    }
}
static void bits_range_f(float b, float bneg, long n)
{
    for (long i = 0; i < n; i++) {
        int neg = (rnd64() & 1) && bneg > 0;
        uint32_t hi = f2u(neg ? bneg : b);
        uint32_t u = (uint32_t)(rnd64() % ((uint64_t)hi + 1));
        put_f(neg ? -u2f(u) : u2f(u));
    }
}

/* ------------------------------------------------------------ point sets --- */

static void sets_double(int fn)
{
    const double ln2 = 0x1.62e42fefa39efp-1;
    long n;

    begin_set(0, fn, "random bits, all doubles");
    for (long i = 0, n = npts(3000000); i < n; i++) put_d(u2d(rnd64()));
    flush();

    begin_set(0, fn, "random bits, domain");
    n = npts(3000000);
    if (fn <= 1)
        bits_range_d(710.0, 746.0, n);
    else if (fn == 2)
        bits_range_d(DBL_MAX, 0, n);
    else
        bits_range_d(DBL_MAX, 1.0, n);
    flush();

    begin_set(0, fn, "uniform reals");
    n = npts(1000000);
    for (long i = 0; i < n; i++) {
        switch (fn) {
        case 0: put_d(rnd_uniform(-745.2, 709.8)); put_d(rnd_uniform(-2, 2)); break;
        case 1: put_d(rnd_uniform(-40, 709.8)); put_d(rnd_uniform(-2, 2)); break;
        case 2: put_d(rnd_uniform(0.5, 2)); put_d(rnd_uniform(0, 1e6)); break;
        default: put_d(rnd_uniform(-1, 1)); put_d(rnd_uniform(-1, 100)); break;
        }
    }
    flush();

    begin_set(0, fn, "reduction boundaries");
    if (fn <= 1) { /* x near (j + 1/2) ln2, where k changes */
        for (int j = fn == 0 ? -1076 : -60; j <= 1024; j++) sweep_d((j + 0.5) * ln2, npts(fn == 0 ? 250 : 500));
    } else { /* x (or 1 + x) near 2^k sqrt(1/2), where k changes */
        for (int k = fn == 2 ? -1073 : -52; k <= 1024; k++) {
            double c = ldexp(0x1.6a09e667f3bcdp-1, k);
            sweep_d(fn == 2 ? c : c - 1.0, npts(250));
        }
    }
    flush();

    begin_set(0, fn, "dense near 0 (each binade)");
    for (int e = -70; e <= 0; e++) {
        for (long i = 0; i < npts(5000); i++) {
            double x = ldexp(1.0 + i * 0x1p-40, e);
            if (fn == 2) x += 1.0; /* log: near 1 */
            put_d(x);
            put_d(fn == 2 ? 2.0 - x : -x);
        }
    }
    flush();

    begin_set(0, fn, "consecutive near +-1, 0, thresholds");
    if (fn == 0) {
        sweep_d(0x1.62e42fefa39efp+9, npts(200000));   /* 709.78: overflow */
        sweep_d(-0x1.6232bdd7abcd2p+9, npts(200000));  /* -708.40: subnormal results */
        sweep_d(-0x1.74910d52d3051p+9, npts(200000));  /* -745.13: underflow to 0 */
        sweep_d(1.0, npts(100000));
        sweep_d(-1.0, npts(100000));
        sweep_d(0.0, npts(100000));
    } else if (fn == 1) {
        sweep_d(0x1.62e42fefa39efp+9, npts(200000));
        sweep_d(-0x1.2b708872320e1p+5, npts(200000)); /* -37.43: rounds to -1 */
        sweep_d(0.5 * ln2, npts(100000));
        sweep_d(-0.5 * ln2, npts(100000));
        sweep_d(1.0, npts(100000));
        sweep_d(-1.0, npts(100000));
        sweep_d(0.0, npts(100000));
    } else if (fn == 2) {
        sweep_d(1.0, npts(400000));
        sweep_d(DBL_MIN, npts(200000));
        sweep_d(DBL_MAX, npts(100000));
        sweep_d(0.0, npts(100000)); /* includes -0 and negative subnormals */
    } else {
        sweep_d(-1.0 + 0x1p-53, npts(200000)); /* above -1 (and below: nan) */
        sweep_d(0.0, npts(200000));
        sweep_d(1.0, npts(100000));
        sweep_d(0x1.6a09e667f3bcdp+0 - 1.0, npts(100000));
        sweep_d(0x1.6a09e667f3bcdp-1 - 1.0, npts(100000));
        sweep_d(DBL_MAX, npts(100000));
    }
    flush();

    begin_set(0, fn, "subnormals");
    for (long i = 0, n = npts(300000); i < n; i++) {
        double x = u2d(rnd64() & 0x000FFFFFFFFFFFFFull);
        put_d(x);
        put_d(-x);
    }
    flush();

    begin_set(0, fn, "integers");
    if (fn <= 1)
        for (int i = -1100; i <= 1100; i++) put_d(i);
    else
        for (long i = fn == 2 ? 1 : -1; i <= npts(1000000); i++) put_d((double)i);
    for (int e = -1074; e <= 1023; e++) put_d(ldexp(1.0, e)), put_d(-ldexp(1.0, e));
    flush();
}

static void sets_float(int fn, int exhaustive)
{
    const float ln2 = 0x1.62e430p-1f;
    long n;
    if (exhaustive) {
        begin_set(1, fn, "exhaustive: all 2^32 floats");
        for (uint64_t u = 0; u < (1ull << 32); u++) put_f(u2f((uint32_t)u));
        flush();
        return;
    }

    begin_set(1, fn, "random bits, all floats");
    for (long i = 0, n = npts(3000000); i < n; i++) put_f(u2f((uint32_t)rnd64()));
    flush();

    begin_set(1, fn, "random bits, domain");
    n = npts(3000000);
    if (fn <= 1)
        bits_range_f(89.0f, 104.0f, n);
    else if (fn == 2)
        bits_range_f(FLT_MAX, 0, n);
    else
        bits_range_f(FLT_MAX, 1.0f, n);
    flush();

    begin_set(1, fn, "uniform reals");
    n = npts(1000000);
    for (long i = 0; i < n; i++) {
        switch (fn) {
        case 0: put_f((float)rnd_uniform(-104, 89)); put_f((float)rnd_uniform(-2, 2)); break;
        case 1: put_f((float)rnd_uniform(-20, 89)); put_f((float)rnd_uniform(-2, 2)); break;
        case 2: put_f((float)rnd_uniform(0.5, 2)); put_f((float)rnd_uniform(0, 1e6)); break;
        default: put_f((float)rnd_uniform(-1, 1)); put_f((float)rnd_uniform(-1, 100)); break;
        }
    }
    flush();

    begin_set(1, fn, "reduction boundaries");
    if (fn <= 1) {
        for (int j = fn == 0 ? -151 : -30; j <= 128; j++) sweep_f((j + 0.5f) * ln2, npts(3000));
    } else {
        for (int k = fn == 2 ? -148 : -23; k <= 128; k++) {
            float c = ldexpf(0x1.6a09e6p-1f, k);
            sweep_f(fn == 2 ? c : c - 1.0f, npts(3000));
        }
    }
    flush();

    begin_set(1, fn, "dense near 0 (each binade)");
    for (int e = -40; e <= 0; e++) {
        for (long i = 0; i < npts(10000); i++) {
            float x = ldexpf(1.0f + i * 0x1p-16f, e);
            if (fn == 2) x += 1.0f;
            put_f(x);
            put_f(fn == 2 ? 2.0f - x : -x);
        }
    }
    flush();

    begin_set(1, fn, "consecutive near +-1, 0, thresholds");
    if (fn == 0) {
        sweep_f(0x1.62e430p+6f, npts(200000));
        sweep_f(-0x1.5d589ep+6f, npts(200000)); /* -87.34: subnormal results */
        sweep_f(-0x1.9fe368p+6f, npts(200000)); /* -103.97: underflow to 0 */
        sweep_f(1.0f, npts(100000));
        sweep_f(-1.0f, npts(100000));
        sweep_f(0.0f, npts(100000));
    } else if (fn == 1) {
        sweep_f(0x1.62e430p+6f, npts(200000));
        sweep_f(-0x1.154246p+4f, npts(200000)); /* -17.33: rounds to -1 */
        sweep_f(0.5f * ln2, npts(100000));
        sweep_f(-0.5f * ln2, npts(100000));
        sweep_f(1.0f, npts(100000));
        sweep_f(-1.0f, npts(100000));
        sweep_f(0.0f, npts(100000));
    } else if (fn == 2) {
        sweep_f(1.0f, npts(400000));
        sweep_f(FLT_MIN, npts(200000));
        sweep_f(FLT_MAX, npts(100000));
        sweep_f(0.0f, npts(100000));
    } else {
        sweep_f(-1.0f + 0x1p-24f, npts(200000));
        sweep_f(0.0f, npts(200000));
        sweep_f(1.0f, npts(100000));
        sweep_f(0x1.6a09e6p+0f - 1.0f, npts(100000));
        sweep_f(0x1.6a09e6p-1f - 1.0f, npts(100000));
        sweep_f(FLT_MAX, npts(100000));
    }
    flush();

    begin_set(1, fn, "subnormals");
    for (long i = 0, n = npts(300000); i < n; i++) {
        float x = u2f((uint32_t)rnd64() & 0x007FFFFFu);
        put_f(x);
        put_f(-x);
    }
    flush();

    begin_set(1, fn, "integers");
    if (fn <= 1)
        for (int i = -150; i <= 150; i++) put_f((float)i);
    else
        for (long i = fn == 2 ? 1 : -1; i <= npts(1000000); i++) put_f((float)i);
    for (int e = -149; e <= 127; e++) put_f(ldexpf(1.0f, e)), put_f(-ldexpf(1.0f, e));
    flush();
}

/* --------------------------------------------------------- special values --- */

struct special_d { int fn; double x, want; };
struct special_f { int fn; float x, want; };
#define NaN NAN
#define INF INFINITY

static const struct special_d spec_d[] = {
    {0, INF, INF}, {0, -INF, 0.0}, {0, NaN, NaN}, {0, 0.0, 1.0}, {0, -0.0, 1.0},
    {0, 710.0, INF}, {0, 0x1.62e42fefa39fp+9, INF}, {0, DBL_MAX, INF}, {0, -DBL_MAX, 0.0},
    {0, -746.0, 0.0}, {0, -0x1.74910d52d3052p+9, 0.0}, {0, -0x1.74910d52d3051p+9, 0x1p-1074},
    {0, 0x1p-1074, 1.0}, {0, -0x1p-1074, 1.0}, {0, 0x1p-60, 1.0}, {0, 0x1.62e42fefa39efp-1, 2.0},
    {1, INF, INF}, {1, -INF, -1.0}, {1, NaN, NaN}, {1, 0.0, 0.0}, {1, -0.0, -0.0},
    {1, 0x1p-1074, 0x1p-1074}, {1, -0x1p-1074, -0x1p-1074}, {1, 0x1p-1022, 0x1p-1022},
    {1, -0x1p-1022, -0x1p-1022}, {1, 1e-300, 1e-300}, {1, -1e-300, -1e-300}, {1, 0x1p-60, 0x1p-60},
    {1, 710.0, INF}, {1, DBL_MAX, INF}, {1, -40.0, -1.0}, {1, -1000.0, -1.0}, {1, -DBL_MAX, -1.0},
    {2, 0.0, -INF}, {2, -0.0, -INF}, {2, -1.0, NaN}, {2, -INF, NaN}, {2, INF, INF}, {2, NaN, NaN},
    {2, 1.0, 0.0}, {2, -0x1p-1074, NaN}, {2, 2.0, 0x1.62e42fefa39efp-1}, {2, 0x1p-1074, -0x1.74385446d71c3p+9},
    {2, DBL_MAX, 0x1.62e42fefa39efp+9},
    {3, -1.0, -INF}, {3, -2.0, NaN}, {3, -INF, NaN}, {3, INF, INF}, {3, NaN, NaN}, {3, 0.0, 0.0},
    {3, -0.0, -0.0}, {3, 0x1p-1074, 0x1p-1074}, {3, -0x1p-1074, -0x1p-1074}, {3, 1e-300, 1e-300},
    {3, -1e-300, -1e-300}, {3, 0x1p-60, 0x1p-60}, {3, -0x1p-60, -0x1p-60}, {3, 1.0, 0x1.62e42fefa39efp-1},
    {3, -1.0 - 0x1p-52, NaN}, {3, DBL_MAX, 0x1.62e42fefa39efp+9},
};
static const struct special_f spec_f[] = {
    {0, INF, INF}, {0, -INF, 0.0f}, {0, NaN, NaN}, {0, 0.0f, 1.0f}, {0, -0.0f, 1.0f},
    {0, 89.0f, INF}, {0, 0x1.62e430p+6f, INF}, {0, FLT_MAX, INF}, {0, -FLT_MAX, 0.0f}, {0, -104.0f, 0.0f},
    {0, 0x1p-149f, 1.0f}, {0, -0x1p-149f, 1.0f}, {0, 0x1p-30f, 1.0f},
    {1, INF, INF}, {1, -INF, -1.0f}, {1, NaN, NaN}, {1, 0.0f, 0.0f}, {1, -0.0f, -0.0f},
    {1, 0x1p-149f, 0x1p-149f}, {1, -0x1p-149f, -0x1p-149f}, {1, 0x1p-126f, 0x1p-126f},
    {1, -0x1p-126f, -0x1p-126f}, {1, 0x1p-30f, 0x1p-30f}, {1, 89.0f, INF}, {1, FLT_MAX, INF},
    {1, -20.0f, -1.0f}, {1, -1000.0f, -1.0f}, {1, -FLT_MAX, -1.0f},
    {2, 0.0f, -INF}, {2, -0.0f, -INF}, {2, -1.0f, NaN}, {2, -INF, NaN}, {2, INF, INF}, {2, NaN, NaN},
    {2, 1.0f, 0.0f}, {2, -0x1p-149f, NaN}, {2, 2.0f, 0x1.62e430p-1f}, {2, 0x1p-149f, -0x1.9d1da0p+6f},
    {2, FLT_MAX, 0x1.62e430p+6f},
    {3, -1.0f, -INF}, {3, -2.0f, NaN}, {3, -INF, NaN}, {3, INF, INF}, {3, NaN, NaN}, {3, 0.0f, 0.0f},
    {3, -0.0f, -0.0f}, {3, 0x1p-149f, 0x1p-149f}, {3, -0x1p-149f, -0x1p-149f}, {3, 0x1p-30f, 0x1p-30f},
    {3, -0x1p-30f, -0x1p-30f}, {3, 1.0f, 0x1.62e430p-1f}, {3, -1.0f - 0x1p-23f, NaN},
    {3, FLT_MAX, 0x1.62e430p+6f},
};

/* returns the number of mismatches; y must equal want bit for bit (any nan for nan) */
static int check_specials(int verbose)
{
    int bad = 0;
    for (int v = 0; v < NVAR; v++) {
        if (!var_ok[v]) continue;
        for (size_t i = 0; i < sizeof spec_d / sizeof spec_d[0]; i++) {
            const struct special_d *s = &spec_d[i];
            double x[3] = {s->x, s->x, s->x}, y[3]; /* n = 3: vector body is skipped; also test 64 */
            double xs[64], ys[64];
            for (int j = 0; j < 64; j++) xs[j] = s->x;
            variants[v].d[s->fn](x, y, 3);
            variants[v].d[s->fn](xs, ys, 64);
            for (int j = 0; j < 2; j++) {
                double got = j ? ys[17] : y[1];
                int ok = isnan(s->want) ? isnan(got) : d2u(got) == d2u(s->want);
                if (!ok) {
                    bad++;
                    if (verbose)
                        printf("  SPECIAL FAIL %-6s %-5s %s x=%a: got %a want %a\n", variants[v].name, fn_name[s->fn],
                               "double", s->x, got, s->want);
                }
            }
        }
        for (size_t i = 0; i < sizeof spec_f / sizeof spec_f[0]; i++) {
            const struct special_f *s = &spec_f[i];
            float x[3] = {s->x, s->x, s->x}, y[3];
            float xs[64], ys[64];
            for (int j = 0; j < 64; j++) xs[j] = s->x;
            variants[v].f[s->fn](x, y, 3);
            variants[v].f[s->fn](xs, ys, 64);
            for (int j = 0; j < 2; j++) {
                float got = j ? ys[17] : y[1];
                int ok = isnan(s->want) ? isnan(got) : f2u(got) == f2u(s->want);
                if (!ok) {
                    bad++;
                    if (verbose)
                        printf("  SPECIAL FAIL %-6s %-5s %s x=%a: got %a want %a\n", variants[v].name, fn_name[s->fn],
                               "float", (double)s->x, (double)got, (double)s->want);
                }
            }
        }
    }
    return bad;
}

/* ----------------------------------------------------------------- bench --- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* CPU time of this thread: time spent descheduled (the machine is shared) is not counted */
static double cputime(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void scalar_d(int fn, const double *x, double *y, long n)
{
    switch (fn) {
    case 0: for (long i = 0; i < n; i++) y[i] = exp(x[i]); break;
    case 1: for (long i = 0; i < n; i++) y[i] = expm1(x[i]); break;
    case 2: for (long i = 0; i < n; i++) y[i] = log(x[i]); break;
    case 3: for (long i = 0; i < n; i++) y[i] = log1p(x[i]); break;
    default: for (long i = 0; i < n; i++) y[i] = log1p(exp(-fabs(x[i]))); break;
    }
}
static void scalar_f(int fn, const float *x, float *y, long n)
{
    switch (fn) {
    case 0: for (long i = 0; i < n; i++) y[i] = expf(x[i]); break;
    case 1: for (long i = 0; i < n; i++) y[i] = expm1f(x[i]); break;
    case 2: for (long i = 0; i < n; i++) y[i] = logf(x[i]); break;
    case 3: for (long i = 0; i < n; i++) y[i] = log1pf(x[i]); break;
    default: for (long i = 0; i < n; i++) y[i] = log1pf(expf(-fabsf(x[i]))); break;
    }
}

/* The inputs of the speed test (bench_numpy.py uses the same): a stride
 * permutation of a uniform grid, so that neighbours differ. */
static double bench_input(int fn, long i, long n)
{
    double u = fmod((i + 0.5) / n * 7919.0, 1.0);
    switch (fn) {
    case 0: return -10 + 20 * u;                  /* exp: [-10, 10] */
    case 1: return -5 + 10 * u;                   /* expm1: [-5, 5] */
    case 2: return exp(log(1e-3) + u * log(1e6)); /* log: log-uniform [1e-3, 1e3] */
    case 3: return -0.9 + 10.9 * u;               /* log1p: [-0.9, 10] */
    default: return -10 + 20 * u;                 /* log1p(exp(-|x|)): [-10, 10] */
    }
}

#define BN 1000000L
#define BCHUNK 8192L

/* one timed pass over BN elements: chunked (the first BCHUNK elements, BN/BCHUNK
 * times: cache-resident) or streaming (the whole arrays once) */
static double pass(int prec, int fn, int v, const void *x, void *y, int stream)
{
    long chunk = stream ? BN : BCHUNK;
    double t0 = cputime();
    for (long i = 0; i < BN; i += chunk) {
        long m = BN - i < chunk ? BN - i : chunk;
        long off = stream ? i : 0;
        if (prec == 0) {
            const double *xi = (const double *)x + off;
            double *yi = (double *)y + off;
            if (v < 0)
                scalar_d(fn, xi, yi, m);
            else
                variants[v].d[fn](xi, yi, m);
        } else {
            const float *xi = (const float *)x + off;
            float *yi = (float *)y + off;
            if (v < 0)
                scalar_f(fn, xi, yi, m);
            else
                variants[v].f[fn](xi, yi, m);
        }
    }
    return (cputime() - t0) / BN * 1e9;
}

static void bench(int reps)
{
    static const char *bname[NFN + 2] = {"exp", "expm1", "log", "log1p", "log1p(exp(-|x|))", "  same, blocked"};
    double *x = malloc(BN * sizeof *x), *y = malloc(BN * sizeof *y);
    float *xf32 = malloc(BN * sizeof *xf32), *yf32 = malloc(BN * sizeof *yf32);
    int impl[NVAR + 1], nimpl = 0;
    impl[nimpl++] = -1;
    for (int v = 0; v < NVAR; v++)
        if (var_ok[v]) impl[nimpl++] = v;
    printf("Throughput: ns per element, one thread, N = 1e6 per timing, median of %d timings\n", reps);
    printf("(thread CPU time; implementations interleaved within each repetition).\n");
    printf("  chunked: a %ld-element block (L1/L2-resident) processed %ld times;\n", BCHUNK, BN / BCHUNK);
    printf("  stream:  one pass over 1e6-element arrays (out of cache).\n");
    printf("  glibc:   scalar libm calls (exp, expm1, ... / expf, ...) in the same loop (glibc's\n");
    printf("           own FMA dispatch applies); the other columns are vmath.h loops per variant.\n");
    printf("  log1p(exp(-|x|)): both calls nested in one loop body; 'blocked': exp into a\n");
    printf("           256-element (512 for float) stack buffer, then log1p over it.\n\n");
    printf("%-17s %-6s | chunked: %6s", "function", "dtype", "glibc");
    for (int k = 1; k < nimpl; k++) printf(" %6s", variants[impl[k]].name);
    printf(" | stream: %6s", "glibc");
    for (int k = 1; k < nimpl; k++) printf(" %6s", variants[impl[k]].name);
    printf("\n");
    for (int prec = 0; prec < 2; prec++) {
        for (int fn = 0; fn <= NFN + 1; fn++) {
            for (long i = 0; i < BN; i++) {
                x[i] = bench_input(fn, i, BN);
                xf32[i] = (float)x[i];
            }
            const void *xin = prec ? (const void *)xf32 : (const void *)x;
            void *yout = prec ? (void *)yf32 : (void *)y;
            double t[2][NVAR + 1][64];
            for (int k = 0; k < nimpl; k++) pass(prec, fn, impl[k], xin, yout, 1); /* warm up, fault pages */
            for (int r = 0; r < reps; r++)
                for (int stream = 0; stream < 2; stream++)
                    for (int k = 0; k < nimpl; k++) t[stream][k][r] = pass(prec, fn, impl[k], xin, yout, stream);
            printf("%-17s %-6s |         ", bname[fn], prec ? "float" : "double");
            for (int stream = 0; stream < 2; stream++) {
                if (stream) printf(" |         ");
                for (int k = 0; k < nimpl; k++) {
                    qsort(t[stream][k], reps, sizeof(double), cmp_double);
                    printf(" %6.2f", t[stream][k][reps / 2]);
                }
            }
            printf("\n");
            fflush(stdout);
        }
    }
    free(x), free(y), free(xf32), free(yf32);
}

/* ------------------------------------------------------------------ main --- */

int main(int argc, char **argv)
{
    int do_bench = 0, exhaustive = 0, reps = 11;
    const char *worst_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--bench"))
            do_bench = 1;
        else if (!strcmp(argv[i], "--quick"))
            scale_pts = 0.05;
        else if (!strcmp(argv[i], "--exhaustive-float"))
            exhaustive = 1;
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--worst") && i + 1 < argc)
            worst_file = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--quick] [--exhaustive-float] [--worst FILE] | --bench [--reps N]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1) reps = 1;
    if (reps > 64) reps = 64;
    detect();
    printf("variants:");
    for (int v = 0; v < NVAR; v++) printf(" %s%s", variants[v].name, var_ok[v] ? "" : "(skipped: CPU lacks it)");
    printf("\n");
    if (do_bench) {
        bench(reps);
        return 0;
    }

    xd = malloc(CHUNK * sizeof *xd), yd = malloc(CHUNK * sizeof *yd), rd = malloc(CHUNK * sizeof *rd);
    xf = malloc(CHUNK * sizeof *xf), yf = malloc(CHUNK * sizeof *yf), rf = malloc(CHUNK * sizeof *rf);

    int fail = 0;
    for (int prec = 0; prec < 2; prec++) {
        for (int fn = 0; fn < NFN; fn++) {
            double t0 = now();
            if (prec == 0)
                sets_double(fn);
            else
                sets_float(fn, exhaustive);
            struct stat *s0 = prec ? &st_f[0][fn] : &st_d[0][fn];
            printf("\n%s_%s: %ld points per variant (%.0f s)\n", fn_name[fn], prec ? "f" : "d", s0->n, now() - t0);
            for (int k = 0; k < nsets[prec][fn]; k++)
                printf("    %-40s %10ld points  max %.4f ulp\n", set_name[prec][fn][k], set_n[prec][fn][k],
                       set_max[prec][fn][k]);
            for (int v = 0; v < NVAR; v++) {
                if (!var_ok[v]) continue;
                struct stat *s = prec ? &st_f[v][fn] : &st_d[v][fn];
                int ok = s->maxerr <= 1.0;
                fail |= !ok;
                printf("  %-5s max %.4f ulp at x = %-24a (%.17g) -> %a; normal results: max %.4f;"
                       " >0.5 ulp: %ld (%.3g%%), >1 ulp: %ld  %s\n",
                       variants[v].name, s->maxerr, s->arg, s->arg, s->y, s->maxnorm, s->over05,
                       100.0 * s->over05 / s->n, s->over1, ok ? "PASS" : "FAIL");
            }
            fflush(stdout);
        }
    }
    int bad = check_specials(1);
    printf("\nspecial values: %d mismatches -> %s\n", bad, bad ? "FAIL" : "PASS");
    fail |= bad != 0;

    printf("\nsummary: max ulp error, all points (and where the exact result is normal)\n");
    printf("%-8s", "fn");
    for (int v = 0; v < NVAR; v++)
        if (var_ok[v]) printf(" %17s", variants[v].name);
    printf("\n");
    for (int prec = 0; prec < 2; prec++)
        for (int fn = 0; fn < NFN; fn++) {
            char label[16];
            snprintf(label, sizeof label, "%s_%s", fn_name[fn], prec ? "f" : "d");
            printf("%-8s", label);
            for (int v = 0; v < NVAR; v++) {
                if (!var_ok[v]) continue;
                struct stat *s = prec ? &st_f[v][fn] : &st_d[v][fn];
                printf("   %6.4f (%6.4f)", s->maxerr, s->maxnorm);
            }
            printf("\n");
        }
    if (worst_file) {
        FILE *w = fopen(worst_file, "w");
        if (w) {
            for (int prec = 0; prec < 2; prec++)
                for (int fn = 0; fn < NFN; fn++)
                    for (int v = 0; v < NVAR; v++) {
                        if (!var_ok[v]) continue;
                        struct stat *s = prec ? &st_f[v][fn] : &st_d[v][fn];
                        fprintf(w, "%s %s %s %a %a %.6f\n", fn_name[fn], prec ? "float" : "double", variants[v].name,
                                s->arg, s->y, s->maxerr);
                        if (s->argn != s->arg)
                            fprintf(w, "%s %s %s %a %a %.6f\n", fn_name[fn], prec ? "float" : "double",
                                    variants[v].name, s->argn, s->yn, s->maxnorm);
                    }
            fclose(w);
        }
    }
    printf("\nOVERALL: %s (max error <= 1 ulp everywhere, special values exact)\n", fail ? "FAIL" : "PASS");
    return fail;
}
