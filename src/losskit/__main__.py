"""``python -m losskit``: the ``losskit`` command (``losskit demo`` is the guided tour)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
