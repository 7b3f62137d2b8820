"""Paragraphs: the non-blank lines of an article, as spans into it."""

from __future__ import annotations

import re

from mt.document import Span, trim_span

_LINE = re.compile(r"[^\n]+")  # only "\n" (and "\r\n": the CR is trimmed) ends a line


def split_paragraphs(text: str) -> list[Span]:
    """Spans of the non-blank lines of ``text``, with surrounding whitespace left out."""
    spans = []
    for m in _LINE.finditer(text):
        span = trim_span(text, m.start(), m.end())
        if span is not None:
            spans.append(span)
    return spans
