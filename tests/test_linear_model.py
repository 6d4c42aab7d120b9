"""losskit.linear_model: scikit-learn's own estimator checks, agreement with scikit-learn's linear models
on its bundled data sets, the solvers, and the errors."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

import losskit as lk

pytest.importorskip("sklearn")
pytest.importorskip("scipy")
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, PoissonRegressor, QuantileRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from losskit.linear_model import LossClassifier, LossRegressor
from losskit.linear_model._objective import LinearObjective

REGRESSION_LOSSES = ("mse", "huber", "quantile", "poisson", "log_cosh", "mae")
CLASSIFICATION_LOSSES = (
    "binary_cross_entropy",
    "squared_hinge",
    "hinge",
    "softmax_cross_entropy",
    "multi_margin",
    "modified_huber",
    "brier",
)
_FLAT = (
    "piecewise-linear loss: the minimiser is not unique on these 15 samples of 30 features (a flat optimum "
    "of a linear program), and the weighted and the repeated fit stop at different points of it"
)
_ZERO_CURVATURE = (
    "the loss's Hessian is 0 beyond the margin: on these separable data only alpha=1e-4 curves the cost, so "
    "a stop within tol of a zero gradient leaves the decision values 1e-5 to 1e-3 apart, not within rtol 1e-7"
)
_WEIGHT_CHECK = "check_sample_weight_equivalence_on_dense_data"
EXPECTED_FAILURES = {"quantile": _FLAT, "hinge": _FLAT, "multi_margin": _FLAT}
EXPECTED_FAILURES |= {"squared_hinge": _ZERO_CURVATURE, "modified_huber": _ZERO_CURVATURE}


def _expected_failures(estimator):
    reason = EXPECTED_FAILURES.get(estimator.loss)
    return {_WEIGHT_CHECK: reason} if reason else {}


@parametrize_with_checks(
    [LossRegressor(loss=name) for name in REGRESSION_LOSSES]
    + [LossClassifier(loss=name) for name in CLASSIFICATION_LOSSES],
    expected_failed_checks=_expected_failures,
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


# -- agreement with scikit-learn on its bundled data ----------------------------------------------


@pytest.fixture(scope="module")
def diabetes():
    return datasets.load_diabetes(return_X_y=True)


@pytest.fixture(scope="module")
def cancer():
    X, y = datasets.load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _relative(a, b):
    return float(np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b)))


@pytest.mark.parametrize(("solver", "tol", "within"), [("newton", 1e-10, 1e-10), ("lbfgs", 1e-10, 1e-6)])
def test_mse_is_least_squares(diabetes, solver, tol, within):
    X, y = diabetes
    ours = LossRegressor(loss="mse", solver=solver, tol=tol).fit(X, y)
    ref = LinearRegression().fit(X, y)
    assert _relative(ours.coef_, ref.coef_) < within
    assert abs(ours.intercept_ - ref.intercept_) / abs(ref.intercept_) < within
    assert ours.history_[-1] == pytest.approx(lk.mse(y, ref.predict(X)), rel=1e-9)


@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
def test_penalised_binary_cross_entropy_is_logistic_regression(cancer, solver):
    """LogisticRegression minimises C sum(log loss) + ||w||^2 / 2: over C n, our mean cost with alpha = 1/(C n)."""
    X, y = cancer
    C = 0.5
    ref = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
    ours = LossClassifier(loss="binary_cross_entropy", alpha=1 / (C * len(y)), solver=solver, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("loader", [datasets.load_iris, datasets.load_digits], ids=["iris", "digits"])
def test_softmax_cross_entropy_is_multinomial_logistic_regression(loader):
    X, y = loader(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ref = LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(X, y)
    ours = LossClassifier(loss="softmax_cross_entropy", alpha=1 / len(y), tol=1e-10).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-5)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_quantile_reaches_the_linear_programs_minimum(diabetes):
    """QuantileRegressor solves the linear program exactly (HiGHS); its minimiser need not be unique, its value is."""
    X, y = diabetes
    q90 = lk.get("quantile", quantile=0.9)
    ref = QuantileRegressor(quantile=0.9, alpha=0.0, solver="highs").fit(X, y)
    ours = LossRegressor(loss=q90, max_iter=10_000).fit(X, y)
    best = float(q90(y, ref.predict(X)))
    assert float(q90(y, ours.predict(X))) == pytest.approx(best, rel=1e-6)
    assert ours.history_[-1] == pytest.approx(best, rel=1e-6)


def test_poisson_on_log_rates_is_poisson_regression(diabetes):
    """PoissonRegressor's half deviance differs from exp(s) - y s by terms free of s: the same minimiser."""
    X, y = diabetes
    y = y / 100
    ref = PoissonRegressor(alpha=0.0, tol=1e-12, max_iter=10_000).fit(X, y)
    ours = LossRegressor(loss="poisson", loss_params={"from_logits": True}, tol=1e-10).fit(X, y)
    assert _relative(ours.coef_, ref.coef_) < 1e-6
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-7)


