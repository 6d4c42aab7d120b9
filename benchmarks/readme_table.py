"""The README's performance table from one `make bench` JSON: value+gradient at N = 1e7 and the wide softmax shapes.

    python benchmarks/readme_table.py benchmarks/results/bench-<time>.json

Each contender's column is its median time divided by losskit's (with ``out=``): above 1, losskit is faster.
"""

from __future__ import annotations

import json
import sys

ROWS = [
    "mse", "mae", "huber", "pseudo_huber", "hinge", "sq_hinge", "quantile",
    "bce:logits", "poisson:log", "focal:logits", "log_cosh", "softmax_ce", "sparse_ce:logits",
]  # fmt: skip
SHAPES = {(10_000_000,), (1_000_000, 10), (10_000, 1000), (1000, 32000)}


def _size(n: int) -> str:
    """1e7 for powers of ten, the number otherwise."""
    return f"1e{len(str(n)) - 1}" if str(n).strip("0") == "1" and n >= 1000 else str(n)


def _shape(shape: list[int]) -> str:
    return "x".join(_size(n) for n in shape)


def main(path: str) -> None:
    with open(path) as fh:
        run = json.load(fh)
    m = run["machine"]
    print(f"{m['cpu']['model']} ({m['cpu']['level']}), {m['cpus']} CPUs, {m['memory_gib']} GiB; {m['platform']}")
    print(", ".join(f"{k} {v}" for k, v in m["versions"].items()))
    print()
    print("| loss | shape | dtype | losskit ms | × floor | torch | sklearn | JAX | NumPy |")
    print("|---|---|---|--:|--:|--:|--:|--:|--:|")
    for spec in ROWS:
        for case in run["cases"]:
            if case["spec"] != spec or case["call"] != "vg" or tuple(case["shape"]) not in SHAPES:
                continue
            res = case["results"]
            lk = res["losskit"]["median_s"]

            def ratio(key: str, lk: float = lk, res: dict = res) -> str:
                r = res.get(key, {})
                return f"{r['median_s'] / lk:.1f}" if r.get("status") == "ok" and r.get("median_s") else "-"

            floor = res["floor"]["median_s"]
            dtype = "f32" if case["dtype"] == "float32" else "f64"
            print(
                f"| {spec} | {_shape(case['shape'])} | {dtype} | {lk * 1e3:.2f} | {lk / floor:.2f} | "
                f"{ratio('torch')} | {ratio('sklearn')} | {ratio('jax')} | {ratio('numpy')} |"
            )


if __name__ == "__main__":
    main(sys.argv[1])
