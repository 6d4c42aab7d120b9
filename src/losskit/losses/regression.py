r"""Regression losses (elementwise): ``y`` the true value, ``f`` the prediction, ``r = f - y``."""

from __future__ import annotations

from typing import Any

from .. import _fast
from .. import _params as P
from .._array import errstate
from .._base import Loss, Reduction
from .._registry import functional, register
from .._stable import hypot1, sech2, xdivy, xlogy
from .._stable import log_cosh as _log_cosh

__all__ = [
    "MAE",
    "MAPE",
    "MSE",
    "MSLE",
    "RMSE",
    "Huber",
    "LogCosh",
    "Poisson",
    "PseudoHuber",
    "Quantile",
    "huber",
    "log_cosh",
    "mae",
    "mape",
    "mse",
    "msle",
    "poisson",
    "pseudo_huber",
    "quantile",
    "rmse",
]


class _Regression(Loss):
    __slots__ = ()
    task = "regression"


@register
class MSE(_Regression):
    r"""Mean squared error: the squared residual.

    .. math:: \ell = r^2, \quad \ell' = 2r, \quad \ell'' = 2, \qquad r = f - y

    The negative log-likelihood of a Gaussian with fixed variance (up to
    scale and a constant). Same as ``torch.nn.functional.mse_loss``,
    ``keras.losses.MeanSquaredError`` and ``sklearn.metrics.mean_squared_error``.

    >>> import losskit as lk
    >>> float(lk.mse([1.0, 2.0], [1.5, 1.0]))
    0.625
    """

    __slots__ = ()
    name = "mse"
    formula = "r^2"
    aliases = ("l2", "squared_error", "mean_squared_error")

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        r = f - y
        return r * r

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        return 2.0 * (f - y)

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.full_like(f, 2.0)


@register
class RMSE(_Regression):
    r"""Root mean squared error: one number over all values, not a per-sample loss.

    .. math:: \mathrm{RMSE} = \sqrt{\textstyle\sum_i w_i r_i^2 / \sum_i w_i},
        \quad \partial/\partial f_i = w_i r_i / (\textstyle\sum w \cdot \mathrm{RMSE})

    ``reduction="sum"`` gives ``sqrt(sum(w r^2))`` (the Euclidean distance);
    ``"none"`` gives ``w * |r|`` per value. The Hessian is not diagonal:
    :meth:`hessian` raises ``NotImplementedError``. Where the RMSE is 0 its
    gradient is taken as 0 (a subgradient). Same as
    ``sklearn.metrics.root_mean_squared_error`` on flattened inputs.
    """

    __slots__ = ()
    name = "rmse"
    formula = "sqrt(sum(w r^2) / sum(w))"
    aliases = ("root_mean_squared_error",)
    hessian_diagonal = False

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.abs(f - y)

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.sign(f - y)

    def _root(self, b: Any, reduction: str) -> Any:
        r = b.f - b.y
        return b.xp.sqrt(b.total(r * r, reduction))

    def __call__(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sample_weight: Any = None,
        reduction: Reduction = "mean",
        validate: bool = True,
    ) -> Any:
        if reduction == "none":
            return super().__call__(y_true, y_pred, sample_weight=sample_weight, reduction="none", validate=validate)
        if _fast.ENABLED:
            r = _fast.call(self, y_true, y_pred, sample_weight, reduction, validate, True, False, False)
            if r is not _fast.NOT_HANDLED:
                return r
        b = self._batch(y_true, y_pred, sample_weight, reduction, validate)
        with errstate(b.xp):
            return b.out(self._root(b, reduction))

    def gradient(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sample_weight: Any = None,
        reduction: Reduction = "mean",
        validate: bool = True,
        out: Any = None,
    ) -> Any:
        if reduction == "none":
            return super().gradient(
                y_true, y_pred, sample_weight=sample_weight, reduction="none", validate=validate, out=out
            )
        if _fast.ENABLED:
            r = _fast.call(self, y_true, y_pred, sample_weight, reduction, validate, False, True, False, out)
            if r is not _fast.NOT_HANDLED:
                return r
        b = self._batch(y_true, y_pred, sample_weight, reduction, validate)
        with errstate(b.xp):
            return self._scaled_residual(b, b.xp.astype(self._root(b, reduction), b.dtype), reduction, out)

    def value_and_gradient(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sample_weight: Any = None,
        reduction: Reduction = "mean",
        validate: bool = True,
        out: Any = None,
    ) -> tuple[Any, Any]:
        if reduction == "none":
            return super().value_and_gradient(
                y_true, y_pred, sample_weight=sample_weight, reduction="none", validate=validate, out=out
            )
        if _fast.ENABLED:
            r = _fast.call(self, y_true, y_pred, sample_weight, reduction, validate, True, True, False, out)
            if r is not _fast.NOT_HANDLED:
                return r
        b = self._batch(y_true, y_pred, sample_weight, reduction, validate)
        xp = b.xp
        with errstate(xp):
            root = self._root(b, reduction)
            return b.out(root), self._scaled_residual(b, xp.astype(root, b.dtype), reduction, out)

    def _scaled_residual(self, b: Any, root: Any, reduction: str, out: Any) -> Any:
        """``w r / (sum(w) rmse)``: zero where the RMSE is 0 (a subgradient)."""
        xp = b.xp
        zero = root == 0.0
        g = xp.where(zero, 0.0, (b.f - b.y) / xp.where(zero, 1.0, root))
        return b.scale(g, reduction, out)

    def _require_diagonal_hessian(self) -> None:
        msg = (
            "the Hessian of 'rmse' is not diagonal (every prediction's derivative depends on all the others), "
            "so losskit does not return it; use 'mse' for a diagonal Hessian (RMSE = sqrt(MSE))."
        )
        raise NotImplementedError(msg)


