"""The information view: units, entropy, H(p, q) = H(p) + KL(p || q), perplexity, likelihoods, describe."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from scipy import optimize, special, stats

import losskit as lk
from conftest import backend

EPS = np.finfo(np.float64).eps


def test_bits_and_nats():
    assert lk.to_bits(math.log(2.0)) == 1.0 and lk.to_nats(1.0) == math.log(2.0)
    x = np.array([0.0, 1.0, 7.5])
    np.testing.assert_allclose(lk.to_nats(lk.to_bits(x)), x, rtol=1e-15)
    assert float(lk.to_bits(lk.binary_cross_entropy([1.0], [0.5]))) == pytest.approx(1.0, rel=1e-15)  # a fair coin
    with pytest.raises(TypeError, match="`nats` must hold real numbers"):
        lk.to_bits(np.array(["a"]))


def test_entropy(rng):
    assert float(lk.entropy(np.full(8, 1 / 8))) == pytest.approx(math.log(8), rel=1e-15)
    assert float(lk.entropy([0.0, 1.0, 0.0])) == 0.0  # 0 log 0 = 0
    p = rng.dirichlet(np.ones(6), size=(3, 4))
    np.testing.assert_allclose(lk.entropy(p), stats.entropy(p, axis=-1), rtol=1e-13)
    assert lk.entropy(p).shape == (3, 4)
    with pytest.raises(ValueError, match="sum to 1"):
        lk.entropy([0.5, 0.6])
    with pytest.raises(ValueError, match=r"`p` must be probabilities in \[0, 1\]"):
        lk.entropy([1.5, -0.5])


@pytest.mark.parametrize("from_logits", [False, True])
def test_cross_entropy_is_entropy_plus_kl_exactly_to_rounding(from_logits, rng):
    p = rng.dirichlet(np.full(10, 0.3), size=500)
    p[:50, :3] = 0.0  # zero targets: their terms are 0 whatever q is
    p /= p.sum(-1, keepdims=True)
    q = rng.dirichlet(np.full(10, 0.5), size=500)
    arg = np.log(q) + rng.normal(size=(500, 1)) if from_logits else q  # logits up to a shift per row
    h, kl, ce = lk.cross_entropy_decomposition(p, arg, from_logits=from_logits)
    assert h.shape == kl.shape == ce.shape == (500,)
    np.testing.assert_array_less(np.abs(ce - (h + kl)), 8 * EPS * np.maximum(ce, 1.0))
    assert np.all(kl >= -8 * EPS)
    # each term against the losses (and scipy) computed independently
    np.testing.assert_allclose(h, stats.entropy(p, axis=-1), rtol=1e-12)
    kw = {"from_logits": True} if from_logits else {"eps": 0.0}
    np.testing.assert_allclose(kl, lk.kl_divergence(p, arg, reduction="none", **kw), rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(ce, lk.cross_entropy(p, arg, reduction="none", **kw), rtol=1e-12)
    np.testing.assert_allclose(kl, special.rel_entr(p, q).sum(-1), rtol=1e-10, atol=1e-14)


def test_decomposition_of_a_perfect_and_of_an_impossible_prediction():
    p = np.array([0.2, 0.8, 0.0])
    h, kl, ce = lk.cross_entropy_decomposition(p, p)
    assert float(kl) == 0.0 and float(ce) == float(h)
    h, kl, ce = lk.cross_entropy_decomposition(p, [0.0, 1.0, 0.0])  # p_0 > 0 but q_0 = 0
    assert float(kl) == math.inf and float(ce) == math.inf and math.isfinite(float(h))
    with pytest.raises(ValueError, match="same shape"):
        lk.cross_entropy_decomposition(p, [0.5, 0.5])


def test_perplexity(rng):
    assert lk.perplexity(lk.entropy(np.full(5, 0.2))) == pytest.approx(5.0, rel=1e-14)
    labels = rng.integers(0, 7, 300)
    logits = rng.normal(size=(300, 7))
    nats = lk.sparse_categorical_cross_entropy(labels, logits, from_logits=True, reduction="none")
    assert float(lk.perplexity(nats)) == pytest.approx(math.exp(nats.mean()), rel=1e-14)
    w = rng.uniform(0, 2, 300)
    assert float(lk.perplexity(nats, sample_weight=w)) == pytest.approx(math.exp(np.average(nats, weights=w)))
    np.testing.assert_allclose(lk.perplexity(nats, reduction="none"), np.exp(nats))
    uniform = np.zeros((300, 7))  # a model that knows nothing is as perplexed as there are classes
    assert float(lk.perplexity(lk.nll(labels, uniform, from_logits=True, reduction="none"))) == pytest.approx(7.0)
    assert lk.perplexity(1e4) == math.inf
    with pytest.raises(ValueError, match="reduction"):
        lk.perplexity(nats, reduction="sum")


def test_gaussian_nll_is_mse_scaled_plus_a_constant(rng):
    y, f = rng.normal(size=200), rng.normal(size=200)
    for sigma in (0.3, 1.0, 4.0):
        expected = lk.mse(y, f) / (2 * sigma**2) + math.log(sigma * math.sqrt(2 * math.pi))
        assert float(lk.gaussian_nll(y, f, sigma)) == pytest.approx(expected, rel=1e-14)
        np.testing.assert_allclose(lk.gaussian_nll(y, f, sigma, reduction="none"), -stats.norm.logpdf(y, f, sigma))
    sigmas = rng.uniform(0.5, 2.0, 200)  # heteroscedastic
    np.testing.assert_allclose(
        lk.gaussian_nll(y, f, sigmas, reduction="none"), -stats.norm.logpdf(y, f, sigmas), rtol=1e-13
    )


def test_laplace_nll_is_mae_scaled_plus_a_constant(rng):
    y, f = rng.normal(size=200), rng.normal(size=200)
    for b in (0.3, 1.0, 4.0):
        assert float(lk.laplace_nll(y, f, b)) == pytest.approx(lk.mae(y, f) / b + math.log(2 * b), rel=1e-14)
        np.testing.assert_allclose(lk.laplace_nll(y, f, b, reduction="none"), -stats.laplace.logpdf(y, f, b))


def _argmin(cost, y):
    return optimize.minimize_scalar(cost, bounds=(y.min(), y.max()), method="bounded", options={"xatol": 1e-10}).x


def test_the_likelihoods_are_minimised_where_mse_and_mae_are(rng):
    y = rng.standard_t(3, size=101)
    w = rng.uniform(0.5, 2.0, 101)
    for sigma in (0.5, 2.0):
        m = _argmin(lambda c, s=sigma: float(lk.gaussian_nll(y, np.full(101, c), s, sample_weight=w)), y)
        assert m == pytest.approx(_argmin(lambda c: float(lk.mse(y, np.full(101, c), sample_weight=w)), y), abs=1e-7)
        assert m == pytest.approx(float(lk.best_constant("mse", y, w)), abs=1e-7)  # the mean
    for b in (0.5, 2.0):
        m = _argmin(lambda c, b=b: float(lk.laplace_nll(y, np.full(101, c), b)), y)
        assert m == pytest.approx(np.median(y), abs=1e-7)
        assert m == pytest.approx(float(lk.best_constant("mae", y)), abs=1e-7)


def test_cross_entropies_are_bernoulli_categorical_and_poisson_nlls(rng):
    y = rng.integers(0, 2, 100).astype(float)
    p = rng.uniform(0.01, 0.99, 100)
    np.testing.assert_allclose(lk.bce(y, p, reduction="none"), -stats.bernoulli.logpmf(y, p), rtol=1e-13)
    labels = rng.integers(0, 4, 100)
    q = rng.dirichlet(np.ones(4), 100)
    onehot = np.eye(4)[labels]
    categorical = -np.array([stats.multinomial.logpmf(o, 1, r) for o, r in zip(onehot, q, strict=True)])
    np.testing.assert_allclose(lk.cce(onehot, q, reduction="none"), categorical, rtol=1e-12)
    np.testing.assert_allclose(lk.nll(labels, q, reduction="none"), categorical, rtol=1e-12)
    counts = rng.poisson(3.0, 100).astype(float)
    rate = rng.uniform(0.5, 6.0, 100)
    np.testing.assert_allclose(
        lk.poisson(counts, rate, reduction="none") + special.gammaln(counts + 1),
        -stats.poisson.logpmf(counts, rate),
        rtol=1e-12,
    )


def test_likelihood_inputs_are_checked():
    with pytest.raises(ValueError, match="`sigma` must be positive and finite"):
        lk.gaussian_nll([1.0], [2.0], 0.0)
    with pytest.raises(ValueError, match="`scale` must be a number or an array of the shape"):
        lk.laplace_nll([1.0, 2.0], [2.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="same shape"):
        lk.gaussian_nll([1.0, 2.0], [2.0], 1.0)


@pytest.mark.parametrize("name", ["array_api_strict", "torch"])
def test_the_information_view_answers_in_the_inputs_library(name, rng):
    xp = backend(name)
    p, q = rng.dirichlet(np.ones(4), 6), rng.dirichlet(np.ones(4), 6)
    out = lk.cross_entropy_decomposition(xp.asarray(p), xp.asarray(q))
    for got, want in zip(out, lk.cross_entropy_decomposition(p, q), strict=True):
        assert xp.is_native(got)
        np.testing.assert_allclose(xp.numpy(got), want, rtol=1e-14)
    h = lk.entropy(xp.asarray(p))
    assert xp.is_native(h) and xp.is_native(lk.to_bits(h))
    y, f = rng.normal(size=5), rng.normal(size=5)
    g = lk.gaussian_nll(xp.asarray(y), xp.asarray(f), 2.0)
    assert xp.is_native(g) and float(xp.numpy(g)) == pytest.approx(float(lk.gaussian_nll(y, f, 2.0)), rel=1e-14)


@pytest.mark.parametrize("name", lk.names())
def test_describe_is_built_from_the_record(name, capsys):
    text = lk.describe(name)
    assert capsys.readouterr().out == text + "\n"
    rec = lk.info(name)
    flat = " ".join(text.split())
    for part in (rec.formula.value, rec.likelihood, rec.robustness, rec.equivalents.pytorch, rec.references[0]):
        assert " ".join(part.split()) in flat, part
    assert ("the Hessian is 0 almost everywhere" in flat) == rec.zero_hessian


def test_describe_computes_how_hard_a_wrong_confident_prediction_is_pushed():
    def flat(text):
        return " ".join(text.split())

    bce = flat(lk.describe("bce", file=None))
    # gradient -1/p: 1/0.01 = 100 against 1/0.49 = 2.04, 49 times; -log(0.49) + log(0.51) = 0.04001
    assert "0.01: loss 4.605, gradient 100." in bce and "pushed 49 times as hard" in bce
    assert "lowers the loss by 0.04001" in bce
    assert "pushed just as hard" in flat(lk.describe("hinge", file=None))
    assert "pulls 10,000 times as hard" in flat(lk.describe("mse", file=None))
    assert "pulls 10 times as hard" in flat(lk.describe("huber", file=None))  # 0.1 against the cap delta = 1
    assert "pulls 2 times as hard" in flat(lk.describe("huber", delta=0.2, file=None))
    logits = flat(lk.describe(lk.get("bce", from_logits=True), file=None))
    assert "y_pred: logits" in logits and "pushed 1.94 times as hard" in logits  # 0.99 / 0.51


def test_describe_prints_where_asked_and_refuses_unknown_names():
    buf = io.StringIO()
    text = lk.describe("mae", file=buf)
    assert buf.getvalue() == text + "\n" and text.startswith("mae: regression loss  (aliases: l1,")
    with pytest.raises(ValueError, match="unknown loss 'maee'"):
        lk.describe("maee")
