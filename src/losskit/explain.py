r"""The information view: what a loss is losing, in nats and bits, and in words.

Cross-entropy is a number of nats: the surprise of the truth under the
prediction. It splits into what could never be avoided and what the model
wastes, ``H(p, q) = H(p) + KL(p || q)``; its exponential is the perplexity.
The squared and absolute errors are negative log-likelihoods too, of a
Gaussian and of a Laplace distribution, up to a scale and a constant:
:func:`gaussian_nll` and :func:`laplace_nll` make the link concrete.
:func:`describe` explains a loss from its catalog record, with numbers
computed by the loss itself.

Everything here is written against the array API, like the losses: arrays of
any library in, the same library out.
"""

from __future__ import annotations

import math
import numbers
import sys
from typing import Any, NamedTuple

from ._array import as_array, compute_dtype, errstate, namespace
from ._base import Loss, _check_rows_sum_to_one, _fail_if
from ._catalog import LossInfo, info
from ._registry import get
from ._stable import log_softmax, xlogy

__all__ = [
    "Decomposition",
    "cross_entropy_decomposition",
    "describe",
    "entropy",
    "gaussian_nll",
    "laplace_nll",
    "perplexity",
    "to_bits",
    "to_nats",
]

LN2 = math.log(2.0)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_STDOUT = object()  # the default of describe(file=...): sys.stdout at call time


# -- units ------------------------------------------------------------------------------------------


def _scaled(x: Any, factor: float, name: str) -> Any:
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x) * factor
    xp, dev = namespace(x)
    a = _floating(as_array(x, xp, dev, name=name), xp, name)
    return a * factor


def to_bits(nats: Any) -> Any:
    """Nats to bits: divide by ``ln 2``.

    >>> import losskit as lk
    >>> lk.to_bits(lk.binary_cross_entropy([1.0], [0.5]))    # a fair coin: one bit
    np.float64(1.0)
    """
    return _scaled(nats, 1.0 / LN2, "nats")


def to_nats(bits: Any) -> Any:
    """Bits to nats: multiply by ``ln 2``."""
    return _scaled(bits, LN2, "bits")


# -- entropy, cross-entropy, KL -------------------------------------------------------------------


class Decomposition(NamedTuple):
    """``cross_entropy = entropy + kl_divergence``, per row, in nats."""

    entropy: Any
    kl_divergence: Any
    cross_entropy: Any


def _floating(a: Any, xp: Any, name: str) -> Any:
    if not xp.isdtype(a.dtype, ("bool", "integral", "real floating")):
        msg = f"`{name}` must hold real numbers; got dtype {a.dtype}."
        raise TypeError(msg)
    dtype, _ = compute_dtype(a.dtype, None, xp)
    return a if a.dtype == dtype else xp.astype(a, dtype)


def _distribution(a: Any, xp: Any, name: str, validate: bool) -> Any:
    """``a`` as a float array of probability rows (the last axis), checked."""
    a = _floating(a, xp, name)
    if a.ndim == 0:
        msg = f"`{name}` must have a class axis (the last axis); got a 0-d array."
        raise ValueError(msg)
    if validate:
        with errstate(xp):
            _fail_if(~xp.isfinite(a) | (a < 0.0) | (a > 1.0), None, a, xp, name, "probabilities in [0, 1]")
            _check_rows_sum_to_one(a, xp, name, None, "")
    return a


def entropy(p: Any, *, validate: bool = True) -> Any:
    """The entropy ``H(p) = -sum_k p_k log p_k`` of each distribution, in nats (``0 log 0 = 0``).

    Parameters
    ----------
    p
        Probability rows along the last axis (one distribution: a 1-D array).
    validate
        Check that ``p`` holds probabilities whose rows sum to 1.

    Returns
    -------
    array
        Shape ``p.shape[:-1]``: the unavoidable loss, the cross-entropy of a
        perfect prediction. ``to_bits`` converts.

    >>> import losskit as lk
    >>> float(lk.to_bits(lk.entropy([0.5, 0.5])))
    1.0
    """
    xp, dev = namespace(p)
    p = _distribution(as_array(p, xp, dev, name="p"), xp, "p", validate)
    with errstate(xp):
        return -xp.sum(xlogy(p, p, xp), axis=-1)


