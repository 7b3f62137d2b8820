"""Inference engines behind one small interface (see base.Backend)."""

from __future__ import annotations

import importlib.util

from mt.backends.base import DEFAULT_MODEL, Backend, Batch, DecodeOptions, Hypothesis, JobLimits, ModelLoadError
from mt.config import BACKENDS


def ct2_available() -> bool:
    return importlib.util.find_spec("ctranslate2") is not None


def load_backend(
    model: str = DEFAULT_MODEL,
    backend: str = "auto",
    device: str = "auto",
    compute_type: str | None = None,
    threads: int | None = None,
) -> Backend:
    """Load ``model`` on the chosen engine. ``auto`` picks CTranslate2 when it is installed."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend '{backend}' (choose {', '.join(BACKENDS)})")
    if backend == "auto":
        backend = "ct2" if ct2_available() else "torch"
    if backend == "ct2":
        if not ct2_available():
            raise ModelLoadError("backend 'ct2' needs CTranslate2: pip install 'newswire-mt[ct2]'")
        from mt.backends.ct2 import CT2Backend

        return CT2Backend(model, device=device, compute_type=compute_type, inter_threads=threads)
    from mt.backends.hf import HFBackend

    return HFBackend(model, device=device, compute_type=compute_type, threads=threads)


__all__ = [
    "Backend",
    "Batch",
    "DecodeOptions",
    "DEFAULT_MODEL",
    "Hypothesis",
    "JobLimits",
    "ModelLoadError",
    "ct2_available",
    "load_backend",
]
