"""The docs' code: every ```python block that imports losskit runs, as a program, and succeeds."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

PAGES = sorted((ROOT / "docs").glob("*.md"))


def _programs():
    for page in PAGES:
        blocks = re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)
        for i, code in enumerate(blocks):
            if "import losskit" in code:  # fragments without imports are illustrations
                yield pytest.param(code, id=f"{page.stem}-{i}")


@pytest.mark.parametrize("code", list(_programs()))
def test_docs_program_runs(code, tmp_path):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
