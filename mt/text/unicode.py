"""Character clean-up: presentation forms, invisible marks, decorative tatweel, whitespace.

These are the only repairs that touch characters other than spaces, and none of them changes a
letter: presentation forms become the base letters they display as, invisible marks and decorative
tatweel are removed, and every run of whitespace becomes one plain space.
"""

from __future__ import annotations

import re
import unicodedata

from mt.document import Edit
from mt.text.charsets import DIACRITICS, LETTERS, TATWEEL

# Zero-width and bidi control marks: invisible, but they split SentencePiece tokens.
INVISIBLE_CHARS = (
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\x00-\x08\x0e-\x1b\x7f"  # VT, FF, FS, GS, RS, US are whitespace (line separators), not invisible
)
INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]+")
# Arabic presentation forms A and B (ligatures and contextual shapes); NFKC maps them to base letters.
PRESENTATION_FORM = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")
# Tatweel between two letters only stretches the word: decoration. Elsewhere (بـ49, لـ«اليوم», 1437هـ)
# it marks an abbreviation or a prefix and is kept.
# A run may mix tatweel with the harakat it carries (مـُـحمد): the harakat stay, the tatweel goes.
# Invisible marks inside or around the run are looked through (and removed with it).
_RUN = f"{DIACRITICS}{INVISIBLE_CHARS}"
_LETTER_OR_FORM = f"{LETTERS}\ufb50-\ufdff\ufe80-\ufefc"
DECORATIVE_TATWEEL = re.compile(
    f"(?<=[{_LETTER_OR_FORM}{DIACRITICS}])[{_RUN}]*{TATWEEL}[{TATWEEL}{_RUN}]*(?=[{INVISIBLE_CHARS}]*[{_LETTER_OR_FORM}])"
)
_NOT_HARAKA = re.compile(f"[{TATWEEL}{INVISIBLE_CHARS}]")
WHITESPACE_RUN = re.compile(r"\s+")


class UnicodeCleanup:
    """Repair step: invisible marks, presentation forms, decorative tatweel."""

    name = "unicode"

    def find_edits(self, text: str) -> list[Edit]:
        edits = []
        taken: set[int] = set()
        for m in DECORATIVE_TATWEEL.finditer(text):
            edits.append(Edit(m.start(), m.end(), m.group(), _NOT_HARAKA.sub("", m.group()), "decorative-tatweel"))
            taken.update(range(m.start(), m.end()))
        for m in INVISIBLE.finditer(text):
            if m.start() in taken or m.end() - 1 in taken:
                # part of the run belongs to a tatweel edit: keep only the marks outside it
                for i in range(m.start(), m.end()):
                    if i not in taken:
                        edits.append(Edit(i, i + 1, text[i], "", "invisible-mark"))
            else:
                edits.append(Edit(m.start(), m.end(), m.group(), "", "invisible-mark"))
        for m in PRESENTATION_FORM.finditer(text):
            base = unicodedata.normalize("NFKC", m.group())
            if base != m.group():
                edits.append(Edit(m.start(), m.end(), m.group(), base, "presentation-form"))
        return edits


class WhitespaceNormalizer:
    """Repair step: every whitespace run becomes one ASCII space; leading/trailing runs are dropped."""

    name = "whitespace"

    def find_edits(self, text: str) -> list[Edit]:
        edits = []
        for m in WHITESPACE_RUN.finditer(text):
            at_edge = m.start() == 0 or m.end() == len(text)
            after = "" if at_edge else " "
            if m.group() != after:
                edits.append(Edit(m.start(), m.end(), m.group(), after, "whitespace"))
        return edits
