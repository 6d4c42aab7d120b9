"""Bad input gets a clear error naming the argument and what was expected -- never a wrong number."""

from __future__ import annotations

import re

import numpy as np
import pytest

import losskit as lk

ONEHOT = np.eye(3)[[0, 2]]
PROBS = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])


# -- shapes ---------------------------------------------------------------------------------------


def test_mismatched_shapes_name_both_shapes():
    with pytest.raises(ValueError, match=re.escape("got y_true (3,) and y_pred (2,)")):
        lk.mse([1.0, 2.0, 3.0], [1.0, 2.0])


def test_column_against_row_vector_is_the_classic_bug():
    with pytest.raises(ValueError, match=r"\(N, 1\) against an \(N,\)"):
        lk.mae(np.zeros((4, 1)), np.zeros(4))


def test_class_axis_shapes():
    with pytest.raises(ValueError, match=r"integer labels of shape y_pred.shape\[:-1\] \(2,\); got y_true \(3,\)"):
        lk.sparse_categorical_cross_entropy([0, 1, 2], np.zeros((2, 3)), from_logits=True)
    with pytest.raises(ValueError, match="use 'categorical_cross_entropy'"):
        lk.sparse_categorical_cross_entropy(np.zeros((2, 3), dtype=int), np.zeros((2, 3)), from_logits=True)
    with pytest.raises(ValueError, match="class axis"):
        lk.softmax_cross_entropy(np.float64(1.0), np.float64(1.0))
    with pytest.raises(ValueError, match="no classes"):
        lk.softmax_cross_entropy(np.zeros((2, 0)), np.zeros((2, 0)))


def test_sample_weight_shape():
    with pytest.raises(ValueError, match=re.escape("`sample_weight` must have the shape of the leading axes")):
        lk.mse(np.zeros((4, 3)), np.zeros((4, 3)), sample_weight=np.ones(3))
    with pytest.raises(ValueError, match=re.escape("got (2, 3)")):
        lk.softmax_cross_entropy(ONEHOT, PROBS, sample_weight=np.ones((2, 3)))


# -- values ---------------------------------------------------------------------------------------


def test_probabilities_outside_unit_interval():
    with pytest.raises(
        ValueError,
        match=r"`y_pred` must be probabilities in \[0, 1\].*1\.2 at index \(1,\).*from_logits=True",
    ):
        lk.binary_cross_entropy([0.0, 1.0], [0.5, 1.2])
    with pytest.raises(ValueError, match=r"`y_true` must be probabilities in \[0, 1\]"):
        lk.binary_cross_entropy([0.0, 1.5], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"`y_pred` must be probabilities"):
        lk.brier([0.0, 1.0], [-0.1, 0.5])


def test_probability_rows_must_sum_to_one():
    bad = np.array([[0.2, 0.3, 0.4], [0.1, 0.1, 0.8]])
    with pytest.raises(ValueError, match=r"`y_pred` must be probability rows that sum to 1.*0\.9 at index \(0,\)"):
        lk.categorical_cross_entropy(ONEHOT, bad)
    with pytest.raises(ValueError, match="`y_true` must be probability rows that sum to 1"):
        lk.kl_divergence(bad, PROBS)


def test_class_labels_out_of_range():
    logits = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"class labels in \[0, 4\).*1 value is not, e\.g\. 4 at index \(2,\)"):
        lk.sparse_categorical_cross_entropy([0, 1, 4], logits, from_logits=True)
    with pytest.raises(ValueError, match=r"class labels in \[0, 4\).*ignore_index"):
        lk.sparse_categorical_cross_entropy([0, -100, 1], logits, from_logits=True)
    with pytest.raises(ValueError, match=r"class labels in \[0, 4\)"):
        lk.multi_margin([0, -1, 1], logits)
    # ignore_index is the one exception
    assert lk.sparse_categorical_cross_entropy([0, -100, 1], logits, from_logits=True, ignore_index=-100) > 0


def test_float_class_labels_must_be_whole_numbers():
    with pytest.raises(ValueError, match="`y_true` must be integer class labels"):
        lk.sparse_categorical_cross_entropy([0.0, 1.5], np.zeros((2, 3)), from_logits=True)
    whole = lk.sparse_categorical_cross_entropy([0.0, 2.0], np.zeros((2, 3)), from_logits=True)
    assert whole == pytest.approx(np.log(3))


