/* losskit._native: fused loss kernels for NumPy inputs.
 *
 * Called from losskit/_fast.py only, with arguments it has already checked
 * (types, shapes, contiguity); the kernels themselves check the data (domains,
 * weights) in the same pass and report a flag, on which _fast.py hands the call
 * to the reference path so that the user gets its precise error message.
 *
 * Arrays arrive through the buffer protocol (no NumPy headers needed to build).
 * The GIL is released while a kernel runs.
 */
#include "common.h"

/* -- the leaves of NumPy's pairwise summation (see common.h: lk_leaf_sum, pw_sum) ---------- */

static Py_ssize_t pw_count(Py_ssize_t n) {
    if (n <= LK_LEAF) return 1;
    Py_ssize_t n2 = n / 2;
    n2 -= n2 % 8;
    return pw_count(n2) + pw_count(n - n2);
}

static void pw_fill(Py_ssize_t start, Py_ssize_t n, Py_ssize_t *starts, Py_ssize_t *k) {
    if (n <= LK_LEAF) {
        starts[(*k)++] = start;
        return;
    }
    Py_ssize_t n2 = n / 2;
    n2 -= n2 % 8;
    pw_fill(start, n2, starts, k);
    pw_fill(start + n2, n - n2, starts, k);
}

static double pw_combine(const double *sums, Py_ssize_t n, Py_ssize_t *k) {
    if (n <= LK_LEAF) return sums[(*k)++];
    Py_ssize_t n2 = n / 2;
    n2 -= n2 % 8;
    double left = pw_combine(sums, n2, k);
    double right = pw_combine(sums, n - n2, k);
    return left + right;
}

/* The leaves of np.sum over n values: one pairwise tree (float64), or one per chunk of
 * LK_CHUNK (float32 values summed with dtype=float64 go through NumPy's casting buffer). */
static Py_ssize_t sum_leaves(Py_ssize_t n, int chunked, Py_ssize_t *starts) {
    Py_ssize_t k = 0, step = chunked ? LK_CHUNK : n;
    for (Py_ssize_t c = 0; c < n; c += step) {
        Py_ssize_t len = (n - c < step) ? n - c : step;
        if (starts) pw_fill(c, len, starts, &k);
        else k += pw_count(len);
    }
    if (starts) starts[k] = n;
    return k;
}

static double sum_combine(const double *sums, Py_ssize_t n, int chunked) {
    Py_ssize_t k = 0, step = chunked ? LK_CHUNK : n;
    double res = 0.0; /* NumPy's reduction starts from the identity */
    for (Py_ssize_t c = 0; c < n; c += step) res += pw_combine(sums, (n - c < step) ? n - c : step, &k);
    return res;
}

/* The sum's leaves for n values and a buffer for their sums. Up to LK_STACK_LEAVES leaves: on the
 * caller's stack. Beyond: one list kept between calls, so that the same n again (a training loop)
 * neither rebuilds the list (serial: 78k leaves for 10^7 values) nor page-faults fresh buffers
 * for it (1.25 MB there). Measured, 2 threads, mse value+gradient: 10^7 float64 7.5 -> 6.3 ms,
 * float32 3.1-3.6 -> 2.4-3.0 ms; 10^6 float32 value 0.25 -> 0.19 ms.
 * A call that finds the kept list in use (another Python thread, the GIL released) or of another
 * n gets its own. The kept list is 1/64 of a float64 input's size; it lives until a call of
 * another size replaces it. acquire and release run with the GIL held, which guards it. */
typedef struct {
    Py_ssize_t stack_starts[LK_STACK_LEAVES + 1];
    double stack_sums[LK_STACK_LEAVES];
    Py_ssize_t *starts;
    double *sums;
    Py_ssize_t nleaves;
    int kept;
} lk_leaves;

static struct {
    Py_ssize_t n, nleaves;
    int chunked, busy;
    Py_ssize_t *starts;
    double *sums;
} lk_kept;

