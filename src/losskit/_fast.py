"""The fast path for NumPy inputs: fused native kernels, when the extension is built.

The array-API implementation in ``_base`` is the reference and the path for every
other library; setting ``LOSSKIT_REFERENCE=1`` forces it for NumPy too.
"""

from __future__ import annotations

import os
from typing import Any

REFERENCE_ENV = "LOSSKIT_REFERENCE"
_native_module: Any = None
_import_error: str | None = None
_loaded = False


def forced_reference() -> bool:
    return os.environ.get(REFERENCE_ENV, "") not in ("", "0")


def native() -> Any:
    """The ``losskit._native`` extension module, or None when it is not built."""
    global _native_module, _import_error, _loaded
    if not _loaded:
        _loaded = True
        try:
            from . import _native as module  # type: ignore[attr-defined]
        except ImportError as exc:
            _import_error = f"the native extension is not built ({exc})"
        else:
            _native_module = module
    return _native_module


def unavailable_reason() -> str:
    native()
    return _import_error or ""
