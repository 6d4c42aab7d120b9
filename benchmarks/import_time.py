"""What `import losskit` adds to `import numpy`, measured with `python -X importtime`.

Median over fresh processes, with byte-compiled files (as an installed package has them)
and without (PYTHONDONTWRITEBYTECODE=1, every module compiled from source at each import).
`make bench` measures the same (byte-compiled) as one of issue 7's gates; this script is
the quick way to look at import time alone.
"""

from __future__ import annotations

from lkbench.startup import compiled_env, describe, import_ms, source_env

RUNS = 15


def main() -> None:
    for label, env in (("byte-compiled", compiled_env()), ("from source", source_env())):
        print(f"import losskit after numpy, {label}: {describe(import_ms(env, RUNS))}")


if __name__ == "__main__":
    main()
