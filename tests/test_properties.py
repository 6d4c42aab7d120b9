"""Property tests (hypothesis): what must hold for every input, including extreme ones."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import losskit as lk
from cases import SETTINGS, setting_id

PROFILE = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
K = 5  # as in cases.py: the class_weight settings have 5 entries


@st.composite
def data_for(draw, loss: lk.Loss, dtype=np.float64, extreme: bool = True):
    """Valid ``(y_true, y_pred)`` for ``loss``: extreme magnitudes, exact 0/1 probabilities."""
    n = draw(st.integers(1, 12))
    big = 1e4 if extreme else 30.0

    def floats(lo, hi, **kw):
        lo, hi = float(dtype(lo)), float(dtype(hi))  # bounds the dtype can represent
        return hnp.arrays(dtype, n, elements=st.floats(lo, hi, width=np.finfo(dtype).bits, **kw))

    def class_rows(kind):
        if kind == "logits":
            return draw(hnp.arrays(dtype, (n, K), elements=st.floats(-big, big, width=np.finfo(dtype).bits)))
        raw = draw(hnp.arrays(np.float64, (n, K), elements=st.floats(0.0, 1.0)))
        # a probability below the clipping eps is 0 here: clipping q = 0 up to eps where p > 0 is
        # the contract's finite stand-in for an infinite KL, and may dip a hair below 0
        raw[raw < 1e-6] = 0.0
        raw[:, 0] += 1e-3  # never an all-zero row
        return (raw / raw.sum(-1, keepdims=True)).astype(dtype)

    name = loss.name
    if loss.class_axis:
        labels = draw(hnp.arrays(np.int64, n, elements=st.integers(0, K - 1)))
        logits = class_rows("logits")
        if name in ("multi_margin", "categorical_hinge"):
            return (labels if loss.integer_labels else np.eye(K, dtype=dtype)[labels]), logits
        pred = logits if loss.from_logits else class_rows("probs")
        if loss.integer_labels:
            return labels, pred
        target = class_rows("probs") if name == "kl_divergence" else np.eye(K, dtype=dtype)[labels]
        return target, pred
    labels01 = draw(hnp.arrays(dtype, n, elements=st.sampled_from([0.0, 1.0])))
    if loss.task == "binary":
        if getattr(
            loss,
            "from_logits",
            name not in ("brier",) and name in ("hinge", "squared_hinge", "modified_huber", "exponential"),
        ):
            return labels01, draw(floats(-big, big))
        return labels01, draw(floats(0.0, 1.0))
    if name == "poisson":
        y = draw(floats(0.0, 1e3 if extreme else 30.0))
        return y, draw(floats(-30.0, 30.0)) if loss.from_logits else draw(floats(0.0, 1e3))
    if name == "msle":
        return draw(floats(-0.999, 1e6 if extreme else 100.0)), draw(floats(-0.999, 1e6 if extreme else 100.0))
    lim = 1e6 if extreme else 100.0
    return draw(floats(-lim, lim)), draw(floats(-lim, lim))


NONNEGATIVE = [loss for loss in SETTINGS if loss.name != "poisson"]


@pytest.mark.parametrize("loss", NONNEGATIVE, ids=setting_id)
@PROFILE
@given(data=st.data())
def test_nonnegative_and_never_nan(loss, data):
    y, f = data.draw(data_for(loss))
    v = np.asarray(loss(y, f, reduction="none"))
    assert not np.isnan(v).any()
    assert (v >= 0).all()
    assert not np.isnan(loss.gradient(y, f, reduction="none")).any()
    if loss.hessian_diagonal:
        assert not np.isnan(loss.hessian(y, f, reduction="none")).any()


@PROFILE
@given(data=st.data())
def test_poisson_is_bounded_below_by_its_minimum_at_f_equal_y(data):
    """f - y log f >= y - y log y: the NLL (without log y!) is minimised at the observed count."""
    loss = lk.get("poisson")
    y, f = data.draw(data_for(loss, extreme=False))
    assume(np.all(f > 0))
    v = loss(y, f, reduction="none")
    floor = loss(y, np.maximum(y, 1e-300), reduction="none")
    assert np.all(v >= floor - 1e-9 * np.maximum(1.0, np.abs(floor)))


PERFECT = [
    lk.get(n) for n in ("mse", "rmse", "mae", "huber", "pseudo_huber", "log_cosh", "quantile", "msle", "mape", "brier")
] + [
    lk.get("kl_divergence"),
    lk.get("binary_cross_entropy", eps=0.0),
    lk.get("binary_focal", eps=0.0),
    lk.get("categorical_cross_entropy", eps=0.0),
]


@pytest.mark.parametrize("loss", PERFECT, ids=setting_id)
@PROFILE
@given(data=st.data())
def test_zero_loss_at_a_perfect_prediction(loss, data):
    y, _ = data.draw(data_for(loss))
    assert np.all(np.asarray(loss(y, y, reduction="none")) == 0.0)
    if loss.name in (
        "mse",
        "huber",
        "pseudo_huber",
        "log_cosh",
        "msle",
        "brier",
        "mae",
    ):  # smooth (or sign(0) = 0)
        assert np.all(np.asarray(loss.gradient(y, y, reduction="none")) == 0.0)


@pytest.mark.parametrize("loss", [s for s in SETTINGS if s.name != "rmse"], ids=setting_id)
@PROFILE
@given(data=st.data())
def test_sum_is_mean_times_n(loss, data):
    y, f = data.draw(data_for(loss, extreme=False))
    n = np.asarray(loss(y, f, reduction="none")).size
    if loss.params.get("ignore_index") is not None or loss.params.get("class_weight") is not None:
        return
    total, mean = loss(y, f, reduction="sum"), loss(y, f)
    assert total == pytest.approx(mean * n, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
@PROFILE
@given(data=st.data())
def test_unit_weights_equal_no_weights_and_integer_weights_repeat_rows(loss, data):
    y, f = data.draw(data_for(loss, extreme=False))
    n = f.shape[0]
    assert loss(y, f, sample_weight=np.ones(n)) == loss(y, f)
    counts = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, 3)))
    assume(counts.sum() > 0)
    if loss.params.get("ignore_index") is not None or loss.params.get("class_weight") is not None:
        return
    expected = loss(np.repeat(y, counts, axis=0), np.repeat(f, counts, axis=0))
    assert loss(y, f, sample_weight=counts) == pytest.approx(expected, rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
@PROFILE
@given(data=st.data())
def test_float32_is_close_to_float64_for_moderate_inputs(loss, data):
    y, f = data.draw(data_for(loss, dtype=np.float32, extreme=False))
    eps = float(np.finfo(np.float32).eps)
    if loss.name == "mape":  # divides by max(|y|, dtype eps): the eps differs between the dtypes
        y = np.where(np.abs(y) < 1e-6, np.float32(1.0), y)
    # the default clipping eps is the dtype's: clip the float64 reference at float32's
    ref_loss = loss.replace(eps=eps) if "eps" in loss.params and loss.params["eps"] is None else loss
    y64 = y if loss.integer_labels else y.astype(np.float64)
    ref = np.asarray(ref_loss(y64, f.astype(np.float64), reduction="none", validate=False))
    got = np.asarray(loss(y, f, reduction="none"), dtype=np.float64)
    finite = np.isfinite(ref)  # e.g. a Poisson rate of 0 for a positive count: inf in both dtypes
    np.testing.assert_array_equal(got[~finite], ref[~finite])
    scale = max(1.0, float(np.max(np.abs(ref[finite]))) if finite.any() else 1.0)
    np.testing.assert_allclose(got[finite], ref[finite], rtol=16 * eps, atol=16 * eps * scale)


# -- the value screen (_base._surely_inside) ----------------------------------------------------

SCREENED_DOMAINS = [
    "real",
    "logits",
    "finite",
    "nonnegative",
    "gt_minus_one",
    "probability",
    "distribution",
    "binary",
    "onehot",
    "margin_labels",
]
_SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.0, 1e-300, -1e-300, 5e-324, 1e38, 1e308, -1e308]
_SPECIAL += [math.nextafter(1.0, 2.0), math.nextafter(0.0, -1.0), math.nextafter(-1.0, 0.0), -0.9999999]
_SPECIAL += [math.nan, math.inf, -math.inf]


@st.composite
def screened_arrays(draw, dtype):
    values = st.one_of(st.sampled_from(_SPECIAL), st.floats(allow_nan=True, allow_infinity=True))
    n = draw(st.integers(1, 40))
    with np.errstate(over="ignore"):  # 1e308 in float32 is inf: one more special value
        return np.array(draw(st.lists(values, min_size=n, max_size=n)), dtype=np.float64).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("domain", SCREENED_DOMAINS)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_value_screen_never_passes_a_value_the_masks_reject(domain, dtype, data):
    """The cheap screen (sums, min, max) may say "look closer" for good data, never "fine" for bad."""
    from losskit._base import _surely_inside, _violations

    x = data.draw(screened_arrays(dtype))
    for arg in ("y_pred",) if domain == "logits" else ("y_true", "y_pred"):  # logits: predictions only
        bad = _violations(domain, x, np, arg)
        with np.errstate(all="ignore"):
            inside = _surely_inside(domain, x, np, arg)
        if inside:
            assert bad is None or not bool(np.any(bad)), (domain, arg, x)


@pytest.mark.parametrize("domain", SCREENED_DOMAINS)
def test_the_value_screen_passes_typical_good_data(domain, rng):
    """The screen's point: ordinary valid arrays are cleared without the masks (on NumPy and torch)."""
    from losskit._base import _surely_inside

    good = {
        "real": rng.normal(size=1000),
        "logits": rng.normal(size=1000) * 30,
        "finite": rng.normal(size=1000),
        "nonnegative": rng.exponential(size=1000),
        "gt_minus_one": rng.uniform(-0.999, 5.0, size=1000),
        "probability": rng.uniform(size=1000),
        "distribution": rng.uniform(size=1000),
        "binary": (rng.uniform(size=1000) < 0.5).astype(float),
        "onehot": (rng.uniform(size=1000) < 0.5).astype(float),
        "margin_labels": np.where(rng.uniform(size=1000) < 0.5, -1.0, 1.0),
    }[domain]
    assert _surely_inside(domain, good, np, "y_true")
    torch = pytest.importorskip("torch")
    import array_api_compat

    t = torch.from_numpy(good)
    assert _surely_inside(domain, t, array_api_compat.array_namespace(t), "y_true")
    bad = t.clone()
    bad[500] = math.nan
    assert not _surely_inside(domain, bad, array_api_compat.array_namespace(t), "y_true")