static int leaves_acquire(lk_leaves *L, Py_ssize_t n, int chunked) {
    L->kept = 0;
    if (lk_kept.starts && !lk_kept.busy && lk_kept.n == n && lk_kept.chunked == chunked) {
        lk_kept.busy = L->kept = 1;
        L->starts = lk_kept.starts;
        L->sums = lk_kept.sums;
        L->nleaves = lk_kept.nleaves;
        return 0;
    }
    L->nleaves = sum_leaves(n, chunked, NULL);
    L->starts = L->stack_starts;
    L->sums = L->stack_sums;
    if (L->nleaves > LK_STACK_LEAVES) {
        L->starts = (Py_ssize_t *)malloc(((size_t)L->nleaves + 1) * sizeof(Py_ssize_t));
        L->sums = (double *)malloc((size_t)L->nleaves * sizeof(double));
        if (!L->starts || !L->sums) {
            free(L->starts);
            free(L->sums);
            return -1;
        }
        if (!lk_kept.busy) {
            free(lk_kept.starts);
            free(lk_kept.sums);
            lk_kept.n = n;
            lk_kept.chunked = chunked;
            lk_kept.nleaves = L->nleaves;
            lk_kept.starts = L->starts;
            lk_kept.sums = L->sums;
            lk_kept.busy = L->kept = 1;
        }
    }
    sum_leaves(n, chunked, L->starts);
    return 0;
}

static void leaves_release(lk_leaves *L) {
    if (L->kept) {
        lk_kept.busy = 0;
    } else if (L->starts != L->stack_starts) {
        free(L->starts);
        free(L->sums);
    }
}

static int lk_threads = 1;
static const lk_kernels *lk = &lk_kernels_base; /* the CPU level's kernels, chosen at load */
static const char *lk_level = "base";

/* -- helpers ---------------------------------------------------------------------------------- */

/* A C-contiguous buffer of n items of the given format ('d' or 'f'); obj may be None when optional. */
static int get_buffer(PyObject *obj, Py_buffer *view, int writable, char fmt, Py_ssize_t n, const char *what) {
    view->obj = NULL;
    if (obj == Py_None) return 0;
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) return -1;
    const char *f = view->format ? view->format : "B";
    if (f[0] == '<' || f[0] == '=' || f[0] == '@') f++;
    /* int64: 'q', or 'l' where long is 64 bits (NumPy's int64 on Linux) */
    int same = f[0] == fmt || (fmt == 'q' && f[0] == 'l' && view->itemsize == 8);
    if (!same || f[1] != '\0' || view->len != n * view->itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd contiguous items of format '%c'", what, n, fmt);
        PyBuffer_Release(view);
        view->obj = NULL;
        return -1;
    }
    return 0;
}

static void release(Py_buffer *views, int count) {
    for (int k = 0; k < count; k++)
        if (views[k].obj) PyBuffer_Release(&views[k]);
}

/* -- elementwise(op, dtype, params, n, y, f, w, values, grad, hess, want_sum, scale)
 *    -> (sum, flags) --------------------------------------------------------- */
