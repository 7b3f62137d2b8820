"""``number``: a number of the source missing or changed in the translation, or one it made up.

Every number on both sides is read into its possible values (:mod:`mt.qa.numbers_ar`,
:mod:`mt.qa.numbers_en`). Then:

- *missing*: a number the source writes in digits (strong) that no number of the translation can
  be (each translation number answers for one source number, so a repeated figure must come
  through as often as the source has it);
- *extra*: a number the translation writes in digits, or as a cardinal or ordinal word of three
  or more ("four", "fifteenth"), that no number of the source, in digits or in words, can be.
  "one", "two", "first", "second", "half", months and the like never count as extra on their
  own: "two years" may render an Arabic dual, "the first" an Arabic article. Nor does a number in
  brackets right after another number: a translator's conversion, "45C (113F)".

A changed number shows as both: ``{"missing": ["20000"], "extra": ["2000"], ...}``, with the forms
as written in ``missing_forms`` / ``extra_forms``.
"""

from __future__ import annotations

import re
from typing import Any

from mt.qa import numbers_ar, numbers_en
from mt.qa.numerals import shown
from mt.text.charsets import DIGITS

_STRONG_SOURCE = re.compile(f"[{DIGITS}½¼¾⅓⅔]")


class NumberCheck:
    name = "number"

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.params = params or {}
        self.word_extras = bool(self.params.get("word_extras", True))
        self.word_missing = bool(self.params.get("word_missing", True))

    def __call__(self, source: str, translation: str) -> dict[str, Any] | None:
        tgt = numbers_en.mentions(translation)
        if not tgt and _STRONG_SOURCE.search(source) is None and numbers_ar.COUNT_HINT.search(source) is None:
            return None  # no number on either side (the Arabic words that could be one are not there)
        src = numbers_ar.mentions(source)
        if not src and not tgt:
            return None
        missing = []
        if self.word_missing and tgt is not None:
            # a count the source writes in words (eleven and up, decades) must be there in some form;
            # any reading of any number of the translation will do
            seen: set[float] = set()
            for t in tgt:
                seen.update(t.values)
            missing.extend(m for m in src if m.counted and not m.strong and seen.isdisjoint(m.values))
        if src:
            used = [False] * len(tgt)
            # an English number word that renders an Arabic number word is spoken for: "first"
            # for "الأولى" does not also stand in for a "1" of the source
            for m in src:
                if not m.strong:
                    for j, t in enumerate(tgt):
                        if not used[j] and not t.strong and not m.values.isdisjoint(t.values):
                            used[j] = True
                            break
            # digits answer digits first, then what words are left
            pending = []
            for m in src:
                if m.strong:
                    for j, t in enumerate(tgt):
                        if not used[j] and t.strong and not m.values.isdisjoint(t.values):
                            used[j] = True
                            break
                    else:
                        pending.append(m)
            for m in pending:
                for j, t in enumerate(tgt):
                    if not used[j] and not m.values.isdisjoint(t.values):
                        used[j] = True
                        break
                else:
                    missing.append(m)
        extra = []
        if tgt:
            pool: set[float] = set()
            for m in src:
                pool.update(m.values)
            extra = [t for t in tgt if (t.strong or (self.word_extras and t.counted and max(t.values) >= 3))
                     and not t.aside and pool.isdisjoint(t.values)]
        if not missing and not extra:
            return None
        return {
            "missing": [shown(m) for m in missing],
            "extra": [shown(t) for t in extra],
            "missing_forms": [numbers_ar.original_surface(source, m) for m in missing],
            "extra_forms": [t.surface for t in extra],
        }
