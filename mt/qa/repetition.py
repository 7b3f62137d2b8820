"""``repetition``: an n-gram looping in the translation beyond anything the source repeats.

A loop is a run of the same n-gram (n = 1..8 words, case and punctuation ignored) repeated back to
back: "come on, come on, come on". It is flagged when a word or a pair of words runs
``min_repeats`` times or more (3: "no, no" and "bye bye" are ordinary), or a longer n-gram (3+
words) ``min_repeats_long`` times (2: human translations of news do not say "the prime minister
said the prime minister said"), and more often than any run in the source, so that "no, no, no"
for "لا، لا، لا" is not.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_WORD = re.compile(r"\w+")
MAX_N = 8
LONG_N = 3  # n-grams of this many words or more are "long"


def runs(tokens: list[str], min_count: int = 2):
    """``(count, start, n)`` for each back-to-back run of an n-gram (count >= 2), longest n last.

    Only a token that occurs twice or more can start a run, so most sentences are done after
    one ``Counter``.
    """
    cnt = Counter(tokens)
    frequent = {w for w, c in cnt.items() if c >= min_count}
    if not frequent:
        return
    L = len(tokens)
    for i, w in enumerate(tokens):
        if w not in frequent:
            continue
        for n in range(1, MAX_N + 1):
            j = i + n
            if j + n > L:
                break
            if tokens[j] != w:
                continue
            seg = tokens[i:j]
            k = 1
            while tokens[j:j + n] == seg:
                k += 1
                j += n
            if k > 1:
                yield k, i, n


def longest_run(tokens: list[str]) -> tuple[int, int, int]:
    """``(count, start, n)`` of the n-gram repeated back to back most often (count 1: none)."""
    return max(runs(tokens), default=(1, 0, 0))


class RepetitionCheck:
    name = "repetition"

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        p = params or {}
        self.min_repeats = int(p.get("min_repeats", 3))
        self.min_repeats_long = int(p.get("min_repeats_long", 2))

    def __call__(self, source: str, translation: str) -> dict[str, Any] | None:
        tokens = _WORD.findall(translation.lower())
        best = None
        for k, i, n in runs(tokens, min(self.min_repeats, self.min_repeats_long)):
            need = self.min_repeats_long if n >= LONG_N else self.min_repeats
            if k >= need and (best is None or k * n > best[0] * best[2]):
                best = (k, i, n)
        if best is None:
            return None
        k, i, n = best
        # like with like: a phrase said twice is excused only by a phrase the source says twice
        # (not by a name like "Roa Roa"); a word run by any run of the source
        src_tokens = _WORD.findall(source)
        src_k = max((sk for sk, _, sn in runs(src_tokens) if n < LONG_N or sn > 1), default=1)
        if k <= src_k:
            return None
        return {"ngram": " ".join(tokens[i:i + n]), "count": k, "source_count": src_k}
