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
        check_model_directory(candidate, model)
        return ModelSource(model, candidate.resolve(), True)
    if candidate.exists():
        raise ModelLoadError(f"cannot load model '{model}': it is a file; --model takes a model directory or a hub id.")
    if _looks_like_path(model):
        raise ModelLoadError(f"cannot load model '{model}': no such directory{_did_you_mean(candidate)}.")
    cached = _cached_snapshot(model)
    if cached is not None:
        return ModelSource(model, cached, True)
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}:
        raise ModelLoadError(_not_available(model, "HF_HUB_OFFLINE is set and the model is not in the local cache"))
    reason = _probe_hub()
    if reason:
        raise ModelLoadError(_not_available(model, reason))
    return ModelSource(model, None, False)


# What a MarianMT directory needs; weights come in one of these files.
REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def check_model_directory(path: Path, model: str | None = None) -> None:
    """Raise :class:`ModelLoadError` naming every file a MarianMT directory lacks (or has empty)."""
    name = model or str(path)
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if not any((path / f).is_file() for f in WEIGHT_FILES) and not any(path.glob("model-*.safetensors")):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise ModelLoadError(
            f"cannot load model '{name}': the directory lacks {', '.join(missing)} "
            f"(a MarianMT directory has {', '.join(REQUIRED_FILES)} and weights)."
        )
    empty = [f for f in (*REQUIRED_FILES, *WEIGHT_FILES) if (path / f).is_file() and (path / f).stat().st_size == 0]
    if empty:
        raise ModelLoadError(f"cannot load model '{name}': {', '.join(empty)} is empty (a truncated copy?).")


def _looks_like_path(model: str) -> bool:
    """Hub ids are ``name`` or ``org/name``; anything else that is not a directory is a bad path, and
    so is ``dir/name`` when ``dir`` is a local directory (``models/tinyy``: a typo, not a hub id)."""
    if model.startswith((".", "/", "~")) or model.endswith(("/", os.sep)) or model.count("/") > 1:
        return True
    if os.sep != "/" and os.sep in model:
        return True
    head = model.split("/", 1)[0]
    return "/" in model and Path(head).is_dir()


def _did_you_mean(candidate: Path) -> str:
    import difflib

    parent = candidate.parent
    try:
        names = [p.name for p in parent.iterdir() if p.is_dir()]
    except OSError:
        return ""
    close = difflib.get_close_matches(candidate.name, names, n=1)
    return f" (did you mean {parent / close[0]}?)" if close else ""


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
        f"cannot load model '{model}': {reason}; translate with a local MarianMT directory (--model PATH), "
        f"or download it once where the network is reachable (`hf download {model}`) and copy the "
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