static PyObject *py_elementwise(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 12) {
        PyErr_SetString(PyExc_TypeError, "elementwise() takes 12 arguments");
        return NULL;
    }
    long op = PyLong_AsLong(args[0]);
    long dtype = PyLong_AsLong(args[1]);
    Py_ssize_t n = PyLong_AsSsize_t(args[3]);
    int want_sum = PyObject_IsTrue(args[10]);
    double scale = PyFloat_AsDouble(args[11]);
    if (PyErr_Occurred()) return NULL;
    if (op < 0 || op >= LK_N_OPS || (dtype != 0 && dtype != 1)) {
        PyErr_SetString(PyExc_ValueError, "elementwise(): unknown op or dtype");
        return NULL;
    }
    lk_args a;
    memset(&a, 0, sizeof a);
    PyObject *params = args[2];
    if (!PyTuple_Check(params) || PyTuple_GET_SIZE(params) > LK_MAX_PARAMS) {
        PyErr_SetString(PyExc_TypeError, "elementwise(): params must be a tuple of at most 8 floats");
        return NULL;
    }
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(params); k++) {
        a.p[k] = PyFloat_AsDouble(PyTuple_GET_ITEM(params, k));
        if (PyErr_Occurred()) return NULL;
    }
    char fmt = dtype == 0 ? 'd' : 'f';
    Py_buffer v[6];
    memset(v, 0, sizeof v);
    if (get_buffer(args[4], &v[0], 0, fmt, n, "y_true") < 0 || get_buffer(args[5], &v[1], 0, fmt, n, "y_pred") < 0 ||
        get_buffer(args[6], &v[2], 0, fmt, n, "sample_weight") < 0 ||
        get_buffer(args[7], &v[3], 1, fmt, n, "values") < 0 || get_buffer(args[8], &v[4], 1, fmt, n, "gradient") < 0 ||
        get_buffer(args[9], &v[5], 1, fmt, n, "hessian") < 0) {
        release(v, 6);
        return NULL;
    }
    a.y = v[0].buf;
    a.f = v[1].buf;
    a.w = v[2].obj ? v[2].buf : NULL;
    a.l = v[3].obj ? v[3].buf : NULL;
    a.g = v[4].obj ? v[4].buf : NULL;
    a.h = v[5].obj ? v[5].buf : NULL;
    a.n = n;
    a.scale = scale;
    a.mode = (want_sum ? LK_SUM : 0) | (a.l ? LK_VALUES : 0) | (a.g ? LK_GRAD : 0) | (a.h ? LK_HESS : 0);
    a.nthreads = lk_threads;

    int chunked = dtype == 1;
    lk_leaves L;
    if (want_sum) {
        if (leaves_acquire(&L, n, chunked) < 0) {
            release(v, 6);
            return PyErr_NoMemory();
        }
        a.nleaves = L.nleaves;
        a.leaf_start = L.starts;
        a.sums = L.sums;
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = dtype == 0 ? lk->elementwise_d[op](&a) : lk->elementwise_f[op](&a);
    Py_END_ALLOW_THREADS
    double sum = (rc == 0 && want_sum) ? sum_combine(L.sums, n, chunked) : 0.0;
    if (want_sum) leaves_release(&L);
    release(v, 6);
    if (rc != 0) {
        PyErr_Format(PyExc_ValueError, "elementwise(): unsupported combination of outputs (mode %d)", a.mode);
        return NULL;
    }
    return Py_BuildValue("dI", sum, a.flags);
}

/* -- softmax_ce(dtype, n, K, logits, labels, targets, row_weights, sample_weights, values, grad, hess,
 *                want_sum, scale, label_smoothing, ignore_index (or None), row_tol, kind, margin)
 *    -> (sum, flags); kind 1, 2: the multiclass hinges (margin.h); 3: KL from logits ------------------ */
