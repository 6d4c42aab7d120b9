"""The catalog records: complete for every registered loss, and their claims true of the losses."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

import losskit as lk
from cases import SETTINGS, K, inputs, setting_id
from losskit._catalog import _TABLE, SMOOTHNESS, LossInfo

KINDS = {
    "values",
    "values > -1",
    "counts (y >= 0)",
    "rates (f >= 0)",
    "log-rates",
    "probabilities",
    "probabilities (labels in {0, 1} or soft targets in [0, 1])",
    "binary labels in {0, 1}",
    "binary labels in {0, 1} or {-1, +1}",
    "logits",
    "scores",
    "class labels (integers in [0, K))",
    "one-hot rows",
    "distributions (one-hot or soft rows)",
    "distributions (rows of probabilities)",
    "probability rows",
}


def test_the_table_has_one_record_per_registered_loss():
    assert set(_TABLE) == set(lk.names())


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_every_record_is_complete(loss):
    rec = lk.info(loss)
    assert isinstance(rec, LossInfo)
    cls = type(loss)
    assert (rec.name, rec.aliases, rec.task) == (cls.name, cls.aliases, cls.task)
    assert rec.setting == repr(loss)
    assert [(p.name, p.default, p.valid, p.doc) for p in rec.parameters] == [
        (p.name, p.default, p.valid, p.doc) for p in cls.parameters
    ]
    for field in dataclasses.fields(rec):
        value = getattr(rec, field.name)
        if isinstance(value, str):
            assert value.strip(), f"{loss!r}: empty {field.name}"
    for part in (rec.formula, rec.latex, rec.equivalents):
        assert all(getattr(part, f.name).strip() for f in dataclasses.fields(part)), (loss, part)
    assert rec.references and all(r.strip() for r in rec.references)
    assert rec.y_true in KINDS and rec.y_pred in KINDS
    assert rec.smoothness in SMOOTHNESS
    assert rec.link in ("identity", "sigmoid", "exp", "softmax")
    assert isinstance(rec.convex, bool) and isinstance(rec.robust, bool) and isinstance(rec.zero_hessian, bool)
    assert isinstance(rec.approx_hessian, bool) and (rec.approx_hessian or not rec.zero_hessian)
    json.dumps(rec.to_dict())  # plain data all the way down


def test_a_registered_loss_without_a_record_is_an_error_naming_it():
    from losskit._registry import _ALIASES, _LOSSES

    @lk.register
    class Quartic(lk.Loss):
        """r^4. Same as nothing."""

        name = "test_quartic"
        task = "regression"

    try:
        with pytest.raises(LookupError, match="'test_quartic' has no record"):
            lk.info("test_quartic")
    finally:
        del _LOSSES["test_quartic"], _ALIASES["test_quartic"]


def test_records_describe_the_setting_they_are_asked_for():
    assert lk.info("bce").y_pred == "probabilities" and lk.info("bce").link == "sigmoid"
    logits = lk.get("bce", from_logits=True)
    assert logits.info == lk.info(logits) == lk.info("log_loss", from_logits=True)
    assert logits.info.y_pred == "logits" and logits.info.link == "identity"
    assert logits.info.formula.value == lk.info("sigmoid_cross_entropy").formula.value
    assert lk.info("poisson", from_logits=True).y_pred == "log-rates"
    assert lk.info("focal", from_logits=True).convex is False
    assert lk.info("focal", from_logits=True, gamma=0.0).convex is True
    assert lk.info("l1").name == "mae" and lk.info("huber", delta=2.0).setting == "Huber(delta=2.0)"
    with pytest.raises(ValueError, match="unknown loss"):
        lk.info("crossentropy")


@pytest.mark.parametrize("name", lk.names())
def test_the_value_formula_is_the_loss_class_own(name):
    """Written once: the class's formula, unless the table splits a two-form one (poisson's rate / log-rate)."""
    own = type(lk.get(name)).formula
    if _TABLE[name]["formula"][0] is None:
        assert lk.info(name).formula.value == own
    else:
        assert lk.info(name).formula.value in own


def test_logit_form_is_the_from_logits_parameter():
    have = {n for n in lk.names() if lk.info(n).logit_form}
    assert have == {n for n in lk.names() if "from_logits" in lk.get(n).params or "from_logits" in lk.get(n).fixed}
    assert "sigmoid_cross_entropy" in have and "hinge" not in have


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_zero_hessian_is_what_the_hessian_returns(loss, rng):
    rec = loss.info
    if not rec.hessian_diagonal:
        with pytest.raises(NotImplementedError):
            loss.hessian(*inputs(loss, (50,), rng))
        assert not rec.zero_hessian
        return
    y, f = inputs(loss, (50, K) if loss.class_axis else (50,), rng)
    h = np.asarray(loss.hessian(y, f, reduction="none"))
    assert bool(np.all(h == 0.0)) == rec.zero_hessian
    if rec.zero_hessian:
        assert rec.smoothness == "C0"  # piecewise linear: a kink somewhere, nothing to curve


def _line(loss, rng):
    """Targets and predictions sweeping y_pred's whole domain (for curvature)."""
    n = 4001
    if loss.class_axis:
        y, f = inputs(loss, (n, K), rng)
        t = np.linspace(-12.0, 12.0, n)[:, None]
        if loss.info.y_pred in ("logits", "scores"):
            return y, f * np.abs(t)
        q = np.exp(t * np.log(np.clip(f, 1e-12, None)))
        return y, q / q.sum(-1, keepdims=True)
    y, _ = inputs(loss, (n,), rng)
    kind = loss.info.y_pred
    if kind == "probabilities":
        return y, np.linspace(1e-4, 1 - 1e-4, n)
    if kind == "rates (f >= 0)":
        return y, np.linspace(1e-3, 20.0, n)
    if kind == "values > -1":
        return y, np.linspace(-0.99, 60.0, n)
    return y, np.linspace(-15.0, 15.0, n)


