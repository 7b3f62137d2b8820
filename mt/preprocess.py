"""Preprocessing: article text -> paragraphs -> repaired text -> sentences, spans kept throughout."""

from __future__ import annotations

from typing import Callable

from mt.document import Article, Paragraph, Sentence, Span
from mt.text.paragraphs import split_paragraphs
from mt.text.repair import Repairer
from mt.text.segment import split_sentences

PREPROCESS_VERSION = "1"


class Preprocessor:
    """Repairs each paragraph, then splits it into sentences mapped back to the original text."""

    def __init__(
        self,
        repairer: Repairer | None = None,
        splitter: Callable[[str], list[Span]] | None = split_sentences,
        *,
        repair: bool = True,
    ):
        self.repairer = repairer or (Repairer() if repair else Repairer(steps=[]))
        self.splitter = splitter

    @property
    def settings(self) -> str:
        segment = "sentences" if self.splitter is not None else "none"
        return f"v{PREPROCESS_VERSION}|repair:{self.repairer.settings}|segment:{segment}"

    def __call__(self, text: str) -> Article:
        return Article(text, [self.paragraph(text, span) for span in split_paragraphs(text)])

    def paragraph(self, text: str, span: Span) -> Paragraph:
        start, end = span
        result = self.repairer(text[start:end])
        edits = [e.shifted(start) for e in result.edits]
        local_spans = self.splitter(result.text) if self.splitter else [(0, len(result.text))]
        sentences = []
        unassigned = list(edits)
        for s, e in local_spans:
            o_start, o_end = result.alignment.span_to_old((s, e))
            o_start, o_end = o_start + start, o_end + start
            mine = [x for x in unassigned if o_start <= x.start and x.end <= o_end]
            unassigned = [x for x in unassigned if x not in mine]
            sentences.append(Sentence((o_start, o_end), text[o_start:o_end], result.text[s:e], edits=mine))
        return Paragraph(span, sentences, edits)


def preprocess(text: str, *, segment: bool = True) -> Article:
    """Repair and (unless ``segment=False``) sentence-split ``text``; nothing is translated."""
    return Preprocessor(splitter=split_sentences if segment else None)(text)


__all__ = ["Preprocessor", "preprocess", "PREPROCESS_VERSION"]
