"""Finding model files: a local directory, the Hugging Face cache, or the hub, failing fast and clearly.

transformers retries an unreachable hub for minutes before giving up; a newsroom tool must answer at
once. So we look for a local directory first, then the local cache, and only then probe the hub
with a short timeout before letting transformers download.
"""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from mt.backends.base import ModelLoadError

HUB_PROBE_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class ModelSource:
    """Where a model comes from: ``path`` is a local directory, or None for a hub id to download."""

    model: str  # as the user gave it
    path: Path | None
    local_files_only: bool

    @property
    def load_target(self) -> str:
        return str(self.path) if self.path is not None else self.model


def resolve_model(model: str) -> ModelSource:
    """Decide how to load ``model`` (a directory or a hub id) without hanging on the network."""
    candidate = Path(model).expanduser()
    if candidate.is_dir():
        if not (candidate / "config.json").is_file():
            raise ModelLoadError(
                f"cannot load model '{model}': the directory has no config.json, so it is not a "
                "transformers model directory (expected config.json, *.spm, vocab.json and weights)."
            )
        return ModelSource(model, candidate.resolve(), True)
    if _looks_like_path(model):
        raise ModelLoadError(f"cannot load model '{model}': no such directory.")
    cached = _cached_snapshot(model)
    if cached is not None:
        return ModelSource(model, cached, True)
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}:
        raise ModelLoadError(_not_available(model, "HF_HUB_OFFLINE is set and the model is not in the local cache"))
    reason = _probe_hub()
    if reason:
        raise ModelLoadError(_not_available(model, reason))
    return ModelSource(model, None, False)


def _looks_like_path(model: str) -> bool:
    """Hub ids are ``name`` or ``org/name``; anything else that is not a directory is a bad path."""
    return model.startswith((".", "/", "~")) or model.count("/") > 1 or (os.sep != "/" and os.sep in model)


def _cached_snapshot(model: str) -> Path | None:
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model, local_files_only=True))
    except Exception:  # not cached, or not a valid repo id
        return None


def _probe_hub() -> str | None:
    from huggingface_hub import constants

    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    try:
        with socket.create_connection((host, 443), timeout=HUB_PROBE_TIMEOUT_S):
            return None
    except OSError as exc:
        return f"the Hugging Face hub ({host}) is unreachable: {exc.strerror or exc}"


def _not_available(model: str, reason: str) -> str:
    return (
        f"cannot load model '{model}': {reason}.\n"
        "  - translate with a local model directory: --model PATH (a MarianMT directory with "
        "config.json, source.spm, target.spm, vocab.json and weights), or\n"
        f"  - download it once where the network is reachable (`hf download {model}`) and copy the "
        "Hugging Face cache (~/.cache/huggingface, or $HF_HOME) to this machine."
    )


def directory_hash(path: Path) -> str:
    """A short content hash of a model directory: names, sizes and bytes of every file."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode())
        with file.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:12]