def cross_entropy_decomposition(p: Any, q: Any, *, from_logits: bool = False, validate: bool = True) -> Decomposition:
    """``H(p, q) = H(p) + KL(p || q)``: the cross-entropy, split into the unavoidable and the wasted.

    Parameters
    ----------
    p
        The true distributions (rows along the last axis).
    q
        The predicted distributions, or logits with ``from_logits=True``; the shape of ``p``.
    from_logits
        ``q`` holds logits (``softmax`` is applied, stably).
    validate
        Check the inputs' values.

    Returns
    -------
    Decomposition
        ``(entropy, kl_divergence, cross_entropy)``, each of shape ``p.shape[:-1]``,
        in nats. The three are computed separately; ``cross_entropy`` equals
        ``entropy + kl_divergence`` to rounding. A class with ``p_k > 0`` and
        ``q_k = 0`` makes the KL and the cross-entropy ``inf``.

    >>> import losskit as lk
    >>> h, kl, ce = lk.cross_entropy_decomposition([0.5, 0.5], [0.9, 0.1])
    >>> round(float(h), 4), round(float(kl), 4), round(float(ce), 4)
    (0.6931, 0.5108, 1.204)
    """
    xp, dev = namespace(p, q)
    p = _distribution(as_array(p, xp, dev, name="p"), xp, "p", validate)
    q = as_array(q, xp, dev, name="q")
    if from_logits:
        q = _floating(q, xp, "q")
        if validate:
            _fail_if(xp.isnan(q) | (q == math.inf), None, q, xp, "q", "logits below +inf (and not nan)")
    else:
        q = _distribution(q, xp, "q", validate)
    if tuple(q.shape) != tuple(p.shape):
        msg = f"`p` and `q` must have the same shape; got p {tuple(p.shape)} and q {tuple(q.shape)}."
        raise ValueError(msg)
    if q.dtype != p.dtype:
        dtype = xp.result_type(p.dtype, q.dtype)
        p, q = xp.astype(p, dtype), xp.astype(q, dtype)
    with errstate(xp):
        zero = p == 0.0
        log_p = xp.log(xp.where(zero, 1.0, p))
        log_q = log_softmax(q, xp) if from_logits else xp.log(q)
        log_q = xp.where(zero, 0.0, log_q)  # terms with p_k = 0 are 0, whatever q_k is
        h = -xp.sum(xp.where(zero, 0.0, p * log_p), axis=-1)
        ce = -xp.sum(xp.where(zero, 0.0, p * log_q), axis=-1)
        kl = xp.sum(xp.where(zero, 0.0, p * (log_p - log_q)), axis=-1)
    return Decomposition(h, kl, ce)