@register
class MAE(_Regression):
    r"""Mean absolute error: the absolute residual.

    .. math:: \ell = |r|, \quad \ell' = \operatorname{sign}(r)\ (0 \text{ at } r = 0), \quad \ell'' = 0

    The negative log-likelihood of a Laplace distribution with fixed scale;
    minimised by the median. Same as ``torch.nn.functional.l1_loss`` and
    ``sklearn.metrics.mean_absolute_error``.
    """

    __slots__ = ()
    name = "mae"
    formula = "|r|"
    aliases = ("l1", "absolute_error", "mean_absolute_error")

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.abs(f - y)

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.sign(f - y)

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.zeros_like(f)


@register
class Huber(_Regression):
    r"""Huber loss: quadratic for small residuals, linear for large ones.

    .. math::
        \ell = \tfrac12 r^2 \text{ if } |r| \le \delta \text{ else } \delta(|r| - \tfrac12\delta),
        \quad \ell' = \operatorname{clip}(r, -\delta, \delta),
        \quad \ell'' = \mathbb 1\{|r| \le \delta\}

    A robust M-estimator (bounded influence). Same as
    ``torch.nn.functional.huber_loss``, ``keras.losses.Huber``,
    ``optax.losses.huber_loss`` and scikit-learn's ``HuberLoss``.

    References: Huber, P. J. (1964). Robust Estimation of a Location Parameter.
    """

    __slots__ = ()
    name = "huber"
    formula = "r^2/2 if |r| <= delta else delta (|r| - delta/2)"
    parameters = (P.Param("delta", 1.0, P.positive, "> 0", "where the quadratic turns linear"),)

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        a = xp.abs(f - y)
        q = xp.minimum(a, self.delta)  # branch-free: q^2/2 + delta*(|r| - q)
        return 0.5 * q * q + self.delta * (a - q)

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.clip(f - y, -self.delta, self.delta)

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.astype(xp.abs(f - y) <= self.delta, f.dtype)


@register
class PseudoHuber(_Regression):
    r"""Pseudo-Huber loss: a smooth Huber.

    .. math::
        \ell = \delta^2\left(\sqrt{1 + (r/\delta)^2} - 1\right),
        \quad \ell' = \frac{r}{\sqrt{1 + (r/\delta)^2}},
        \quad \ell'' = \left(1 + (r/\delta)^2\right)^{-3/2}

    Evaluated as ``delta |r| a / (hypot(1, a) + 1)`` with ``a = |r|/delta``
    (``hypot(1, a)`` computed without overflow, see ``_stable.hypot1``):
    no overflow up to the dtype's maximum and no ``sqrt(1+x) - 1``
    cancellation for tiny residuals. Same as XGBoost's
    ``reg:pseudohubererror`` (``huber_slope = delta``).
    """

    __slots__ = ()
    name = "pseudo_huber"
    formula = "delta^2 (sqrt(1 + (r/delta)^2) - 1)"
    parameters = (P.Param("delta", 1.0, P.positive, "> 0", "the scale where the loss turns linear"),)

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        r = xp.abs(f - y)
        a = r / self.delta
        return (self.delta * r) * (a / (hypot1(a, xp) + 1.0))

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        r = f - y
        return r / hypot1(xp.abs(r / self.delta), xp)

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        # (1 + a^2)^(-3/2) as (1/s)/hypot(a, 1): within 3 ulps (1/h^3 loses 6); inf s gives the right 0
        a = xp.abs((f - y) / self.delta)
        s = a * a + 1.0
        return (1.0 / s) / hypot1(a, xp)


@register
class LogCosh(_Regression):
    r"""Log-cosh loss: ``log(cosh(r))``, quadratic near 0 and linear in the tails.

    .. math:: \ell = \log\cosh r, \quad \ell' = \tanh r, \quad \ell'' = 1 - \tanh^2 r = \operatorname{sech}^2 r

    Never computed as ``log(cosh(r))`` literally (``cosh`` overflows at
    ``|r| ~ 710``): finite for every finite ``r``, exact for tiny ``r``. Same
    as ``keras.losses.LogCosh`` and ``optax.losses.log_cosh``.
    """

    __slots__ = ()
    name = "log_cosh"
    formula = "log(cosh(r))"

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        return _log_cosh(f - y, xp)

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.tanh(f - y)

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        return sech2(f - y, xp)


