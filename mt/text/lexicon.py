"""Arabic word model for spacing repair: word costs from wordfreq plus a light clitic analysis.

The cost of a word is ``-ln(frequency)`` in wordfreq's large Arabic list (about 620k words, web,
news, subtitles and Wikipedia). A word that is not in the list may still be an ordinary word with
clitics attached (``و`` ``ف`` ``ب`` ``ل`` ``ك`` ``س``, ``لل`` for ل + ال): :meth:`Lexicon.cost` prices
it as its stem plus a clitic penalty, and :meth:`Lexicon.analysed_cost` also allows an attached
pronoun (``ها`` ``هم`` ``نا`` ...). The list is loaded once, lazily, and shared by the process.
"""

from __future__ import annotations

import math
import threading
from functools import lru_cache

from mt.text.charsets import strip_diacritics  # noqa: F401 - wordfreq stores bare forms; lookups strip too


# Clitic prefixes that attach to a following word, with their cost (nats) on top of the stem's.
# A conjunction (و ف) may precede a preposition (ب ل ك) or the future particle (س).
_PREFIX_COST = {
    "و": 2.3, "ف": 3.0, "ب": 2.8, "ل": 2.8, "ك": 3.5, "س": 3.5,
    "وب": 4.5, "ول": 4.5, "وك": 5.0, "وس": 5.0, "فب": 5.5, "فل": 5.0, "فس": 5.5,
}
_MAX_PREFIX = max(len(p) for p in _PREFIX_COST)
# Attached pronouns, with their cost on top of the stem's (جهدهما, مستشاروها, باطلاعنا).
_SUFFIX_COST = {s: 3.0 for s in ("ه", "ها", "هم", "هما", "هن", "ك", "كم", "كما", "كن", "ي", "نا", "ني")}


class Lexicon:
    """Word costs (``-ln p``) for Arabic; ``None`` means "not a known word"."""

    def __init__(self, freqs: dict[str, float]):
        from mt.text.spacing_cache import lru

        self._cost = {w: -math.log(f) for w, f in freqs.items() if f > 0}
        # analyses are pure functions of the word: bounded LRU caches, safe between threads
        self.cost = lru(200_000)(self._cost_uncached)
        self.analysed_cost = lru(200_000)(self._analysed_uncached)

    def __contains__(self, word: str) -> bool:
        return word in self._cost

    def words(self):
        """Every listed word (bare form)."""
        return self._cost.keys()

    def listed(self, word: str) -> float | None:
        """Cost of ``word`` exactly as listed (no clitic analysis)."""
        return self._cost.get(word)

    # cost(word) and analysed_cost(word) are the two methods below behind LRU caches (set in __init__)

    def _cost_uncached(self, word: str) -> float | None:
        """Cost of ``word`` as listed, or as clitic prefix + listed stem, whichever is cheaper."""
        return self._with_prefixes(word, self._cost.get)

    def _analysed_uncached(self, word: str) -> float | None:
        """Like cost, but the stem may also carry an attached pronoun (stem + ها, هم, نا...)."""
        return self._with_prefixes(word, self._with_suffix)

    def _with_suffix(self, word: str) -> float | None:
        best = self._cost.get(word)
        for n in (1, 2, 3):
            sc = _SUFFIX_COST.get(word[-n:]) if len(word) - n >= 2 else None
            if sc is None:
                continue
            stem = word[:-n]
            variants = [stem]
            if stem[-1] == "ت":
                variants.append(stem[:-1] + "ة")  # حكومتها = حكومة + ها
            elif stem[-1] in "وي":
                variants.append(stem + "ن")  # مستشاروها = مستشارون + ها
            for v in variants:
                c = self._cost.get(v)
                if c is not None and (best is None or c + sc < best):
                    best = c + sc
        return best

    def _with_prefixes(self, word: str, core) -> float | None:
        best = core(word)
        for n in range(1, min(_MAX_PREFIX, len(word) - 2) + 1):
            pc = _PREFIX_COST.get(word[:n])
            if pc is None:
                continue
            stem = word[n:]
            if word[n - 1] == "س" and stem[0] not in "يتنأ":
                continue  # the future particle only comes before an imperfect verb
            sc = core(stem)
            if sc is None and stem[0] == "ل" and word[n - 1] == "ل":
                sc = core("ا" + stem)  # لل = ل + ال (the alef of the article is dropped)
            if sc is not None and (best is None or sc + pc < best):
                best = sc + pc
        return best


_LOAD_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _load_arabic_lexicon() -> Lexicon:
    from wordfreq import get_frequency_dict

    return Lexicon(get_frequency_dict("ar", "large"))


def arabic_lexicon() -> Lexicon:
    """The shared Arabic lexicon (built on first use, about one second; once, even from many threads)."""
    with _LOAD_LOCK:
        return _load_arabic_lexicon()

