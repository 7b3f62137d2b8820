"""Over-long sentences split into chunks the model can translate, never truncated.

``chunk_sentence(text, count_tokens, max_tokens)`` returns spans of ``text`` that each measure at
most ``max_tokens`` with ``count_tokens`` (the model's own tokenizer, e.g.
``lambda s: len(tokenizer(s).input_ids)``, end-of-sentence token included) and that together cover
every non-whitespace character of ``text``; only whitespace lies between them. The pipeline
translates each chunk and joins the translations with a space into one target sentence.

Where it cuts, in priority order (a lower level is used only inside a piece that is still too long):

0. after ``؛`` / ``;``
1. after ``،`` / ``,``
2. after ``:``
3. before a conjunction: ``ثم`` ``لكن`` ``بينما`` ``بل`` ``أو`` ``حيث`` ``فيما`` ``إذ`` ``كما`` ``لأن``
   ``عندما`` ... or a word with the prefix ``و`` (common nouns that merely begin with و, such as
   ``وزير`` ``وكالة`` ``واشنطن``, are skipped)
4. at any whitespace (a word boundary)
5. between any two characters (a single over-long token: a long URL, a run of unspaced text);
   never between a letter and a combining mark that follows it.

At each level the pieces are packed greedily into chunks using a cheap estimate (tokens per character
of the piece being split, measured once), aiming at evenly sized chunks; every chunk is then
verified with ``count_tokens`` and re-split when the estimate was wrong. A sentence within the budget
costs one call; an over-long one about two calls per chunk.

``DEFAULT_MAX_TOKENS = 160``: OPUS-MT MarianMT models have 512 positions for source and target alike,
and long inputs are translated poorly (content gets dropped well before 512). 160 source tokens
(roughly 100 Arabic words, at an assumed ~1.5 SentencePiece tokens per word) leaves room for an
English output longer than its source, and is far above ordinary news sentences (NTREX-128 dev
Arabic: median 18 words per sentence, longest 62), so only genuine run-ons are chunked. Callers
can pass another budget (``mt translate --max-sentence-tokens``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Callable

from mt.document import Span
from mt.text.charsets import BASIC_LETTERS

DEFAULT_MAX_TOKENS = 160

# Aim below the budget when packing by estimate, so most chunks pass verification first time.
_PACKING_MARGIN = 0.9

_CONJUNCTIONS = "ثم|لكن|لكنّ|ولكن|بينما|بل|أو|أم|حيث|فيما|إذ|كما|لأن|عندما|بعدما|حين|حتى|إلا|غير أن|إلى أن"
# و-initial nouns and names that are not the conjunction و + word.
_NOT_CONJUNCTION_WAW = (
    "زير|زار|زراء|كال|قت|ضع|اشنطن|لاي|سط|طن|حد|فد|ثي|ثائق|صول|جود|فا|رق|سائل|سيل|راء|جه|جو|فق|زن|اقع|اضح|احد|"
    "ظيف|ظائف|صف|عد|لد|قف|قائع|ليد|هران|ادي|يل|حش|باء"
)
_LETTER = BASIC_LETTERS
_LEVELS = [
    re.compile(r"[؛;](?=\s)"),
    re.compile(r"[،,](?=\s)"),
    re.compile(r":(?=\s)"),
    re.compile(rf"(?<=\S)(?=\s+(?:(?:{_CONJUNCTIONS})\s|و(?!{_NOT_CONJUNCTION_WAW})[{_LETTER}]))"),
    re.compile(r"(?<=\S)(?=\s)"),
]
_WORD_LEVEL = len(_LEVELS) - 1


def chunk_sentence(text: str, count_tokens: Callable[[str], int], max_tokens: int = DEFAULT_MAX_TOKENS) -> list[Span]:
    """Spans of ``text`` each at most ``max_tokens`` model tokens; together they cover all of it.

    Raises ``ValueError`` when ``max_tokens`` is so small that a single character exceeds it
    (nothing is ever dropped to meet the budget).
    """
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be positive, got {max_tokens}")
    start, end = _strip(text, 0, len(text))
    if start >= end:
        return []
    n = count_tokens(text[start:end])
    if n <= max_tokens:
        return [(start, end)]
    return _Chunker(text, count_tokens, max_tokens).split(start, end, n, 0)


class _Chunker:
    def __init__(self, text: str, count_tokens: Callable[[str], int], max_tokens: int):
        self.text = text
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens

    def count(self, start: int, end: int) -> int:
        return self.count_tokens(self.text[start:end])

    def split(self, start: int, end: int, tokens: int, level: int) -> list[Span]:
        """Chunks of ``text[start:end]`` (stripped, known to measure ``tokens`` > max)."""
        pieces: list[Span] = []
        while level <= _WORD_LEVEL:
            pieces = self._pieces(start, end, _LEVELS[level])
            if len(pieces) > 1:
                break
            level += 1
        else:
            pieces = self._characters(start, end)
            if len(pieces) == 1:
                raise ValueError(
                    f"max_tokens={self.max_tokens} is too small: the single character "
                    f"{self.text[start:end]!r} measures {tokens} tokens"
                )
        return self._pack(pieces, tokens / (end - start), level)

    def _pack(self, pieces: list[Span], per_char: float, level: int) -> list[Span]:
        """Greedy packing of consecutive pieces by estimate, then verification with count_tokens."""
        total = per_char * (pieces[-1][1] - pieces[0][0])
        groups_needed = max(1, math.ceil(total / (self.max_tokens * _PACKING_MARGIN)))
        target = min(self.max_tokens * _PACKING_MARGIN, total / groups_needed * 1.1)
        groups: list[list[Span]] = []
        for piece in pieces:
            if groups and per_char * (piece[1] - groups[-1][0][0]) <= target:
                groups[-1].append(piece)
            else:
                groups.append([piece])
        chunks: list[Span] = []
        for group in groups:
            start, end = group[0][0], group[-1][1]
            tokens = self.count(start, end)
            if tokens <= self.max_tokens:
                chunks.append((start, end))
            elif len(group) > 1:
                # the estimate was low for this stretch: re-pack it with its own measured density
                chunks.extend(self._pack(group, tokens / (end - start), level))
            else:
                chunks.extend(self.split(start, end, tokens, level + 1))
        return chunks

    def _pieces(self, start: int, end: int, pattern: re.Pattern) -> list[Span]:
        pieces: list[Span] = []
        pos = start
        for m in pattern.finditer(self.text, start, end):
            cut = m.end()
            if cut <= pos or cut >= end:
                continue
            a, b = _strip(self.text, pos, cut)
            if a < b:
                pieces.append((a, b))
                pos = cut
        a, b = _strip(self.text, pos, end)
        if a < b:
            pieces.append((a, b))
        return pieces

    def _characters(self, start: int, end: int) -> list[Span]:
        """One piece per character (a letter keeps the combining marks that follow it)."""
        pieces: list[Span] = []
        for i in range(start, end):
            if pieces and (unicodedata.combining(self.text[i]) or self.text[i] in "\u200c\u200d"):
                pieces[-1] = (pieces[-1][0], i + 1)
            else:
                pieces.append((i, i + 1))
        return pieces


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
