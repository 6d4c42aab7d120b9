"""`python -m losskit`: the catalog and the worked examples, with the numbers losskit computes."""

from __future__ import annotations

import subprocess
import sys

import pytest

import losskit as lk


@pytest.fixture(scope="module")
def tour():
    out = subprocess.run([sys.executable, "-m", "losskit"], check=True, capture_output=True, text=True)
    return out.stdout


def test_tour_prints_the_whole_catalog(tour):
    for name in lk.names():
        cls = type(lk.get(name))
        line = next(line for line in tour.splitlines() if line.startswith(name + " "))
        assert cls.task in line and cls.formula in line
        for alias in cls.aliases:
            assert alias in line


def test_near_miss_example_is_computed(tour):
    # (1 - 0.49)^2 - (1 - 0.51)^2 = 0.02; (1 - 0.96)^2 - (1 - 0.98)^2 = 0.0012
    assert "lowers squared error by 0.0200; moving 0.96 -> 0.98 by 0.0012" in tour
    # log(0.51 / 0.49) = 0.0400, log(0.98 / 0.96) = 0.0206
    assert "Cross-entropy lowers by 0.0400 and 0.0206" in tour
    assert "1e-12        1.000000                27.6310" in tour


def test_outlier_example_is_computed(tour):
    assert "mse      200.8100   (the mean)" in tour
    assert "mae        1.0500   (the median)" in tour
    assert "huber      1.2625   (a robust middle)" in tour  # 4c - 4.05 = 1 (the capped pull)
    assert "9,990 times" in tour  # 2 * 999 / (2 * 0.1)
