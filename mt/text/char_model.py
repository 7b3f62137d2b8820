"""A character n-gram model of Arabic words: the cost (nats) of a string *as one word*.

It prices tokens no list holds (names, loanwords, rare inflections) so that the spacing repair can
weigh "one unknown word" against "two words that lost their space" in the same units as the word
list. Trained on the word types of wordfreq's Arabic list (each type once: names and rare forms shape
it as much as function words), order 5 with interpolated Witten-Bell smoothing; ``^`` and ``$``
mark the word's edges, so ة/ى inside a word and ال after its start are expensive, as they should be.

The model is derived data of wordfreq (CC BY-SA 4.0), so it is not shipped: it is built on first use
(a few seconds) and kept under ``$NEWSWIRE_CACHE/spacing/``.
"""

from __future__ import annotations

import math
import os
import sys
import pickle
import threading
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

ORDER = 5
VERSION = 2
BOS, EOS = "^", "$"
MIN_COUNT = 2  # n-grams (order >= 3) seen in fewer word types are pruned
MAX_WORD_COST = 18.0  # train on listed words at least this frequent (drops the noisiest tail)


class CharModel:
    def __init__(self, logp: dict[str, float], bow: dict[str, float], floor: float):
        self._logp = logp  # "h\tx" -> ln P(x | h) (interpolated), for seen n-grams
        self._bow = bow  # h -> ln(1 - lambda_h): the weight left for the shorter context
        self._floor = floor
        from mt.text.spacing_cache import lru

        self.cost = lru(200_000)(self._cost)  # bounded LRU, thread-safe

    def char_cost(self, hist: str, ch: str) -> float:
        """-ln P(ch | hist) with backoff to shorter histories."""
        penalty = 0.0
        while True:
            lp = self._logp.get(hist + "\t" + ch)
            if lp is not None:
                return penalty - lp
            if not hist:
                return penalty + self._floor
            penalty -= self._bow.get(hist, 0.0)
            hist = hist[1:]

    def prefix_costs(self, s: str, limit: int) -> list[float]:
        """``out[k]`` = cost of ``s[:k]`` as a whole word, for k = 1 .. min(len(s), limit) (out[0] unused):
        one pass over ``s`` instead of one per prefix."""
        out = [0.0]
        t = BOS + s[:limit]
        running = 0.0
        for i in range(1, len(t)):
            running += self.char_cost(t[max(0, i - ORDER + 1) : i], t[i])
            out.append(running + self.char_cost(t[max(0, i - ORDER + 2) : i + 1], EOS))
        return out

    def _cost(self, word: str) -> float:
        """-ln P(word) as a whole word (edges included); ``cost`` is this behind an LRU cache."""
        s = BOS + word + EOS
        total = 0.0
        for i in range(1, len(s)):
            total += self.char_cost(s[max(0, i - ORDER + 1) : i], s[i])
        return total


def train(words) -> CharModel:
    """Witten-Bell interpolated n-gram model of the word types ``words`` (each once)."""
    big = "".join(BOS + w + EOS for w in words)
    size = len(big)
    totals: dict[str, int] = defaultdict(int)
    types: dict[str, int] = defaultdict(int)
    kept: list[tuple[str, str, int]] = []  # (history, char, count), pruned
    for n in range(ORDER):  # history length n
        # every (n+1)-gram of the joined text, counted in C; those that cross a word edge are dropped
        grams = Counter(map(big.__getitem__, map(slice, range(0, size - n), range(n + 1, size + 1))))
        for g, c in grams.items():
            h, x = g[:-1], g[-1]
            if x == BOS or EOS in h or BOS in g[1:]:
                continue
            totals[h] += c
            types[h] += 1
            if n < 2 or c >= MIN_COUNT:
                kept.append((h, x, c))
    alphabet = {x for h, x, _ in kept if not h}
    floor = math.log(len(alphabet) + 1)
    bow = {h: math.log(1 - totals[h] / (totals[h] + types[h])) for h in totals}
    logp: dict[str, float] = {}
    uniform = 1.0 / (len(alphabet) + 1)
    # shorter histories first, so the backoff distribution is known when a longer one is built
    for h, x, c in sorted(kept, key=lambda t: len(t[0])):
        total = totals[h]
        lam = total / (total + types[h])
        lower = math.exp(-_cost_from(logp, bow, h[1:], x, floor)) if h else uniform
        logp[h + "\t" + x] = math.log(lam * c / total + (1 - lam) * lower)
    return CharModel(logp, bow, floor)


def _cost_from(logp, bow, hist, ch, floor) -> float:
    penalty = 0.0
    while True:
        lp = logp.get(hist + "\t" + ch)
        if lp is not None:
            return penalty - lp
        if not hist:
            return penalty + floor
        penalty -= bow.get(hist, 0.0)
        hist = hist[1:]


_LOCK = threading.Lock()


def _cache_path() -> Path:
    from mt.cache import cache_root

    try:
        from importlib.metadata import version

        wf = version("wordfreq")
    except Exception:  # pragma: no cover - metadata missing
        wf = "unknown"
    return cache_root() / "spacing" / f"char-lm-ar-o{ORDER}-v{VERSION}-wordfreq{wf}.pkl"


@lru_cache(maxsize=1)
def _load() -> CharModel:
    from mt.text.lexicon import arabic_lexicon

    path = _cache_path()
    try:
        with open(path, "rb") as f:
            logp, bow, floor = pickle.load(f)
        return CharModel(logp, bow, floor)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError):
        pass
    print(f"newswire-mt: building the Arabic spacing model once (about 20 s); it is kept in {path.parent}",
          file=sys.stderr, flush=True)
    lex = arabic_lexicon()
    model = train(w for w in lex.words() if len(w) >= 2 and lex.listed(w) <= MAX_WORD_COST and w.isalpha())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump((model._logp, model._bow, model._floor), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache: build again next time
    return model


def arabic_char_model() -> CharModel:
    """The shared character model (built or loaded on first use, once even from many threads)."""
    with _LOCK:
        return _load()