static PyObject *py_softmax_ce(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 18) {
        PyErr_SetString(PyExc_TypeError, "softmax_ce() takes 18 arguments");
        return NULL;
    }
    lk_cargs a;
    memset(&a, 0, sizeof a);
    long dtype = PyLong_AsLong(args[0]);
    a.n = PyLong_AsSsize_t(args[1]);
    a.K = PyLong_AsSsize_t(args[2]);
    int want_sum = PyObject_IsTrue(args[11]);
    a.scale = PyFloat_AsDouble(args[12]);
    a.ls = PyFloat_AsDouble(args[13]);
    a.has_ignore = args[14] != Py_None;
    if (a.has_ignore) a.ignore_index = PyLong_AsLongLong(args[14]);
    a.row_tol = PyFloat_AsDouble(args[15]);
    a.kind = (int)PyLong_AsLong(args[16]);
    a.margin = PyFloat_AsDouble(args[17]);
    if (PyErr_Occurred()) return NULL;
    if ((dtype != 0 && dtype != 1) || a.n < 1 || a.K < 1 ||
        a.kind < LK_KIND_SOFTMAX_CE || a.kind > LK_KIND_KL_LOGITS) {
        PyErr_SetString(PyExc_ValueError, "softmax_ce(): bad dtype, shape or kind");
        return NULL;
    }
    char fmt = dtype == 0 ? 'd' : 'f';
    Py_ssize_t nk = a.n * a.K;
    Py_buffer v[8];
    memset(v, 0, sizeof v);
    if (get_buffer(args[3], &v[0], 0, fmt, nk, "logits") < 0 || get_buffer(args[4], &v[1], 0, 'q', a.n, "labels") < 0 ||
        get_buffer(args[5], &v[2], 0, fmt, nk, "targets") < 0 || get_buffer(args[6], &v[3], 0, 'd', a.n, "row weights") < 0 ||
        get_buffer(args[7], &v[4], 0, 'd', a.n, "sample weights") < 0 ||
        get_buffer(args[8], &v[5], 1, fmt, a.n, "values") < 0 || get_buffer(args[9], &v[6], 1, fmt, nk, "gradient") < 0 ||
        get_buffer(args[10], &v[7], 1, fmt, nk, "hessian") < 0) {
        release(v, 8);
        return NULL;
    }
    if ((v[1].obj == NULL) == (v[2].obj == NULL) || (a.kind == LK_KIND_MULTI_MARGIN && v[1].obj == NULL) ||
        ((a.kind == LK_KIND_CATEGORICAL_HINGE || a.kind == LK_KIND_KL_LOGITS) && v[2].obj == NULL)) {
        release(v, 8);
        PyErr_SetString(PyExc_ValueError, "softmax_ce(): give labels or targets (as the kind takes them)");
        return NULL;
    }
    a.s = v[0].buf;
    a.labels = v[1].obj ? (const int64_t *)v[1].buf : NULL;
    a.y = v[2].obj ? v[2].buf : NULL;
    a.w = v[3].obj ? (const double *)v[3].buf : NULL;
    a.aw = v[4].obj ? (const double *)v[4].buf : NULL;
    a.l = v[5].obj ? v[5].buf : NULL;
    a.g = v[6].obj ? v[6].buf : NULL;
    a.h = v[7].obj ? v[7].buf : NULL;
    a.nthreads = lk_threads;

    lk_leaves L;
    if (want_sum) {
        if (leaves_acquire(&L, a.n, 0) < 0) {
            release(v, 8);
            return PyErr_NoMemory();
        }
        a.nleaves = L.nleaves;
        a.leaf_start = L.starts;
        a.sums = L.sums;
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = dtype == 0 ? lk->softmax_d(&a) : lk->softmax_f(&a);
    Py_END_ALLOW_THREADS
    double sum = (rc == 0 && want_sum) ? sum_combine(L.sums, a.n, 0) : 0.0;
    if (want_sum) leaves_release(&L);
    release(v, 8);
    if (rc != 0) return PyErr_NoMemory();
    return Py_BuildValue("dI", sum, a.flags);
}

/* -- rows_sum_to_one(dtype, x, rows, K, tol) -> bool ------------------------------------------
 * Whether every row of K values of a contiguous float64 (dtype 0) or float32 (1) array surely
 * sums to 1 within tol, as the reference path's check decides it (_base._check_rows_sum_to_one:
 * a float64 row sum). Rows are summed here in double in their own order; two double sums of the
 * same K values in [0, 1] differ by at most 2 K eps (1 + tol), so a row counts only within
 * tol - 4 K eps. False means "not sure" (also for nan, inf and rows just inside tol): the
 * reference path decides. Values outside [0, 1] are the elementwise kernel's to reject.
 * One pass instead of NumPy's row sums (einsum): 2-2.5x faster over rows of 10, 2 threads.
 * Each row is summed by 8 accumulators (independent adds: any order is within the bound). */
#define ROWS_NEAR_ONE(NAME, S)                                                                   \
    static int NAME(const S *x, Py_ssize_t rows, Py_ssize_t k, double lim, int nt) {             \
        int ok = 1;                                                                              \
        _Pragma("omp parallel for schedule(static) num_threads(nt) reduction(& : ok) if (nt > 1)") \
        for (Py_ssize_t r = 0; r < rows; r++) {                                                  \
            const S *row = x + r * k;                                                            \
            double a[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};                              \
            Py_ssize_t j = 0;                                                                    \
            for (; j + 8 <= k; j += 8)                                                           \
                for (int l = 0; l < 8; l++) a[l] += (double)row[j + l];                          \
            double sum = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));       \
            for (; j < k; j++) sum += (double)row[j];                                            \
            ok &= (sum - 1.0 <= lim) & (1.0 - sum <= lim);                                       \
        }                                                                                        \
        return ok;                                                                               \
    }