def test_squared_hinge_reaches_linear_svcs_objective(cancer):
    """LinearSVC minimises ||w||^2 / 2 + C sum(squared hinge), the intercept penalised as a weight on a
    constant feature (intercept_scaling). Both fit here without an intercept on X plus a column of ones, so
    that both penalise it; divided by C n, LinearSVC's objective is our mean cost with alpha = 1 / (C n)."""
    X, y = cancer
    X1 = np.hstack([X, np.ones((len(y), 1))])
    C = 1.0
    alpha = 1 / (C * len(y))
    ref = LinearSVC(C=C, loss="squared_hinge", fit_intercept=False, tol=1e-12, max_iter=100_000).fit(X1, y)
    ours = LossClassifier(loss="squared_hinge", alpha=alpha, fit_intercept=False, tol=1e-10).fit(X1, y)

    def cost(w):
        return float(lk.squared_hinge(y, X1 @ w)) + alpha / 2 * float(w @ w)

    assert cost(ours.coef_[0]) == pytest.approx(cost(ref.coef_[0]), rel=1e-6)
    assert ours.history_[-1] == pytest.approx(cost(ours.coef_[0]), rel=1e-12)


def test_huber_recovers_the_line_through_gross_outliers_and_mse_does_not():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 200)
    y = 3.0 * x + 2.0 + rng.normal(0, 0.5, x.size)
    y[:20] += rng.uniform(40, 80, 20)  # 10% gross outliers, all upwards
    X = x[:, None]
    huber = LossRegressor(loss="huber", loss_params={"delta": 1.0}).fit(X, y)
    mse = LossRegressor(loss="mse").fit(X, y)
    assert huber.coef_[0] == pytest.approx(3.0, abs=0.1) and huber.intercept_ == pytest.approx(2.0, abs=0.5)
    assert abs(mse.coef_[0] - 3.0) > 0.3 or abs(mse.intercept_ - 2.0) > 3.0


# -- the objective and the solvers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loss", "k", "labels"),
    [
        (lk.get("huber", delta=0.7), 1, False),
        (lk.get("bce", from_logits=True), 3, True),  # one-vs-rest columns
        (lk.get("brier"), 1, True),  # composed with the sigmoid
        (lk.get("focal", from_logits=True), 1, True),
    ],
    ids=repr,
)
def test_objective_gradient_and_hessian_match_finite_differences(loss, k, labels):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    Y = (rng.uniform(size=(40, k)) < 0.4).astype(float) if labels else rng.normal(size=(40, k))
    Y = Y[:, 0] if k == 1 else Y
    w = rng.uniform(0.5, 2.0, 40)
    obj = LinearObjective(loss, X, Y, w, alpha=0.3, fit_intercept=True, n_scores=k, sigmoid=loss.name == "brier")
    theta = rng.normal(size=obj.size) * 0.5
    _, grad = obj.value_and_gradient(theta)
    h = 1e-6
    numeric = [(obj.value(theta + h * e) - obj.value(theta - h * e)) / (2 * h) for e in np.eye(obj.size)]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)
    if loss.name in ("huber", "bce", "binary_cross_entropy"):  # convex: the blocks are the exact Hessian
        g2, blocks = obj.gradient_and_hessian_blocks(theta)
        np.testing.assert_allclose(g2, grad)
        full = np.zeros((obj.size, obj.size))
        for j, b in enumerate(blocks):
            full[j * obj.d : (j + 1) * obj.d, j * obj.d : (j + 1) * obj.d] = b
        numeric_h = [(obj.value_and_gradient(theta + h * e)[1] - grad) / h for e in np.eye(obj.size)]
        np.testing.assert_allclose(full, np.array(numeric_h).T, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("solver", ["lbfgs", "newton", "gd", "sgd"])
def test_every_solver_reaches_the_minimum_and_records_the_cost(cancer, solver):
    X, y = cancer
    ref = LossClassifier(loss="bce", alpha=1e-2, solver="newton", tol=1e-10).fit(X, y)
    est = LossClassifier(loss="bce", alpha=1e-2, solver=solver, random_state=0, max_iter=2000).fit(X, y)
    h = est.history_
    assert len(h) == est.n_iter_ + 1 and est.n_iter_ >= 1
    start = lk.bce(y, np.full(len(y), float(lk.best_constant(lk.get("bce", from_logits=True), y))), from_logits=True)
    assert h[0] == pytest.approx(float(start), rel=1e-12)  # the best constant model
    assert h[-1] == pytest.approx(ref.history_[-1], rel=1e-3 if solver == "sgd" else 1e-6)
    if solver != "sgd":
        assert np.all(np.diff(h) <= 1e-12)  # line searches never go up


def test_sgd_is_reproducible_with_random_state(cancer):
    X, y = cancer
    a = LossClassifier(solver="sgd", random_state=3, max_iter=5).fit(X, y)
    b = LossClassifier(solver="sgd", random_state=3, max_iter=5).fit(X, y)
    c = LossClassifier(solver="sgd", random_state=4, max_iter=5).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert not np.array_equal(a.coef_, c.coef_)


@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_divergence_warns_and_keeps_finite_coefficients(diabetes, solver):
    X, y = diabetes
    X = StandardScaler().fit_transform(X)
    with pytest.warns(ConvergenceWarning, match="diverged at iteration .* learning_rate=1e\\+03"):
        est = LossRegressor(solver=solver, learning_rate=1e3, max_iter=500, random_state=0).fit(X, y)
    assert np.all(np.isfinite(est.coef_)) and np.isfinite(est.intercept_)
    assert np.all(np.isfinite(est.history_)) and est.history_.max() > 1e4 * est.history_[0]
    assert lk.mse(y, est.predict(X)) <= est.history_[0]  # the best iterate, not the last


def test_non_convergence_warns_like_scikit_learn(cancer):
    X, y = cancer
    with pytest.warns(ConvergenceWarning, match=r"did not converge in max_iter=2 iterations"):
        est = LossClassifier(max_iter=2).fit(X, y)
    assert est.n_iter_ == 2


# -- classifiers ------------------------------------------------------------------------------------


def test_labels_of_any_type_and_the_positive_class():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.where(X[:, 0] + 0.3 * X[:, 1] > 0, "spam", "ham")
    clf = LossClassifier(loss="squared_hinge").fit(X, y)
    assert list(clf.classes_) == ["ham", "spam"] and clf.coef_.shape == (1, 2) and clf.coef_[0, 0] > 0
    assert np.mean(clf.predict(X) == y) > 0.95
    assert not hasattr(clf, "predict_proba")  # a margin loss
    assert hasattr(LossClassifier(loss="modified_huber"), "predict_proba")  # scikit-learn's link for it
    soft = LossClassifier(loss="softmax_cross_entropy").fit(X, y)  # two classes: one score, the difference
    assert soft.coef_.shape == (1, 2)
    np.testing.assert_allclose(soft.predict_proba(X)[:, 1], 1 / (1 + np.exp(-soft.decision_function(X))))


def test_one_vs_rest_and_multiclass_forms_on_iris():
    X, y = datasets.load_iris(return_X_y=True)
    for loss in ("hinge", "binary_cross_entropy", "categorical_hinge", "multi_margin"):
        clf = LossClassifier(loss=loss, alpha=1e-2, max_iter=3000).fit(X, y)
        assert clf.coef_.shape == (3, 4) and clf.score(X, y) > 0.9, loss
    P = LossClassifier(loss="binary_cross_entropy").fit(X, y).predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)


