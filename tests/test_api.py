"""The public surface: the catalog, lookup by name and alias, the function forms, the examples of the README."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import losskit as lk

# The canonical names of ../shared/LOSSES.md, by task.
CONTRACT = {
    "regression": [
        "mse",
        "rmse",
        "mae",
        "huber",
        "pseudo_huber",
        "log_cosh",
        "quantile",
        "poisson",
        "msle",
        "mape",
    ],
    "binary": [
        "binary_cross_entropy",
        "sigmoid_cross_entropy",
        "hinge",
        "squared_hinge",
        "binary_focal",
        "modified_huber",
        "exponential",
        "brier",
    ],
    "multiclass": [
        "categorical_cross_entropy",
        "softmax_cross_entropy",
        "sparse_categorical_cross_entropy",
        "categorical_hinge",
        "multi_margin",
    ],
    "distribution": ["kl_divergence"],
}


def test_the_catalog_is_the_contract():
    for task, expected in CONTRACT.items():
        assert sorted(lk.names(task)) == sorted(expected)
    assert len(lk.names()) == 24
    assert lk.names(aliases=True)["mae"] == ["l1", "absolute_error", "mean_absolute_error"]


def test_readme_examples():
    assert lk.mse([1.0, 2.0], [1.5, 1.0]) == 0.625
    y, logits = np.array([0.0, 1.0, 1.0]), np.array([-1.0, 2.0, 0.5])
    np.testing.assert_array_equal(
        lk.binary_cross_entropy(y, logits, from_logits=True), lk.sigmoid_cross_entropy(y, logits)
    )
    loss = lk.get("huber", delta=1.35)
    assert repr(loss) == "Huber(delta=1.35)"
    assert loss.delta == 1.35 and loss.params == {"delta": 1.35}
    assert lk.get("l1") == lk.get("mae") and lk.get("log_loss") == lk.get("binary_cross_entropy")
    g = loss.gradient(y, logits, reduction="none")
    np.testing.assert_array_equal(g, np.clip(logits - y, -1.35, 1.35))
    np.testing.assert_array_equal(loss.hessian(y, logits, reduction="none"), [1.0, 1.0, 1.0])


def test_every_method_defaults_to_the_mean():
    y, f = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 4.0])
    loss = lk.get("mse")
    assert loss(y, f) == pytest.approx(5.0 / 3.0)
    np.testing.assert_allclose(loss.gradient(y, f), 2.0 * (f - y) / 3.0)
    np.testing.assert_allclose(loss.hessian(y, f), np.full(3, 2.0 / 3.0))


@pytest.mark.parametrize("name", lk.names())
def test_function_forms_have_the_signature_and_docstring_of_the_loss(name):
    fn = getattr(lk, name)
    cls = type(lk.get(name))
    params = inspect.signature(fn).parameters
    assert list(params)[:2] == ["y_true", "y_pred"]
    for p in cls.parameters:
        assert params[p.name].default == p.default
        assert params[p.name].kind is inspect.Parameter.KEYWORD_ONLY
    assert {"sample_weight", "reduction", "validate"} <= set(params)
    assert fn.__doc__ == cls.__doc__ and ".. math::" in fn.__doc__
    assert name in lk.__all__


@pytest.mark.parametrize("name", lk.names())
def test_every_loss_documents_an_anchor(name):
    doc = " ".join(type(lk.get(name)).__doc__.split())
    assert "Same as" in doc or "same as" in doc


def test_aliases_are_module_attributes():
    assert lk.bce is lk.binary_cross_entropy
    assert lk.l1 is lk.mae and lk.nll is lk.sparse_categorical_cross_entropy
    with pytest.raises(AttributeError, match="no attribute 'not_a_loss'"):
        lk.not_a_loss


def test_get_passes_loss_objects_through():
    loss = lk.get("huber", delta=2.0)
    assert lk.get(loss) is loss
    assert lk.get(loss, delta=3.0) == lk.get("huber", delta=3.0)
    assert loss.replace(delta=3.0).delta == 3.0 and loss.delta == 2.0


def test_equality_is_by_name_and_parameters():
    assert lk.get("huber", delta=1) == lk.get("huber", delta=1.0)
    assert lk.get("huber") != lk.get("huber", delta=2.0)
    assert lk.get("huber") != lk.get("pseudo_huber")
    assert lk.get("mse") != "mse"
    cw = lk.get("cce", class_weight=[1.0, 2.0])
    assert cw == lk.get("cce", class_weight=np.array([1.0, 2.0]))
    assert cw != lk.get("cce", class_weight=[1.0, 3.0])
    assert len({cw, lk.get("cce", class_weight=(1, 2)), lk.get("cce")}) == 2


def test_custom_losses_register_and_get_the_shared_machinery():
    from losskit._registry import _ALIASES, _LOSSES

    @lk.register
    class Cubic(lk.Loss):
        """|r|^3. Same as nothing in particular."""

        name = "test_cubic"
        task = "regression"

        def _value(self, y, f, xp):
            return xp.abs(f - y) ** 3

        def _gradient(self, y, f, xp):
            r = f - y
            return 3.0 * r * xp.abs(r)

    try:
        loss = lk.get("test-cubic")
        assert loss([0.0, 0.0], [1.0, 2.0], sample_weight=[1.0, 3.0]) == pytest.approx((1 + 3 * 8) / 4)
        np.testing.assert_allclose(loss.gradient([0.0], [2.0], reduction="sum"), [12.0])
        with pytest.raises(ValueError, match="same shape"):
            loss([0.0], [1.0, 2.0])
        with pytest.raises(ValueError, match="already taken"):
            lk.register(Cubic)
    finally:
        del _LOSSES["test_cubic"], _ALIASES["test_cubic"]


def test_results_are_numpy_for_lists_and_keep_integer_inputs_as_default_float():
    out = lk.mse([1, 2], [2, 4], reduction="none")
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    np.testing.assert_array_equal(out, [1.0, 4.0])
    assert lk.mse(np.float32(1.0), np.float32(3.0)).dtype == np.float32
    # y_pred's float dtype wins over y_true's: the model's precision
    assert lk.mse(np.zeros(2), np.ones(2, np.float32)).dtype == np.float32
    assert lk.mse(np.zeros(2, np.float32), np.ones(2, np.int64)).dtype == np.float32


def test_half_precision_is_computed_in_float32_and_returned_in_half():
    logits = np.array([[30.0, 0.0, -5.0]], np.float16)
    out = lk.sparse_categorical_cross_entropy([2], logits, from_logits=True, reduction="none")
    assert out.dtype == np.float16
    assert float(out[0]) == pytest.approx(35.0, rel=1e-3)
