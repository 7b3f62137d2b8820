"""``untranslated``: Arabic script left in the translation, including a copied source.

Any Arabic letter in an English translation is something an editor must look at: a word the model
copied or transliterated halfway, or the whole source copied (``copied``: most of the translation's
letters are Arabic, or it holds most of the source's words).
"""

from __future__ import annotations

import re
from typing import Any

from mt.text.charsets import DIACRITICS, LETTERS, TATWEEL

# the letters, and their presentation forms (a source pasted from an old PDF, copied as is)
_PRESENTATION = "\ufb50-\ufdff\ufe70-\ufefc"
_ARABIC_WORD = re.compile(f"[{LETTERS}{_PRESENTATION}][{LETTERS}{_PRESENTATION}{DIACRITICS}{TATWEEL}]*")
_ANY_ARABIC = re.compile(f"[{LETTERS}{_PRESENTATION}]")
_LATIN_LETTER = re.compile(r"[^\W\d_]", re.ASCII)
MAX_WORDS = 10  # words reported in the detail


class UntranslatedCheck:
    name = "untranslated"

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        p = params or {}
        self.copied_share = float(p.get("copied_share", 0.5))

    def __call__(self, source: str, translation: str) -> dict[str, Any] | None:
        if _ANY_ARABIC.search(translation) is None:
            return None
        words = _ARABIC_WORD.findall(translation)
        n_arabic = sum(len(w) for w in words)
        n_latin = len(_LATIN_LETTER.findall(translation))
        src_words = set(_ARABIC_WORD.findall(source))
        shared = sum(1 for w in words if w in src_words)
        copied = n_arabic >= self.copied_share * (n_arabic + n_latin) or (
            bool(src_words) and shared >= self.copied_share * len(src_words)
        )
        seen: list[str] = []
        for w in words:
            if w not in seen:
                seen.append(w)
                if len(seen) == MAX_WORDS:
                    break
        return {"arabic": seen, "copied": bool(copied)}
