"""The one interface every inference engine implements.

A backend sees only lists of model-ready strings and decoding options; it knows nothing of
articles, repair or segmentation. Batching and order restoration happen above it (mt.translator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Protocol, Sequence

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-ar-en"


class ModelLoadError(RuntimeError):
    """The model could not be loaded; the message says which model and what to do."""


@dataclass(frozen=True)
class DecodeOptions:
    """Decoding settings shared by all backends. ``None`` means: the model's own default."""

    beam_size: int | None = None
    max_new_tokens: int | None = None

    def describe(self) -> str:
        beam = "model" if self.beam_size is None else str(self.beam_size)
        max_new = "model" if self.max_new_tokens is None else str(self.max_new_tokens)
        return f"beam:{beam}|max_new:{max_new}"


class Backend(Protocol):
    """An inference engine holding one loaded MarianMT-style model."""

    name: str  # "torch" or "ct2"
    device: str  # resolved device: "cpu" or "cuda"
    compute_type: str  # "float32", "float16", "int8", ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source length of each text in model tokens (the end-of-sentence token included)."""
        ...

    def translate_batch(
        self,
        texts: Sequence[str],
        options: DecodeOptions,
        target_lengths: Sequence[int] | None = None,
    ) -> list[str]:
        """Translate one batch of non-empty texts, in order.

        ``target_lengths`` (benchmarks only) forces each output to exactly that many tokens.
        """
        ...

    def translate_batches(
        self,
        batches: Iterable[tuple[Sequence[str], Sequence[int] | None]],
        options: DecodeOptions,
    ) -> Iterator[list[str]]:
        """Translate ``(texts, target_lengths)`` batches, yielding results in batch order.

        Engines that can run several batches at once (CTranslate2 replicas) overlap them here.
        """
        ...

    def describe(self) -> dict[str, Any]:
        """Model id or path, revision or directory hash, backend, device, compute type, versions."""
        ...
