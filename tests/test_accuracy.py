"""Both paths against exact values (mpmath, 50 digits), where the formulas go through exp and log.

The native kernels and the reference path call different exp/log implementations, each
within about an ulp of exact; this holds each path to the exact value separately, so a
difference between them (tests/test_native.py) is never an error of either.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from mpmath import mp

import losskit as lk
from losskit import _fast

mp.dps = 50
ULPS = 4  # normwise, against the exact value of the same (double) inputs
ULPS32 = 8  # float32 arrays, normwise (the kernels compute them in float32 arithmetic)


def sigmoid(s):
    return 1 / (1 + mp.exp(-s))


def softplus(s):
    return mp.log1p(mp.exp(s))


def _focal_logit(gamma, y, s):
    t = 2 * y - 1
    z = t * s
    return sigmoid(-z) ** gamma * softplus(-z)


# value l(y, f) in mpmath; derivatives by mpmath's differentiation of it (50 digits)
EXACT = {
    "log_cosh": (lk.get("log_cosh"), lambda y, f: mp.log(mp.cosh(f - y))),
    "poisson_log": (lk.get("poisson", from_logits=True), lambda y, s: mp.exp(s) - y * s),
    "poisson_rate": (lk.get("poisson"), lambda y, f: f - y * mp.log(f)),
    "msle": (lk.get("msle"), lambda y, f: (mp.log1p(f) - mp.log1p(y)) ** 2),
    "exponential": (lk.get("exponential"), lambda y, s: mp.exp(-(2 * y - 1) * s)),
    "bce_logit": (
        lk.get("bce", from_logits=True),
        lambda y, s: y * softplus(-s) + (1 - y) * softplus(s),
    ),
    "bce_prob": (lk.get("bce"), lambda y, p: -(y * mp.log(p) + (1 - y) * mp.log1p(-p))),
    "focal_logit": (lk.get("focal", from_logits=True), lambda y, s: _focal_logit(2, y, s)),
    "pseudo_huber": (
        lk.get("pseudo_huber", delta=0.7),
        lambda y, f: mp.mpf("0.49") * (mp.sqrt(1 + ((f - y) / mp.mpf("0.7")) ** 2) - 1),
    ),
}


def _inputs(name, rng, n=60):
    if name in ("bce_logit", "bce_prob", "exponential", "focal_logit"):
        y = rng.integers(0, 2, n).astype(float)
        f = rng.uniform(0.02, 0.98, n) if name == "bce_prob" else rng.normal(0, 4, n)
        return y, f
    if name.startswith("poisson"):
        return rng.poisson(3.0, n).astype(float), (
            rng.normal(0.5, 1.5, n) if name == "poisson_log" else rng.uniform(0.1, 8, n)
        )
    if name == "msle":
        return rng.uniform(-0.9, 10, n), rng.uniform(-0.9, 10, n)
    y = rng.normal(0, 3, n)
    return y, y + rng.normal(0, 3, n) * np.exp(rng.uniform(-8, 1, n))  # residuals from tiny to large


def _exact(fn, y, f, order):
    out = []
    for yi, fi in zip(y, f, strict=True):
        yv, fv = mp.mpf(float(yi)), mp.mpf(float(fi))
        out.append(float(mp.diff(lambda x, yv=yv: fn(yv, x), fv, order)) if order else float(fn(yv, fv)))
    return np.array(out)


@pytest.mark.parametrize("path", ["native-base", "native-v3", "native-v4", "reference"])
@pytest.mark.parametrize("name", list(EXACT))
def test_both_paths_are_accurate(name, path):
    loss, fn = EXACT[name]
    y, f = _inputs(name, np.random.default_rng(11))
    calls = [(loss.__call__, 0), (loss.gradient, 1), (loss.hessian, 2)]
    native = _fast.native()
    if path.startswith("native"):
        if native is None:
            pytest.skip("native kernels not built")
        if native.set_cpu_level(path.split("-")[1]) != path.split("-")[1]:
            pytest.skip(f"this CPU does not run {path}")
    try:
        for call, order in calls:
            if path == "reference":
                with _fast.reference_path():
                    got = call(y, f, reduction="none")
            else:
                got = call(y, f, reduction="none")
            exact = _exact(fn, y, f, order)
            scale = np.max(np.abs(exact))
            err = np.max(np.abs(got - exact)) / np.spacing(scale)
            assert err <= ULPS, f"{name} {path} derivative {order}: {err:.1f} ulps (normwise) from exact"
    finally:
        if native is not None:
            native.set_cpu_level("v4")


@pytest.mark.parametrize("name", list(EXACT))
def test_float32_native_results_are_accurate(name):
    """float32 arrays: computed in float32 arithmetic with losskit's float exp and log:
    within ULPS32 of exact, normwise."""
    if _fast.native() is None:
        pytest.skip("native kernels not built")
    loss, fn = EXACT[name]
    y, f = _inputs(name, np.random.default_rng(12))
    y32, f32 = y.astype(np.float32), f.astype(np.float32)
    if name == "bce_prob":
        f32 = np.clip(f32, np.float32(0.03), np.float32(0.97))
    y64, f64 = y32.astype(np.float64), f32.astype(np.float64)  # the exact float32 values
    for call, order in [(loss.__call__, 0), (loss.gradient, 1), (loss.hessian, 2)]:
        got = call(y32, f32, reduction="none")
        assert got.dtype == np.float32
        exact = _exact(fn, y64, f64, order)
        scale = np.max(np.abs(exact))
        err = np.max(np.abs(got.astype(np.float64) - exact)) / float(np.spacing(np.float32(scale)))
        assert err <= ULPS32, f"{name} float32 derivative {order}: {err:.1f} ulps (normwise) from exact"


@pytest.mark.parametrize("path", ["native", "reference"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_log_cosh_elementwise_at_its_switches_and_extremes(dtype, path):
    """Each value, tanh and sech^2 of log-cosh within a few ulps of exact *elementwise* (not
    normwise): residuals from subnormal to 1e30, both sides of the kernels' switch at |r| = 0.8
    and the reference's at 1, where exp(-|r|) underflows, and infinite residuals."""
    if path == "native" and _fast.native() is None:
        pytest.skip("native kernels not built")
    info = np.finfo(dtype)
    mags = [
        float(info.smallest_subnormal),
        float(info.tiny),
        1e-30,
        1e-8,
        1e-3,
        0.3,
        0.79999,
        0.8,
        0.80001,
        0.99999,
        1.0,
        1.00001,
        np.log(2),
        5.0,
        20.0,
        44.0,
        88.0,
        300.0,
        1e30,
    ]
    mags += list(np.linspace(0.7, 0.9, 41)) + list(np.geomspace(1e-6, 60.0, 200))
    r = np.array(mags + [-m for m in mags], dtype=dtype)
    r = r[np.isfinite(r)]
    y = np.zeros_like(r)
    loss = lk.get("log_cosh")
    exact = [
        # log1p(2 sinh(x/2)^2), not log(cosh x): cosh(1e-30) = 1 + 5e-61 is beyond 50 digits
        [float(mp.log1p(2 * mp.sinh(mp.mpf(float(x)) / 2) ** 2)) for x in r],
        [float(mp.tanh(mp.mpf(float(x)))) for x in r],
        [float(mp.sech(mp.mpf(float(x))) ** 2) for x in r],
    ]
    for call, want, ulps in zip((loss.__call__, loss.gradient, loss.hessian), exact, (3, 4, 5), strict=True):
        with _fast.reference_path() if path == "reference" else contextlib.nullcontext():
            got = call(y, r, reduction="none")
        want = np.array(want)
        tol = ulps * np.spacing(np.abs(want).astype(dtype)).astype(np.float64)
        err = np.abs(got.astype(np.float64) - want)
        bad = err > tol
        assert not bad.any(), f"{call.__name__} at r = {r[bad][:4]}: {err[bad][:4] / tol[bad][:4] * ulps} ulps"
    inf = np.array([np.inf, -np.inf], dtype=dtype)
    zero = np.zeros_like(inf)
    with _fast.reference_path() if path == "reference" else contextlib.nullcontext():
        got = [call(zero, inf, reduction="none") for call in (loss.__call__, loss.gradient, loss.hessian)]
    np.testing.assert_array_equal(got[0], [np.inf, np.inf])
    np.testing.assert_array_equal(got[1], [1.0, -1.0])
    np.testing.assert_array_equal(got[2], [0.0, 0.0])
