"""The machinery of losskit's benchmark suite (``benchmarks/bench.py``, issue 7).

Modules, from the bottom up:

- ``timing``: medians with adaptive repeats, and the contention flag (``/proc/stat``).
- ``specs``: the benchmarked loss settings, their inputs and the formulas the anchors use.
- ``reference``: the exact reference (extended precision, exact summation) and the
  agreement check every contender passes before it is timed.
- ``contenders``: losskit, the floor, PyTorch, scikit-learn, JAX and NumPy as timed calls.
- ``gates``: the gates of issue 7, evaluated on the results.
- ``machine``, ``startup``, ``report``: what ran where, start-up costs, table and JSON.

Nothing here imports torch, JAX or scikit-learn at module level: the tests of the
benchmark code (``tests/test_bench_tools.py``) run without paying for them.
"""
