"""A loss on a model's raw scores: what the boosting adapters and the linear models share.

A model that adds up terms -- trees, or ``X @ w + b`` -- outputs an unbounded
*raw score* per sample (one per class for a multiclass model). A
probabilistic loss is used on it in its logit form, ``from_logits=True`` (the
log-rate for ``poisson``), and the prediction a user sees is the score through
the loss's link: ``sigmoid``, ``softmax`` or ``exp``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import Loss
from ._catalog import info
from ._registry import get

__all__ = ["apply_inverse_link", "inverse_link", "logit_form"]


def logit_form(loss: str | Loss, params: dict[str, Any], *, model: str, users: str) -> Loss:
    """``loss`` with ``from_logits=True`` where it has that option; ``from_logits=False`` is refused.

    ``model`` names what produces the raw scores ("a booster") and ``users``
    who uses the logit form ("the adapters"), for the message.
    """
    if params.get("from_logits", True) is False:
        name = get(loss).name
        msg = (
            f"`from_logits=False` does not fit {model}: its raw scores are logits, not probabilities; "
            f"drop it ({users} use {name!r} with from_logits=True)."
        )
        raise ValueError(msg)
    loss = get(loss, **params)
    if "from_logits" in loss.params and not loss.from_logits:
        loss = loss.replace(from_logits=True)
    return loss


def inverse_link(loss: Loss) -> str:
    """How a raw score becomes the prediction of ``loss``: ``"identity"``, ``"exp"``, ``"sigmoid"``, ``"softmax"``.

    Read from the catalog: a loss on log-rates predicts ``exp(score)``, a loss on logits a probability.
    """
    rec = info(loss)
    if rec.y_pred == "log-rates":
        return "exp"
    if rec.y_pred == "logits":
        return "softmax" if loss.class_axis else "sigmoid"
    return "identity"


def apply_inverse_link(link: str, scores: np.ndarray) -> np.ndarray:
    """The predictions of raw ``scores`` under ``link`` (NumPy, stable for any finite score)."""
    if link == "identity":
        return scores
    if link == "exp":
        return np.exp(scores)
    if link == "sigmoid":
        from ._stable import sigmoid_pair

        return sigmoid_pair(scores, np)[0]
    shifted = scores - scores.max(axis=-1, keepdims=True)  # softmax
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)
