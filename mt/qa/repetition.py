"""``repetition``: an n-gram looping in the translation beyond anything the source repeats.

A loop is a run of the same n-gram (n = 1..8 words, case and punctuation ignored) repeated back to
back: "come on, come on, come on". It is flagged when it repeats at least ``min_repeats`` times
(``min_repeats_unigram`` for single words) and more often than any run in the source, so that
"no, no, no" for "لا، لا، لا" is not.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_WORD = re.compile(r"\w+")
MAX_N = 8


def longest_run(tokens: list[str], min_count: int = 2) -> tuple[int, int, int]:
    """``(count, start, n)`` of the n-gram repeated back to back most often (count 1: none).

    Only tokens that occur ``min_count`` times or more can start a run of that many, so most
    sentences are done after one ``Counter``.
    """
    cnt = Counter(tokens)
    frequent = {w for w, c in cnt.items() if c >= min_count}
    best = (1, 0, 0)
    if not frequent:
        return best
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
            if k > best[0]:
                best = (k, i, n)
    return best


class RepetitionCheck:
    name = "repetition"

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        p = params or {}
        self.min_repeats = int(p.get("min_repeats", 3))
        self.min_repeats_unigram = int(p.get("min_repeats_unigram", 3))

    def __call__(self, source: str, translation: str) -> dict[str, Any] | None:
        tokens = _WORD.findall(translation.lower())
        k, i, n = longest_run(tokens, min(self.min_repeats, self.min_repeats_unigram))
        if k < (self.min_repeats_unigram if n == 1 else self.min_repeats):
            return None
        src_k = longest_run(_WORD.findall(source), 2)[0]
        if k <= src_k:
            return None
        return {"ngram": " ".join(tokens[i:i + n]), "count": k, "source_count": src_k}