ROWS_NEAR_ONE(rows_near_one_d, double)
ROWS_NEAR_ONE(rows_near_one_f, float)

static PyObject *py_rows_sum_to_one(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "rows_sum_to_one() takes 5 arguments");
        return NULL;
    }
    long dtype = PyLong_AsLong(args[0]);
    Py_ssize_t rows = PyLong_AsSsize_t(args[2]), k = PyLong_AsSsize_t(args[3]);
    double tol = PyFloat_AsDouble(args[4]);
    if (PyErr_Occurred()) return NULL;
    if ((dtype != 0 && dtype != 1) || rows < 0 || k < 1) {
        PyErr_SetString(PyExc_ValueError, "rows_sum_to_one(): unknown dtype or bad shape");
        return NULL;
    }
    Py_buffer v;
    if (get_buffer(args[1], &v, 0, dtype == 0 ? 'd' : 'f', rows * k, "x") < 0) return NULL;
    const double lim = tol - 4.0 * (double)k * 0x1p-52;
    const int nt = (rows * k >= LK_PAR_MIN) ? lk_threads : 1;
    int ok = 1;
    Py_BEGIN_ALLOW_THREADS
    if (dtype == 0)
        ok = rows_near_one_d((const double *)v.buf, rows, k, lim, nt);
    else
        ok = rows_near_one_f((const float *)v.buf, rows, k, lim, nt);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&v);
    return PyBool_FromLong(ok);
}

/* -- floor_pass(a, b, out): out = a + b, the memory-bandwidth floor for the benchmarks -------- */
static PyObject *py_floor_pass(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "floor_pass() takes 3 arguments (a, b, out)");
        return NULL;
    }
    Py_buffer probe;
    if (PyObject_GetBuffer(args[0], &probe, PyBUF_FORMAT | PyBUF_ND) < 0) return NULL;
    char fmt = probe.format ? probe.format[strlen(probe.format) - 1] : 'B';
    Py_ssize_t n = probe.itemsize ? probe.len / probe.itemsize : 0;
    PyBuffer_Release(&probe);
    if (fmt != 'd' && fmt != 'f') {
        PyErr_SetString(PyExc_TypeError, "floor_pass(): float32 or float64 arrays");
        return NULL;
    }
    Py_buffer v[3];
    memset(v, 0, sizeof v);
    if (get_buffer(args[0], &v[0], 0, fmt, n, "a") < 0 || get_buffer(args[1], &v[1], 0, fmt, n, "b") < 0 ||
        get_buffer(args[2], &v[2], 1, fmt, n, "out") < 0) {
        release(v, 3);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    if (fmt == 'd') lk->floor_d((const double *)v[0].buf, (const double *)v[1].buf, (double *)v[2].buf, n, lk_threads);
    else lk->floor_f((const float *)v[0].buf, (const float *)v[1].buf, (float *)v[2].buf, n, lk_threads);
    Py_END_ALLOW_THREADS
    release(v, 3);
    Py_RETURN_NONE;
}

/* -- threads and build information -------------------------------------------------------------- */
static PyObject *py_set_num_threads(PyObject *self, PyObject *arg) {
    (void)self;
    long n = PyLong_AsLong(arg);
    if (PyErr_Occurred()) return NULL;
    if (n < 1) {
        PyErr_SetString(PyExc_ValueError, "the number of threads must be >= 1");
        return NULL;
    }
#ifdef _OPENMP
    lk_threads = (int)n;
#endif
    Py_RETURN_NONE;
}

static PyObject *py_get_num_threads(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyLong_FromLong(lk_threads);
}

/* The best level this CPU runs: "v4" (AVX-512 F/BW/DQ/VL), "v3" (AVX2, FMA, BMI2) or "base". */
static const char *cpu_best(void) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2"))
        return "v4";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2") &&
        __builtin_cpu_supports("movbe"))
        return "v3";
