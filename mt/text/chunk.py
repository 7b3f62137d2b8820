"""Over-long sentences split into chunks the model can translate. (First version: no splitting.)"""

from __future__ import annotations

from typing import Callable

from mt.document import Span

DEFAULT_MAX_TOKENS = 160


def chunk_sentence(text: str, count_tokens: Callable[[str], int], max_tokens: int = DEFAULT_MAX_TOKENS) -> list[Span]:
    """Spans of ``text`` each at most ``max_tokens`` model tokens; together they cover all of it."""
    return [(0, len(text))] if text else []
