"""Paragraphs: the non-blank lines of an article, as spans into it."""

from __future__ import annotations

import re

from mt.document import Span

_LINE = re.compile(r"[^\n\r\u2028\u2029]+")


def split_paragraphs(text: str) -> list[Span]:
    """Spans of the non-blank lines of ``text``, with surrounding whitespace left out."""
    spans = []
    for m in _LINE.finditer(text):
        start, end = m.start(), m.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
    return spans