def perplexity(nats: Any, *, sample_weight: Any = None, reduction: str = "mean") -> Any:
    """``exp`` of a cross-entropy in nats: the number of equally likely choices it is worth.

    Parameters
    ----------
    nats
        Per-token (per-sample) losses in nats, such as
        ``lk.sparse_categorical_cross_entropy(y, logits, from_logits=True, reduction="none")``,
        or a mean of them, or an entropy.
    sample_weight
        Weights for the mean (the shape of ``nats``).
    reduction
        ``"mean"`` (default): ``exp`` of the weighted mean, the perplexity of
        a text or data set. ``"none"``: ``exp`` of each value.

    >>> import losskit as lk
    >>> float(lk.perplexity(lk.entropy([0.25, 0.25, 0.25, 0.25])))   # four equal choices
    4.0
    """
    if reduction not in ("mean", "none"):
        msg = f"`reduction` must be 'mean' or 'none'; got {reduction!r}."
        raise ValueError(msg)
    if isinstance(nats, numbers.Real) and not isinstance(nats, bool) and sample_weight is None:
        return math.exp(float(nats)) if float(nats) < 709.0 else math.inf
    xp, dev = namespace(nats, sample_weight)
    x = _floating(as_array(nats, xp, dev, name="nats"), xp, "nats")
    with errstate(xp):
        _fail_if(xp.isnan(x), None, x, xp, "nats", "numbers (not nan)")
        if reduction == "none":
            return xp.exp(x)
        if math.prod(x.shape) == 0:
            msg = "the perplexity of no values is undefined."
            raise ValueError(msg)
        if sample_weight is None:
            return xp.exp(xp.mean(x))
        w = _floating(as_array(sample_weight, xp, dev, name="sample_weight"), xp, "sample_weight")
        if tuple(w.shape) != tuple(x.shape):
            msg = f"`sample_weight` must have the shape of `nats` {tuple(x.shape)}; got {tuple(w.shape)}."
            raise ValueError(msg)
        _fail_if(~xp.isfinite(w) | (w < 0.0), None, w, xp, "sample_weight", "finite and non-negative")
        total = xp.sum(w)
        if not bool(total > 0.0):
            msg = "every `sample_weight` is 0: the weighted mean is undefined."
            raise ValueError(msg)
        return xp.exp(xp.sum(xp.where(w == 0.0, 0.0, w * x)) / total)


# -- likelihoods made concrete --------------------------------------------------------------------


def _scale(scale: Any, b: Any, name: str) -> Any:
    """A positive scale: a number or an array of the values' shape, in the batch's namespace."""
    xp = b.xp
    s = _floating(as_array(scale, xp, _device(b), name=name), xp, name)
    if s.ndim and tuple(s.shape) != tuple(b.f.shape):
        msg = (
            f"`{name}` must be a number or an array of the shape of `y_true` {tuple(b.f.shape)}; got {tuple(s.shape)}."
        )
        raise ValueError(msg)
    with errstate(xp):
        _fail_if(~(s > 0.0) | ~xp.isfinite(s), None, s, xp, name, "positive and finite")
    return xp.astype(s, b.dtype)


def _device(b: Any) -> Any:
    from ._array import device_of

    return device_of(b.f, b.xp)


def _nll(
    like: str, y: Any, loc: Any, scale: Any, scale_name: str, sample_weight: Any, reduction: str, validate: bool
) -> Any:
    # The batch of mse / mae does the shape, dtype and weight checks and the reduction, as for any loss.
    b = get(like)._batch(y, loc, sample_weight, reduction, validate)
    s = _scale(scale, b, scale_name)
    xp = b.xp
    with errstate(xp):
        z = (b.f - b.y) / s
        if like == "mse":
            values = 0.5 * (z * z) + xp.log(s) + _HALF_LOG_2PI
        else:
            values = xp.abs(z) + xp.log(2.0 * s)
        return b.reduce(values, reduction)


def gaussian_nll(
    y_true: Any,
    mean: Any,
    sigma: Any,
    *,
    sample_weight: Any = None,
    reduction: str = "mean",
    validate: bool = True,
) -> Any:
    r"""The negative log-likelihood of ``y_true`` under a Gaussian, in nats, with its constant.

    .. math:: -\log \mathcal N(y; \mu, \sigma^2) = \frac{(y - \mu)^2}{2\sigma^2} + \log(\sigma\sqrt{2\pi})

    So ``mse / (2 sigma^2) + log(sigma sqrt(2 pi))`` is the mean Gaussian NLL
    with a fixed ``sigma``, and both are minimised by the same ``mean``.
    ``sigma`` is a number or an array of ``y_true``'s shape (heteroscedastic).
    Weights and reductions as for the losses. Same as
    ``-scipy.stats.norm.logpdf(y, mean, sigma)`` and
    ``torch.nn.functional.gaussian_nll_loss(mean, y, sigma**2, full=True)``
    (which takes the variance).
    """
    return _nll("mse", y_true, mean, sigma, "sigma", sample_weight, reduction, validate)


