"""COMET, only when it can run offline: ``unbabel-comet`` installed and a local checkpoint given.

Anything else (no path, package missing, path missing, a load or predict failure) is reported as
``{"status": "skipped", "reason": ...}`` and never raised: COMET is an extra, BLEU/chrF are the contract.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, Sequence


def comet_available() -> bool:
    return importlib.util.find_spec("comet") is not None


def _checkpoint(path: Path) -> Path | None:
    if path.is_file():
        return path
    for cand in (path / "checkpoints" / "model.ckpt", path / "model.ckpt"):
        if cand.is_file():
            return cand
    found = sorted(path.glob("**/*.ckpt"))
    return found[0] if found else None


def comet_score(
    sources: Sequence[str],
    hypotheses: Sequence[str],
    references: Sequence[str],
    model_path: str | None,
    *,
    batch_size: int = 16,
    gpus: int = 0,
) -> dict[str, Any]:
    """System-level COMET (first reference), or a ``skipped`` record saying why not."""
    if not model_path:
        return {"status": "skipped", "reason": "no local COMET model given (--comet-model PATH)"}
    if not comet_available():
        return {"status": "skipped", "reason": "unbabel-comet is not installed (pip install unbabel-comet)"}
    path = Path(model_path)
    if not path.exists():
        return {"status": "skipped", "reason": f"COMET model path {path} does not exist"}
    ckpt = _checkpoint(path)
    if ckpt is None:
        return {"status": "skipped", "reason": f"no .ckpt checkpoint found under {path}"}
    try:
        from comet import load_from_checkpoint  # type: ignore[import-not-found]

        model = load_from_checkpoint(str(ckpt))
        data = [{"src": s, "mt": h, "ref": r} for s, h, r in zip(sources, hypotheses, references)]
        out = model.predict(data, batch_size=batch_size, gpus=gpus, progress_bar=False)
        return {
            "status": "ok",
            "model": str(ckpt),
            "score": float(out.system_score),
            "segments": [float(x) for x in out.scores],
        }
    except Exception as e:  # noqa: BLE001 - COMET must never fail a run
        return {"status": "skipped", "reason": f"COMET failed: {type(e).__name__}: {e}"}
