"""The CTranslate2 backend: a MarianMT model converted once, cached on disk, run with int8/float16.

Conversion and its disk cache live in :mod:`mt.backends.ct2_convert`; this module is the runtime.

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

* :meth:`CT2Backend.generate` keeps several batches in flight, one job per replica. The planner
  (mt.batching) caps each batch by :meth:`CT2Backend.job_limits` (``max_hypotheses`` = rows x
  beams, ``max_positions`` = rows x beams x (longest source + longest target)) to bound the float32
  decoder state each replica holds (see the constants below for the measured trade-off), and gives
  a lone small workload at least one batch per replica.

Measured (ct2 int8, 200 NTREX sentences, forced lengths, batch 16): greedy 805 tok/s with
``inter=1, intra=2`` (1.5 cores busy), 1056-1117 with ``inter=2, intra=1`` splitting each batch
(1.87 cores), 1495-1525 with two batches in flight (1.97 cores); beam 4: 355, 506-516, 585.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections import deque
from typing import Any, Iterable, Iterator

from mt.backends.base import Batch, DecodeOptions, Hypothesis, JobLimits, ModelLoadError
from mt.backends.ct2_convert import STORED_QUANTIZATION, converted_model
from mt.backends.marian import MarianEngine, MarianTokens, generation_defaults

# Limits on one CTranslate2 job (a batch), which bound the float32 decoder state a replica holds:
# rows x beams, and rows x beams x (longest source + longest target) "positions".
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


def physical_cores() -> int:
    """Cores this process may use (physical cores, within its CPU affinity)."""
    try:
        import psutil

        n = psutil.cpu_count(logical=False)
    except Exception:  # pragma: no cover - psutil is a dependency, but be tolerant
        n = None
    avail = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(n or avail, avail))


def default_threads(device: str, threads: int | None = None) -> tuple[int, int]:
    """(inter_threads, intra_threads): one single-threaded replica per core; see the module docstring."""
    if device == "cuda":
        return 1, 1
    return (threads or physical_cores()), 1


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


def default_compute_type(device: str) -> str:
    return "float16" if device == "cuda" else "int8"


class CT2Backend(MarianEngine):
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

        self.model_id = model
        self.device = resolve_device(device)
        self.compute_type = compute_type or default_compute_type(self.device)
        if self.compute_type not in COMPUTE_TYPES[self.device]:
            raise ValueError(
                f"compute type '{self.compute_type}' is not available on {self.device} for the ct2 "
                f"backend (choose {', '.join(COMPUTE_TYPES[self.device])})"
            )
        inter_default, intra_default = default_threads(self.device)
        self.inter_threads = inter_threads or inter_default
        self.intra_threads = intra_threads if intra_threads is not None else intra_default
        self.max_hypotheses = max_hypotheses
        self.max_job_positions = max_positions  # None: DEFAULT_MAX_POSITIONS (greedy / beam search)

        t0 = time.perf_counter()
        self.ct2_dir, self.source_dir, self.identity = converted_model(
            model, STORED_QUANTIZATION[self.compute_type], revision=revision
        )
        self.convert_s = time.perf_counter() - t0
        self.tokens = MarianTokens.load(self.source_dir, model)
        try:
            self.translator = ctranslate2.Translator(
                str(self.ct2_dir),
                device=self.device,
                compute_type=self.compute_type,
                inter_threads=self.inter_threads,
                intra_threads=self.intra_threads,
            )
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelLoadError(f"cannot load model '{model}' with CTranslate2: {exc}") from exc
        gen = generation_defaults(self.source_dir)
        self.default_beam_size = int(gen.get("num_beams") or 1)
        self.max_length = int(gen.get("max_length") or 512)
        self.max_positions = int(gen.get("max_position_embeddings") or 512)
        self.forced_eos = gen.get("forced_eos_token_id") is not None
        _release_free_memory()  # loading left parsed JSON, protobufs etc. behind

    # -- the Backend protocol (encode: MarianEngine) ---------------------------------------
    def job_limits(self, options: DecodeOptions) -> JobLimits:
        beam = options.beam_size or self.default_beam_size
        positions = self.max_job_positions
        if positions is None:
            positions = DEFAULT_MAX_POSITIONS["greedy" if beam == 1 else "beam"]
        return JobLimits(self.max_hypotheses, positions, self.inter_threads)

    def generate(self, batches: Iterable[Batch]) -> Iterator[list[Hypothesis]]:
        """Translate batches with every replica busy; results in batch order, one list each.

        Each batch runs whole on one replica (single-threaded when ``intra_threads = 1``), so every
        core decodes a full job and no core waits for another at batch boundaries. Jobs of the next
        batches are queued ahead (``2 x inter_threads``), so a replica that finishes takes the next
        job at once. CTranslate2 queues jobs from several threads safely.
        """
        window = max(1, self.inter_threads) * 2
        pending: deque = deque()
        for batch in batches:
            pending.append(self._submit(batch))
            if len(pending) >= window:
                yield self._collect(*pending.popleft())
        while pending:
            yield self._collect(*pending.popleft())

    def _submit(self, batch: Batch):
        options = batch.options
        if not batch.ids:
            return None, options, 0
        tokens = [self.tokens.ids_to_tokens(row) for row in batch.ids]
        max_len = self._max_len(options)
        min_len = min(options.min_new_tokens or 0, max_len)
        beam = options.beam_size or self.default_beam_size
        results = self.translator.translate_batch(
            tokens,
            beam_size=beam,
            max_decoding_length=max_len,
            min_decoding_length=min_len,
            # scores are free in greedy decoding (measured -2 %, noise) but cost ~10 % in beam search
            return_scores=beam == 1,
            asynchronous=True,
        )
        return results, options, max_len

    def _collect(self, results, options: DecodeOptions, max_len: int) -> list[Hypothesis]:
        if results is None:
            return []
        out = [r.result() for r in results]
        tokens = [r.hypotheses[0] for r in out]
        texts = self.tokens.decode([self.tokens.tokens_to_ids(t) for t in tokens])
        # beam search scores come normalised by length (length_penalty = 1); greedy ones are sums
        greedy = (options.beam_size or self.default_beam_size) == 1
        hyps = []
        for r, toks, text in zip(out, tokens, texts):
            score = float(r.scores[0]) if r.scores else None
            if score is not None and greedy:
                score /= len(toks) + 1  # </s> included
            hyps.append(Hypothesis(text, score, len(toks) >= max_len))
        return hyps

    def _max_len(self, options: DecodeOptions) -> int:
        """Mirrors transformers: ``max_new_tokens`` or the generation config's ``max_length`` minus the
        start token, one slot less when the model forces ``</s>`` at the last position."""
        limit = (options.max_new_tokens + 1) if options.max_new_tokens is not None else self.max_length
        return max(1, limit - 1 - (1 if self.forced_eos else 0))

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
            "max_positions": self.max_positions,
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
