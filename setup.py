"""Build the optional native kernels (``losskit._native``); everything else is in pyproject.toml.

The extension is optional: where no C compiler (or no OpenMP) is available the
package installs anyway and runs on its array-API reference path;
``losskit.show_config()`` says which path is active.

Flags: ``-O3 -fno-math-errno -fno-trapping-math`` let GCC vectorise the kernels'
own exp/log implementations and if-convert selects. ``-ffast-math`` is never
used: it breaks nan/inf semantics and, linked in, sets flush-to-zero for the
whole Python process. ``-std=c11`` keeps floating-point contraction off, so the
kernels' arithmetic rounds like NumPy's. Runtime CPU dispatch: the kernels are
compiled three times (``kernels_base.c``, ``kernels_v3.c`` with AVX2 and FMA,
``kernels_v4.c`` with AVX-512, each by ``#pragma GCC target``) and the module
picks the best the CPU runs when it loads, so one wheel serves every x86-64
machine. ``-g0``: no debug information (the module is 5.5 MB instead of 19), and the
units compile side by side: the build takes 1 min 20 s instead of 2 min 17 s on
two cores.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

BASE_FLAGS = ["-O3", "-g0", "-std=c11", "-fno-math-errno", "-fno-trapping-math", "-fvisibility=hidden"]
OPENMP = ["-fopenmp"]


def _compiles(compiler: list[str], flags: list[str]) -> bool:
    """Whether the C compiler accepts ``flags`` on a program using OpenMP."""
    src = "#include <omp.h>\nint main(void){int n=0;\n#pragma omp parallel reduction(+:n)\nn+=1;\nreturn n<1;}\n"
    with tempfile.TemporaryDirectory() as tmp:
        c = os.path.join(tmp, "t.c")
        with open(c, "w") as fh:
            fh.write(src)
        try:
            result = subprocess.run(
                [*compiler, *flags, c, "-o", os.path.join(tmp, "t")], capture_output=True, timeout=60
            )
        except (OSError, subprocess.SubprocessError):
            return False
        return result.returncode == 0


def _compile_in_parallel(compiler: object) -> None:
    """Compile an extension's sources side by side (the three kernel units take a minute each).

    setuptools compiles one extension's sources one after another; this wraps the compiler's
    ``compile`` with the steps it takes for each source run in threads. Where the compiler
    class lacks those steps (not a Unix compiler), the serial ``compile`` stays.
    """
    if not all(hasattr(compiler, name) for name in ("_setup_compile", "_get_cc_args", "_compile")):
        return

    def compile(sources, output_dir=None, macros=None, include_dirs=None, debug=False, extra_preargs=None,
                extra_postargs=None, depends=None):  # fmt: skip
        macros, objects, extra_postargs, pp_opts, build = compiler._setup_compile(
            output_dir, macros, include_dirs, sources, depends, extra_postargs
        )
        cc_args = compiler._get_cc_args(pp_opts, debug, extra_preargs)

        def one(obj: str) -> None:
            src, ext = build[obj]
            compiler._compile(obj, src, ext, cc_args, extra_postargs, pp_opts)

        with ThreadPoolExecutor(max_workers=max(1, min(len(build), os.cpu_count() or 1))) as pool:
            list(pool.map(one, [obj for obj in objects if obj in build]))
        return objects

    compiler.compile = compile


# LOSSKIT_REQUIRE_NATIVE=1 (make test sets it where a compiler and Python's headers exist):
# a kernel that does not compile fails the install instead of falling back to the reference
# path, which would pass every test with the native ones skipped.
REQUIRED = os.environ.get("LOSSKIT_REQUIRE_NATIVE", "") not in ("", "0")


class OptionalBuildExt(build_ext):
    """Build the kernels when possible; otherwise warn and install the reference path only."""

    def build_extension(self, ext: Extension) -> None:
        compiler = (sysconfig.get_config_var("CC") or "cc").split()
        if shutil.which(compiler[0]) is None:
            if REQUIRED:
                raise RuntimeError(f"losskit: LOSSKIT_REQUIRE_NATIVE is set but there is no C compiler ({compiler[0]})")
            warnings.warn(f"losskit: no C compiler ({compiler[0]}); installing the reference path only", stacklevel=1)
            return
        if _compiles(compiler, OPENMP):
            ext.extra_compile_args += OPENMP
            ext.extra_link_args += OPENMP
        else:
            # single-threaded kernels; `omp simd` pragmas still vectorise
            ext.extra_compile_args += ["-fopenmp-simd"] if _compiles(compiler, ["-fopenmp-simd"]) else []
        _compile_in_parallel(self.compiler)
        try:
            super().build_extension(ext)
        except Exception as exc:  # a compiler error must not block the install (unless REQUIRED)
            if REQUIRED:
                msg = f"losskit: the native kernels did not build and LOSSKIT_REQUIRE_NATIVE is set ({exc})"
                raise RuntimeError(msg) from exc
            warnings.warn(f"losskit: native kernels not built ({exc}); using the reference path", stacklevel=1)


native = Extension(
    "losskit._native",
    # the same kernels compiled for three CPU levels (kernels_*.c); module.c picks one at load
    sources=[
        "src/native/module.c",
        "src/native/kernels_base.c",
        "src/native/kernels_v3.c",
        "src/native/kernels_v4.c",
    ],
    depends=[
        "src/native/common.h",
        "src/native/kernels.h",
        "src/native/vmath.h",
        "src/native/ops.h",
        "src/native/elementwise.h",
        "src/native/softmax.h",
    ],
    extra_compile_args=list(BASE_FLAGS),
    extra_link_args=[],
    optional=not REQUIRED,
)

if os.environ.get("LOSSKIT_NO_NATIVE", "") not in ("", "0") or sys.platform == "win32":
    ext_modules: list[Extension] = []
else:
    ext_modules = [native]

setup(ext_modules=ext_modules, cmdclass={"build_ext": OptionalBuildExt})
