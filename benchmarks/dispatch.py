"""Per-call cost of losskit on NumPy inputs: value and gradient of the mean, small and large N.

Run it on two commits to see what a change costs the NumPy path:
    python benchmarks/dispatch.py            # this tree
    PYTHONPATH=/path/to/other/src python benchmarks/dispatch.py
"""

from __future__ import annotations

import statistics
import timeit

import numpy as np

import losskit as lk

CASES = [("mse", {}), ("huber", {}), ("bce", {"from_logits": True}), ("nll", {"from_logits": True})]


def median_us(fn, number: int) -> float:
    runs = timeit.repeat(fn, number=number, repeat=15)
    return statistics.median(runs) / number * 1e6


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"losskit from {lk.__file__}")
    print(f"{'loss':<8}{'N':>10}{'value (us)':>14}{'gradient (us)':>16}")
    for name, params in CASES:
        loss = lk.get(name, **params)
        for n in (100, 1_000_000):
            if name == "nll":
                y, f = rng.integers(0, 10, n // 10), rng.normal(size=(n // 10, 10))
            elif name == "bce":
                y, f = rng.integers(0, 2, n).astype(float), rng.normal(size=n)
            else:
                y, f = rng.normal(size=n), rng.normal(size=n)
            number = 2000 if n < 1000 else 5
            v = median_us(lambda loss=loss, y=y, f=f: loss(y, f), number)
            g = median_us(lambda loss=loss, y=y, f=f: loss.gradient(y, f), number)
            print(f"{name:<8}{n:>10}{v:>14.1f}{g:>16.1f}")


if __name__ == "__main__":
    main()
