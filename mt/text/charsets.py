"""Arabic character classes: the one definition every text step uses.

Each constant is the body of a regular-expression character class (use it as ``f"[{LETTERS}]"``),
so steps can combine classes; :data:`DIACRITICS_RE` and :func:`strip_diacritics` cover the common
uses. Arabic letters here exclude digits, punctuation (، ؛ ؟ ۔), tatweel and the marks.
"""

from __future__ import annotations

import re

# Letters: the basic Arabic block (hamza .. yeh, without tatweel), the extended letters used for
# Persian/Urdu loans and names (ٮ ٯ ٱ .. ۓ ە), and ۺ ۻ ۼ.
LETTERS = "\u0621-\u063a\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06fa-\u06fc"
# Basic letters only (hamza .. yeh): the letters of the Arabic alphabet proper.
BASIC_LETTERS = "\u0621-\u063a\u0641-\u064a"
# Diacritics: harakat, tanween, shadda, sukun, the extended marks up to U+065F, superscript alef.
DIACRITICS = "\u064b-\u065f\u0670"
# Tanween (fathatan, dammatan, kasratan): they only ever end a word.
TANWEEN = "\u064b\u064c\u064d"
TATWEEL = "\u0640"
# Decimal digits: Western, Arabic-Indic (٠-٩) and extended Arabic-Indic / Persian (۰-۹).
DIGITS = "0-9\u0660-\u0669\u06f0-\u06f9"

LETTER_RE = re.compile(f"[{LETTERS}]")
DIACRITICS_RE = re.compile(f"[{DIACRITICS}]")


def strip_diacritics(text: str) -> str:
    """``text`` without harakat, tanween, shadda and sukun (wordfreq and lexicons store bare forms)."""
    return DIACRITICS_RE.sub("", text)


def is_diacritic(ch: str) -> bool:
    return "\u064b" <= ch <= "\u065f" or ch == "\u0670"


_BARE = re.compile(f"[{DIACRITICS}{TATWEEL}]")


def bare(text: str) -> str:
    """``text`` without diacritics and tatweel: the form abbreviation and word lists are written in."""
    return _BARE.sub("", text)
