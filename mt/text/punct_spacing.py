"""Spaces around punctuation: none before ``، ؛ : . ! ? ؟`` or inside brackets, one after them.

Works on one line with single ASCII spaces (after whitespace normalisation). Only spaces are
removed or inserted. A space is not added after a point or colon inside numbers, times, URLs,
e-mail addresses or dotted acronyms (``أ.ف.ب``), nor after a comma between digits (``3،5``).
"""

from __future__ import annotations

import re

from mt.document import Edit
from mt.text.charsets import DIGITS, LETTERS

OPENING = "([{«"
CLOSING = ")]}»"

# A space before a sentence/clause mark. A point is left alone when a digit or Latin letter follows
# (".5", ".com"), and so is a colon or point that starts a line.
_SPACE_BEFORE = re.compile(r"(?<=\S) (?=[،؛!?؟,;]|:(?![/0-9])|\.(?![0-9A-Za-z.]))")
_SPACE_AFTER_OPEN = re.compile(f"(?<=[{re.escape(OPENING)}]) (?=\\S)")
_SPACE_BEFORE_CLOSE = re.compile(f"(?<=\\S) (?=[{re.escape(CLOSING)}])")
# Places where a space is missing after a mark; each candidate is checked in _missing_after.
_NO_SPACE_AFTER = re.compile(f"[،؛؟!:.,;%٪{re.escape(CLOSING)}](?=[{LETTERS}«(])|[،؛؟!](?=[{DIGITS}A-Za-z])")
_URLISH = re.compile(r"\S*(?:://|www\.|@)\S*|\S+\.(?:com|org|net|gov|edu|int|info)\b\S*", re.I)


def punctuation_edits(text: str) -> list[Edit]:
    edits: dict[int, Edit] = {}
    for m in _SPACE_BEFORE.finditer(text):
        edits[m.start()] = Edit(m.start(), m.end(), " ", "", "space-before-punct")
    for rx in (_SPACE_AFTER_OPEN, _SPACE_BEFORE_CLOSE):
        for m in rx.finditer(text):
            edits.setdefault(m.start(), Edit(m.start(), m.end(), " ", "", "space-inside-brackets"))
    protected = [m.span() for m in _URLISH.finditer(text)] if ("@" in text or "/" in text or "." in text) else []
    for m in _NO_SPACE_AFTER.finditer(text):
        pos = m.end()
        if any(a <= m.start() < b for a, b in protected):
            continue
        if _missing_after(text, m.start()):
            edits[pos] = Edit(pos, pos, "", " ", "space-after-punct")
    return sorted(edits.values(), key=lambda e: e.start)


def _missing_after(text: str, i: int) -> bool:
    mark, prev = text[i], text[i - 1] if i > 0 else " "
    nxt = text[i + 1]
    if i == 0:
        return False
    if mark in ",;" and prev.isdigit():
        return False
    if mark == "،" and prev.isdigit() and nxt.isdigit():
        return False  # 3،5: a decimal comma
    if mark == "." or mark == ":":
        if prev.isdigit() and nxt.isdigit():
            return False
        if mark == ".":
            before = _letters_before(text, i)
            after = _letters_after(text, i + 1)
            # dotted acronym: أ.ف.ب , ق.م ; a single letter after the point is never a new word
            if len(after) == 1:
                return False
            if len(before) == 1 and i >= 2 and text[i - 2] == ".":
                return False
    return True


def _letters_before(text: str, i: int) -> str:
    j = i
    while j > 0 and text[j - 1].isalpha():
        j -= 1
    return text[j:i]


def _letters_after(text: str, i: int) -> str:
    j = i
    while j < len(text) and text[j].isalpha():
        j += 1
    return text[i:j]
