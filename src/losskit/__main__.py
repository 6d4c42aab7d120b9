"""``python -m losskit``: the guided tour (the catalog and worked examples)."""

from ._demo import tour


def main() -> int:
    print(tour())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
