"""Converting MarianMT models to CTranslate2, once, into the project's disk cache.

Conversion (transformers -> CTranslate2) happens once per (model, revision or directory hash,
quantisation, CTranslate2 version), in a subprocess (``python -m mt.backends.ct2_convert``) so the
serving process never holds the float32 torch model; the result is cached under
``$NEWSWIRE_CACHE/ct2`` (default ``~/.cache/newswire-mt/ct2``) and appears atomically (rename).
The runtime backend (:mod:`mt.backends.ct2`) only loads what this module produced.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mt.backends.base import ModelLoadError

# quantisation stored on disk for each compute type (loading converts anything else at load time)
STORED_QUANTIZATION = {
    "float32": "float32",
    "int16": "int16",
    "int8": "int8",
    "int8_float32": "int8",
    "int8_float16": "int8_float16",
    "int8_bfloat16": "int8_bfloat16",
    "float16": "float16",
    "bfloat16": "bfloat16",
}


def cache_root() -> Path:
    """Where converted models live: ``$NEWSWIRE_CACHE/ct2`` (default ``~/.cache/newswire-mt/ct2``)."""
    from mt.cache import cache_root as project_cache

    return project_cache() / "ct2"


def _model_key(model: str, source_path: Path | None, revision: str | None) -> tuple[str, str]:
    """(readable name, identity) of the model being converted."""
    from mt.backends.loading import directory_hash

    if source_path is not None and "/snapshots/" in str(source_path):
        # a hub snapshot: the directory name is the commit hash
        ident = f"{model}@{revision or source_path.name}"
    elif source_path is not None:
        ident = f"dir:{directory_hash(source_path)}"
    else:
        ident = f"{model}@{revision or 'main'}"
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in (source_path.name if source_path and "/snapshots/" not in str(source_path) else model))
    return name[-60:], ident


def convert(model_dir: Path, out_dir: Path, quantization: str) -> None:
    """Run CTranslate2's transformers converter on a local MarianMT directory (in this process)."""
    import ctranslate2

    converter = ctranslate2.converters.TransformersConverter(
        str(model_dir), copy_files=["source.spm", "target.spm"], load_as_float16=False
    )
    converter.convert(str(out_dir), quantization=quantization, force=True)


def converted_model(model: str, quantization: str, *, revision: str | None = None) -> tuple[Path, Path, str]:
    """Return (converted directory, source directory, identity), converting on a cache miss.

    The conversion runs in a subprocess (``python -m mt.backends.ct2_convert convert``) so the float32 torch
    model never lives in the serving process; a cache entry appears atomically (rename) when done.
    """
    import ctranslate2

    from mt.backends.loading import resolve_model

    source = resolve_model(model)
    if source.path is None:
        # a hub id that is not cached yet: let transformers download it (in this process: fast fail
        # was already checked by resolve_model), then use the snapshot directory
        try:
            from huggingface_hub import snapshot_download

            src = Path(snapshot_download(model, revision=revision))
        except Exception as exc:  # network/auth errors of many kinds
            raise ModelLoadError(f"cannot load model '{model}': download failed: {exc}") from exc
    else:
        src = source.path
    name, ident = _model_key(model, src, revision)
    key = hashlib.sha256(f"{ident}|{quantization}|ct2-{ctranslate2.__version__}".encode()).hexdigest()[:16]
    out = cache_root() / f"{name}-{quantization}-{key}"
    if (out / "model.bin").is_file():
        return out, src, ident
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        if "torch" in sys.modules:
            # torch is loaded here anyway (tests, benchmarks): skip a subprocess start
            proc = _convert_in_process(src, tmp / "model", quantization)
        else:
            proc = subprocess.run(
                [sys.executable, "-m", "mt.backends.ct2_convert", "convert", str(src), str(tmp / "model"), quantization],
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": _pythonpath()},
            )
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["unknown error"]
            raise ModelLoadError(
                f"cannot convert model '{model}' to CTranslate2 ({quantization}): {tail[0]} "
                "(is a file of the model directory corrupt or truncated? --backend torch loads it without conversion)"
            )
        (tmp / "model" / "newswire_source.json").write_text(
            json.dumps({"model": model, "identity": ident, "quantization": quantization,
                        "ctranslate2": ctranslate2.__version__}, indent=1),
            encoding="utf-8",
        )
        try:
            os.replace(tmp / "model", out)
        except OSError:
            if not (out / "model.bin").is_file():  # somebody else finished first: fine
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out, src, ident


def _pythonpath() -> str:
    here = str(Path(__file__).resolve().parents[2])
    return os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)


def _convert_in_process(src: Path, out: Path, quantization: str) -> subprocess.CompletedProcess:
    try:
        convert(src, out, quantization)
    except Exception as exc:  # the converter raises many kinds of errors for a bad directory
        return subprocess.CompletedProcess([], 1, "", f"{type(exc).__name__}: {exc}")
    return subprocess.CompletedProcess([], 0, "", "")


def _main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "convert":
        convert(Path(argv[1]), Path(argv[2]), argv[3])
        return 0
    print("usage: python -m mt.backends.ct2_convert convert MODEL_DIR OUT_DIR QUANTIZATION", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