# -- errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("estimator", "error", "match"),
    [
        (LossRegressor(loss="hinge"), ValueError, "'hinge' is a binary loss and LossRegressor takes regression"),
        (LossClassifier(loss="huber"), ValueError, "'huber' is a regression loss .* use LossRegressor"),
        (LossClassifier(loss="kl_divergence"), ValueError, "softmax_cross_entropy"),
        (LossRegressor(loss="hubber"), ValueError, "unknown loss 'hubber'. Did you mean 'huber'"),
        (LossRegressor(loss="huber", loss_params={"quantile": 0.5}), TypeError, "valid parameters: delta"),
        (LossRegressor(loss="poisson", loss_params={"from_logits": False}), ValueError, "does not fit a linear"),
        (LossRegressor(loss="mae", solver="newton"), ValueError, "'mae' is 0 almost everywhere.*solver='lbfgs'"),
        (LossRegressor(loss="quantile", solver="newton"), ValueError, "zero_hessian"),
        (LossClassifier(loss="hinge", solver="newton"), ValueError, "'hinge' is 0 almost everywhere"),
        (LossClassifier(loss="softmax_cross_entropy", solver="newton"), ValueError, "couples the classes"),
        (LossRegressor(alpha=-1.0), ValueError, "'alpha' parameter of LossRegressor must be a float in the range"),
        (LossRegressor(max_iter=0), ValueError, "'max_iter' parameter"),
        (LossRegressor(solver="gd", learning_rate=0.0), ValueError, "'learning_rate' parameter"),
        (LossRegressor(solver="adam"), ValueError, "'solver' parameter .*'lbfgs'"),
    ],
)
def test_bad_settings_raise_in_fit_naming_the_argument(estimator, error, match):
    X, y = np.random.default_rng(0).normal(size=(10, 2)), np.arange(10) % 2
    with pytest.raises(error, match=match):
        estimator.fit(X, y)


def test_targets_outside_the_losss_domain_are_named():
    with pytest.raises(ValueError, match=r"`y` or `sample_weight` do not fit the loss .*>= 0 for 'poisson'"):
        LossRegressor(loss="poisson").fit(np.ones((3, 1)), [1.0, -1.0, 2.0])


def test_importing_without_scikit_learn_names_the_extra():
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "try:\n    import losskit.linear_model\nexcept ImportError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'losskit[sklearn]'" in out.stdout


def test_warnings_are_not_raised_by_a_well_posed_fit(cancer):
    X, y = cancer
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LossClassifier(loss="bce", alpha=1e-3).fit(X, y)
        LossRegressor(loss="huber").fit(X, y.astype(float))