@register
class Quantile(_Regression):
    r"""Quantile (pinball) loss: its minimiser is the ``quantile``-quantile.

    .. math::
        \ell = q\,(y - f) \text{ if } y \ge f \text{ else } (1-q)(f - y),
        \quad \ell' = -q \text{ if } y \ge f \text{ else } 1 - q, \quad \ell'' = 0

    The gradient at ``y == f`` is ``-q`` (scikit-learn's choice). Same as
    ``sklearn.metrics.mean_pinball_loss(alpha=q)``.
    """

    __slots__ = ()
    name = "quantile"
    formula = "q (y - f) if y >= f else (1 - q) (f - y)"
    aliases = ("pinball",)
    parameters = (P.Param("quantile", 0.5, P.open_unit, "in (0, 1)", "the quantile level q"),)

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        r = f - y
        q = self.quantile
        return xp.maximum(-q * r, (1.0 - q) * r)

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        # -q where y >= f, else 1 - q
        return (1.0 - self.quantile) - xp.astype(y >= f, f.dtype)

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.zeros_like(f)


@register
class Poisson(_Regression):
    r"""Poisson negative log-likelihood (without the ``log(y!)`` constant).

    Rates ``f >= 0`` (``from_logits=False``) or log-rates ``s`` (``from_logits=True``):

    .. math::
        \ell = f - y\log f,\ \ell' = 1 - y/f,\ \ell'' = y/f^2
        \qquad
        \ell = e^s - y s,\ \ell' = e^s - y,\ \ell'' = e^s

    ``0 log 0 = 0``: a zero rate with a zero count costs 0, with a positive
    count ``inf``. Same as ``torch.nn.functional.poisson_nll_loss``
    (``log_input=from_logits``, ``full=False``; torch adds ``eps=1e-8`` inside
    the log for rates), ``keras.losses.Poisson`` and scikit-learn's
    ``HalfPoissonLoss`` (log-rates).
    """

    __slots__ = ()
    name = "poisson"
    formula = "f - y log f  (log-rate s: exp(s) - y s)"
    parameters = (P.Param("from_logits", False, P.boolean, "bool", "y_pred holds log-rates"),)
    y_true_domain = "nonnegative"

    def _pred_domain(self) -> str:
        return "real" if self.from_logits else "nonnegative"

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        if self.from_logits:
            return xp.exp(f) - y * f
        return f - xlogy(y, f, xp)

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        if self.from_logits:
            return xp.exp(f) - y
        return 1.0 - xdivy(y, f, xp)

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        if self.from_logits:
            return xp.exp(f)
        return xdivy(y, f * f, xp)


@register
class MSLE(_Regression):
    r"""Mean squared logarithmic error.

    .. math::
        \ell = d^2,\ d = \log(1+f) - \log(1+y),
        \quad \ell' = \frac{2d}{1+f},
        \quad \ell'' = \frac{2(1-d)}{(1+f)^2}

    Needs ``f, y > -1``. Same as ``keras.losses.MSLE`` and
    ``sklearn.metrics.mean_squared_log_error``.
    """

    __slots__ = ()
    name = "msle"
    formula = "(log(1 + f) - log(1 + y))^2"
    aliases = ("mean_squared_log_error",)
    y_true_domain = "gt_minus_one"
    y_pred_domain = "gt_minus_one"

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        d = xp.log1p(f) - xp.log1p(y)
        return d * d

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        return 2.0 * (xp.log1p(f) - xp.log1p(y)) / (1.0 + f)

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        d = xp.log1p(f) - xp.log1p(y)
        g = 1.0 + f
        return 2.0 * (1.0 - d) / (g * g)


@register
class MAPE(_Regression):
    r"""Mean absolute percentage error, as a fraction (not percent).

    .. math::
        \ell = \frac{|r|}{\max(|y|, \epsilon)},
        \quad \ell' = \frac{\operatorname{sign}(r)}{\max(|y|, \epsilon)}, \quad \ell'' = 0

    ``epsilon`` is the machine epsilon of the computation dtype. Same as
    ``sklearn.metrics.mean_absolute_percentage_error``; ``keras.losses.MAPE``
    reports 100 times this.
    """

    __slots__ = ()
    name = "mape"
    formula = "|r| / max(|y|, eps)"
    aliases = ("mean_absolute_percentage_error",)

    def _scale(self, y: Any, xp: Any) -> Any:
        return xp.maximum(xp.abs(y), xp.finfo(y.dtype).eps)

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.abs(f - y) / self._scale(y, xp)

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.sign(f - y) / self._scale(y, xp)

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.zeros_like(f)


mse = functional(MSE)
rmse = functional(RMSE)
mae = functional(MAE)
huber = functional(Huber)
pseudo_huber = functional(PseudoHuber)
log_cosh = functional(LogCosh)
quantile = functional(Quantile)
poisson = functional(Poisson)
msle = functional(MSLE)
mape = functional(MAPE)
