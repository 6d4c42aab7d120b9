"""The package installs and works without a C compiler, on the reference path, and says so."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

CHECK = (
    "import numpy as np, losskit as lk;"
    "cfg = lk.show_config(print_=False);"
    "print(cfg['path'], cfg['native_built']);"
    "print(float(lk.mse([1.0, 2.0], [1.5, 1.0])));"
    "print(float(lk.get('bce', from_logits=True)(np.array([0.0, 1.0]), np.array([-1.0, 2.0]))))"
)


def _install_without_compiler(tmp_path_factory, required):
    """pip-install the project with a C compiler that always fails (CC=false)."""
    target = tmp_path_factory.mktemp("site")
    src = tmp_path_factory.mktemp("src") / "losskit"
    shutil.copytree(
        ROOT, src, ignore=shutil.ignore_patterns(".venv", "build", "*.so", "*.egg-info", ".git", "__pycache__")
    )
    env = {**os.environ, "CC": "false", "LDSHARED": "false", "LOSSKIT_REQUIRE_NATIVE": "1" if required else "0"}
    return target, subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(src),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def install_without_compiler(tmp_path_factory):
    target, out = _install_without_compiler(tmp_path_factory, required=False)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    return target


def test_an_install_that_requires_the_kernels_fails_without_them(tmp_path_factory):
    """make test sets LOSSKIT_REQUIRE_NATIVE where a compiler exists: a kernel that does not
    compile must fail the install, not pass the tests with the native ones skipped."""
    target, out = _install_without_compiler(tmp_path_factory, required=True)
    assert out.returncode != 0
    assert "the native kernels did not build and LOSSKIT_REQUIRE_NATIVE is set" in out.stdout + out.stderr
    assert not list(target.rglob("_native*.so"))


@pytest.mark.skipif(
    os.environ.get("LOSSKIT_REQUIRE_NATIVE", "") in ("", "0"), reason="LOSSKIT_REQUIRE_NATIVE is not set"
)
def test_the_kernels_are_built_where_they_are_required():
    from losskit import _fast

    assert _fast.native() is not None, _fast.unavailable_reason()


def test_installs_and_works_on_the_reference_path_without_a_compiler(install_without_compiler):
    assert not list(install_without_compiler.rglob("_native*.so")), "no compiler, no extension"
    env = {**os.environ, "PYTHONPATH": str(install_without_compiler)}
    out = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, cwd="/")
    assert out.returncode == 0, out.stderr
    config, mse, bce = out.stdout.splitlines()
    assert config.split() == ["reference", "False"]
    assert float(mse) == 0.625
    assert float(bce) == pytest.approx(0.5 * (0.31326168751822286 + 0.12692801104297263), rel=1e-12)
    version = subprocess.run(
        [sys.executable, "-m", "losskit", "--version"], env=env, capture_output=True, text=True, cwd="/"
    ).stdout
    assert "reference path: the native extension is not built" in version
