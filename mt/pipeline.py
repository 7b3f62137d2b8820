"""The pipeline: the only place that knows the order of the steps.

text -> paragraphs -> repair -> sentences -> chunks -> model inputs -> batches -> translations ->
sentences -> paragraphs -> article. Alignment to the original text is kept all the way.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterator, Sequence

from mt.backends import DEFAULT_MODEL
from mt.document import Article, Paragraph, Sentence
from mt.preprocess import Preprocessor
from mt.text.chunk import DEFAULT_MAX_TOKENS, chunk_sentence
from mt.translator import Translator

# Sentences are translated in groups of about this many, so long inputs yield results as they go.
GROUP_SENTENCES = 256


class Pipeline:
    """A loaded model plus preprocessing: ``Pipeline(model).translate_article(text)``."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        translator: Translator | None = None,
        preprocessor: Preprocessor | None = None,
        max_sentence_tokens: int = DEFAULT_MAX_TOKENS,
        **translator_options: Any,
    ):
        self.translator = translator or Translator(model, **translator_options)
        self.preprocessor = preprocessor or Preprocessor()
        self.max_sentence_tokens = max_sentence_tokens

    # -- library API -------------------------------------------------------------------------
    def preprocess(self, text: str) -> Article:
        """Repair, segment, and prepare model inputs (chunking over-long sentences); no translation."""
        article = self.preprocessor(text)
        self._prepare(article.sentences)
        return article

    def translate_article(self, text: str, *, progress: bool = False) -> Article:
        """Translate one article; returns the article record with every sentence translated."""
        article = self.preprocess(text)
        for _ in self.translate_paragraphs(article, progress=progress):
            pass
        return article

    def translate_articles(self, texts: Sequence[str], *, progress: bool = False) -> list[Article]:
        """Translate many articles with shared batches (each text stays its own unit)."""
        articles = [self.preprocess(t) for t in texts]
        self._translate([s for a in articles for s in a.sentences], progress)
        return articles

    translate_lines = translate_articles

    def translate_paragraphs(self, article: Article, *, progress: bool = False) -> Iterator[Paragraph]:
        """Translate a preprocessed article, yielding each paragraph, in order, as soon as it is done."""
        group: list[Paragraph] = []
        for paragraph in article.paragraphs:
            group.append(paragraph)
            if sum(len(p.sentences) for p in group) >= GROUP_SENTENCES:
                self._translate([s for p in group for s in p.sentences], progress)
                yield from group
                group = []
        self._translate([s for p in group for s in p.sentences], progress)
        yield from group

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.translator.count_tokens(texts)

    def describe(self) -> dict[str, Any]:
        info = self.translator.describe()
        info["preprocessing"] = self.preprocessor.settings
        info["max_sentence_tokens"] = self.max_sentence_tokens
        return info

    def signature(self) -> str:
        """A reproducibility string for translation runs, in the spirit of sacrebleu's signatures."""
        d = self.describe()
        versions = "+".join(f"{k}.{v}" for k, v in sorted(d.get("versions", {}).items()))
        from mt import __version__

        return "|".join(
            [
                f"model:{d['model']}",
                f"rev:{d.get('model_revision') or 'unknown'}",
                f"backend:{d['backend']}",
                f"device:{d['device']}",
                f"compute:{d['compute_type']}",
                d["decoding"],
                f"chunk:{self.max_sentence_tokens}",
                f"prep:{hashlib.sha1(json.dumps(d['preprocessing']).encode()).hexdigest()[:8]}",
                f"input:{d['model_input']}",
                f"newswire-mt:{__version__}",
                versions,
            ]
        )

    # -- steps -------------------------------------------------------------------------------
    def _prepare(self, sentences: list[Sentence]) -> None:
        """Set each sentence's model inputs, chunking those longer than the token budget."""
        translator = self.translator
        inputs = [translator.model_input(s.repaired) for s in sentences]
        lengths = translator.count_model_inputs(inputs) if inputs else []
        for sentence, text, n in zip(sentences, inputs, lengths):
            if n <= self.max_sentence_tokens:
                sentence.model_inputs = [text]
                continue
            spans = chunk_sentence(sentence.repaired, translator.count_tokens_one, self.max_sentence_tokens)
            sentence.model_inputs = [translator.model_input(sentence.repaired[a:b]) for a, b in spans]

    def _translate(self, sentences: list[Sentence], progress: bool) -> None:
        flat = [text for s in sentences for text in s.model_inputs]
        outputs = iter(self.translator.translate_batch(flat, progress=progress, normalized=True))
        for s in sentences:
            s.translation = " ".join(o for o in (next(outputs) for _ in s.model_inputs) if o)


def translate_article(text: str, model: str = DEFAULT_MODEL, **options: Any) -> Article:
    """One-shot convenience: load ``model``, translate ``text``. Reuse a Pipeline for many articles."""
    return Pipeline(model, **options).translate_article(text)
