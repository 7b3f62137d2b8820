"""One on-disk cache for the project: converted models, downloaded test sets."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "NEWSWIRE_CACHE"


def cache_root() -> Path:
    """``$NEWSWIRE_CACHE``, or ``~/.cache/newswire-mt``; each user of it takes a subfolder."""
    base = os.environ.get(CACHE_ENV)
    return Path(base).expanduser() if base else Path.home() / ".cache" / "newswire-mt"
