"""The pipeline: the only place that knows the order of the steps.

text -> paragraphs -> repair -> sentences -> chunks -> model inputs -> token ids -> batches ->
translations -> QA flags -> sentences -> paragraphs -> article. Alignment to the original text is
kept all the way. One :class:`Pipeline` may be shared by many threads: it holds no per-call state.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

from mt.backends import Backend, Hypothesis
from mt.config import DEFAULT_MODEL, PipelineConfig
from mt.document import Article, Paragraph, Sentence
from mt.preprocess import Preprocessor
from mt.text.chunk import chunk_sentence
from mt.text.segment import split_sentences
from mt.translator import Progress, SourceEncoder, Translator

class SentenceCache(Protocol):
    """A store of finished translations keyed by (translation key, model input); see mt.sentence_cache."""

    def get_many(self, key: str, inputs: Sequence[str]) -> dict[str, Hypothesis]: ...

    def put_many(self, key: str, items: Sequence[tuple[str, Hypothesis]]) -> None: ...


QACheck = Callable[[str, str], list]  # (source sentence, translation) -> flags


class Preparer:
    """The steps before the model: repair, segmentation, model inputs and token ids (sentences over
    ``max_sentence_tokens`` chunked). It needs the model's tokenizer, not its weights, so it can run
    apart from the model (the Ray engine's preprocessing tasks); :class:`Pipeline` holds one."""

    def __init__(self, preprocessor: Preprocessor, encoder: SourceEncoder, max_sentence_tokens: int):
        self.preprocessor = preprocessor
        self.encoder = encoder
        self.max_sentence_tokens = max_sentence_tokens

    @classmethod
    def from_config(cls, config: PipelineConfig) -> "Preparer":
        """The preparer of the pipeline ``config`` describes, loading only the model's tokenizer."""
        return cls(default_preprocessor(config), SourceEncoder.load(config.model), config.max_sentence_tokens)

    def __call__(self, text: str) -> Article:
        article = self.preprocessor(text)
        self.prepare(article.sentences)
        return article

    def prepare(self, sentences: Sequence[Sentence]) -> None:
        """Set each sentence's model inputs and token ids, chunking those longer than the budget."""
        encoder = self.encoder
        budget = self.max_sentence_tokens
        for sentence in sentences:
            text = encoder.model_input(sentence.repaired)
            (ids,) = encoder.encode([text])
            if len(ids) <= budget:
                sentence.model_inputs, sentence.input_ids = [text], [ids]
                continue
            spans = chunk_sentence(sentence.repaired, encoder.count_tokens_one, budget)
            sentence.model_inputs = [encoder.model_input(sentence.repaired[a:b]) for a, b in spans]
            sentence.input_ids = encoder.encode(sentence.model_inputs)


def default_preprocessor(config: PipelineConfig) -> Preprocessor:
    return Preprocessor(repair=config.repair, splitter=split_sentences if config.segment else None)


class Pipeline:
    """A loaded model plus preprocessing: ``Pipeline(model).translate_article(text)``.

    Build it from a :class:`~mt.config.PipelineConfig` (``Pipeline.from_config``) or from keyword
    options (the config's field names). ``cache`` (a :class:`SentenceCache`) lets re-sent sentences
    skip the model; ``qa`` flags translations for an editor (default: :func:`mt.qa.check_pair`).
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        config: PipelineConfig | None = None,
        translator: Translator | None = None,
        preprocessor: Preprocessor | None = None,
        cache: SentenceCache | None = None,
        qa: QACheck | None | bool = True,
        **options: Any,
    ):
        if config is None:
            if translator is not None:  # an engine built by hand: describe it as it is
                options.setdefault("beam_size", translator.options.beam_size)
                options.setdefault("max_new_tokens", translator.options.max_new_tokens)
                options.setdefault("batch_size", translator.batch_size)
                options.setdefault("max_batch_tokens", translator.max_batch_tokens)
                options.setdefault("backend", translator.backend.name)
            config = PipelineConfig(model=model, **options)
        elif options:
            config = config.replace(**options)
        self.config = config
        self.translator = translator or Translator.from_config(config)
        config.check_model(self.translator.max_positions)
        self.preprocessor = preprocessor or default_preprocessor(config)
        self.preparer = Preparer(self.preprocessor, self.translator.source, config.max_sentence_tokens)
        self.cache = cache
        if qa is True:
            from mt.qa import default_checker

            qa = default_checker().check
        self.qa: QACheck | None = qa or None
        self._key: str | None = None

    @classmethod
    def from_config(
        cls,
        config: PipelineConfig,
        *,
        cache: SentenceCache | None = None,
        backend: Backend | None = None,
        qa: QACheck | None | bool = True,
    ) -> "Pipeline":
        """Build the pipeline ``config`` describes (``backend``: an already loaded engine to reuse)."""
        translator = Translator.from_config(config, backend=backend) if backend is not None else None
        return cls(config=config, translator=translator, cache=cache, qa=qa)

    @property
    def max_sentence_tokens(self) -> int:
        return self.config.max_sentence_tokens

    # -- library API -------------------------------------------------------------------------
    def preprocess(self, text: str) -> Article:
        """Repair, segment, and prepare model inputs (chunking over-long sentences); no translation."""
        return self.preparer(text)

    def translate_article(self, text: str, *, progress: Progress | None = None) -> Article:
        """Translate one article; returns the article record with every sentence translated."""
        article = self.preprocess(text)
        self.translate_sentences(article.sentences, progress=progress)
        return article

    def translate_articles(self, texts: Sequence[str], *, progress: Progress | None = None) -> list[Article]:
        """Translate many articles with shared batches (each text stays its own unit)."""
        return list(self.stream(texts, progress=progress))

    translate_lines = translate_articles

    def stream(
        self,
        texts: Iterable[str],
        *,
        window: int | None = None,
        progress: Progress | None = None,
    ) -> Iterator[Article]:
        """Translate articles from any iterable, yielding them in input order.

        Sentences of neighbouring articles share batches: articles are read ahead until about
        ``window`` sentences are waiting (default: enough to fill every engine replica several
        times), translated together, then yielded. Memory is bounded by the window plus one article,
        whatever the length of the feed.
        """
        return self._in_groups((self.preprocess(text) for text in texts), window or self.default_window(), progress)

    def default_window(self, batches_per_replica: int = 8) -> int:
        """Sentences translated together: a few batches for every engine replica."""
        limits = self.translator.backend.job_limits(self.translator.options)
        return batches_per_replica * (self.config.batch_size or 16) * max(1, limits.parallelism)

    def translate_paragraphs(
        self, article: Article, *, group: int | None = None, progress: Progress | None = None
    ) -> Iterator[Paragraph]:
        """Translate a preprocessed article, yielding each paragraph, in order, once it is done.

        Paragraphs go to the engine in groups of about ``group`` sentences (default: the stream's
        window, eight batches per engine replica: smaller groups leave replicas idle at each group's
        end and sort less well, measured -7 % on NTREX), and what is yielded can be written before
        the next group starts (an interrupt loses at most one group's work).
        """
        return self._in_groups(iter(article.paragraphs), group or self.default_window(), progress)

    def _in_groups(self, items: Iterator, size: int, progress: Progress | None) -> Iterator:
        """Articles or paragraphs, translated together once about ``size`` sentences wait, yielded in order."""
        pending: list = []
        waiting = 0
        for item in items:
            pending.append(item)
            waiting += len(item.sentences)
            if waiting >= size:
                self.translate_sentences([s for x in pending for s in x.sentences], progress=progress)
                yield from pending
                pending, waiting = [], 0
        if pending:
            self.translate_sentences([s for x in pending for s in x.sentences], progress=progress)
            yield from pending

    def translate_sentences(self, sentences: Sequence[Sentence], *, progress: Progress | None = None) -> None:
        """Translate prepared sentences in place: cache hits first, only misses reach the model,
        then the QA checks. The engine under :meth:`stream`, the service and the Ray actors."""
        inputs = [(s, k) for s in sentences for k in range(len(s.model_inputs))]
        if not inputs:
            return
        key = self.translation_key()
        texts = [s.model_inputs[k] for s, k in inputs]
        hits: dict[str, Hypothesis] = self.cache.get_many(key, list(dict.fromkeys(texts))) if self.cache else {}
        results: list[Hypothesis | None] = [hits.get(t) for t in texts]
        if progress is not None and hits:
            progress(sum(r is not None for r in results))
        missing = [j for j, r in enumerate(results) if r is None]
        if missing:
            # a sentence repeated within the work is translated once
            unique = list(dict.fromkeys(texts[j] for j in missing))
            ids_of = {t: s.input_ids[k] for (s, k), t in zip(inputs, texts)}
            new = dict(zip(unique, self.translator.translate_ids([ids_of[t] for t in unique], progress=progress)))
            for j in missing:
                results[j] = new[texts[j]]
            if self.cache is not None:
                self.cache.put_many(key, [(t, h) for t, h in new.items() if t.strip()])
        position = 0
        for s in sentences:
            n = len(s.model_inputs)
            mine = [r for r in results[position : position + n] if r is not None]
            mine_texts = texts[position : position + n]
            position += n
            s.translation = " ".join(h.text for h in mine if h.text)
            s.cached = bool(mine) and all(t in hits for t in mine_texts)
            scores = [h.score for h in mine if h.score is not None]
            s.score = sum(scores) / len(scores) if scores else None
            s.truncated = any(h.truncated for h in mine)
            s.qa = self.qa(s.repaired, s.translation) if self.qa is not None else []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.translator.count_tokens(texts)

    # -- identity ----------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        info = self.translator.describe()
        info["preprocessing"] = self.preprocessor.settings
        info["max_sentence_tokens"] = self.config.max_sentence_tokens
        info["config"] = self.config.to_dict()
        return info

    def _identity(self) -> list[str]:
        """Model, engine, decoding and model-side normalisation: what fixes one input's output."""
        d = self.translator.describe()
        return [
            f"model:{d['model']}",
            f"rev:{d.get('model_revision') or 'unknown'}",
            f"backend:{d['backend']}",
            f"device:{d['device']}",
            f"compute:{d['compute_type']}",
            d["decoding"],
            f"input:{d['model_input']}",
        ]

    def translation_key(self) -> str:
        """Everything that changes the translation of one model input: the sentence cache's key."""
        if self._key is None:
            self._key = hashlib.sha256("|".join(self._identity()).encode()).hexdigest()[:32]
        return self._key

    def signature(self) -> str:
        """A reproducibility string for translation runs, in the spirit of sacrebleu's signatures."""
        from mt import __version__

        d = self.describe()
        versions = "+".join(f"{k}.{v}" for k, v in sorted(d.get("versions", {}).items()))
        *engine, model_input = self._identity()
        return "|".join(
            [
                *engine,
                f"chunk:{self.config.max_sentence_tokens}",
                f"prep:{hashlib.sha1(json.dumps(d['preprocessing']).encode()).hexdigest()[:8]}",
                model_input,
                f"newswire-mt:{__version__}",
                versions,
            ]
        )


def translate_article(text: str, model: str = DEFAULT_MODEL, **options: Any) -> Article:
    """One-shot convenience: load ``model``, translate ``text``. Reuse a Pipeline for many articles."""
    return Pipeline(model, **options).translate_article(text)
