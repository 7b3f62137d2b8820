"""Translator: model-side normalisation, tokenisation once, planned batches, order restored.

The small surface users call directly (after CTranslate2's ``Translator.translate_batch``): give it
sentences, get translations back in the same order. The pipeline uses the lower level: it
normalises and encodes each sentence once (:meth:`Translator.encode`) and hands the token ids to
:meth:`Translator.translate_ids`. Nothing here holds per-call state, so one Translator serves many
threads; the encode cache is a bounded, thread-safe LRU.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Sequence

from mt.backends import Backend, Batch, DecodeOptions, Hypothesis, load_backend
from mt.batching import plan_batches
from mt.config import DEFAULT_BATCH_SIZE, DEFAULT_MODEL, PipelineConfig
from mt.model_input import ModelInputNormalizer

ENCODE_CACHE_SIZE = 1 << 16

Progress = Callable[[int], None]  # called with the number of inputs just finished


class SourceEncoder:
    """Model-side normalisation and tokenisation of the source: text -> model input -> token ids.

    Needs the model's tokenizer only (:meth:`load` reads no weights), so preprocessing can run apart
    from the model. The id cache is a bounded, thread-safe LRU.
    """

    def __init__(self, encode: Callable[[Sequence[str]], list[list[int]]], normalizer: ModelInputNormalizer | None = None):
        self._encode_batch = encode
        self.normalizer = normalizer or ModelInputNormalizer()
        self._encode_one = lru_cache(maxsize=ENCODE_CACHE_SIZE)(self._encode_uncached)

    @classmethod
    def load(cls, model: str) -> "SourceEncoder":
        """The encoder of ``model`` (a directory or a hub id in the local cache) without its weights."""
        from mt.backends.loading import resolve_model
        from mt.backends.marian import MarianTokens

        source = resolve_model(model)
        tokens = MarianTokens.load(source.load_target, model, local_files_only=source.local_files_only)
        return cls(tokens.encode)

    def model_input(self, text: str) -> str:
        """The exact string the model is given for ``text``."""
        return self.normalizer(text)

    def encode(self, model_inputs: Sequence[str]) -> list[tuple[int, ...]]:
        """Source token ids of strings that already are model inputs (cached, bounded LRU)."""
        return [self._encode_one(t) for t in model_inputs]

    def _encode_uncached(self, model_input: str) -> tuple[int, ...]:
        return tuple(self._encode_batch([model_input])[0])

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Model tokens of each text after model-side normalisation (``</s>`` included)."""
        return [len(ids) for ids in self.encode([self.model_input(t) for t in texts])]

    def count_tokens_one(self, text: str) -> int:
        return len(self._encode_one(self.model_input(text)))


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
        threads: int | None = None,
        normalizer: ModelInputNormalizer | None = None,
    ):
        self.backend: Backend = (
            backend if not isinstance(backend, str) else load_backend(model, backend, device, compute_type, threads)
        )
        self.options = DecodeOptions(beam_size=beam_size, max_new_tokens=max_new_tokens)
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens
        self.source = SourceEncoder(self.backend.encode, normalizer)

    @classmethod
    def from_config(cls, config: PipelineConfig, *, backend: Backend | None = None) -> "Translator":
        """A translator as ``config`` describes it (``backend``: an already loaded engine to reuse)."""
        return cls(
            config.model,
            backend=backend if backend is not None else config.backend,
            device=config.device,
            compute_type=config.compute_type,
            beam_size=config.beam_size,
            max_new_tokens=config.max_new_tokens,
            batch_size=config.batch_size,
            max_batch_tokens=config.max_batch_tokens,
            threads=config.threads,
        )

    # -- text -> model input -> token ids (see SourceEncoder) -------------------------------
    def model_input(self, text: str) -> str:
        """The exact string the model is given for ``text``."""
        return self.source.model_input(text)

    def encode(self, model_inputs: Sequence[str]) -> list[tuple[int, ...]]:
        """Source token ids of strings that already are model inputs (cached, bounded LRU)."""
        return self.source.encode(model_inputs)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Model tokens of each text after model-side normalisation (``</s>`` included)."""
        return self.source.count_tokens(texts)

    def count_tokens_one(self, text: str) -> int:
        return self.source.count_tokens_one(text)

    # -- translation --------------------------------------------------------------------------
    def translate_ids(self, ids: Sequence[Sequence[int]], *, progress: Progress | None = None) -> list[Hypothesis]:
        """Translate source token ids (one row per input) in input order.

        Rows are length-sorted into batches by the one planner (sentence count, token budget, the
        engine's job limits); results are put back in input order.
        """
        results: list[Hypothesis | None] = [None] * len(ids)
        todo = [i for i, row in enumerate(ids) if len(row) > 1]  # only "</s>": an empty input
        for i in range(len(ids)):
            if len(ids[i]) <= 1:
                results[i] = Hypothesis("")
        if todo:
            options = self.options
            limits = self.backend.job_limits(options)
            plan = plan_batches(
                [len(ids[i]) for i in todo],
                self.batch_size,
                self.max_batch_tokens,
                limits=limits,
                beam_size=options.beam_size or self.backend.default_beam_size,
                max_target=options.max_new_tokens,
            )
            batches = [[todo[j] for j in batch] for batch in plan]
            jobs = (Batch([ids[i] for i in batch], options) for batch in batches)
            for batch, hyps in zip(batches, self.backend.generate(jobs)):
                for i, hyp in zip(batch, hyps):
                    results[i] = hyp
                if progress is not None:
                    progress(len(batch))
        return results  # type: ignore[return-value]

    def translate_batch(self, texts: Sequence[str], *, progress: Progress | None = None) -> list[str]:
        """Translate ``texts`` in input order; empty or blank texts come back as ``""``."""
        inputs = [self.model_input(t) for t in texts]
        ids = [ids if text.strip() else () for text, ids in zip(inputs, self.encode(inputs))]
        return [h.text for h in self.translate_ids(ids, progress=progress)]

    # -- description ----------------------------------------------------------------------
    @property
    def max_positions(self) -> int:
        return int(getattr(self.backend, "max_positions", 512))

    def describe(self) -> dict[str, Any]:
        info = dict(self.backend.describe())
        info.update(
            decoding=self.options.describe(),
            batch_size=self.batch_size,
            max_batch_tokens=self.max_batch_tokens,
            model_input=self.source.normalizer.settings,
        )
        return info
