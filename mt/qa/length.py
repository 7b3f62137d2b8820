"""``length``: a translation too short (an omission, a cut) or too long (a hallucination) for its source.

Lengths are counted in letters and digits (spaces and punctuation do not count). Human translations
give the model (learnt by ``python -m eval.qa --calibrate`` on the tuning half of NTREX dev, stored in
``mt/qa/data/thresholds.json``): the log ratio ``r = ln((tgt+1)/(src+1))`` has a mean
``a + b*ln(src+1)`` and a spread ``sqrt(s0^2 + s1/(src+1))`` that widens for short segments. A
translation is flagged when ``r`` lies more than ``z_low`` spreads below the mean or ``z_high`` above
it. Two things human translations do are part of the model: headlines (a source that does not end
with sentence punctuation) are translated tighter (``head_shift`` added to the mean), and an acronym
("EU", "U.S.", "NHS") stands for words the Arabic spells out, so its letters count ``1 + acronym_weight``
times. A translation that stops mid-sentence (the source ends a sentence, the translation ends on a
word) is held to the looser ``z_low_unfinished``.
"""

from __future__ import annotations

import math
import re
from typing import Any

_CONTENT = re.compile(r"[^\W_]")
_SENTENCE_END = frozenset(".!?؟…\"'”’»)]:;")
_ACRONYM = re.compile(r"\b(?:[A-Z]\.?){2,}(?![a-z])")
DEFAULTS = {"a": 0.3, "b": -0.05, "s0": 0.13, "s1": 2.0, "head_shift": 0.0, "acronym_weight": 2.0,
            "z_low": 4.0, "z_high": 4.5, "z_low_unfinished": 2.8, "min_source": 1, "max_source": 400}


_NON_CONTENT = re.compile(r"[\W_]")


def content_length(text: str) -> int:
    """Letters and digits (any script): spaces, punctuation and marks do not count."""
    return len(text) - len(_NON_CONTENT.findall(text))


def acronym_letters(text: str) -> int:
    return sum(len(m) - m.count(".") for m in _ACRONYM.findall(text)) if text else 0


def ends_sentence(text: str) -> bool:
    t = text.rstrip()
    return bool(t) and t[-1] in _SENTENCE_END


class LengthCheck:
    name = "length"

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        p = dict(DEFAULTS)
        p.update(params or {})
        self.a, self.b = float(p["a"]), float(p["b"])
        self.s0, self.s1 = float(p["s0"]), float(p["s1"])
        self.z_low, self.z_high = float(p["z_low"]), float(p["z_high"])
        self.z_low_unfinished = float(p["z_low_unfinished"])
        self.min_source = int(p["min_source"])
        self.head_shift = float(p["head_shift"])
        self.acronym_weight = float(p["acronym_weight"])
        self.max_source = int(p["max_source"])

    def translation_length(self, translation: str) -> float:
        n = content_length(translation)
        if n and self.acronym_weight:
            n += self.acronym_weight * acronym_letters(translation)
        return n

    def expected(self, n_src: int, headline: bool = False) -> tuple[float, float]:
        """``(mean, spread)`` of the log length ratio for a source of ``n_src`` letters and digits."""
        x = n_src + 1
        # the mean is not extrapolated beyond the longest sources it was learnt on
        mu = self.a + self.b * math.log(min(x, self.max_source + 1)) + (self.head_shift if headline else 0.0)
        return mu, math.sqrt(self.s0 ** 2 + self.s1 / x)

    def z(self, source: str, translation: str) -> float:
        n_src = content_length(source)
        mu, sd = self.expected(n_src, not ends_sentence(source))
        return (math.log((self.translation_length(translation) + 1) / (n_src + 1)) - mu) / sd

    def __call__(self, source: str, translation: str) -> dict[str, Any] | None:
        n_src = content_length(source)
        if n_src < self.min_source:
            return None
        n_tgt = self.translation_length(translation)
        if n_tgt == 0:
            return None  # the empty check's business
        sentence = ends_sentence(source)
        mu, sd = self.expected(n_src, not sentence)
        z = (math.log((n_tgt + 1) / (n_src + 1)) - mu) / sd
        low = self.z_low
        unfinished = False
        if z < -self.z_low_unfinished and sentence and not ends_sentence(translation):
            low = self.z_low_unfinished
            unfinished = True
        if -low <= z <= self.z_high:
            return None
        lo = math.exp(mu - low * sd) * (n_src + 1) - 1
        hi = math.exp(mu + self.z_high * sd) * (n_src + 1) - 1
        detail = {
            "ratio": round(content_length(translation) / n_src, 3),
            "expected": [round(lo / n_src, 3), round(hi / n_src, 3)],
            "direction": "short" if z < 0 else "long",
            "z": round(z, 2),
        }
        if unfinished:
            detail["unfinished"] = True
        return detail
