"""The one interface every inference engine implements.

A backend sees token ids and decoding options only; it knows nothing of articles, repair or
segmentation. Text is tokenised once (:meth:`Backend.encode`), the ids travel through the batch
planner (mt.batching) to :meth:`Backend.generate`, and order is restored above it (mt.translator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Protocol, Sequence

from mt.config import DEFAULT_MODEL

TokenIds = Sequence[int]


class ModelLoadError(RuntimeError):
    """The model could not be loaded; the message says which model and what to do."""


@dataclass(frozen=True)
class DecodeOptions:
    """Decoding settings shared by all backends. ``None`` means: the model's own default.

    ``min_new_tokens`` (transformers' name; CTranslate2's ``min_decoding_length``) makes every row
    of a batch at least that long; benchmarks use it with ``max_new_tokens`` to fix output lengths.
    """

    beam_size: int | None = None
    max_new_tokens: int | None = None
    min_new_tokens: int | None = None

    def describe(self) -> str:
        beam = "model" if self.beam_size is None else str(self.beam_size)
        max_new = "model" if self.max_new_tokens is None else str(self.max_new_tokens)
        out = f"beam:{beam}|max_new:{max_new}"
        return out if self.min_new_tokens is None else f"{out}|min_new:{self.min_new_tokens}"


@dataclass(frozen=True)
class Batch:
    """One unit of work for an engine: source token ids (``</s>`` included) and how to decode them."""

    ids: Sequence[TokenIds]
    options: DecodeOptions


@dataclass(frozen=True)
class Hypothesis:
    """The best output for one source: its text, the model's score where the engine gives it
    cheaply (mean log-probability per token), and whether decoding stopped at the length cap."""

    text: str
    score: float | None = None
    truncated: bool = False


@dataclass(frozen=True)
class JobLimits:
    """What one engine job may hold, and how many jobs the engine runs at once.

    ``max_hypotheses`` bounds rows x beams and ``max_positions`` rows x beams x (longest source +
    longest target): together they bound the decoder state (self- and cross-attention caches) a job
    keeps. ``parallelism`` jobs run at once (CTranslate2 replicas); the planner gives a small
    workload at least that many batches so no replica waits.
    """

    max_hypotheses: int | None = None
    max_positions: int | None = None
    parallelism: int = 1


class Backend(Protocol):
    """An inference engine holding one loaded MarianMT-style model."""

    name: str  # "torch" or "ct2"
    device: str  # resolved device: "cpu" or "cuda"
    compute_type: str  # "float32", "float16", "int8", ...
    default_beam_size: int  # the model's generation config
    max_positions: int  # the model's position table (source and target)
    max_length: int  # the generation config's max_length (decoder start token included)

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Source token ids of each text, ``</s>`` included: the only tokenisation of the source."""
        ...

    def generate(self, batches: Iterable[Batch]) -> Iterator[list[Hypothesis]]:
        """Translate batches, yielding one list of hypotheses per batch, in batch order.

        Engines that can run several batches at once (CTranslate2 replicas) overlap them here.
        Safe to call from several threads at once.
        """
        ...

    def job_limits(self, options: DecodeOptions) -> JobLimits:
        """Caps on one batch for these options (see :class:`JobLimits`)."""
        ...

    def describe(self) -> dict[str, Any]:
        """Model id or path, revision or directory hash, backend, device, compute type, versions."""
        ...


__all__ = [
    "Backend",
    "Batch",
    "DEFAULT_MODEL",
    "DecodeOptions",
    "Hypothesis",
    "JobLimits",
    "ModelLoadError",
    "TokenIds",
]
