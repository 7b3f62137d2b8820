"""Shared number plumbing for the ``number`` check: mentions, value keys, digit groups.

A *mention* is one number as written: ``(surface, values, strong)``. ``values`` is the frozenset of
readings it can have (``20.000`` may be twenty thousand or twenty; ``16:00`` is 16 or 4 o'clock),
as keys from :func:`key`. ``strong`` mentions are written in digits: they must come through the
translation. Number words are *weak*: a translator may write ``ثلاثة`` as "three", "3", or fold it
into the grammar (Arabic duals), so they only ever count as evidence that a number is present.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from mt.text.charsets import DIGITS


class Mention(NamedTuple):
    surface: str
    values: frozenset
    strong: bool
    start: int = 0
    shown: str = ""  # the reading reported to the editor; default: the largest value
    counted: bool = False  # a cardinal or ordinal in words ("three", "fifteenth"), not "half" or "June"
    aside: bool = False  # in brackets right after another number: "45C (113F)", "50 miles (80km)"


class WordTable(dict):
    """A language's number words: normalised form -> (kind, value)."""

    def add(self, kind: str, value: float, *forms: str) -> None:
        for f in forms:
            self[f] = (kind, value)


def slash_mentions(surface: str, start: int, *, aside: bool = False) -> list[Mention]:
    """Digits joined by slashes: ``3/4`` is a fraction; a date (19/6/1953), 9/11, 24/7: each part on
    its own (``2019/20``: the second part is also read as 2020). ``aside``: how to mark the parts."""
    parts = surface.split("/")
    if len(parts) == 2 and 0 < int(parts[0]) < int(parts[1]) <= 10:
        a, b = int(parts[0]), int(parts[1])
        return [Mention(surface, frozenset({key(a / b)}), True, start, surface)]
    out = []
    pos, prev = start, ""
    for p in parts:
        vals = {key(int(p))}
        if len(prev) == 4 and len(p) == 2:
            vals.add(key(int(prev[:2] + p)))  # the 2019/20 season
        out.append(Mention(p, frozenset(vals), True, pos, aside=aside))
        pos += len(p) + 1
        prev = p
    return out


def year_range_end(text: str, start: int, raw: str, prev_end: int, prev_digits: str) -> float | None:
    """``1950-53``: two digits right after a four-digit year and a dash are also a year of its century."""
    if start - prev_end == 1 and text[start - 1] in "-–" and len(prev_digits) == 4 and len(raw) == 2:
        return key(int(prev_digits[:2] + raw))
    return None


def shown(m: Mention) -> str:
    return m.shown or show(max(m.values))


TIME_BASE = 10000.0  # times with minutes are read as TIME_BASE + h + mm/100: 5:30 never equals 5.3


_DOTTED_TIME = re.compile(r"(\d{1,2})[.٫](\d{2})")


def dotted_time(raw: str) -> frozenset:
    """``7.55`` / ``4.40`` may be a clock time (British and Arabic press write it so): its time readings."""
    m = _DOTTED_TIME.fullmatch(raw)
    if m is None or int(m.group(1)) > 24 or int(m.group(2)) > 59:
        return frozenset()
    return time_values(int(m.group(1)), int(m.group(2)))[0]


def time_values(h: int, mm: int, pm: bool = False) -> tuple[frozenset, str]:
    """Readings of the clock time h:mm (24-hour and 12-hour), and how to show it."""
    hours = {h, h % 12 + 12} if pm else {h, h % 12 or 12}
    if mm == 0:
        return frozenset(key(x) for x in hours), f"{h}:00"
    return frozenset(key(TIME_BASE + x + mm / 100) for x in hours), f"{h}:{mm:02d}"


def key(value: float) -> float:
    """A comparable reading: rounded so 3.60 == 3.6 and 1.5e9 survives float arithmetic."""
    return round(float(value), 4)


def show(value: float) -> str:
    """``20000`` / ``2.5`` / ``1500000000``: how a reading is reported to the editor."""
    if value == int(value):
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


# Arabic-Indic and Persian digits read as ASCII; the Arabic decimal (٫) and thousands (٬)
# separators keep their own characters so their meaning is not lost.
DIGIT_TABLE = {ord(c): ord("0") + i for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
DIGIT_TABLE.update({ord(c): ord("0") + i for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})

HAS_DIGIT = re.compile(f"[{DIGITS}]")
_NON_ASCII_DIGIT = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
_ASCII_OF = {chr(k): chr(v) for k, v in DIGIT_TABLE.items()}


def ascii_digits(text: str) -> str:
    """``text`` with Arabic-Indic and Persian digits as ASCII (1:1, positions unchanged). Cheap when
    there are none (``str.translate`` looks every character up, so it is only used when needed)."""
    if _NON_ASCII_DIGIT.search(text) is None:
        return text
    return _NON_ASCII_DIGIT.sub(lambda m: _ASCII_OF[m.group()], text)
FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}
FRACTION_RE = re.compile("[½¼¾⅓⅔]")


def parse_digits(text: str) -> set[float]:
    """Readings of a digit group with separators: ``20,000`` ``20.000`` ``3٫5`` ``30،000`` ``1.234,5``.

    ``٫`` is a decimal point and ``٬``/``،`` group thousands; ``.`` and ``,`` are read by position:
    repeated -> thousands, both -> the last one is the decimal point, a single one followed by exactly
    three digits -> either (20.000 is twenty thousand in much of Europe, 20.0 elsewhere).
    """
    text = text.replace("٬", "").replace("،", "")
    if "٫" in text:
        text = text.replace(",", "").replace(".", "").replace("٫", ".")
        try:
            return {key(float(text))}
        except ValueError:
            return set()
    n_dot, n_comma = text.count("."), text.count(",")
    if not n_dot and not n_comma:
        return {key(int(text))}
    if n_dot and n_comma:
        dec = "." if text.rfind(".") > text.rfind(",") else ","
        grp = "," if dec == "." else "."
        text = text.replace(grp, "").replace(dec, ".")
        try:
            return {key(float(text))}
        except ValueError:
            return set()
    sep = "." if n_dot else ","
    parts = text.split(sep)
    if len(parts) > 2:
        return {key(int("".join(parts)))}
    whole, frac = parts
    out = {key(float(f"{whole}.{frac}"))}
    if len(frac) == 3:
        out.add(key(int(whole + frac)))
    return out


def trie_pattern(words) -> str:
    """A regular expression body matching exactly ``words``, factored as a trie: the engine then
    tries each letter once per position instead of each word (several times faster on long lists)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)
