"""`losskit demo`: the catalog, the worked examples, a real data set and the pictures, with computed numbers."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import losskit as lk


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def tour(demo_dir):
    out = subprocess.run(
        [sys.executable, "-m", "losskit", "demo"], check=True, capture_output=True, text=True, cwd=demo_dir
    )
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


def test_real_data_example_is_computed(tour, demo_dir):
    # 212 of 569 tumours are malignant: the best constant is their rate, its loss the label entropy
    rate = 212 / 569
    entropy = -(rate * np.log(rate) + (1 - rate) * np.log(1 - rate))
    assert f"the rate of malignant tumours, {rate:.4f}" in tour
    assert f"H = {entropy:.4f} nats = {entropy / np.log(2):.4f} bits" in tour
    data = np.loadtxt(demo_dir / "losskit-demo" / "breast_cancer.csv", delimiter=",", skiprows=1)
    bce = float(lk.bce(data[:, 0], data[:, 1]))
    assert f"binary_cross_entropy  {bce:.10g}" in tour  # the streamed result, as losskit eval prints it
    assert f"The model loses {bce:.4f} nats" in tour


def test_demo_writes_its_pictures(tour, demo_dir):
    from matplotlib.image import imread

    for name in ("regression.png", "margin.png", "probability.png", "outliers.png"):
        img = imread(demo_dir / "losskit-demo" / name)
        assert img.shape[0] > 300 and np.any(img[..., :3] < 0.5)
        assert name in tour
