r"""The cost of a linear model under any loss, with its gradient and Hessian, from the loss's own derivatives.

Scores ``S = X W^T + b``: one column per output (1 for regression and binary
classification, ``K`` for a multinomial or one-vs-rest model). With ``s_i``
the sample weights and ``l`` the loss on the scores (a probabilistic loss in
its logit form),

.. math::
    C(W, b) = \frac{\sum_i s_i \sum_k l(y_{ik}, S_{ik})}{\sum_i s_i} + \frac{\alpha}{2} \lVert W \rVert^2

(for a class-axis loss, one ``l(y_i, S_i)`` per sample): the core's
``reduction="mean"``, summed over the one-vs-rest columns, plus an L2 penalty
that leaves the intercept out. The chain rule through ``X`` gives
``dC/dW = G^T X + alpha W`` and ``dC/db = sum_i G_i`` with ``G`` the
gradient of the mean with respect to the scores, and the Hessian of column
``k`` is ``X^T diag(h_k) X + alpha I`` with ``h`` the loss's Hessian diagonal
(exact for elementwise losses: the columns do not interact).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._base import Loss
from .._stable import sigmoid_pair

__all__ = ["LinearObjective"]


class LinearObjective:
    """``C(theta)`` and its derivatives; ``theta`` is the ``(k, p [+ 1])`` matrix ``[W, b]``, flattened.

    ``sigmoid=True`` composes a loss on probabilities (``brier``) with the
    sigmoid: ``l(y, sigmoid(s))``, differentiated by the chain rule.
    """

    def __init__(
        self,
        loss: Loss,
        X: np.ndarray,
        Y: np.ndarray,
        sample_weight: np.ndarray | None,
        *,
        alpha: float,
        fit_intercept: bool,
        n_scores: int,
        sigmoid: bool = False,
    ) -> None:
        self.loss = loss
        self.Xa = np.hstack([X, np.ones((X.shape[0], 1))]) if fit_intercept else X
        self.Y = Y
        self.sw = sample_weight
        self.alpha = float(alpha)
        self.k = n_scores
        self.d = self.Xa.shape[1]
        self.sigmoid = sigmoid
        # an elementwise loss on (n, k) scores: the mean counts every column, so k times it is the sum
        # over the one-vs-rest columns of each column's cost
        self.columns = 1.0 if loss.class_axis else float(n_scores)
        self.squeeze = not loss.class_axis and n_scores == 1
        mask = np.ones((n_scores, self.d))
        if fit_intercept:
            mask[:, -1] = 0.0  # the intercept is not penalised
        self.penalised = mask.ravel()

    @property
    def size(self) -> int:
        return self.k * self.d

    def coefficients(self, theta: np.ndarray) -> np.ndarray:
        """``[W, b]`` as a ``(k, p [+ 1])`` matrix."""
        return theta.reshape(self.k, self.d)

    def _batch(self, theta: np.ndarray, rows: Any) -> tuple[Any, Any, Any, Any]:
        Xa = self.Xa if rows is None else self.Xa[rows]
        Y = self.Y if rows is None else self.Y[rows]
        sw = self.sw if rows is None or self.sw is None else self.sw[rows]
        S = Xa @ self.coefficients(theta).T
        return Xa, Y, sw, (S[:, 0] if self.squeeze else S)

    def _penalty(self, theta: np.ndarray) -> float:
        return 0.5 * self.alpha * float(np.dot(self.penalised * theta, theta))

    def value(self, theta: np.ndarray, rows: Any = None, *, validate: bool = False) -> float:
        """The cost (over ``rows`` only, if given); ``inf`` where the loss is not finite."""
        _, Y, sw, S = self._batch(theta, rows)
        with np.errstate(all="ignore"):
            f = sigmoid_pair(S, np)[0] if self.sigmoid else S
            v = self.columns * float(self.loss(Y, f, sample_weight=sw, validate=validate)) + self._penalty(theta)
        return v if np.isfinite(v) else np.inf

    def value_and_gradient(self, theta: np.ndarray, rows: Any = None) -> tuple[float, np.ndarray]:
        """The cost and its gradient with respect to ``theta`` (the gradient is 0 where the cost is ``inf``)."""
        Xa, Y, sw, S = self._batch(theta, rows)
        with np.errstate(all="ignore"):
            if self.sigmoid:
                p, q = sigmoid_pair(S, np)
                v, g = self.loss.value_and_gradient(Y, p, sample_weight=sw, validate=False)
                g = g * (p * q)
            else:
                v, g = self.loss.value_and_gradient(Y, S, sample_weight=sw, validate=False)
            v = self.columns * float(v) + self._penalty(theta)
            if not np.isfinite(v):
                return np.inf, np.zeros_like(theta)
            grad = self._gradient(g, Xa, theta)
        return v, grad

    def _gradient(self, g: np.ndarray, Xa: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """``dC/dtheta`` from the loss's gradient ``g`` with respect to the scores (the chain rule through X)."""
        G = self.columns * g.reshape(Xa.shape[0], self.k)
        return (G.T @ Xa).ravel() + self.alpha * self.penalised * theta

    def gradient_and_hessian_blocks(self, theta: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """The gradient and one ``(p [+ 1])``-square Hessian block per score column (elementwise losses).

        A negative per-sample Hessian (the focal loss's for confidently wrong logits, brier's through
        the sigmoid) is taken as 0, so that each block is positive semi-definite: a Gauss-Newton step
        there, which the line search keeps honest.
        """
        Xa, Y, sw, S = self._batch(theta, None)
        with np.errstate(all="ignore"):
            if self.sigmoid:
                p, q = sigmoid_pair(S, np)
                gp, hp = self.loss.gradient_and_hessian(Y, p, sample_weight=sw, validate=False)
                ds = p * q
                g, h = gp * ds, hp * ds * ds + gp * ds * (q - p)
            else:
                g, h = self.loss.gradient_and_hessian(Y, S, sample_weight=sw, validate=False)
        grad = self._gradient(g, Xa, theta)
        H = self.columns * np.maximum(h, 0.0).reshape(S.shape[0], self.k)
        ridge = self.alpha * self.penalised.reshape(self.k, self.d)
        blocks = [Xa.T @ (H[:, j, None] * Xa) + np.diag(ridge[j]) for j in range(self.k)]
        return grad, blocks