#endif
    return "base";
}

static int level_rank(const char *level) { return strcmp(level, "v4") == 0 ? 2 : strcmp(level, "v3") == 0 ? 1 : 0; }

/* Use `level` ("base", "v3", "v4"), or the best the CPU runs when it asks for more. */
static void select_level(const char *level) {
    const char *best = cpu_best();
    if (level_rank(level) > level_rank(best)) level = best;
    lk_level = level_rank(level) == 2 ? "v4" : level_rank(level) == 1 ? "v3" : "base";
    lk = level_rank(lk_level) == 2 ? &lk_kernels_v4 : level_rank(lk_level) == 1 ? &lk_kernels_v3 : &lk_kernels_base;
}

static const char *level_name(const char *level) {
    return level_rank(level) == 2 ? "x86-64-v4 (AVX-512)" : level_rank(level) == 1 ? "x86-64-v3 (AVX2, FMA)" : "x86-64 (baseline)";
}

static PyObject *py_set_cpu_level(PyObject *self, PyObject *arg) {
    (void)self;
    const char *level = PyUnicode_AsUTF8(arg);
    if (!level) return NULL;
    if (strcmp(level, "base") && strcmp(level, "v3") && strcmp(level, "v4")) {
        PyErr_SetString(PyExc_ValueError, "the CPU level must be 'base', 'v3' or 'v4'");
        return NULL;
    }
    select_level(level);
    return PyUnicode_FromString(lk_level);
}

static PyObject *py_build_info(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return Py_BuildValue(
        "{s:s,s:s,s:s,s:s,s:O,s:i,s:i,s:i}", "compiler",
#if defined(__clang__)
        "clang " __clang_version__,
#elif defined(__GNUC__)
        "gcc " __VERSION__,
#else
        "unknown",
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
        "kernels", "built for x86-64, x86-64-v3 and x86-64-v4; the best the CPU runs is chosen at load",
#else
        "kernels", "one portable build (no CPU dispatch with this compiler or platform)",
#endif
        "cpu_level", level_name(lk_level), "cpu_best", level_name(cpu_best()), "openmp",
#ifdef _OPENMP
        Py_True,
#else
        Py_False,
#endif
        "leaf", LK_LEAF, "parallel_threshold", LK_PAR_MIN, "ops", LK_N_OPS);
}

static PyMethodDef methods[] = {
    {"elementwise", (PyCFunction)(void (*)(void))py_elementwise, METH_FASTCALL, "fused elementwise loss kernel"},
    {"softmax_ce", (PyCFunction)(void (*)(void))py_softmax_ce, METH_FASTCALL, "fused softmax cross-entropy kernel"},
    {"floor_pass", (PyCFunction)(void (*)(void))py_floor_pass, METH_FASTCALL,
     "out = a + b over contiguous float arrays: the memory-bandwidth floor"},
    {"rows_sum_to_one", (PyCFunction)(void (*)(void))py_rows_sum_to_one, METH_FASTCALL,
     "whether every row of a contiguous float array surely sums to 1 within a tolerance"},
    {"set_num_threads", py_set_num_threads, METH_O, "threads used by the kernels"},
    {"get_num_threads", py_get_num_threads, METH_NOARGS, "threads used by the kernels"},
    {"build_info", py_build_info, METH_NOARGS, "how the kernels were built and which CPU level runs"},
    {"set_cpu_level", py_set_cpu_level, METH_O, "use the kernels of 'base', 'v3' or 'v4' (at most the CPU's best)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", "losskit's fused loss kernels", -1, methods};

PyMODINIT_FUNC PyInit__native(void) {
#ifdef _OPENMP
    lk_threads = omp_get_max_threads();
#endif
    /* LOSSKIT_CPU_LEVEL=base|v3 caps the level (tests run every level this CPU has) */
    const char *cap = getenv("LOSSKIT_CPU_LEVEL");
    select_level(cap && *cap ? cap : "v4");
    return PyModule_Create(&module);
}