@pytest.mark.parametrize("loss", [s for s in SETTINGS if s.hessian_diagonal], ids=setting_id)
def test_convexity_claims_hold_on_the_hessian(loss, rng):
    """Convex: no negative curvature anywhere on the sweep. Not convex: a point of negative curvature."""
    y, f = _line(loss, rng)
    h = np.asarray(loss.hessian(y, f, reduction="none"))
    scale = np.max(np.abs(h)) + 1.0
    if loss.info.convex:
        assert h.min() >= -1e-12 * scale
    else:
        assert h.min() < -1e-6


def _pull(loss, y, f):
    return np.abs(np.asarray(loss.gradient(y, f, reduction="sum"), dtype=float))


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_robustness_claims_hold_on_the_gradient(loss):
    """Bounded influence: a prediction far from its target pulls at most a bounded multiple of a near one."""
    if loss.params.get("eps") is not None:
        loss = loss.replace(eps=None)  # a large clip bounds every gradient; the claim is about the loss
    rec = loss.info
    if rec.task == "regression":
        far = {
            "values": [1.0 - 1e8, 1.0 + 1e8],
            "values > -1": [-1.0 + 1e-12, 1e8],
            "rates (f >= 0)": [1e-12, 1e8],
            "log-rates": [-30.0, 30.0],
        }[rec.y_pred]
        near = [0.9, 1.1] if rec.y_pred != "log-rates" else [np.log(0.9), np.log(1.1)]
        y = np.full(4, 4.0 if rec.y_pred == "log-rates" else 1.0)
        if rec.y_pred == "log-rates":
            near = [np.log(3.6), np.log(4.4)]
        g = _pull(loss, y, np.array(near + far))
        ratio = g[2:].max() / g[:2].min()
    else:
        # the true class's probability or score: a near miss (0.45) against confident mistakes
        p = np.array([0.45, 1e-12])
        logit = np.array([np.log(0.45 / 0.55), -1e6])  # a near miss, and a far one for scores
        pred_logits = rec.y_pred in ("logits", "scores")
        if rec.task == "binary":
            g = _pull(loss, np.ones(2), logit if pred_logits else p)
        else:
            q = np.column_stack([p, *([(1 - p) / (K - 1)] * (K - 1))])
            y = np.zeros(2, dtype=int) if loss.integer_labels else np.eye(K)[[0, 0]]
            s = np.column_stack([logit, np.zeros((2, K - 1))])
            g = _pull(loss, y, s if pred_logits else q)[:, 0]
        ratio = g[1] / g[0]
    if rec.robust:
        assert ratio < 100.0, ratio
    else:
        assert ratio > 1e3, ratio


@pytest.mark.parametrize("loss", [s for s in SETTINGS if s.hessian_diagonal], ids=setting_id)
def test_approx_hessian_claims_hold_on_the_derivatives(loss, rng):
    """A surrogate where the Hessian vanishes while the gradient does not, on a whole region of the sweep.

    There a Newton step (a booster's leaf value) would be sum(g) / 0; elsewhere the Hessian is 0 only
    where the gradient is too (a satisfied margin) or at isolated points.
    """
    if "from_logits" in loss.params and not loss.from_logits:
        loss = loss.replace(from_logits=True)  # boosters see the logit (log-rate) form
    rec = loss.info
    if loss.class_axis:  # the multiclass hinges (Hessian 0); the sweep's huge logits would underflow softmax
        assert rec.approx_hessian == rec.zero_hessian
        return
    y, f = _line(loss, rng)
    g, h = (np.asarray(a) for a in loss.gradient_and_hessian(y, f, reduction="none"))
    stuck = np.mean((h == 0.0) & (g != 0.0))
    if rec.approx_hessian:
        assert rec.zero_hessian or stuck > 0.01, stuck
    else:
        assert stuck < 0.001, stuck