def laplace_nll(
    y_true: Any,
    loc: Any,
    scale: Any,
    *,
    sample_weight: Any = None,
    reduction: str = "mean",
    validate: bool = True,
) -> Any:
    r"""The negative log-likelihood of ``y_true`` under a Laplace distribution, in nats.

    .. math:: -\log \mathrm{Laplace}(y; \mu, b) = \frac{|y - \mu|}{b} + \log(2b)

    So ``mae / b + log(2 b)`` is the mean Laplace NLL with a fixed scale, and
    both are minimised by the same ``loc`` (the median). ``scale`` is a number
    or an array of ``y_true``'s shape. Same as ``-scipy.stats.laplace.logpdf(y, loc, scale)``.
    """
    return _nll("mae", y_true, loc, scale, "scale", sample_weight, reduction, validate)


# -- describe ---------------------------------------------------------------------------------------


def describe(loss: str | Loss, /, *, file: Any = _STDOUT, **params: Any) -> str:
    """Explain a loss in words and numbers, from its catalog record; print it and return it.

    What it measures, the likelihood it is the negative log of, how it treats
    outliers, and how hard its gradient pushes a wrong confident prediction
    (computed by the loss itself), its best constant, convexity, smoothness,
    and its names in other libraries.

    Parameters
    ----------
    loss
        A name, alias or :class:`Loss` object.
    file
        Where to print (default ``sys.stdout``); ``None`` only returns the text.
    **params
        Parameters of the loss (``delta=2.0``, ``from_logits=True``).
    """
    obj = get(loss, **params)
    text = _description(obj, info(obj))
    if file is not None:
        print(text, file=sys.stdout if file is _STDOUT else file)
    return text


def _wrap(label: str, text: str, width: int = 100) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=width, initial_indent=f"{label:<14}", subsequent_indent=" " * 14) or [label]


def _description(loss: Loss, rec: LossInfo) -> str:
    aliases = f"  (aliases: {', '.join(rec.aliases)})" if rec.aliases else ""
    title = f"{rec.name}: {rec.task} loss{aliases}"
    lines = [title, "=" * len(title), ""]
    lines += _wrap("Measures", rec.summary[0].upper() + rec.summary[1:] + ".")
    lines += [
        f"{'Loss':<14}{rec.formula.value}",
        f"{'Gradient':<14}{rec.formula.gradient}",
        f"{'Hessian':<14}{rec.formula.hessian}",
        f"{'Inputs':<14}y_true: {rec.y_true}; y_pred: {rec.y_pred}",
    ]
    if rec.parameters:
        shown = "; ".join(f"{p.name}={getattr(loss, p.name)!r} ({p.valid}): {p.doc}" for p in rec.parameters)
        lines += _wrap("Parameters", shown)
    lines += [""]
    lines += _wrap("Likelihood", rec.likelihood + ".")
    lines += _wrap("Outliers", rec.robustness + ".")
    lines += ["", *_pushes(loss, rec), ""]
    lines += _wrap("Best constant", rec.best_constant + ".")
    lines += _wrap("Convexity", rec.convexity + ".")
    smooth = {"smooth": "smooth (infinitely differentiable)", "C1": "C1", "C0": "continuous, not differentiable"}
    kinks = "" if rec.kinks == "none" else f": {rec.kinks}"
    lines += _wrap("Smoothness", smooth[rec.smoothness] + kinks + ".")
    if rec.zero_hessian:
        lines += _wrap(
            "Second order",
            "the Hessian is 0 almost everywhere: Newton steps and gradient boosters need a surrogate Hessian "
            "(losskit.integrations hands boosters max(Hessian, 1)).",
        )
    elif rec.approx_hessian:
        lines += _wrap(
            "Second order",
            "the Hessian is 0 on whole regions where the gradient is not: gradient boosters get the surrogate "
            "max(Hessian, 1) from losskit.integrations.",
        )
    elif not rec.hessian_diagonal:
        lines += _wrap("Second order", "the Hessian is not diagonal: use mse for Newton steps (same minimiser).")
    lines += [""]
    eq = rec.equivalents
    for label, value in (
        ("PyTorch", eq.pytorch),
        ("Keras", eq.keras),
        ("optax", eq.optax),
        ("scikit-learn", eq.sklearn),
        ("Elsewhere", eq.others),
    ):
        lines += _wrap(label, value)
    lines += [""]
    for i, ref in enumerate(rec.references):
        lines += _wrap("References" if i == 0 else "", ref)
    return "\n".join(lines)


