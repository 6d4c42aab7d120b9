"""What the benchmark ran on: CPU, cores, memory, versions, losskit's configuration, load."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("numpy", "torch", "scikit-learn", "scipy", "jax", "jaxlib", "array-api-compat", "losskit")
ENV_VARS = ("LOSSKIT_REFERENCE", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "JAX_PLATFORMS")
# x86-64 micro-architecture levels (the psABI's), by the cpuinfo flags each adds
LEVELS = {
    "x86-64-v2": ("cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"),
    "x86-64-v3": ("avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"),
    "x86-64-v4": ("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"),
}


def cpuinfo(text: str) -> dict[str, Any]:
    """Model, the SIMD flags that matter for the kernels, and the x86-64 level, from /proc/cpuinfo.

    >>> info = cpuinfo("model name\\t: X\\nflags\\t\\t: sse4_2 avx avx2 fma avx512f\\n")
    >>> info["model"], info["simd_flags"]
    ('X', ['avx', 'avx2', 'avx512f', 'fma', 'sse4_2'])
    """
    model, flags = "unknown", set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and model == "unknown":
            model = value.strip()
        elif key == "flags" and not flags:
            flags = set(value.split())
    simd = sorted(f for f in flags if f.startswith(("avx", "sse4", "fma", "f16c", "bmi2", "amx")))
    level = "x86-64"
    for name, needs in LEVELS.items():
        if not set(needs) <= flags:
            break
        level = name
    return {"model": model, "simd_flags": simd, "level": level if flags else "unknown"}


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _memory_gib() -> float | None:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 2**20, 1)
    return None


def _version(pkg: str) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(repo: Path) -> dict[str, Any]:
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return {}
    return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}


def describe(repo: Path, losskit_config: dict[str, Any]) -> dict[str, Any]:
    """Everything needed to tell two runs' machines and software apart."""
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": cpuinfo(_read("/proc/cpuinfo")),
        "cpus": os.cpu_count(),
        "cpus_usable": affinity,
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "versions": {pkg: _version(pkg) for pkg in PACKAGES},
        "losskit_config": losskit_config,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "env": {k: os.environ[k] for k in ENV_VARS if k in os.environ},
        "git": _git(repo),
    }


def headline(info: dict[str, Any]) -> list[str]:
    """A few lines for the top of the printed report."""
    cpu, cfg, v = info["cpu"], info["losskit_config"], info["versions"]
    load = info.get("load_average")
    lines = [
        f"machine   {cpu['model']}, {info['cpus_usable']} usable of {info['cpus']} CPUs, {info['memory_gib']} GiB; "
        f"{cpu['level']} ({' '.join(f for f in cpu['simd_flags'] if f in ('avx2', 'fma', 'avx512f', 'avx512bw'))})",
        f"software  python {info['python']}, numpy {v['numpy']}, torch {v['torch']}, scikit-learn {v['scikit-learn']}, "
        f"jax {v['jax']}, losskit {v['losskit']}" + (f" @ {info['git']['commit'][:10]}" if info.get("git") else ""),
        f"losskit   path {cfg.get('path')}, {cfg.get('threads')} threads"
        + (f" ({cfg['reason']})" if cfg.get("reason") else "")
        + (f", {cfg['forced_reference']}" if cfg.get("forced_reference") else ""),
    ]
    if load:
        lines.append(f"load      {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1, 5, 15 min) at the start")
    return lines
