"""Translator: model-side normalisation, length-sorted batches, order restored.

The small surface users call directly (after CTranslate2's ``Translator.translate_batch``): give it
sentences, get translations back in the same order. It never sends an empty string to the model.
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

from mt.backends import DEFAULT_MODEL, Backend, DecodeOptions, load_backend
from mt.batching import plan_batches
from mt.model_input import ModelInputNormalizer

DEFAULT_BATCH_SIZE = 16


class Translator:
    """A loaded model plus decoding and batching settings."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        backend: str | Backend = "auto",
        device: str = "auto",
        compute_type: str | None = None,
        beam_size: int | None = None,
        max_new_tokens: int | None = None,
        batch_size: int | None = DEFAULT_BATCH_SIZE,
        max_batch_tokens: int | None = None,
        normalizer: ModelInputNormalizer | None = None,
    ):
        self.backend: Backend = (
            backend if not isinstance(backend, str) else load_backend(model, backend, device, compute_type)
        )
        self.options = DecodeOptions(beam_size=beam_size, max_new_tokens=max_new_tokens)
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens
        self.normalizer = normalizer or ModelInputNormalizer()
        self._lengths: dict[str, int] = {}  # model input -> token count; the pipeline asks twice

    def model_input(self, text: str) -> str:
        """The exact string the model is given for ``text``."""
        return self.normalizer(text)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Model tokens of each text after model-side normalisation."""
        return self.count_model_inputs([self.model_input(t) for t in texts])

    def count_model_inputs(self, inputs: Sequence[str]) -> list[int]:
        """Token counts of strings that are already model inputs (cached: the pipeline asks twice)."""
        missing = list(dict.fromkeys(t for t in inputs if t not in self._lengths))
        if missing:
            if len(self._lengths) > 200_000:
                self._lengths.clear()
            self._lengths.update(zip(missing, self.backend.count_tokens(missing)))
        return [self._lengths[t] for t in inputs]

    def count_tokens_one(self, text: str) -> int:
        return self.count_tokens([text])[0]

    def translate_batch(
        self,
        texts: Sequence[str],
        *,
        progress: bool = False,
        normalized: bool = False,
        target_lengths: Sequence[int] | None = None,
    ) -> list[str]:
        """Translate ``texts`` in input order; empty or blank texts come back as ``""``.

        ``normalized=True`` means the texts are already model inputs (see :meth:`model_input`).
        """
        inputs = [t if normalized else self.model_input(t) for t in texts]
        todo = [i for i, t in enumerate(inputs) if t.strip()]
        results = [""] * len(inputs)
        if not todo:
            return results
        lengths = self.count_model_inputs([inputs[i] for i in todo])
        batches = plan_batches(lengths, self.batch_size, self.max_batch_tokens)
        bar = _progress_bar(len(todo), enabled=progress and len(batches) > 1)
        jobs = (
            ([inputs[todo[j]] for j in batch], [target_lengths[todo[j]] for j in batch] if target_lengths is not None else None)
            for batch in batches
        )
        try:
            for batch, outputs in zip(batches, self.backend.translate_batches(jobs, self.options)):
                for j, out in zip(batch, outputs):
                    results[todo[j]] = out
                if bar is not None:
                    bar.update(len(batch))
        finally:
            if bar is not None:
                bar.close()
        return results

    def describe(self) -> dict[str, Any]:
        info = dict(self.backend.describe())
        info.update(
            decoding=self.options.describe(),
            batch_size=self.batch_size,
            max_batch_tokens=self.max_batch_tokens,
            model_input=self.normalizer.settings,
        )
        return info


def _progress_bar(total: int, enabled: bool):
    """A tqdm bar on stderr, shown only when stderr is a terminal."""
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="sent", desc="translating", file=sys.stderr, leave=False)