# The predictions describe() pushes on: misses for regression; probabilities of the true class.
_MISSES = (0.1, 1.0, 10.0, 1000.0)
_PROBABILITIES = (0.51, 0.49, 0.01)


def _pushes(loss: Loss, rec: LossInfo) -> list[str]:
    """How hard the gradient pushes predictions, near and far from the truth, computed by the loss."""
    import numpy as np

    with np.errstate(all="ignore"):
        if rec.task == "regression":
            y = np.ones(len(_MISSES))
            f = y + np.array(_MISSES)
            if rec.y_pred == "log-rates":
                f = np.log(f)
            g = np.abs(np.asarray(loss.gradient(y, f, reduction="sum"), dtype=float))
            shown = ", ".join(f"{m:g}: {v:.4g}" for m, v in zip(_MISSES, g, strict=True))
            ratio = g[-1] / g[0] if g[0] else math.inf
            return [
                *_wrap("Push", f"size of the gradient for a target 1 and a miss of {shown}."),
                *_wrap("", f"A miss 10,000 times larger pulls {_times(ratio)} as hard."),
            ]
        p = np.array(_PROBABILITIES)
        y, f = _classified(loss, rec, p)
        values = np.asarray(loss(y, f, reduction="none"), dtype=float)
        grads = np.asarray(loss.gradient(y, f, reduction="none"), dtype=float)
        g = np.abs(grads if grads.ndim == 1 else grads[:, 0])  # the true class's component
        shown = "; ".join(
            f"{q:g}: loss {v:.4g}, gradient {gi:.4g}" for q, v, gi in zip(_PROBABILITIES, values, g, strict=True)
        )
        kind = "its logit" if rec.y_pred in ("logits", "scores") else "p"
        ratio = g[2] / g[1] if g[1] else math.inf
        return [
            *_wrap("Push", f"predicted probability p of the true class (gradient with respect to {kind}): {shown}."),
            *_wrap(
                "",
                f"Moving 0.49 -> 0.51 lowers the loss by {values[1] - values[0]:.4g}. A confident wrong prediction "
                f"(p = 0.01) is pushed {_times(ratio)} as hard as a near miss (p = 0.49).",
            ),
        ]


def _times(ratio: float) -> str:
    if not math.isfinite(ratio):
        return "infinitely"
    if abs(ratio - 1.0) < 5e-3:
        return "just"
    return f"{ratio:,.0f} times" if ratio >= 100 else f"{ratio:.3g} times"


def _classified(loss: Loss, rec: LossInfo, p: Any) -> tuple[Any, Any]:
    """Targets of class 1 (binary) or 0 (of 3 classes) and predictions giving it probability ``p``."""
    import numpy as np

    logits = rec.y_pred in ("logits", "scores")
    if rec.task == "binary":
        y = np.ones(p.size)
        return y, (np.log(p) - np.log1p(-p)) if logits else p
    k = 3
    q = np.column_stack([p, *([(1.0 - p) / (k - 1)] * (k - 1))])
    labels = np.zeros(p.size, dtype=np.int64)
    y = labels if loss.integer_labels else np.eye(k)[labels]
    return y, np.log(q) if logits else q
