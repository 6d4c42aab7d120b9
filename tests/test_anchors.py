"""losskit against the anchor libraries' own functions: PyTorch and scikit-learn, random inputs."""

from __future__ import annotations

import numpy as np
import pytest

import losskit as lk

torch = pytest.importorskip("torch")
F = torch.nn.functional

DTYPES = ["float32", "float64"]
SHAPES = [(7,), (5, 4), (3, 4, 2)]
CLASS_SHAPES = [(6, 5), (2, 3, 5)]


def tol(dtype):
    return {"rtol": 2e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-11, "atol": 1e-13}


def t(a, grad=False):
    x = torch.from_numpy(np.ascontiguousarray(a))
    return x.requires_grad_(True) if grad else x


def check_value_and_gradient(loss, y, f, torch_fn, dtype, **kwargs):
    """Value and gradient of the mean equal torch's function and its autograd."""
    ft = t(f, grad=True)
    out = torch_fn(ft)
    out.backward()
    np.testing.assert_allclose(loss(y, f, **kwargs), out.detach().numpy(), **tol(dtype))
    np.testing.assert_allclose(loss.gradient(y, f, **kwargs), ft.grad.numpy(), **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_regression_against_torch(shape, dtype):
    rng = np.random.default_rng(1)
    y = rng.normal(size=shape).astype(dtype)
    f = (y + rng.normal(0, 2, shape)).astype(dtype)
    yt = t(y)
    check_value_and_gradient(lk.get("mse"), y, f, lambda x: F.mse_loss(x, yt), dtype)
    check_value_and_gradient(lk.get("mae"), y, f, lambda x: F.l1_loss(x, yt), dtype)
    for delta in (0.5, 1.0, 2.5):
        check_value_and_gradient(
            lk.get("huber", delta=delta), y, f, lambda x, d=delta: F.huber_loss(x, yt, delta=d), dtype
        )
    np.testing.assert_allclose(
        lk.mse(y, f, reduction="none"), F.mse_loss(t(f), yt, reduction="none").numpy(), **tol(dtype)
    )
    np.testing.assert_allclose(
        lk.mae(y, f, reduction="sum"), F.l1_loss(t(f), yt, reduction="sum").numpy(), **tol(dtype)
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_poisson_against_torch(shape, dtype):
    rng = np.random.default_rng(2)
    y = rng.poisson(3.0, shape).astype(dtype)
    log_rate = rng.normal(0.5, 1.0, shape).astype(dtype)
    rate = np.exp(log_rate).astype(dtype)
    yt = t(y)
    check_value_and_gradient(
        lk.get("poisson", from_logits=True),
        y,
        log_rate,
        lambda x: F.poisson_nll_loss(x, yt, log_input=True),
        dtype,
    )
    # torch adds eps inside the log for rates; with eps=0 it is the exact NLL
    check_value_and_gradient(
        lk.get("poisson"), y, rate, lambda x: F.poisson_nll_loss(x, yt, log_input=False, eps=0.0), dtype
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_binary_cross_entropy_against_torch(shape, dtype):
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, shape).astype(dtype)
    soft = rng.random(shape).astype(dtype)
    p = rng.uniform(0.01, 0.99, shape).astype(dtype)
    s = rng.normal(0, 3, shape).astype(dtype)
    w = rng.uniform(0.0, 2.0, shape).astype(dtype)
    for target in (y, soft):
        yt = t(target)
        check_value_and_gradient(lk.get("bce"), target, p, lambda x, yt=yt: F.binary_cross_entropy(x, yt), dtype)
        check_value_and_gradient(
            lk.get("bce", from_logits=True),
            target,
            s,
            lambda x, yt=yt: F.binary_cross_entropy_with_logits(x, yt),
            dtype,
        )
        for pw in (0.4, 3.0):
            pos = torch.tensor(pw, dtype=getattr(torch, dtype))
            check_value_and_gradient(
                lk.get("sigmoid_cross_entropy", pos_weight=pw),
                target,
                s,
                lambda x, yt=yt, pos=pos: F.binary_cross_entropy_with_logits(x, yt, pos_weight=pos),
                dtype,
            )
    # torch's elementwise weight= is sample_weight with reduction "none"/"sum" (torch's mean divides by n)
    got = lk.bce(y, s, from_logits=True, sample_weight=w, reduction="sum")
    ref = F.binary_cross_entropy_with_logits(t(s), t(y), weight=t(w), reduction="sum").numpy()
    np.testing.assert_allclose(got, ref, **tol(dtype))
    # a per-column pos_weight, as torch's multi-label use
    if len(shape) >= 2:
        pw = rng.uniform(0.5, 3.0, shape[-1])
        got = lk.bce(y, s, from_logits=True, pos_weight=pw, reduction="none")
        ref = F.binary_cross_entropy_with_logits(t(s), t(y), pos_weight=t(pw.astype(dtype)), reduction="none")
        np.testing.assert_allclose(got, ref.numpy(), **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", CLASS_SHAPES)
def test_cross_entropy_against_torch(shape, dtype):
    rng = np.random.default_rng(4)
    k = shape[-1]
    s = rng.normal(0, 3, shape).astype(dtype)
    labels = rng.integers(0, k, shape[:-1])
    onehot = np.eye(k, dtype=dtype)[labels]
    soft = rng.dirichlet(np.ones(k), shape[:-1]).astype(dtype)
    cw = rng.uniform(0.2, 3.0, k)

    def torch_ce(x, target, **kw):  # torch wants the class axis second
        x = torch.movedim(x, -1, 1)
        target = torch.movedim(target, -1, 1) if target.ndim == x.ndim else target
        return F.cross_entropy(x, target, **kw)

    lab = torch.from_numpy(labels)
    check_value_and_gradient(lk.get("nll", from_logits=True), labels, s, lambda x: torch_ce(x, lab), dtype)
    check_value_and_gradient(lk.get("softmax_cross_entropy"), onehot, s, lambda x: torch_ce(x, t(onehot)), dtype)
    check_value_and_gradient(lk.get("softmax_cross_entropy"), soft, s, lambda x: torch_ce(x, t(soft)), dtype)
    for ls in (0.1, 0.3):
        check_value_and_gradient(
            lk.get("nll", from_logits=True, label_smoothing=ls),
            labels,
            s,
            lambda x, ls=ls: torch_ce(x, lab, label_smoothing=ls),
            dtype,
        )
    weight = torch.from_numpy(cw.astype(dtype))
    check_value_and_gradient(
        lk.get("nll", from_logits=True, class_weight=cw),
        labels,
        s,
        lambda x: torch_ce(x, lab, weight=weight),
        dtype,
    )
    ignored = np.where(rng.random(shape[:-1]) < 0.3, -100, labels)
    ignored.flat[0] = labels.flat[0]
    check_value_and_gradient(
        lk.get("nll", from_logits=True, ignore_index=-100, class_weight=cw),
        ignored,
        s,
        lambda x: torch_ce(x, torch.from_numpy(ignored), weight=weight, ignore_index=-100),
        dtype,
    )
    # probabilities: torch's nll_loss on log-probabilities
    q = np.exp(s - s.max(-1, keepdims=True))
    q = (q / q.sum(-1, keepdims=True)).astype(dtype)
    check_value_and_gradient(
        lk.get("nll"), labels, q, lambda x: F.nll_loss(torch.movedim(torch.log(x), -1, 1), lab), dtype
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_kl_divergence_and_multi_margin_against_torch(dtype):
    rng = np.random.default_rng(5)
    p = rng.dirichlet(np.ones(5), 8).astype(dtype)
    s = rng.normal(0, 2, (8, 5)).astype(dtype)
    pt = t(p)
    # "batchmean" is the per-sample mean of KL, losskit's mean
    check_value_and_gradient(
        lk.get("kl_divergence", from_logits=True),
        p,
        s,
        lambda x: F.kl_div(F.log_softmax(x, -1), pt, reduction="batchmean"),
        dtype,
    )
    labels = rng.integers(0, 5, 8)
    for margin in (0.5, 1.0, 2.0):
        check_value_and_gradient(
            lk.get("multi_margin", margin=margin),
            labels,
            s,
            lambda x, m=margin: F.multi_margin_loss(x, torch.from_numpy(labels), margin=m),
            dtype,
        )


# -- scikit-learn -------------------------------------------------------------------------------


sk_metrics = pytest.importorskip("sklearn.metrics")


@pytest.mark.parametrize("dtype", DTYPES)
def test_regression_metrics_against_sklearn(dtype):
    rng = np.random.default_rng(6)
    y = rng.uniform(0.1, 5.0, 50).astype(dtype)
    f = rng.uniform(0.1, 5.0, 50).astype(dtype)
    w = rng.uniform(0.0, 2.0, 50).astype(dtype)
    pairs = [
        (lk.mse, sk_metrics.mean_squared_error, {}),
        (lk.rmse, sk_metrics.root_mean_squared_error, {}),
        (lk.mae, sk_metrics.mean_absolute_error, {}),
        (lk.msle, sk_metrics.mean_squared_log_error, {}),
        (lk.mape, sk_metrics.mean_absolute_percentage_error, {}),
    ]
    for ours, theirs, kw in pairs:
        for weight in (None, w):
            np.testing.assert_allclose(
                ours(y, f, sample_weight=weight, **kw), theirs(y, f, sample_weight=weight), **tol(dtype)
            )
    for q in (0.1, 0.5, 0.9):
        np.testing.assert_allclose(
            lk.quantile(y, f, quantile=q, sample_weight=w),
            sk_metrics.mean_pinball_loss(y, f, alpha=q, sample_weight=w),
            **tol(dtype),
        )


@pytest.mark.parametrize("dtype", DTYPES)
def test_classification_metrics_against_sklearn(dtype):
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 60)
    p = rng.uniform(0.01, 0.99, 60).astype(dtype)
    s = rng.normal(0, 2, 60).astype(dtype)
    w = rng.uniform(0.0, 2.0, 60)
    np.testing.assert_allclose(
        lk.log_loss(y, p, sample_weight=w), sk_metrics.log_loss(y, p, sample_weight=w), **tol(dtype)
    )
    np.testing.assert_allclose(
        lk.brier(y, p, sample_weight=w), sk_metrics.brier_score_loss(y, p, sample_weight=w), **tol(dtype)
    )
    np.testing.assert_allclose(
        lk.hinge(y, s, sample_weight=w), sk_metrics.hinge_loss(2 * y - 1, s, sample_weight=w), **tol(dtype)
    )
    k = 4
    labels = rng.integers(0, k, 60)
    q = rng.dirichlet(np.ones(k), 60).astype(dtype)
    np.testing.assert_allclose(
        lk.sparse_categorical_cross_entropy(labels, q, sample_weight=w),
        sk_metrics.log_loss(labels, q, sample_weight=w, labels=range(k)),
        **tol(dtype),
    )


def test_gradients_and_hessians_against_sklearn_losses():
    """scikit-learn's private loss objects give per-sample gradient and Hessian (raw-score space)."""
    sk_loss = pytest.importorskip("sklearn._loss.loss")
    rng = np.random.default_rng(8)
    n = 40
    raw = rng.normal(0, 2, n)
    y01 = rng.integers(0, 2, n).astype(float)
    counts = rng.poisson(2.0, n).astype(float)
    pairs = [
        (sk_loss.HalfBinomialLoss(), lk.get("bce", from_logits=True), y01),
        (sk_loss.HalfPoissonLoss(), lk.get("poisson", from_logits=True), counts),
        (sk_loss.ExponentialLoss(), lk.get("exponential"), y01),
        *(
            (sk_loss.PinballLoss(quantile=q), lk.get("quantile", quantile=q), raw + rng.normal(size=n))
            for q in (0.2, 0.8)
        ),
    ]
    for theirs, ours, y in pairs:
        g, h = theirs.gradient_hessian(y_true=y, raw_prediction=raw)
        np.testing.assert_allclose(
            ours(y, raw, reduction="none"), theirs.loss(y_true=y, raw_prediction=raw), rtol=1e-12
        )
        np.testing.assert_allclose(ours.gradient(y, raw, reduction="none"), g, rtol=1e-12, atol=1e-15)
        if not theirs.approx_hessian:  # sklearn's pinball Hessian is a constant 1 for boosting; ours is 0
            np.testing.assert_allclose(ours.hessian(y, raw, reduction="none"), h, rtol=1e-12, atol=1e-15)
    # multinomial: value, gradient and the Hessian diagonal p(1-p)
    k = 4
    raw_k = rng.normal(0, 2, (n, k))
    labels = rng.integers(0, k, n)
    multi = sk_loss.HalfMultinomialLoss(n_classes=k)
    g, h = multi.gradient_hessian(y_true=labels.astype(float), raw_prediction=raw_k)
    ours = lk.get("nll", from_logits=True)
    np.testing.assert_allclose(
        ours(labels, raw_k, reduction="none"),
        multi.loss(y_true=labels.astype(float), raw_prediction=raw_k),
        rtol=1e-12,
    )
    np.testing.assert_allclose(ours.gradient(labels, raw_k, reduction="none"), g, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ours.hessian(labels, raw_k, reduction="none"), h, rtol=1e-12, atol=1e-15)
