"""What `import losskit` adds to `import numpy`, measured with `python -X importtime`.

Median over fresh processes, with byte-compiled files (as an installed package has them)
and without (PYTHONDONTWRITEBYTECODE=1, every module compiled from source at each import).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile

RUNS = 15


def cumulative_us(module: str, env: dict[str, str]) -> int:
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import numpy; import losskit"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    for line in err.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)$", line)
        if m and m.group(3) == module and m.group(2) == "":
            return int(m.group(1))
    raise RuntimeError(f"{module} not found in the importtime output")


def main() -> None:
    compiled = dict(os.environ)
    compiled.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-c", "import losskit"], env=compiled, check=True)  # write .pyc
    # an empty cache folder that is never written: every module compiled at each import
    source = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": tempfile.mkdtemp()}
    for label, env in (("byte-compiled", compiled), ("from source", source)):
        times = [cumulative_us("losskit", env) / 1000 for _ in range(RUNS)]
        print(
            f"import losskit after numpy, {label}: median {statistics.median(times):.1f} ms "
            f"(min {min(times):.1f}, max {max(times):.1f}, {RUNS} runs)"
        )


if __name__ == "__main__":
    main()
