"""What a run needs to be reproduced: versions, hardware, code revision, timings."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mt.sysinfo import hardware_info  # noqa: F401 - part of a run's manifest
from mt.sysinfo import library_versions as mt_library_versions

REPO_ROOT = Path(__file__).resolve().parents[1]


def library_versions() -> dict[str, str | None]:
    """Installed versions (mt.sysinfo's), plus this harness's own."""
    from eval import __version__

    return {**mt_library_versions(), "mt-eval": __version__}


def code_revision() -> dict[str, Any]:
    """The checkout's commit and whether it had local changes (None outside a git checkout)."""
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5)
        if rev.returncode != 0:
            return {"commit": None, "dirty": None}
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=5)
        return {"commit": rev.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
