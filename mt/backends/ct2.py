"""The CTranslate2 backend: a MarianMT model converted once, cached on disk, run with int8/float16.

Conversion (transformers -> CTranslate2) happens once per (model, revision or directory hash,
quantisation, CTranslate2 version) in a subprocess, so the serving process never holds the float32
torch model; the result is cached under ``$NEWSWIRE_CACHE/ct2`` (default ``~/.cache/newswire-mt/ct2``).

Marian specifics handled here (see issue 6's pitfalls):

* the converter drops ``<pad>`` (the last vocabulary entry, a zero embedding row in transformers)
  and starts the decoder from a zero embedding instead, which is exactly what transformers does
  with ``decoder_start_token_id = pad``;
* CTranslate2 takes token strings and does not add ``</s>``: we tokenise with the model's own
  ``MarianTokenizer`` (the same call the torch backend makes, ``</s>`` included);
* outputs are decoded with the same ``MarianTokenizer.batch_decode(..., skip_special_tokens=True)``
  the torch backend uses, so both backends share one output contract;
* the generation config's ``max_length`` (which counts the decoder start token) and
  ``forced_eos_token_id`` (EOS forced at the last position) are mirrored, so a hypothesis cut by
  the length limit has the same tokens in both backends.

Threads (measured on 2 cores, opus-mt-ar-en-sized model, int8; see the README's benchmark section).
CTranslate2 parallelises in two ways: ``intra_threads`` (threads inside one GEMM) and
``inter_threads`` (replicas that each decode a whole batch; weights are shared between them, only
their decoding state is not). One replica with ``intra_threads = 2`` kept only ~1.5 cores busy:
the GEMMs of a 512-wide model at batch 8-32 are too small to split well and beam bookkeeping, softmax
over 61k entries etc. are serial. So the CPU default is ``inter_threads = cores, intra_threads = 1``:

* :meth:`CT2Backend.translate_batches` keeps several batches in flight, one job per replica. Jobs
  are capped (``max_hypotheses`` = rows x beams, ``max_positions`` = rows x beams x (longest source
  + longest target)) to bound the float32 decoder state each replica holds; see the constants below
  for the measured trade-off;
* a single :meth:`CT2Backend.translate_batch` call splits its batch over the replicas.

Measured (ct2 int8, 200 NTREX sentences, forced lengths, batch 16): greedy 805 tok/s with
``inter=1, intra=2`` (1.5 cores busy), 1056-1117 with ``inter=2, intra=1`` splitting each batch
(1.87 cores), 1495-1525 with two batches in flight (1.97 cores); beam 4: 355, 506-516, 585.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from collections import deque
from typing import Any, Iterable, Iterator, Sequence

from mt.backends.base import DecodeOptions, ModelLoadError

# Limits on one CTranslate2 job (a batch, or a part of one), which bound the float32 decoder state a
# replica holds: rows x beams, and rows x beams x (longest source + longest target) "positions".
# Measured on NTREX dev (1007 sentences, batch 16, 2 cores, int8; README): greedy 2048 positions
# keeps full speed at 336 MB peak RSS (no limit: 357 MB); beam 4 with 64 hypotheses / 4096 positions
# 618 tok/s at 417 MB (32 / 3072: 582 tok/s, 388 MB; 64 / 8192: 663 tok/s, 588 MB).
DEFAULT_MAX_HYPOTHESES = int(os.environ.get("NEWSWIRE_CT2_MAX_HYPOTHESES", "64"))
DEFAULT_MAX_POSITIONS = {"greedy": 2048, "beam": 4096}
if os.environ.get("NEWSWIRE_CT2_MAX_POSITIONS"):
    DEFAULT_MAX_POSITIONS = dict.fromkeys(DEFAULT_MAX_POSITIONS, int(os.environ["NEWSWIRE_CT2_MAX_POSITIONS"]))
COMPUTE_TYPES = {
    "cpu": ("float32", "int8", "int8_float32", "int16"),
    "cuda": ("float32", "float16", "bfloat16", "int8", "int8_float16", "int8_bfloat16", "int8_float32"),
}
# quantisation stored on disk for each compute type (loading converts anything else at load time)
_STORED = {
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


def physical_cores() -> int:
    try:
        import psutil

        n = psutil.cpu_count(logical=False)
    except Exception:  # pragma: no cover - psutil is a dependency, but be tolerant
        n = None
    avail = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(n or avail, avail))


def default_threads(device: str) -> tuple[int, int]:
    """(inter_threads, intra_threads) using every core; see the module docstring."""
    if device == "cuda":
        return 1, 1
    return physical_cores(), 1


def resolve_device(device: str) -> str:
    import ctranslate2

    if device == "auto":
        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    if device not in ("cpu", "cuda"):
        raise ValueError(f"unknown device '{device}' (choose auto, cpu or cuda)")
    if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
        raise ModelLoadError(
            "device 'cuda' was asked for, but CTranslate2 sees no CUDA GPU (or was built without CUDA); "
            "use --device cpu or auto."
        )
    return device


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

    The conversion runs in a subprocess (``python -m mt.backends.ct2 convert``) so the float32 torch
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
                [sys.executable, "-m", "mt.backends.ct2", "convert", str(src), str(tmp / "model"), quantization],
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": _pythonpath()},
            )
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["unknown error"]
            raise ModelLoadError(
                f"cannot convert model '{model}' to CTranslate2 ({quantization}): {tail[0]}\n"
                "  - check that it is a MarianMT model directory (config.json, source.spm, target.spm, "
                "vocab.json, weights), or use --backend torch."
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


class CT2Backend:
    """A MarianMT model converted to CTranslate2, with the model's own MarianTokenizer."""

    name = "ct2"

    def __init__(
        self,
        model: str,
        device: str = "auto",
        compute_type: str | None = None,
        inter_threads: int | None = None,
        intra_threads: int | None = None,
        revision: str | None = None,
        max_hypotheses: int | None = DEFAULT_MAX_HYPOTHESES,
        max_positions: int | None = None,
    ):
        try:
            import ctranslate2
        except ImportError as exc:
            raise ModelLoadError("backend 'ct2' needs CTranslate2: pip install 'newswire-mt[ct2]'") from exc
        from transformers import MarianTokenizer

        self.model_id = model
        self.device = resolve_device(device)
        self.compute_type = compute_type or ("float16" if self.device == "cuda" else "int8")
        if self.compute_type not in COMPUTE_TYPES[self.device]:
            raise ValueError(
                f"compute type '{self.compute_type}' is not available on {self.device} for the ct2 "
                f"backend (choose {', '.join(COMPUTE_TYPES[self.device])})"
            )
        inter_default, intra_default = default_threads(self.device)
        self.inter_threads = inter_threads or inter_default
        self.intra_threads = intra_threads if intra_threads is not None else intra_default
        self.max_hypotheses = max_hypotheses
        self.max_positions = max_positions  # None: DEFAULT_MAX_POSITIONS (greedy / beam search)

        t0 = time.perf_counter()
        self.ct2_dir, self.source_dir, self.identity = converted_model(
            model, _STORED[self.compute_type], revision=revision
        )
        self.convert_s = time.perf_counter() - t0
        try:
            self.tokenizer = MarianTokenizer.from_pretrained(str(self.source_dir), local_files_only=True)
            self.translator = ctranslate2.Translator(
                str(self.ct2_dir),
                device=self.device,
                compute_type=self.compute_type,
                inter_threads=self.inter_threads,
                intra_threads=self.intra_threads,
            )
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelLoadError(f"cannot load model '{model}' with CTranslate2: {exc}") from exc
        gen = _generation_defaults(self.source_dir)
        self.default_beam_size = int(gen.get("num_beams") or 1)
        self.max_length = int(gen.get("max_length") or 512)
        self.forced_eos = gen.get("forced_eos_token_id") is not None
        # token -> id as MarianTokenizer maps them (its own dict: no 60k-entry copy via get_vocab())
        self._vocab = getattr(self.tokenizer, "encoder", None) or self.tokenizer.get_vocab()
        _release_free_memory()  # loading left parsed JSON, protobufs etc. behind

    # -- the Backend protocol -------------------------------------------------------------

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(ids) for ids in self.tokenizer(list(texts)).input_ids]

    def source_tokens(self, texts: Sequence[str]) -> list[list[str]]:
        """Token strings given to CTranslate2: exactly the torch backend's input ids, ``</s>`` last."""
        ids = self.tokenizer(list(texts)).input_ids
        return [self.tokenizer.convert_ids_to_tokens(row) for row in ids]

    def translate_batch(
        self,
        texts: Sequence[str],
        options: DecodeOptions,
        target_lengths: Sequence[int] | None = None,
    ) -> list[str]:
        """One batch, split over the replicas (``inter_threads``) so every core works on it."""
        if not texts:
            return []
        return self._decode(self.generate_ids(texts, options, target_lengths))

    def generate_ids(
        self,
        texts: Sequence[str],
        options: DecodeOptions,
        target_lengths: Sequence[int] | None = None,
    ) -> list[list[int]]:
        """Output token ids of the best hypothesis for each text (no start token, no ``</s>``).

        Without ``target_lengths`` the length limit mirrors transformers: ``max_new_tokens`` (or the
        generation config's ``max_length`` minus the start token), one slot less when the model
        forces ``</s>`` at the last position. With ``target_lengths`` each output has exactly that
        many tokens: decoding limits apply per CTranslate2 call, so each job decodes
        ``min = max =`` its longest forced length and shorter rows are cut to theirs. That is the
        same work transformers does for a batch (finished rows are still computed), and for greedy
        decoding the same tokens as stopping each row at its own length.
        """
        if not texts:
            return []
        if target_lengths is not None and len(target_lengths) != len(texts):
            raise ValueError("target_lengths must have one entry per text")
        return self._collect_ids(self._submit(list(texts), options, target_lengths, min_parts=self.inter_threads))

    def translate_batches(
        self,
        batches: Iterable[tuple[Sequence[str], Sequence[int] | None]],
        options: DecodeOptions,
    ) -> Iterator[list[str]]:
        """Translate many batches with every replica busy; results in batch order, one list each.

        Each ``(texts, target_lengths)`` batch becomes one or more jobs (see :meth:`_plan`), and each
        job runs whole on one replica (single-threaded when ``intra_threads = 1``), so every core
        decodes a full job and no core waits for another at batch boundaries. Jobs of the next
        batches are queued ahead (``2 x inter_threads`` batches), so a replica that finishes takes
        the next job at once. A lone batch is split over the replicas like :meth:`translate_batch`.
        """
        window = max(1, self.inter_threads) * 2
        pending: deque = deque()
        it = iter(batches)
        current = next(it, None)
        first = True
        while current is not None:
            following = next(it, None)
            texts, lengths = current
            lone = first and following is None
            pending.append(self._submit(list(texts), options, lengths, self.inter_threads if lone else 1))
            first = False
            if len(pending) >= window:
                yield self._decode(self._collect_ids(pending.popleft()))
            current = following
        while pending:
            yield self._decode(self._collect_ids(pending.popleft()))

    def _plan(
        self, texts: list[str], options: DecodeOptions, lengths: Sequence[int] | None, min_parts: int = 1
    ) -> list[tuple[list[list[str]], list[int] | None, int, int, int]]:
        """Cut one batch into CTranslate2 jobs: at least ``min_parts``, each within the state budget.

        Returns ``(source tokens, forced lengths or None, min length, max length, positions)`` per
        job. A job's decoder state (float32 self- and cross-attention caches) grows with rows x
        beams x (source + target length); ``max_hypotheses`` bounds rows x beams and
        ``max_positions`` bounds rows x beams x (longest source + longest target), so the few longest
        batches are split while ordinary ones run whole.
        """
        if not texts:
            return []
        tokens = self.source_tokens(texts)
        beam = options.beam_size or self.default_beam_size
        cut = [max(1, int(n)) for n in lengths] if lengths is not None else None
        rows = -(-len(tokens) // max(1, min(min_parts, len(tokens))))
        if self.max_hypotheses:
            rows = min(rows, max(1, self.max_hypotheses // beam))

        def extent(a: int, b: int) -> int:
            src = max(len(t) for t in tokens[a:b])
            tgt = max(cut[a:b]) if cut is not None else min(self._max_len(options), src)
            return src + tgt

        limit = self.max_positions
        if limit is None:
            limit = DEFAULT_MAX_POSITIONS["greedy" if beam == 1 else "beam"]
        if limit:
            rows = min(rows, max(1, limit // (beam * extent(0, len(tokens)))))
        parts = -(-len(tokens) // rows)
        size = -(-len(tokens) // parts)  # even parts
        out = []
        for a in range(0, len(tokens), size):
            b = min(a + size, len(tokens))
            lo, hi = (0, self._max_len(options)) if cut is None else (max(cut[a:b]),) * 2
            out.append((tokens[a:b], cut[a:b] if cut is not None else None, lo, hi, (b - a) * beam * extent(a, b)))
        return out

    def _submit(self, texts: list[str], options: DecodeOptions, lengths: Sequence[int] | None, min_parts: int = 1) -> list:
        """Start every job of one batch at once (CTranslate2 queues what the replicas cannot take)."""
        beam = options.beam_size or self.default_beam_size
        return [
            (self.translator.translate_batch(tokens, beam_size=beam, max_decoding_length=hi, min_decoding_length=lo,
                                             return_scores=False, asynchronous=True), cut)
            for tokens, cut, lo, hi, _ in self._plan(texts, options, lengths, min_parts)
        ]

    def _ids(self, hyps: list[list[str]], cut: list[int] | None) -> list[list[int]]:
        unk = self.tokenizer.unk_token_id
        if cut is not None:
            hyps = [h[:n] for h, n in zip(hyps, cut)]
        return [[self._vocab.get(t, unk) for t in h] for h in hyps]

    def _collect_ids(self, jobs: list) -> list[list[int]]:
        out: list[list[int]] = []
        for results, cut in jobs:
            out.extend(self._ids([r.result().hypotheses[0] for r in results], cut))
        return out

    def _decode(self, ids: list[list[int]]) -> list[str]:
        return self.tokenizer.batch_decode(ids, skip_special_tokens=True) if ids else []

    def _max_len(self, options: DecodeOptions) -> int:
        limit = (options.max_new_tokens + 1) if options.max_new_tokens is not None else self.max_length
        return max(1, limit - 1 - (1 if self.forced_eos else 0))

    def score(self, texts: Sequence[str], targets: Sequence[str]) -> list[list[float]]:
        """Per-token log-probabilities of ``targets`` (target tokeniser, ``</s>`` included) given ``texts``."""
        src = self.source_tokens(texts)
        tgt_ids = self.tokenizer(text_target=list(targets)).input_ids
        tgt = [self.tokenizer.convert_ids_to_tokens(row)[:-1] for row in tgt_ids]  # ct2 adds </s>
        out = self.translator.score_batch(src, tgt)
        return [list(r.log_probs) for r in out]

    def describe(self) -> dict[str, Any]:
        import ctranslate2
        import transformers

        return {
            "model": self.model_id,
            "model_revision": self.identity,
            "backend": self.name,
            "device": self.device,
            "device_name": (platform.processor() or platform.machine()) if self.device == "cpu" else "cuda",
            "compute_type": self.compute_type,
            "threads": self.inter_threads * self.intra_threads,
            "inter_threads": self.inter_threads,
            "intra_threads": self.intra_threads,
            "converted_dir": str(self.ct2_dir),
            "versions": {"ctranslate2": ctranslate2.__version__, "transformers": transformers.__version__},
            "default_beam_size": self.default_beam_size,
        }


def _release_free_memory() -> None:
    """Hand freed heap pages back to the OS (glibc only; a no-op elsewhere)."""
    import gc

    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


def _generation_defaults(model_dir: Path) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("config.json", "generation_config.json"):  # the generation config wins
        path = model_dir / name
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            for key in ("num_beams", "max_length", "forced_eos_token_id"):
                if key in data:
                    values[key] = data[key]
    return values


def _main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "convert":
        convert(Path(argv[1]), Path(argv[2]), argv[3])
        return 0
    print("usage: python -m mt.backends.ct2 convert MODEL_DIR OUT_DIR QUANTIZATION", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
