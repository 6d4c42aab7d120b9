"""The plots: the data drawn are the losses' values and gradients, and the figures render."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest

import losskit as lk

pytest.importorskip("matplotlib")
from matplotlib.image import imread


def _lines(ax):
    return {line.get_gid(): line for line in ax.get_lines() if line.get_gid()}


def _rendered(fig) -> np.ndarray:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    buf.seek(0)
    return imread(buf)


def _assert_not_blank(fig):
    img = _rendered(fig)
    assert img.shape[0] > 100 and img.shape[1] > 100
    ink = np.any(img[..., :3] < 0.9, axis=-1)
    assert 0.01 < ink.mean() < 0.6, ink.mean()  # drawn on, not a solid block
    colour = np.ptp(img[..., :3], axis=-1) > 0.2
    assert colour.mean() > 0.002  # coloured curves, not only axes


def test_regression_curves_are_the_losses_and_their_gradients():
    names = ["mse", "mae", "huber", "pseudo_huber", "log_cosh"]
    fig = lk.plot.curves(names, derivative=True)
    values, slopes = fig.axes[0], fig.axes[1]
    assert values.get_xlabel() == "residual r = f - y" and values.get_ylabel() == "loss"
    assert slopes.get_ylabel() == "d loss / d r" and values.get_title() and values.get_legend() is not None
    drawn, derivs = _lines(values), _lines(slopes)
    assert set(drawn) == set(derivs) == set(names)
    r = drawn["mse"].get_xdata()
    assert r.min() < -2.9 and r.max() > 2.9
    np.testing.assert_allclose(drawn["mse"].get_ydata(), r**2, rtol=1e-14)
    np.testing.assert_allclose(derivs["mse"].get_ydata(), 2 * r, rtol=1e-14)
    np.testing.assert_allclose(drawn["mae"].get_ydata(), np.abs(r))
    np.testing.assert_allclose(derivs["huber"].get_ydata(), np.clip(r, -1, 1))
    for name in names:
        loss = lk.get(name)
        np.testing.assert_array_equal(drawn[name].get_ydata(), loss(np.zeros_like(r), r, reduction="none"))
        np.testing.assert_array_equal(derivs[name].get_ydata(), loss.gradient(np.zeros_like(r), r, reduction="none"))
    _assert_not_blank(fig)


def test_binary_curves_against_the_margin_with_the_zero_one_loss():
    losses = ["hinge", "squared_hinge", lk.get("logistic", from_logits=True), "exponential", "modified_huber"]
    fig = lk.plot.curves(losses, derivative=True)
    drawn = _lines(fig.axes[0])
    assert set(drawn) == {
        "hinge",
        "squared_hinge",
        "binary_cross_entropy (from_logits=True)",
        "exponential",
        "modified_huber",
        "0-1 loss",
    }
    z = drawn["hinge"].get_xdata()
    np.testing.assert_allclose(drawn["hinge"].get_ydata(), np.maximum(0, 1 - z))
    np.testing.assert_allclose(drawn["exponential"].get_ydata(), np.exp(-z), rtol=1e-15)
    np.testing.assert_allclose(drawn["binary_cross_entropy (from_logits=True)"].get_ydata(), np.log1p(np.exp(-z)))
    np.testing.assert_array_equal(drawn["0-1 loss"].get_ydata(), (z < 0).astype(float))
    np.testing.assert_allclose(_lines(fig.axes[1])["exponential"].get_ydata(), -np.exp(-z), rtol=1e-15)
    assert "margin" in fig.axes[0].get_xlabel()
    _assert_not_blank(fig)


def test_cross_entropy_against_the_probability_of_the_true_class():
    fig = lk.plot.curves(["bce", "cce", "brier"], derivative=True)
    drawn, derivs = _lines(fig.axes[0]), _lines(fig.axes[1])
    p = drawn["binary_cross_entropy"].get_xdata()
    assert p.min() < 0.01 and p.max() > 0.99
    np.testing.assert_allclose(drawn["binary_cross_entropy"].get_ydata(), -np.log(p), rtol=1e-13)
    np.testing.assert_allclose(drawn["categorical_cross_entropy"].get_ydata(), -np.log(p), rtol=1e-13)
    np.testing.assert_allclose(derivs["binary_cross_entropy"].get_ydata(), -1 / p, rtol=1e-12)
    np.testing.assert_allclose(derivs["categorical_cross_entropy"].get_ydata(), -1 / p, rtol=1e-12)  # along (p, 1-p)
    np.testing.assert_allclose(drawn["brier"].get_ydata(), (p - 1) ** 2, rtol=1e-13)
    high = fig.axes[0].get_ylim()[1]
    assert high > -np.log(0.01)  # the steep part near 0 is in view
    _assert_not_blank(fig)


def test_mixed_losses_get_one_column_per_axis():
    fig = lk.plot.curves(["mse", "poisson", "hinge", "bce", lk.get("poisson", from_logits=True)], target=3.0)
    assert len(fig.axes) == 5
    labels = [ax.get_xlabel() for ax in fig.axes]
    assert "prediction f (target y = 3)" in labels and "log-rate s (target count y = 3)" in labels
    poisson = _lines(fig.axes[labels.index("prediction f (target y = 3)")])["poisson"]
    f = poisson.get_xdata()
    np.testing.assert_allclose(poisson.get_ydata(), f - 3.0 * np.log(f), rtol=1e-13)
    params = lk.plot.curves(lk.get("huber", delta=2.0))
    assert set(_lines(params.axes[0])) == {"huber (delta=2.0)"}
    assert _lines(params.axes[0])["huber (delta=2.0)"].get_xdata().max() == pytest.approx(6.0)


def test_outliers_track_the_best_constant():
    base = np.array([-1.0, 0.0, 0.5, 2.0])
    fig = lk.plot.outliers(["mse", "mae", "huber"], y=base, outlier=(0.0, 100.0), points=51)
    left, right = fig.axes
    track = _lines(right)
    v = track["mse"].get_xdata()
    np.testing.assert_allclose(track["mse"].get_ydata(), (base.sum() + v) / 5, rtol=1e-13)
    np.testing.assert_allclose(track["mae"].get_ydata(), [np.median(np.append(base, x)) for x in v])
    huber = track["huber"].get_ydata()
    assert np.ptp(huber[v > 10]) < 1e-9  # bounded influence: a far outlier no longer moves it
    fitted = _lines(left)
    assert fitted["mse"].get_xdata()[0] == pytest.approx((base.sum() + 100.0) / 5)
    assert right.get_xlabel() == "value of the outlier" and right.get_ylabel() == "best constant"
    _assert_not_blank(fig)


def test_bad_arguments():
    with pytest.raises(ValueError, match="`losses` is empty"):
        lk.plot.curves([])
    with pytest.raises(ValueError, match="regression losses; 'hinge' is a binary loss"):
        lk.plot.outliers(["mse", "hinge"])
    with pytest.raises(ValueError, match="unknown loss"):
        lk.plot.curves(["msee"])


def test_without_matplotlib_the_error_names_the_extra():
    code = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['matplotlib.figure'] = None\n"
        "import losskit as lk\n"
        "try:\n    lk.plot.curves('mse')\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'losskit[plot]'" in out.stdout


def test_importing_the_plot_module_does_not_import_matplotlib():
    code = "import sys, losskit as lk; lk.plot; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_history_draws_each_estimators_cost_at_every_iteration():
    pytest.importorskip("sklearn")
    from losskit.linear_model import LossRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = X @ [1.0, -2.0] + 0.5 + rng.normal(0, 0.1, 80)
    fits = [LossRegressor(loss=name, solver="gd").fit(X, y) for name in ("mse", "mae")]
    huber = LossRegressor(loss="huber", loss_params={"delta": 1.35}).fit(X, y)
    ax = lk.plot.history([*fits, huber])
    lines = _lines(ax)
    assert set(lines) == {"mse, gd", "mae, gd", "huber (delta=1.35), lbfgs"}
    for est, name in zip([*fits, huber], ["mse, gd", "mae, gd", "huber (delta=1.35), lbfgs"], strict=True):
        np.testing.assert_array_equal(lines[name].get_ydata(), est.history_)
        np.testing.assert_array_equal(lines[name].get_xdata(), np.arange(est.n_iter_ + 1))
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "iteration" and ax.get_legend() is not None
    _assert_not_blank(ax.figure)
    from matplotlib.figure import Figure

    mine = Figure().add_subplot()
    assert lk.plot.history(huber, mine, labels=["robust"], log=False) is mine
    assert set(_lines(mine)) == {"robust"} and mine.get_yscale() == "linear"
    with pytest.raises(ValueError, match="has no `history_`"):
        lk.plot.history(LossRegressor())
