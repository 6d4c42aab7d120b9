"""The public conformance vectors, run through the active path (``../shared/conformance/check.py``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$")


def parse_summary(stdout: str) -> dict[str, int] | None:
    """The counts of the checker's last summary line.

    >>> parse_summary("FAIL x\\n2240 passed, 1 failed\\n")
    {'passed': 2240, 'failed': 1, 'skipped': 0}
    """
    for line in reversed(stdout.splitlines()):
        m = SUMMARY.match(line.strip())
        if m:
            return {"passed": int(m.group(1)), "failed": int(m.group(2)), "skipped": int(m.group(3) or 0)}
    return None


def default_checker(repo: Path) -> Path:
    """``$LOSSKIT_CONFORMANCE/check.py`` (as the tests), else ``../shared/conformance/check.py``."""
    folder = os.environ.get("LOSSKIT_CONFORMANCE")
    return Path(folder) / "check.py" if folder else repo.parent / "shared" / "conformance" / "check.py"


def run(checker: Path) -> dict[str, Any]:
    """Run the checker on NumPy inputs; the counts, the first failures, or why it could not run."""
    if not checker.is_file():
        return {"error": f"the conformance checker was not found at {checker} (--conformance PATH)"}
    proc = subprocess.run([sys.executable, str(checker)], capture_output=True, text=True, check=False)
    counts = parse_summary(proc.stdout)
    if counts is None:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"error": f"{checker} gave no summary line (exit {proc.returncode}): {tail[0]}"}
    fails = [line for line in proc.stdout.splitlines() if line.startswith("FAIL")][:10]
    return {**counts, "checker": str(checker), "first_failures": fails}
