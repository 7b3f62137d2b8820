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
_URL_HINT = re.compile(r"://|www\.|@|\.(?:com|org|net|gov|edu|int|info)\b", re.I)  # cheap test first
_URLISH = re.compile(r"\S*(?:://|www\.|@)\S*|\S+\.(?:com|org|net|gov|edu|int|info)\b\S*", re.I)


def punctuation_edits(text: str) -> list[Edit]:
    edits: dict[int, Edit] = {}
    for m in _SPACE_BEFORE.finditer(text):
        edits[m.start()] = Edit(m.start(), m.end(), " ", "", "space-before-punct")
    for rx in (_SPACE_AFTER_OPEN, _SPACE_BEFORE_CLOSE):
        for m in rx.finditer(text):
            edits.setdefault(m.start(), Edit(m.start(), m.end(), " ", "", "space-inside-brackets"))
    protected = [m.span() for m in _URLISH.finditer(text)] if _URL_HINT.search(text) else []
    for m in _NO_SPACE_AFTER.finditer(text):
        pos = m.end()
        if any(a <= m.start() < b for a, b in protected):
            continue
        if _missing_after(text, m.start()):
            edits[pos] = Edit(pos, pos, "", " ", "space-after-punct")
    if any(q in text for q in QUOTES) or "«" in text or "(" in text:
        for pos, rule in quote_cuts(text):
            if not any(a <= pos < b for a, b in protected):
                edits.setdefault(pos, Edit(pos, pos, "", " ", rule))
    return sorted(edits.values(), key=lambda e: e.start)


# Quote marks whose direction is read from their order in the line: news text mixes " with “ and ”
# (and uses ” to open as often as to close), so the 1st, 3rd ... mark opens and the others close.
QUOTES = "\"“”"
# Clitics and prefixes that may lean on an opening quote or bracket: و"وود", ب"ريان", ل«, ال(
_LEANING = frozenset("و ف ب ل ك س وب ول فب فل لل ال وال بال فال كال ولل".split())
_LETTER_OR_DIGIT = re.compile(f"[{LETTERS}{DIGITS}A-Za-z]")


def quote_cuts(text: str) -> list[tuple[int, str]]:
    """Missing spaces around quotes and before an opening « or (: ``قال"نعم"`` -> ``قال "نعم"``,
    ``"نعم"قال`` -> ``"نعم" قال``. Straight and curly quotes are paired by order in the line and
    left alone when their number is odd; a clitic (و"وود") keeps leaning on the quote."""
    out: list[tuple[int, str]] = []
    marks = [i for i, ch in enumerate(text) if ch in QUOTES]
    if len(marks) % 2 == 0:
        for k, i in enumerate(marks):
            if k % 2 == 0:
                if i > 0 and _LETTER_OR_DIGIT.match(text[i - 1]) and _leans(text, i) is False:
                    out.append((i, "space-around-quote"))
            elif i + 1 < len(text) and _LETTER_OR_DIGIT.match(text[i + 1]):
                out.append((i + 1, "space-around-quote"))
    for i, ch in enumerate(text):
        if ch in "«(" and i > 0 and re.match(f"[{LETTERS}]", text[i - 1]) and _leans(text, i) is False:
            out.append((i, "space-before-bracket"))
    return out


def _leans(text: str, i: int) -> bool:
    """Is the word before ``text[i]`` a clitic that attaches to what follows (و, ب, لل ...)?"""
    word = _letters_before(text, i)
    j = i - len(word)
    if j > 0 and (text[j - 1].isalnum() or text[j - 1] == "\u0640"):
        return True  # glued to a number, a Latin word or a tatweel (بـ"ريان"): leave it
    return word in _LEANING or len(word) < 2


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
            if _dotted_acronym(text, i):
                return False  # إف.بي.آي, سي.إن.إن: letter names joined by points
    return True


# Arabic spellings of Latin letter names (and a few two-letter ones) that make up dotted acronyms.
LETTER_NAMES = frozenset(
    "إيه ايه بي سي دي إي اي إف اف جي إتش اتش آي إيه جيه كيه كي إل ال إم ام إن ان أو او يو كيو آر ار إس اس تي "
    "في فى دبليو إكس اكس واي زد زي".split()
)
_CHAIN = re.compile(f"[{LETTERS}A-Za-z]{{1,4}}(?:\\.[{LETTERS}A-Za-z]{{1,4}})+\\.?")


def _dotted_acronym(text: str, i: int) -> bool:
    """The point at ``i`` sits inside a chain of letter names joined by points (إف.بي.آي)."""
    a = i
    while a > 0 and (text[a - 1].isalpha() or text[a - 1] == "."):
        a -= 1
    b = i + 1
    while b < len(text) and (text[b].isalpha() or text[b] == "."):
        b += 1
    token = text[a:b]  # the run of letters and points around the point (not the marks beside it)
    m = _CHAIN.fullmatch(token)
    if not m:
        return False
    pieces = [p for p in token.split(".") if p]
    names = sum(1 for p in pieces if p in LETTER_NAMES or (len(p) == 1))
    return len(pieces) >= 2 and names == len(pieces)


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
