"""The native kernels against the array-API reference path: the same answers, to 2 ulps.

Every public conformance case and every loss setting (random data, small and large,
with and without weights, every call and reduction, float32 and float64) runs through
both paths. Data the kernels reject must raise the reference path's error.

float64: the native result is within 2 ulps of the reference result, normwise (ulps
of the largest magnitude in the result: a value that cancels to near 0 is judged on
its array's scale, as the conformance checker judges it) -- where the result involves
no exp or log. Through exp and log the two paths call different implementations
(the kernels' own vectorised ones, NumPy's), each within an ulp of exact but not
bitwise equal (NumPy's exp is not correctly rounded 4.7% of the time), and formulas
such as e / (1 + e)^2 turn one ulp into three: those results are held to
TRANSCENDENTAL_ULPS, just above the largest difference measured (9 ulps, the focal
loss's Hessian from logits, where the formula cancels and each path is 7-8 ulps from
the exact value), and both paths are held to mpmath separately (test_accuracy.py).

float32: the kernels compute float32 arrays in float32 arithmetic (with losskit's own
float exp and log, within 0.77 ulp), so they are compared with the reference path run in
float64 on the same (float32) values and rounded to float32: algebraic results within 2
ulps of it, those through exp, log, a square root or a division of rounded values within
TRANSCENDENTAL_ULPS. The float32 reference path itself cannot be the yardstick at 2 ulps:
NumPy's float32 exp and log, which it calls, are up to 2.3 and 2.9 ulps off (measured).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import losskit as lk
from cases import SETTINGS, inputs, setting_id
from conftest import CONFORMANCE, load_checker
from losskit import _fast

pytestmark = pytest.mark.skipif(
    _fast.native() is None, reason=f"native kernels not built: {_fast.unavailable_reason()}"
)

REDUCTIONS = ["none", "mean", "sum"]
ELEMENTWISE = [s for s in SETTINGS if not s.class_axis]
TRANSCENDENTAL_ULPS = 10
# (loss, call) whose kernel goes through exp, expm1, log or log1p
_EXP_LOG = {
    "log_cosh",
    "poisson",
    "msle",
    "exponential",
    "binary_focal",
    "kl_divergence",
    "categorical_cross_entropy",
    "softmax_cross_entropy",
    "sparse_categorical_cross_entropy",
}


# float32 results computed in float through a square root or a division of already rounded values
_FLOAT32_LOOSE = {"pseudo_huber", "binary_cross_entropy", "sigmoid_cross_entropy"}


def ulps_for(loss, call_name, dtype="float64"):
    name = loss.name
    if dtype == "float32" and name in _FLOAT32_LOOSE:
        return TRANSCENDENTAL_ULPS  # computed in float32 arithmetic (docstring)
    if name in _EXP_LOG:
        return TRANSCENDENTAL_ULPS
    # BCE from logits: sigmoid and softplus need exp and log1p; from probabilities: only the value has logs
    bce = name in ("binary_cross_entropy", "sigmoid_cross_entropy")
    if bce and (loss.from_logits or call_name in ("__call__", "value_and_gradient")):
        return TRANSCENDENTAL_ULPS
    return 2


def assert_within_ulps(native, reference, ulps=2, what=""):
    """|native - reference| <= ulps * spacing(max(|native|, |reference|)), elementwise, same dtype."""
    a, b = np.asarray(native), np.asarray(reference)
    assert a.dtype == b.dtype and a.shape == b.shape, f"{what}: {a.dtype}{a.shape} vs {b.dtype}{b.shape}"
    assert not np.isnan(a).any() and not np.isnan(b).any(), what
    infinite = np.isinf(b)
    np.testing.assert_array_equal(a[infinite], b[infinite], err_msg=what)
    if infinite.all():
        return
    scale = np.max(np.maximum(np.abs(a[~infinite]), np.abs(b[~infinite])))
    tol = ulps * float(np.spacing(np.asarray(scale, a.dtype)))
    err = np.abs(a[~infinite].astype(np.float64) - b[~infinite].astype(np.float64))
    assert np.all(err <= tol), f"{what}: differs by {float(err.max()) / tol * ulps:.1f} ulps (normwise) > {ulps}"


def _as64(x):
    x = np.asarray(x) if x is not None else None
    return x.astype(np.float64) if x is not None and x.dtype == np.float32 else x


def both_paths(call, y, f, **kwargs):
    """(native result, reference result); float32: the reference in float64, rounded to float32."""
    native = call(y, f, **kwargs)
    loss, name = (call, "__call__") if isinstance(call, lk.Loss) else (call.__self__, call.__name__)
    with _fast.reference_path():
        dtype = np.asarray(f).dtype
        if dtype != np.float32 or _fast._kernel(loss, dtype)[0] < 0:
            return native, call(y, f, **kwargs)  # float64, or no kernel: the same reference computation
        if "eps" in loss.params and not loss.params.get("from_logits", False):
            # probabilities are clipped to [eps, 1 - eps] (class axis: [eps, 1]) with the bounds rounded
            # to float32 (1 - 0.01 is 0.99000001 there): clip in float32 first, then evaluate in float64
            # without clipping
            eps = loss.params["eps"]
            eps = float(np.finfo(np.float32).eps) if eps is None else eps
            lo, hi = np.float32(eps), np.float32(1.0 if loss.class_axis else 1.0 - eps)
            f = np.clip(np.asarray(f), lo, hi) if eps > 0 else f
            loss = loss.replace(eps=0.0)
        method = getattr(loss, name)
        # float32 probability rows that sum to 1 in float32 need not within float64's sqrt(eps)
        kw = {k: _as64(v) if k == "sample_weight" else v for k, v in kwargs.items()} | {"validate": False}
        reference = method(_as64(y), _as64(f), **kw)
    if isinstance(reference, tuple):
        return native, tuple(np.asarray(r).astype(np.float32) for r in reference)
    return native, np.asarray(reference).astype(np.float32)


LEVELS = ["base", "v3", "v4"]


@pytest.fixture(params=LEVELS)
def level(request):
    """Run with the kernels of one CPU level (each is compiled; the CPU runs up to its best)."""
    native = _fast.native()
    best = native.build_info()["cpu_best"]
    rank = {"x86-64 (baseline)": 0, "x86-64-v3 (AVX2, FMA)": 1, "x86-64-v4 (AVX-512)": 2}
    if LEVELS.index(request.param) > rank.get(best, 0):
        pytest.skip(f"this CPU runs at most {best}")
    before = native.build_info()["cpu_level"]
    native.set_cpu_level(request.param)
    yield request.param
    native.set_cpu_level({v: k for k, v in zip(LEVELS, rank, strict=True)}.get(before, "v4"))


def test_the_native_path_is_active():
    """make test builds the extension: a silent build failure must not pass unnoticed."""
    config = lk.show_config(print_=False)
    assert config["path"] == "native", config
    assert config["openmp"] is True


def _case_ids():
    path = CONFORMANCE / "public" / "cases.json"
    return [c["id"] for c in json.loads(path.read_text())] if path.is_file() else ["absent"]


@pytest.fixture(scope="module")
def vectors():
    check = load_checker()
    cases, arrays = check.load_set(str(CONFORMANCE / "public"))
    return {c["id"]: c for c in cases}, {k: arrays[k] for k in arrays.files}


@pytest.mark.parametrize("case_id", _case_ids())
def test_conformance_case_on_both_paths(vectors, case_id, level):
    cases, arrays = vectors
    case = cases[case_id]
    if case.get("expect_error"):
        pytest.skip("an expected error, not a value")
    params = {k: np.asarray(v, case["dtype"]) if isinstance(v, list) else v for k, v in case["params"].items()}
    loss = lk.get(case["loss"], **params)
    call = {"value": loss.__call__, "gradient": loss.gradient, "hessian": loss.hessian}[case["call"]]
    kw = {"reduction": case["reduction"]}
    if case["sample_weight"]:
        kw["sample_weight"] = arrays[case["sample_weight"]]
    with np.errstate(all="ignore"):
        native, reference = both_paths(call, arrays[case["y_true"]], arrays[case["y_pred"]], **kw)
    assert_within_ulps(native, reference, ulps_for(loss, call.__name__, case["dtype"]), what=case_id)


def _weights(kind, f, rng, class_axis=False):
    if kind == "none":
        return None
    shape = f.shape[:-1] if class_axis else f.shape
    w = rng.uniform(0.0, 2.0, shape[:1] if kind == "rows" else shape)
    w[0] = 0.0  # a zero weight: masked
    return w


# class-axis rows of at most 32 classes go through the kernel by blocks of 32 rows, wider ones row by row
SHAPES = {
    "small": [(7,), (7, 5)],
    "threaded": [(50_000,), (20_000, 5)],
    "3d": [(30, 4, 3), (30, 4, 5)],
    "wide": [(333,), (70, 33)],
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("size", list(SHAPES))
@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_every_call_on_both_paths(loss, size, dtype):
    if size == "wide" and loss.params.get("class_weight") is not None:
        pytest.skip("the settings' class weights are for 5 classes")
    shape = SHAPES[size][loss.class_axis]
    rng = np.random.default_rng(7)
    y, f = inputs(loss, shape, rng)
    y, f = (y if loss.integer_labels else y.astype(dtype)), f.astype(dtype)
    for weights in ("none", "full", "rows"):
        w = _weights(weights, f, rng, loss.class_axis)
        for reduction in REDUCTIONS:
            kw = {"sample_weight": w, "reduction": reduction}
            what = f"{loss!r} {shape} {dtype} weights={weights} {reduction}"
            u_value, u_grad = ulps_for(loss, "__call__", dtype), ulps_for(loss, "gradient", dtype)
            assert_within_ulps(*both_paths(loss, y, f, **kw), u_value, what=what + " value")
            assert_within_ulps(*both_paths(loss.gradient, y, f, **kw), u_grad, what=what + " gradient")
            (v, g), (v_ref, g_ref) = both_paths(loss.value_and_gradient, y, f, **kw)
            assert_within_ulps(v, v_ref, u_value, what=what + " value_and_gradient[0]")
            assert_within_ulps(g, g_ref, u_grad, what=what + " value_and_gradient[1]")
            if loss.hessian_diagonal:
                u_hess = ulps_for(loss, "hessian", dtype)
                assert_within_ulps(*both_paths(loss.hessian, y, f, **kw), u_hess, what=what + " hessian")
                (g, h), (g_ref, h_ref) = both_paths(loss.gradient_and_hessian, y, f, **kw)
                assert_within_ulps(g, g_ref, u_grad, what=what + " gradient_and_hessian[0]")
                assert_within_ulps(h, h_ref, u_hess, what=what + " gradient_and_hessian[1]")


@pytest.mark.parametrize("loss", ELEMENTWISE, ids=setting_id)
def test_results_do_not_depend_on_the_number_of_threads(loss, level):
    rng = np.random.default_rng(3)
    y, f = inputs(loss, (200_000,), rng)
    before = lk.get_num_threads()
    try:
        lk.set_num_threads(1)
        one = loss.value_and_gradient(y, f)
        lk.set_num_threads(2)
        two = loss.value_and_gradient(y, f)
    finally:
        lk.set_num_threads(before)
    assert one[0] == two[0]
    np.testing.assert_array_equal(one[1], two[1])


def test_out_buffers_are_written_in_place_by_the_kernel():
    rng = np.random.default_rng(0)
    y, f = rng.normal(size=1000), rng.normal(size=1000)
    g = np.empty(1000)
    h = np.empty(1000)
    loss = lk.get("huber")
    value, got = loss.value_and_gradient(y, f, out=g)
    assert got is g and value == loss(y, f)
    pair = loss.gradient_and_hessian(y, f, out=(g, h))
    assert pair[0] is g and pair[1] is h
    # a buffer the kernel cannot write into (strided) still works, through the reference path
    strided = np.empty(2000)[::2]
    assert loss.gradient(y, f, out=strided) is strided
    np.testing.assert_array_equal(strided, g)


def test_the_kernels_sums_are_numpys_pairwise_sums_bit_for_bit(level):
    """The kernels sum each group of leaves side by side (common.h, lk_leaf_sums) and the
    leaves in NumPy's tree: every size, small, at the leaf (128), group (4 leaves) and float32
    chunk boundaries and threaded, gives np.sum's result to the last bit -- float64 values, and
    float32 values summed in double as ``np.sum(x, dtype=np.float64)`` sums them."""
    rng = np.random.default_rng(5)
    sizes = [*range(1, 80), 127, 128, 129, 255, 256, 257, 511, 512, 513, 520, 1023, 1024, 1025, 1541]
    sizes += [8191, 8192, 8193, 8192 * 3 + 77, 32767, 32768, 32769, 100_003, 262_147]
    mae = lk.get("mae")
    for n in sizes:
        # residuals exact in float32 too (multiples of 1/8), so float32 values are the same numbers
        y = rng.integers(-4000, 4000, n) / 8.0
        f = y + rng.integers(-4000, 4000, n) / 8.0
        for dtype in (np.float64, np.float32):
            yd, fd = y.astype(dtype), f.astype(dtype)
            got = mae(yd, fd, reduction="sum")
            expected = np.sum(np.abs(fd - yd), dtype=np.float64)
            assert float(got) == float(np.asarray(expected, dtype)), (n, dtype)
        g = rng.normal(size=n)
        assert lk.get("mse")(y, g, reduction="sum") == np.sum((g - y) ** 2), n


def test_a_float32_sum_beyond_its_range_is_inf_without_a_warning():
    """The kernels sum float32 values in double: a sum past float32's range rounds to inf
    (as the reference's float32 sum overflows), without NumPy's overflow warning."""
    y, f = np.zeros(3, np.float32), np.full(3, 1e30, np.float32)
    for reduction in ("mean", "sum"):
        got = lk.get("mse")(y, f, reduction=reduction)
        assert got.dtype == np.float32 and got == np.inf
        with _fast.reference_path():
            assert lk.get("mse")(y, f, reduction=reduction) == got


BAD = [
    ("bce", {}, [0.0, 1.0, 1.0], [0.5, 1.5, 0.2], r"`y_pred` must be probabilities in \[0, 1\]"),
    ("mse", {}, [0.0, np.nan, 1.0], [0.5, 1.5, 0.2], r"`y_true` must be finite"),
    ("huber", {}, [0.0, 1.0, 1.0], [0.5, np.nan, 0.2], r"`y_pred` must be a number \(not nan\)"),
    ("hinge", {}, [0.0, -1.0, 1.0], [0.5, 1.5, 0.2], "mixes the label encodings"),
    ("focal", {}, [0.0, 0.5, 1.0], [0.5, 0.5, 0.2], r"binary labels in \{0, 1\}"),
    ("poisson", {}, [1.0, 2.0, 1.0], [0.5, -1.0, 0.2], r"`y_pred` must be >= 0 for 'poisson'"),
    ("msle", {}, [1.0, -1.0, 1.0], [0.5, 1.0, 0.2], r"`y_true` must be > -1"),
    ("rmse", {}, [0.0, np.inf, 1.0], [0.5, 1.5, 0.2], r"`y_true` must be finite"),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "params", "y", "f", "message"), BAD, ids=[b[0] for b in BAD])
def test_data_the_kernels_reject_raise_the_reference_error(name, params, y, f, message, dtype):
    loss = lk.get(name, **params)
    y, f = np.asarray(y, dtype), np.asarray(f, dtype)
    for call in (loss.__call__, loss.gradient, loss.value_and_gradient):
        with pytest.raises(ValueError, match=message):
            call(y, f)
    # a zero weight masks the bad value; validate=False skips the checks
    w = np.array([1.0, 0.0, 1.0], dtype)
    bad_at = 1
    masked = loss(np.delete(y, bad_at), np.delete(f, bad_at))
    assert loss(y, f, sample_weight=w) == pytest.approx(masked, rel=1e-6)
    loss(y, f, validate=False)
    with pytest.raises(ValueError, match="`sample_weight` must be non-negative"):
        loss(np.delete(y, bad_at), np.delete(f, bad_at), sample_weight=np.array([1.0, -1.0], dtype))
    with pytest.raises(ValueError, match="every value has weight 0"):
        loss.gradient(np.delete(y, bad_at), np.delete(f, bad_at), sample_weight=np.zeros(2, dtype))


def test_environment_variable_forces_the_reference_path():
    env = {**os.environ, "LOSSKIT_REFERENCE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", "import losskit as lk; print(lk.show_config(print_=False)['path'])"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "reference"


@pytest.mark.parametrize("k", [33, 1000])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("near", [False, True], ids=["random", "near-perfect"])
@pytest.mark.parametrize("kind", ["targets", "labels"])
def test_wide_float32_rows_on_both_paths(kind, k, smoothing, near):
    """Rows of more than 32 classes go one row at a time; float32 rows with integer labels and no
    smoothing take their own kernel (float exps). Near-perfect predictions make the gradient
    q - y cancel: at every class for targets, at the label for labels (q_label -> 1)."""
    rng = np.random.default_rng(k)
    y = rng.dirichlet(np.ones(k), 40)
    labels = rng.integers(0, k, 40)
    if kind == "targets":
        s = np.log(y) + (rng.normal(0.0, 1e-3, y.shape) if near else rng.normal(0.0, 2.0, y.shape))
        target = y.astype(np.float32)
        loss = lk.get("softmax_cross_entropy", label_smoothing=smoothing)
    else:
        s = rng.normal(0.0, 2.0, y.shape)
        s[np.arange(40), labels] += 20.0 if near else 0.0  # 1 - q_label about 1e-6
        target = labels
        loss = lk.get("sparse_categorical_cross_entropy", from_logits=True, label_smoothing=smoothing)
    s = s.astype(np.float32)
    w = rng.random(40)
    w[::5] = 0.0
    for kw in ({"reduction": "none"}, {"reduction": "mean", "sample_weight": w}):
        what = f"{kind} k={k} ls={smoothing} near={near} {kw['reduction']}"
        assert_within_ulps(*both_paths(loss, target, s, **kw), TRANSCENDENTAL_ULPS, what=what + " value")
        (v, g), (v_ref, g_ref) = both_paths(loss.value_and_gradient, target, s, **kw)
        assert_within_ulps(v, v_ref, TRANSCENDENTAL_ULPS, what=what + " value_and_gradient[0]")
        assert_within_ulps(g, g_ref, TRANSCENDENTAL_ULPS, what=what + " value_and_gradient[1]")
        (g, h), (g_ref, h_ref) = both_paths(loss.gradient_and_hessian, target, s, **kw)
        assert_within_ulps(g, g_ref, TRANSCENDENTAL_ULPS, what=what + " gradient_and_hessian[0]")
        assert_within_ulps(h, h_ref, TRANSCENDENTAL_ULPS, what=what + " gradient_and_hessian[1]")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("k", [1, 3, 8, 10, 16, 17, 25, 32])
@pytest.mark.parametrize("kind", ["targets", "labels"])
def test_short_rows_in_blocks_on_both_paths(kind, k, dtype):
    """Rows of at most 32 classes go by transposed blocks of 32 rows: every class count whose pairwise
    sum takes another branch (k < 8, k < 16, k >= 16 with a rest), partial blocks (1, 31, 33 and 70
    rows), ignored labels and zero weights inside a block, smoothing; against the reference."""
    rng = np.random.default_rng(k)
    for n in (1, 31, 33, 70):
        y = rng.dirichlet(np.ones(k), n)
        s = rng.normal(0.0, 3.0, (n, k)).astype(dtype)
        if k > 1:
            s[::4, 0] = -np.inf  # a class the row cannot be
        labels = rng.integers(0, k, n)
        w = rng.random(n)
        w[::3] = 0.0
        w[0] = 1.0
        for smoothing in (0.0, 0.1):
            if kind == "targets":
                loss, target = lk.get("softmax_cross_entropy", label_smoothing=smoothing), y.astype(dtype)
                if k > 1:
                    target[::4, 0] = 0.0  # where the logit is -inf
                    target /= target.sum(axis=1, keepdims=True)
            else:
                loss = lk.get(
                    "sparse_categorical_cross_entropy", from_logits=True, label_smoothing=smoothing, ignore_index=-1
                )
                target = np.where(np.arange(n) % 5 == 2, -1, np.where(np.arange(n) % 4 == 0, k - 1, labels))
            for kw in ({"reduction": "none"}, {"reduction": "mean", "sample_weight": w}):
                what = f"{kind} k={k} n={n} ls={smoothing} {kw['reduction']}"
                (v, g), (v_ref, g_ref) = both_paths(loss.value_and_gradient, target, s, **kw)
                assert_within_ulps(v, v_ref, TRANSCENDENTAL_ULPS, what=what + " value")
                assert_within_ulps(g, g_ref, TRANSCENDENTAL_ULPS, what=what + " gradient")
                (g, h), (g_ref, h_ref) = both_paths(loss.gradient_and_hessian, target, s, **kw)
                assert_within_ulps(h, h_ref, TRANSCENDENTAL_ULPS, what=what + " hessian")


CLASS_AXIS_BAD = [
    ("nan logit", "targets", r"`y_pred` must be a number \(not nan\)"),
    ("+inf logit", "labels", r"`y_pred` must be logits below \+inf"),
    ("target outside [0, 1]", "targets", r"`y_true` must be probabilities in \[0, 1\]"),
    ("row sum off 1", "targets", "`y_true` must be probability rows that sum to 1"),
    ("label out of range", "labels", r"`y_true` must be class labels in \[0, "),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("k", [5, 17, 1000])
@pytest.mark.parametrize(("bad", "kind", "message"), CLASS_AXIS_BAD, ids=[b[0] for b in CLASS_AXIS_BAD])
def test_softmax_rows_the_kernels_reject_raise_the_reference_error(bad, kind, message, k, dtype):
    """Short rows (blocks of 32 rows, transposed) and wide rows (one row at a time) check the same
    things; the bad row is row 5 of the second block."""
    rng = np.random.default_rng(1)
    n, bad_row = 70, 37
    labels = rng.integers(0, k, n)
    y = rng.dirichlet(np.ones(k), n).astype(dtype)
    s = rng.normal(0.0, 2.0, (n, k)).astype(dtype)
    if bad == "nan logit":
        s[bad_row, k // 2] = np.nan
    elif bad == "+inf logit":
        s[bad_row, k // 2] = np.inf
    elif bad == "target outside [0, 1]":
        y[bad_row, 0] += y[bad_row, 1] + 0.5
        y[bad_row, 1] = -0.5
    elif bad == "row sum off 1":
        y[bad_row] *= 1.01
    else:
        labels[bad_row] = k
    name = "softmax_cross_entropy" if kind == "targets" else "sparse_categorical_cross_entropy"
    loss = lk.get(name, from_logits=True)
    target = y if kind == "targets" else labels
    _assert_the_row_is_rejected_unless_weighted_0(loss, target, s, bad_row, message)


def _assert_the_row_is_rejected_unless_weighted_0(loss, target, s, bad_row, message):
    """Every call raises ``message``; with a zero sample weight on the bad row the mean is the
    other rows' mean, the gradient 0 on the row and the other rows' elsewhere."""
    for call in (loss.__call__, loss.gradient, loss.value_and_gradient):
        with pytest.raises(ValueError, match=message):
            call(target, s)
    w = np.ones(len(target))
    w[bad_row] = 0.0
    keep = np.arange(len(target)) != bad_row
    assert loss(target, s, sample_weight=w) == pytest.approx(float(loss(target[keep], s[keep])), rel=1e-6)
    g = loss.gradient(target, s, sample_weight=w, reduction="sum")
    assert np.all(g[bad_row] == 0) and np.array_equal(g[keep], loss.gradient(target[keep], s[keep], reduction="sum"))


PROBABILITY_BAD = [
    ("nan probability", r"`y_pred` must be finite"),
    ("probability above 1", r"`y_pred` must be probabilities in \[0, 1\]"),
    ("prediction row sum off 1", "`y_pred` must be probability rows that sum to 1"),
    ("target outside [0, 1]", r"`y_true` must be probabilities in \[0, 1\]"),
    ("target row sum off 1", "`y_true` must be probability rows that sum to 1"),
    ("label out of range", r"`y_true` must be class labels in \[0, "),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["categorical_cross_entropy", "kl_divergence", "sparse_categorical_cross_entropy"])
@pytest.mark.parametrize(("bad", "message"), PROBABILITY_BAD, ids=[b[0] for b in PROBABILITY_BAD])
def test_probability_rows_the_kernels_reject_raise_the_reference_error(bad, message, name, dtype):
    """Cross-entropy and KL from probabilities: the kernel checks each value, _fast.py the rows'
    sums and the labels; whatever fails, the reference path raises its error, and a zero
    sample weight exempts the row."""
    labels_loss = name == "sparse_categorical_cross_entropy"
    if labels_loss and bad.startswith("target"):
        pytest.skip("sparse cross-entropy takes labels")
    if bad == "label out of range" and not labels_loss:
        pytest.skip("the others take target rows")
    rng = np.random.default_rng(2)
    n, k, bad_row = 70, 6, 37
    labels = rng.integers(0, k, n)
    y = rng.dirichlet(np.ones(k), n).astype(dtype)
    q = rng.dirichlet(np.ones(k), n).astype(dtype)
    if bad == "nan probability":
        q[bad_row, 2] = np.nan
    elif bad == "probability above 1":
        q[bad_row] = [1.5, -0.5, 0, 0, 0, 0]
    elif bad == "prediction row sum off 1":
        q[bad_row] *= 1.01
    elif bad == "target outside [0, 1]":
        y[bad_row] = [1.5, -0.5, 0, 0, 0, 0]
    elif bad == "target row sum off 1":
        y[bad_row] *= 1.01
    else:
        labels[bad_row] = k
    target = labels if labels_loss else y
    # smoothed targets reach the kernel smoothed: their range is checked before
    smoothing = [{}, {"label_smoothing": 0.1}] if name != "kl_divergence" else [{}]
    for params in smoothing:
        for call in (lk.get(name, **params).__call__, lk.get(name, **params).value_and_gradient):
            with pytest.raises(ValueError, match=message):
                call(target, q)
    loss = lk.get(name)
    with pytest.raises(ValueError, match=message):
        loss.gradient(target, q)
    w = np.ones(n)
    w[bad_row] = 0.0
    keep = np.arange(n) != bad_row
    assert loss(target, q, sample_weight=w) == pytest.approx(float(loss(target[keep], q[keep])), rel=1e-6)
    # per row: the exempt row weighs 0, the others as alone (one path for the bad data, maybe
    # the other for the good: within the paths' ulps)
    per_row = loss(target, q, sample_weight=w, reduction="none")
    assert per_row[bad_row] == 0.0
    np.testing.assert_allclose(per_row[keep], loss(target[keep], q[keep], reduction="none"), rtol=1e-6)


@pytest.fixture
def elementwise_calls(monkeypatch):
    """The list of the native module's ``elementwise`` calls (one entry each) while a test runs."""
    calls = []
    native = _fast.native()

    class Spy:
        def __getattr__(self, name):
            attr = getattr(native, name)
            return (lambda *a: calls.append(name) or attr(*a)) if name == "elementwise" else attr

    monkeypatch.setattr(_fast, "_native_module", Spy())
    return calls


def test_probability_losses_take_the_kernel(elementwise_calls):
    """Cross-entropy and KL from probabilities, with labels, smoothing, class weights and an
    ignored label, go through the elementwise kernel (not the reference path)."""
    calls = elementwise_calls
    rng = np.random.default_rng(3)
    q = rng.dirichlet(np.ones(4), 50)
    y = rng.dirichlet(np.ones(4), 50)
    labels = rng.integers(0, 4, 50)
    labels[3] = -100
    lk.get("cce", label_smoothing=0.1, class_weight=[1.0, 2.0, 0.5, 1.0]).value_and_gradient(y, q)
    lk.get("kl_divergence").gradient_and_hessian(y, q)
    lk.get("sparse_cross_entropy", ignore_index=-100, class_weight=[1.0, 2.0, 0.5, 1.0])(labels, q, reduction="none")
    assert calls == ["elementwise"] * 3


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rmse_takes_two_kernel_passes_and_a_zero_rmse_gives_a_zero_gradient(elementwise_calls, dtype):
    """RMSE's reduced gradient: the sum of squares, then the residuals over the RMSE (two
    kernel calls); where the RMSE is 0 the gradient is 0 (the reference's subgradient), also
    when the only non-zero residuals have weight 0."""
    calls = elementwise_calls
    loss = lk.get("rmse")
    y = np.array([1.0, 2.0, 3.0, 4.0], dtype)
    f = np.array([1.0, 2.0, 1e30, 4.0], dtype)
    w = np.array([1.0, 2.0, 0.0, 0.5], dtype)
    for reduction in ("mean", "sum"):
        value, g = loss.value_and_gradient(y, f, sample_weight=w, reduction=reduction)
        assert value == 0 and g.dtype == dtype and np.all(g == 0) and not np.signbit(g).any()
        value, g = loss.value_and_gradient(y, y, reduction=reduction)
        assert value == 0 and np.all(g == 0)
    assert calls == ["elementwise"] * 8
    value, g = loss.value_and_gradient(y, f)
    with _fast.reference_path():
        v_ref, g_ref = loss.value_and_gradient(y, f)
    assert value == v_ref and np.array_equal(g, g_ref)
    assert np.array_equal(loss(y, f, reduction="none"), np.abs(f - y))  # MAE's kernel
    assert len(calls) == 11


@pytest.mark.parametrize("k", [1, 3, 10, 17, 1000])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_row_check_says_yes_only_where_the_reference_would(dtype, k):
    """``_fast._rows_sum_to_one`` (module.c) accepts rows within the tolerance less its own
    summation error, and says "not sure" for anything else: rows just outside, nan, inf."""
    tol = float(np.sqrt(np.finfo(dtype).eps))
    rng = np.random.default_rng(k)
    rows = rng.dirichlet(np.ones(k), 5000)
    rows = (rows / rows.sum(axis=1, keepdims=True)).astype(dtype)
    assert _fast._rows_sum_to_one(rows)  # float32 rows of a float64 dirichlet: far inside sqrt(eps32)
    assert _fast._rows_sum_to_one(rows[::2])  # a strided view is made contiguous
    for off, expected in [(0.9, True), (-0.9, True), (1.1, False), (-1.1, False), (1e3, False)]:
        bad = rows.astype(np.float64)
        bad[4321] *= 1.0 + off * tol
        bad = bad.astype(dtype)
        reference = abs(float(np.sum(bad[4321], dtype=np.float64)) - 1.0) <= tol
        assert _fast._rows_sum_to_one(bad) is expected is reference, (off, k)
    for special in (np.nan, np.inf):
        bad = rows.copy()
        bad[17, 0] = special
        assert _fast._rows_sum_to_one(bad) is False


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_probability_rows_near_the_tolerance_are_the_reference_paths_to_judge(dtype):
    """Rows off 1 by 0.7 sqrt(eps) are accepted (the kernel's result, the reference's to the
    paths' ulps), by 1.3 sqrt(eps) refused with the reference's error."""
    rng = np.random.default_rng(4)
    tol = np.sqrt(np.finfo(dtype).eps)
    y = rng.dirichlet(np.ones(4), 30)
    q = rng.dirichlet(np.ones(4), 30)
    loss = lk.get("cce")
    for off, ok in ((0.7, True), (1.3, False)):
        q_off = q.copy()
        q_off[5] *= 1.0 + off * tol
        q_off = q_off.astype(dtype)
        if ok:
            native, reference = both_paths(loss, y.astype(dtype), q_off)
            assert_within_ulps(native, reference, ulps_for(loss, "__call__", dtype))
        else:
            with pytest.raises(ValueError, match="probability rows that sum to 1"):
                loss(y.astype(dtype), q_off)


MULTI_MARGIN_BAD = [
    ("nan logit", r"`y_pred` must be a number \(not nan\)"),
    ("label out of range", r"`y_true` must be class labels in \[0, "),
    ("negative label", r"`y_true` must be class labels in \[0, "),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("k", [3, 10, 300])
@pytest.mark.parametrize(("bad", "message"), MULTI_MARGIN_BAD, ids=[b[0] for b in MULTI_MARGIN_BAD])
def test_multi_margin_rows_the_kernel_rejects_raise_the_reference_error(bad, message, k, dtype):
    """The multiclass hinge's kernel (margin.h) checks each row; +inf logits are allowed (its
    domain is "not nan"); a zero sample weight exempts a row."""
    rng = np.random.default_rng(2)
    n, bad_row = 200, 77
    labels = rng.integers(0, k, n)
    s = rng.normal(0.0, 2.0, (n, k)).astype(dtype)
    if bad == "nan logit":
        s[bad_row, k // 2] = np.nan
    else:
        labels[bad_row] = k if bad == "label out of range" else -1
    loss = lk.get("multi_margin", margin=0.5)
    _assert_the_row_is_rejected_unless_weighted_0(loss, labels, s, bad_row, message)
    with pytest.raises(ValueError, match=message):
        loss.gradient_and_hessian(labels, s)
    s[bad_row] = np.inf  # +inf logits: inside the domain, the kernel's result is the reference's
    labels[bad_row] = 0
    native, reference = both_paths(loss.value_and_gradient, labels, s, reduction="none")
    for a, b in zip(native, reference, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("k", [3, 10, 300])
@pytest.mark.parametrize("bad", ["nan logit", "target not 0 or 1", "no 1", "two 1s"])
def test_categorical_hinge_rows_the_kernel_rejects_raise_the_reference_error(bad, k, dtype):
    """The Crammer-Singer hinge's kernel (margin.h) checks each row; ties and -inf logits get
    the reference's results, as do rows of no or several 1s where nothing is checked."""
    rng = np.random.default_rng(3)
    n, bad_row = 200, 77
    y = np.eye(k, dtype=dtype)[rng.integers(0, k, n)]
    s = rng.normal(0.0, 2.0, (n, k)).astype(dtype)
    message = r"`y_pred` must be a number \(not nan\)"
    if bad == "nan logit":
        s[bad_row, k // 2] = np.nan
    elif bad == "target not 0 or 1":
        y[bad_row, 0] = 0.5
        message = r"`y_true` must be one-hot rows \(0 or 1\)"
    else:
        y[bad_row] = 0.0
        y[bad_row, : 2 if bad == "two 1s" else 0] = 1.0
        message = "`y_true` must be one-hot rows with exactly one 1"
    loss = lk.get("categorical_hinge")
    _assert_the_row_is_rejected_unless_weighted_0(loss, y, s, bad_row, message)
    s[5, :] = 0.25  # ties: the first maximum
    s[6, 1:] = -np.inf
    y[6] = np.eye(k, dtype=dtype)[0]
    s[bad_row] = 0.0
    y[bad_row] = np.eye(k, dtype=dtype)[1]
    two = y.copy()
    two[3, :2] = 1.0  # two 1s: computed unchecked with validate=False
    for target, validate in ((y, True), (two, False)):
        native, reference = both_paths(loss.value_and_gradient, target, s, reduction="none", validate=validate)
        for a, b in zip(native, reference, strict=True):
            np.testing.assert_array_equal(a, b)
            assert np.array_equal(np.signbit(a), np.signbit(b))


# the bare kernel takes no weights of any kind: settings without class weights or ignored labels
BARE = [
    s
    for s in SETTINGS
    if _fast._kernel(s, np.dtype(np.float64))[0] >= 0
    and s.params.get("class_weight") is None
    and s.params.get("ignore_index") is None
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("loss", BARE, ids=setting_id)
def test_the_bare_kernel_gives_the_public_apis_results(loss, dtype):
    """``_fast.raw_kernel`` (the benchmarks' "kernel" contender, the API overhead's baseline)
    computes what the public API computes for the same unweighted mean."""
    rng = np.random.default_rng(6)
    y, f = inputs(loss, (40, 5) if loss.class_axis else (300,), rng)
    y = y.astype(np.int64) if loss.integer_labels else y.astype(dtype)
    f = f.astype(dtype)
    kinds = ["value", "value_and_gradient"] + (["gradient_and_hessian"] if loss.hessian_diagonal else [])
    for kind in kinds:
        bare = _fast.raw_kernel(loss, kind, y, f)
        api = loss(y, f) if kind == "value" else getattr(loss, kind)(y, f)
        for b, a in zip(
            bare if isinstance(bare, tuple) else (bare,), api if isinstance(api, tuple) else (api,), strict=True
        ):
            assert_within_ulps(b, a, 2, what=f"{loss!r} {dtype} {kind}")


def test_concurrent_calls_get_their_own_sums():
    """Large sums keep their leaf list between calls (module.c): Python threads calling at once,
    with the same and with different sizes, each get the sum they get alone."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(3)
    cases = [
        (rng.normal(size=n).astype(dtype), rng.normal(size=n).astype(dtype))
        for n in (50_000, 50_000, 200_000, 70_001)
        for dtype in ("float32", "float64")
    ]
    mse, ce = lk.get("mse"), lk.get("sparse_categorical_cross_entropy", from_logits=True)
    logits = rng.normal(size=(40_000, 10))
    labels = rng.integers(0, 10, 40_000)

    def work(i):
        if i % 5 == 4:
            return float(ce(labels, logits))
        y, f = cases[i % len(cases)]
        return float(mse(y, f))

    alone = [work(i) for i in range(200)]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(work, range(200)))
    assert together == alone