def test_binary_labels():
    with pytest.raises(ValueError, match=r"binary labels in \{0, 1\} for 'binary_focal'"):
        lk.binary_focal([0.0, 0.5], [0.3, 0.4])
    with pytest.raises(ValueError, match=r"binary labels in \{0, 1\} or \{-1, \+1\} for 'hinge'.*2\.0 at index \(1,\)"):
        lk.hinge([1.0, 2.0], [0.3, 0.4])
    with pytest.raises(ValueError, match=r"mixes the label encodings"):
        lk.squared_hinge([0.0, -1.0, 1.0], [0.3, 0.4, 0.5])
    # both encodings give the same loss
    assert lk.hinge([0.0, 1.0], [0.3, -0.4]) == lk.hinge([-1.0, 1.0], [0.3, -0.4])


def test_onehot_rows_for_categorical_hinge():
    with pytest.raises(ValueError, match="one-hot rows"):
        lk.categorical_hinge(PROBS, PROBS)
    with pytest.raises(ValueError, match="exactly one 1"):
        lk.categorical_hinge(np.array([[1.0, 1.0, 0.0]]), np.zeros((1, 3)))


def test_nan_and_inf_where_they_have_no_meaning():
    with pytest.raises(ValueError, match=r"`y_true` must be finite \(no nan or inf\); 1 value is not, e\.g\. nan"):
        lk.mse([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="`y_true` must be finite"):
        lk.huber([1.0, np.inf], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"`y_pred` must be a number \(not nan\).*diverged"):
        lk.log_cosh([1.0, 2.0], [np.nan, 2.0])
    with pytest.raises(ValueError, match=r"\+inf logit has no softmax"):
        lk.softmax_cross_entropy(ONEHOT, np.array([[np.inf, 0.0, 0.0], [0.0, 0.0, 0.0]]))
    # a -inf logit is a masked class: allowed
    assert np.isfinite(lk.softmax_cross_entropy(ONEHOT, np.array([[0.0, -np.inf, 0.0], [0.0, 0.0, 1.0]])))


def test_domains_of_regression_losses():
    with pytest.raises(ValueError, match="`y_true` must be >= 0 for 'poisson'"):
        lk.poisson([-1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="`y_pred` must be >= 0 for 'poisson'"):
        lk.poisson([1.0, 2.0], [-1.0, 2.0])
    assert lk.poisson([1.0, 2.0], [-1.0, 2.0], from_logits=True) > 0  # log-rates are any real
    with pytest.raises(ValueError, match="`y_pred` must be > -1 for 'msle'"):
        lk.msle([1.0, 2.0], [-1.0, 2.0])


def test_sample_weights():
    with pytest.raises(ValueError, match=r"`sample_weight` must be non-negative.*-1\.0 at index \(1,\)"):
        lk.mse([1.0, 2.0], [1.0, 3.0], sample_weight=[1.0, -1.0])
    with pytest.raises(ValueError, match="`sample_weight` must be finite"):
        lk.mse([1.0, 2.0], [1.0, 3.0], sample_weight=[1.0, np.inf])
    with pytest.raises(ValueError, match=r'every value has weight 0.*reduction="sum"'):
        lk.mse([1.0, 2.0], [1.0, 3.0], sample_weight=[0.0, 0.0])
    assert lk.mse([1.0, 2.0], [1.0, 3.0], sample_weight=[0.0, 0.0], reduction="sum") == 0.0
    with pytest.raises(ValueError, match="every value has weight 0"):
        lk.sparse_categorical_cross_entropy([-1, -1], np.zeros((2, 3)), from_logits=True, ignore_index=-1)
    with pytest.raises(ValueError, match="every value has weight 0"):
        lk.softmax_cross_entropy(ONEHOT, PROBS, class_weight=[0.0, 1.0, 0.0])


def test_empty_input():
    with pytest.raises(ValueError, match="the mean of an empty input is undefined"):
        lk.mse([], [])
    assert lk.mse([], [], reduction="sum") == 0.0
    assert lk.mse([], [], reduction="none").shape == (0,)
    with pytest.raises(ValueError, match="the mean of an empty input is undefined"):
        lk.softmax_cross_entropy(np.zeros((0, 3)), np.zeros((0, 3)))


def test_validate_false_skips_the_value_checks():
    # a wrong number is what the user asked for: no check, no error
    assert np.isfinite(lk.binary_cross_entropy([0.0, 1.0], [0.5, 0.9], validate=False))
    lk.brier([0.0, 1.0], [0.5, 1.2], validate=False)
    # shape checks always run
    with pytest.raises(ValueError, match="same shape"):
        lk.mse([1.0, 2.0], [1.0], validate=False)


def test_dtypes():
    with pytest.raises(TypeError, match="complex"):
        lk.mse(np.ones(2, complex), np.ones(2))
    with pytest.raises(TypeError, match="`y_true` must hold real numbers"):
        lk.mse(np.array(["a", "b"]), np.ones(2))
    with pytest.raises(TypeError, match="`y_pred` must be an array or a \\(nested\\) sequence of numbers"):
        lk.mse([1.0, 2.0], [[1.0], [2.0, 3.0]])
    with pytest.raises(TypeError, match="`y_true` is None"):
        lk.mse(None, [1.0])


def test_reduction_name():
    with pytest.raises(ValueError, match=r"`reduction` must be one of 'none', 'mean', 'sum'; got 'avg'"):
        lk.mse([1.0], [1.0], reduction="avg")


# -- names and parameters -------------------------------------------------------------------------


def test_unknown_loss_suggests_the_nearest_names():
    with pytest.raises(ValueError, match=r"unknown loss 'hubber'\. Did you mean 'huber'.*losskit\.names\(\)"):
        lk.get("hubber")
    with pytest.raises(ValueError, match="'pseudo_huber'"):
        lk.get("pseudohuber")
    with pytest.raises(ValueError, match=r"unknown loss 'zzz'\. losskit\.names\(\)"):
        lk.get("zzz")
    with pytest.raises(TypeError, match="must be a string"):
        lk.get(3)


def test_unknown_parameter_lists_the_valid_ones():
    with pytest.raises(TypeError, match=r"unknown parameter `dleta` for loss 'huber'; valid parameters: delta\."):
        lk.get("huber", dleta=2.0)
    with pytest.raises(TypeError, match="valid parameters: none"):
        lk.mse([1.0], [1.0], delta=1.0)
    with pytest.raises(ValueError, match="`from_logits` is fixed to True for 'sigmoid_cross_entropy'"):
        lk.get("sigmoid_cross_entropy", from_logits=False)
    assert lk.get("sigmoid_cross_entropy", from_logits=True) == lk.get("sigmoid_cross_entropy")


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("huber", {"delta": 0.0}, r"`delta` must be > 0; got delta=0\.0"),
        ("huber", {"delta": -1}, r"`delta` must be > 0"),
        ("pseudo_huber", {"delta": float("nan")}, r"`delta` must be finite"),
        (
            "quantile",
            {"quantile": 1.0},
            r"`quantile` must be in the open interval \(0, 1\); got quantile=1\.0",
        ),
        ("quantile", {"quantile": 0}, r"`quantile` must be in the open interval \(0, 1\)"),
        ("binary_cross_entropy", {"label_smoothing": 1.5}, r"`label_smoothing` must be in \[0, 1\]"),
        ("categorical_cross_entropy", {"label_smoothing": -0.1}, r"`label_smoothing` must be in \[0, 1\]"),
        ("binary_cross_entropy", {"eps": 0.7}, r"`eps` must be in \[0, 0\.5\)"),
        ("binary_cross_entropy", {"pos_weight": -1.0}, r"`pos_weight` must be >= 0"),
        ("binary_focal", {"gamma": -1.0}, r"`gamma` must be >= 0"),
        ("binary_focal", {"alpha": 1.5}, r"`alpha` must be in \[0, 1\]"),
        ("multi_margin", {"margin": 0.0}, r"`margin` must be > 0"),
        (
            "categorical_cross_entropy",
            {"class_weight": [1.0, -1.0]},
            r"`class_weight` must hold finite, non-negative",
        ),
        ("categorical_cross_entropy", {"class_weight": [[1.0]]}, r"`class_weight` must be a non-empty 1-D"),
    ],
)
def test_out_of_range_parameters(name, params, message):
    with pytest.raises(ValueError, match=message):
        lk.get(name, **params)


def test_parameter_types():
    with pytest.raises(TypeError, match=r"`delta` must be a real number; got '1'"):
        lk.get("huber", delta="1")
    with pytest.raises(TypeError, match="`from_logits` must be True or False"):
        lk.get("bce", from_logits=1)
    with pytest.raises(TypeError, match="`ignore_index` must be an integer"):
        lk.get("nll", ignore_index=1.5)


def test_vector_parameters_must_match_the_classes():
    loss = lk.get("softmax_cross_entropy", class_weight=[1.0, 2.0])
    with pytest.raises(ValueError, match="`class_weight` has 2 entries but `y_pred` has 3 classes"):
        loss(ONEHOT, PROBS)
    bce = lk.get("bce", pos_weight=[1.0, 2.0])
    with pytest.raises(ValueError, match="`pos_weight` has 2 entries but `y_pred` has 3 columns"):
        bce(np.zeros((2, 3)), np.full((2, 3), 0.5))


def test_names_by_task():
    with pytest.raises(ValueError, match="unknown task 'regresion'"):
        lk.names("regresion")
