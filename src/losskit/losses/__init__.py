"""Every loss of the catalog, by family: regression, binary, multiclass."""

from .binary import *  # noqa: F403
from .binary import __all__ as _binary
from .multiclass import *  # noqa: F403
from .multiclass import __all__ as _multiclass
from .regression import *  # noqa: F403
from .regression import __all__ as _regression

__all__ = [*_regression, *_binary, *_multiclass]
