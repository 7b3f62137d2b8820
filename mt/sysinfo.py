"""Hardware and library versions: the one description runs, benchmarks and the service report."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

LIBRARIES = (
    ("sacrebleu", "sacrebleu"),
    ("numpy", "numpy"),
    ("torch", "torch"),
    ("transformers", "transformers"),
    ("sentencepiece", "sentencepiece"),
    ("sacremoses", "sacremoses"),
    ("ctranslate2", "ctranslate2"),
    ("unbabel-comet", "comet"),
)


def library_versions() -> dict[str, str | None]:
    """Installed versions (None when absent), Python's and newswire-mt's own included."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist, module in LIBRARIES:
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            mod = sys.modules.get(module)
            out[dist] = getattr(mod, "__version__", None) if mod else None
    from mt import __version__

    out["newswire-mt"] = __version__
    return out


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def hardware_info() -> dict[str, Any]:
    """CPU, cores (logical, usable, physical), memory, load average, torch threads and GPUs."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }
    try:
        import psutil

        info["physical_cpus"] = psutil.cpu_count(logical=False)
        info["memory_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
    except Exception:  # noqa: BLE001 - psutil is a dependency; stay useful without it
        pass
    torch = sys.modules.get("torch")
    if torch is not None:
        info["torch_threads"] = torch.get_num_threads()
    gpus = _nvidia_gpus()
    if gpus:
        info["gpus"] = gpus
    return info


def _nvidia_gpus() -> list[str]:
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return out.stdout.strip().splitlines() if out.returncode == 0 else []
