"""Run-time configuration: threads for the native kernels, and what is active."""

from __future__ import annotations

import os
import sys
from typing import Any

_threads: int | None = None


def _native() -> Any:
    """The compiled extension, or None (reference path only)."""
    from . import _fast

    return _fast.native()


def set_num_threads(n: int) -> None:
    """Threads used by the native kernels (NumPy inputs above a size threshold)."""
    global _threads
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        msg = f"`n` must be a positive integer; got {n!r}."
        raise ValueError(msg)
    _threads = n
    native = _native()
    if native is not None:
        native.set_num_threads(n)


def get_num_threads() -> int:
    """Threads the native kernels use (by default: the CPUs this process may run on)."""
    if _threads is not None:
        return _threads
    native = _native()
    if native is not None:
        return int(native.get_num_threads())
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def version_line() -> str:
    """``losskit X.Y (native kernels, x86-64-v4 (AVX-512), OpenMP, 2 threads)`` or the reference path."""
    from . import __version__

    cfg = show_config(print_=False)
    if cfg["path"] == "native":
        omp = "OpenMP" if cfg.get("openmp") else "no OpenMP"
        where = f"native kernels for NumPy: {cfg.get('cpu_level')}, {omp}, {cfg['threads']} threads"
    elif cfg.get("forced_reference"):
        where = f"reference path ({cfg['forced_reference']})"
    else:
        where = f"reference path: {cfg.get('reason') or 'native kernels off'}"
    return f"losskit {__version__} ({where})"


def show_config(print_: bool = True) -> dict[str, Any]:
    """Which path computes NumPy losses (native kernels or the array-API reference), with what.

    >>> import losskit as lk
    >>> cfg = lk.show_config(print_=False)
    >>> cfg["path"] in ("native", "reference")
    True
    """
    from . import __version__, _fast

    native = _native()
    info: dict[str, Any] = {
        "version": __version__,
        "python": sys.version.split()[0],
        "numpy": __import__("numpy").__version__,
        "path": "native" if _fast.ENABLED else "reference",
        "native_built": native is not None,
        "threads": get_num_threads(),
    }
    if native is not None:
        info.update(native.build_info())
    else:
        info["reason"] = _fast.unavailable_reason()
    if _fast.forced_reference():
        info["forced_reference"] = f"{_fast.REFERENCE_ENV}=1"
    if print_:
        width = max(len(k) for k in info)
        for key, value in info.items():
            print(f"{key:<{width}}  {value}")
    return info
