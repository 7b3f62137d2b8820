"""The output record: the input's fields untouched, plus ``translation`` and the run ``signature``.

``translation`` = {``headline``, ``body`` (laid out like the input: line i answers line i),
``sentences``: one entry per sentence of the headline then the body}. `mt batch` and the HTTP
service (``POST /v1/articles``) build it with the same functions, so both return the same record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from mt.document import Article, Sentence
from mt.feed.records import FeedRecord

if TYPE_CHECKING:
    from mt.pipeline import Pipeline

# the per-sentence fields, in this order (a fixed order keeps output bytes reproducible)
SENTENCE_FIELDS = (
    "span", "source", "repaired", "translation", "cached", "qa", "chunked", "truncated", "score", "edits",
)


def sentence_record(part: str, sentence: Sentence) -> dict[str, Any]:
    """One sentence for the output: which part ("headline"/"body"), span into that part's text, etc."""
    d = sentence.to_dict()
    out: dict[str, Any] = {"part": part}
    out.update((k, d[k]) for k in SENTENCE_FIELDS)
    if out["translation"] is None:
        out["translation"] = ""
    return out


def output_record(
    record: FeedRecord, headline: Article | None, body: Article, signature: str
) -> dict[str, Any]:
    """The output record for a translated ``record`` (``headline`` None when the input has none)."""
    out = dict(record.fields)
    sentences = [sentence_record("headline", s) for s in headline.sentences] if headline is not None else []
    sentences += [sentence_record("body", s) for s in body.sentences]
    out["translation"] = {
        "headline": headline.translation if headline is not None else None,
        "body": body.translation,
        "sentences": sentences,
    }
    out["signature"] = signature
    return out


def prepare_record(preprocess: Callable[[str], Article], record: FeedRecord) -> tuple[Article | None, Article]:
    """Preprocess the headline (its own unit) and the body with ``preprocess`` (``Pipeline.preprocess``
    or a :class:`~mt.pipeline.Preparer`); nothing is translated yet."""
    headline = preprocess(record.headline) if record.headline is not None else None
    return headline, preprocess(record.body)


def record_sentences(headline: Article | None, body: Article) -> list[Sentence]:
    return (headline.sentences if headline is not None else []) + body.sentences


def translate_record(pipeline: "Pipeline", record: FeedRecord) -> dict[str, Any]:
    """Translate one record (headline and body in shared batches) into its output record.

    ``cached`` here is the sentence cache's own answer for this call; `mt batch` writes a
    reproducible variant (see :mod:`mt.feed.runner`).
    """
    headline, body = prepare_record(pipeline.preprocess, record)
    pipeline.translate_sentences(record_sentences(headline, body))
    return output_record(record, headline, body, pipeline.signature())
