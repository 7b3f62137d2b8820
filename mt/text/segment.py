"""Sentence segmentation. (First version: split after . ! ? ؟ … not inside numbers.)"""

from __future__ import annotations

import re

from mt.document import Span

_BOUNDARY = re.compile(r"(?<!\d)[.!?؟…]+(?=\s)|(?<=\d)[.!?؟…]+(?=\s+\D)|[!?؟…]+(?=\s)")


def split_sentences(text: str) -> list[Span]:
    """Sentence spans in ``text``, in order; text between spans is whitespace only."""
    spans: list[Span] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        spans.extend(_strip(text, start, m.end()))
        start = m.end()
    spans.extend(_strip(text, start, len(text)))
    return spans


def _strip(text: str, start: int, end: int) -> list[Span]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(start, end)] if start < end else []
