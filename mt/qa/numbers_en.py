"""Numbers in English text: digits with separators and scales, number words, ordinals, times.

Forms read (digits are strong mentions, words weak, see :mod:`mt.qa.numerals`):

- ``20,000`` ``20.000`` ``1,234.5`` ``116 123``; Arabic-Indic or Persian digits left by a system;
- scales after digits: ``20 thousand`` ``1.5 million`` ``$11bn`` ``£5m`` ``3k`` (``m`` may be metres: both);
- ``15th`` ``1980s`` ``'80s`` ``40%`` ``No.1`` ``WW1``; ranges and scores ``18-7``, ``1950-53``;
- times ``04:00`` ``16:00`` (also 4 o'clock) ``4.30pm``; fractions ``3/4`` ``½``; dates ``30/9/2018``;
- words: ``three`` ``fifty-eight`` ``a hundred and five`` ``two thousand`` ``a million``; ordinals
  ``fifteenth`` ``twenty-first``; ``half`` ``quarter`` ``third``; ``dozen`` ``decade`` ``twice``;
  decades ``the eighties``; month names (a date's month may be written as a word on one side only).
"""

from __future__ import annotations

import re

from mt.qa.numerals import (
    FRACTION_RE,
    FRACTIONS,
    HAS_DIGIT,
    Mention,
    WordTable,
    ascii_digits,
    dotted_time,
    key,
    parse_digits,
    slash_mentions,
    time_values,
    trie_pattern,
    year_range_end,
)

_SCALES = {"thousand": (1e3,), "million": (1e6,), "billion": (1e9,), "trillion": (1e12,),
           "tn": (1e12,), "trn": (1e12,), "bln": (1e9,), "mln": (1e6,),
           "bn": (1e9,), "mn": (1e6,), "m": (1e6, 1), "b": (1e9, 1), "k": (1e3, 1)}

_DIGIT_RE = re.compile(
    r"(?P<time>(?<!\d)(?P<h>\d{1,2})(?::(?P<mm>\d{2})(?![\d:])(?:\s*(?P<ap>[ap])\.?m\b\.?)?"
    r"|\.(?P<mm2>\d{2})\s*(?P<ap2>[ap])\.?m\b\.?))"
    r"|(?P<slash>(?<!\d)\d+(?:/\d+)+)"
    r"|(?P<spaced>(?<![\d.,])\d{1,3}(?: \d{3})+)(?![\d.,]\d)"
    r"|(?P<num>\d+(?:[.,]\d+)*)(?:(?P<ord>st|nd|rd|th)\b|(?P<dec>'?s)\b"
    r"|(?:\s|-)?(?P<scale>thousand|million|billion|trillion|trn|tn|bln|mln|bn|mn|m|b|k)\b)?",
    re.IGNORECASE
)


def _digit_mentions(text: str, out: list[Mention], covered: list[tuple[int, int]]) -> None:
    prev_end, prev_digits = -10, ""
    for m in _DIGIT_RE.finditer(text):
        surface = m.group(0)
        if m.group("time"):
            h = int(m.group("h"))
            mm = m.group("mm") or m.group("mm2")
            mm = int(mm)
            vals, shown_as = time_values(h, mm, pm=m.group("ap") == "p" or m.group("ap2") == "p")
            if m.group("mm2"):
                vals = vals | {key(h + mm / 100)}  # 4.40am: also the decimal 4.40 of a source
            out.append(Mention(surface, vals, True, m.start(), shown_as))
        elif m.group("slash"):
            out.extend(slash_mentions(surface, m.start(), aside=surface == "24/7"))
        elif m.group("spaced"):
            # 116 123 is one phone number or thousands grouped by spaces; a number written
            # right-to-left in the source may come out in parts: each part is a mention that
            # can also be the whole
            parts = surface.split(" ")
            whole = key(int("".join(parts)))
            pos = m.start()
            for p in parts:
                out.append(Mention(p, frozenset({key(int(p)), whole}), True, pos))
                pos += len(p) + 1
        else:
            raw = m.group("num")
            vals = parse_digits(raw)
            if len(raw) <= 5:
                vals.update(dotted_time(raw))
            if m.group("scale"):
                scales = _SCALES[m.group("scale").lower()]
                vals = {key(v * s) for v in vals for s in scales}
            elif m.group("dec"):
                # 1980s -> 1980 (and the 80s); 80s -> 80 (and 1980, 1880...: any century's decade)
                n = int(raw) if raw.isdigit() else 0
                if n >= 100:
                    vals.add(key(n % 100))
                    vals.add(key(n // 100 + 1))  # the 1980s: in the 20th century; the 2000s: the 21st
                elif n:
                    vals.update(key(c + n) for c in (1800, 1900, 2000))
            elif (end_year := year_range_end(text, m.start(), raw, prev_end, prev_digits)) is not None:
                vals.add(end_year)
            out.append(Mention(surface, frozenset(vals), True, m.start()))
            prev_digits = raw
        prev_end = m.end()
        covered.append((m.start(), m.end()))


# ---------------------------------------------------------------- words
_WORDS = WordTable()
_add = _WORDS.add


_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_UNIT_ORD = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
             "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
             "seventeenth", "eighteenth", "nineteenth"]
for _i, (_c, _o) in enumerate(zip(_UNITS, _UNIT_ORD)):
    _add("u", _i, _c, _o)
for _i, _t in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2):
    _add("d", _i * 10, _t, _t[:-1] + "ieth")
    _add("x", _i * 10, _t[:-1] + "ies")  # the eighties
_add("h", 100, "hundred", "hundredth")
_add("s", 1e3, "thousand", "thousandth")
_add("s", 1e6, "million", "millionth")
_add("s", 1e9, "billion", "billionth")
_add("s", 1e12, "trillion")
_add("a", 1, "a", "an")
_add("f", 0.5, "half")
_add("f", 0.25, "quarter", "quarters")
_add("f", 1 / 3, "thirds")
_add("x", 12, "dozen")
_add("x", 10, "decade")
_add("x", 100, "century", "centenary", "centennial")  # مئة عام
_add("x", 1000, "millennium")
_add("x", 14, "fortnight")
_add("x", 2, "twice", "both", "pair", "couple")
_add("x", 12, "noon", "midday", "midnight")
_add("u", 0, "nil")
for _i, _month in enumerate(("january", "february", "march", "april", "june", "july", "august", "september",
                             "october", "november", "december"), 1):
    _add("x", _i if _i < 5 else _i + 1, _month)
_WORDS["third"] = ("u3", 3)  # third: 3rd or 1/3

_WORD_RE = re.compile(
    r"\b(?:(?P<a>an?)(?=\s+(?:hundred|thousand|million|billion|trillion)\b)|(?P<w>"
    + trie_pattern(w for w in _WORDS if w not in ("a", "an"))
    + r"))\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = frozenset(w for w in _WORDS if w not in ("a", "an"))
_LOWER_WORD = re.compile(r"[a-z]+")
_JOIN = re.compile(r"\s*-\s*|\s+|\s+and\s+|\s+of\s+")


def _joins(prev: tuple[str, float], nxt: tuple[str, float], and_: bool) -> bool:
    """Whether number word ``nxt`` continues the number ending in ``prev``: twenty-one, three
    hundred (and) five, two thousand, a million; not "one two" or "first two"."""
    pk, pv = prev
    nk, nv = nxt
    if pk == "f":
        return nk in ("a", "s") and not and_  # half a million, a quarter of a million
    if nk in ("h", "s"):
        return not and_ and pk in ("u", "d", "h", "a") and (nk == "s" or pk != "h")
    if pk in ("h", "s"):
        return nk in ("u", "d", "u3")
    return not and_ and pk == "d" and nk in ("u", "u3") and 0 < nv < 10


def _word_mentions(text: str, out: list[Mention], covered: list[tuple[int, int]]) -> None:
    group: list[tuple[str, float]] = []
    g_start = g_end = 0
    extra: set[float] = set()

    def flush() -> None:
        if not group:
            return
        total = cur = 0.0
        prev = ""
        for kind, v in group:
            if kind == "h":
                cur = (cur or 1) * v
            elif kind == "a":
                if prev != "f":  # the article of "half a million"
                    cur += 1
            elif kind == "s":
                total += (cur or 1) * v
                cur = 0
            else:
                cur += v
            prev = kind
        vals = {key(total + cur)} | extra
        # "thousand" alone ("several thousand", "a few hundred") is no count; "half" is no count either
        counted = group[0][0] not in ("h", "s", "f")
        out.append(Mention(text[g_start:g_end], frozenset(vals), False, g_start, counted=counted))
        group.clear()
        extra.clear()

    for m in _WORD_RE.finditer(text):
        if covered and any(a <= m.start() < b for a, b in covered):
            continue
        if m.group("a"):
            kind, v = "a", 1
        else:
            kind, v = _WORDS[m.group("w").lower()]
        if kind == "x":
            flush()
            out.append(Mention(m.group(0), frozenset({key(v)}), False, m.start()))
            continue
        if group:
            gap = text[g_end:m.start()]
            if not (_JOIN.fullmatch(gap) and _joins(group[-1], (kind, v), " and " in gap)
                    and (" of " not in gap or group[-1][0] == "f")):
                flush()
        if not group:
            g_start = m.start()
        if kind == "u3":
            kind = "u"
            extra.add(key(1 / 3))
        group.append((kind, v))
        g_end = m.end()
    flush()


# a number in brackets right after a number: a translator's conversion, "45C (113F)", "£5m ($6.5m)"
_ASIDE = re.compile(r"\d[^\d()]{0,15}\(\s*[$£€~]?\s*$")


_SCORE_SIDE = re.compile(r"\d\s?[-–]\s?$")
# names with a number in them that an Arabic source often writes without it: COVID-19 (كورونا),
# SARS-CoV-2, 24/7 (على مدار الساعة), 3D, 4G, 5G (ثلاثية الأبعاد, الجيل الخامس)
_NAMED = re.compile(r"(?:covid|sars-cov)[- ]?$", re.IGNORECASE)
_NAMED_AFTER = re.compile(r"(?:-?d|g)\b", re.IGNORECASE)


def _mark_asides(text: str, out: list[Mention]) -> list[Mention]:
    """Numbers a translator adds without the source having them as numbers: a conversion in
    brackets after a number, and the 0 or 1 of a score ("won 2-0" for "بهدفين نظيفين")."""
    marked = []
    for m in out:
        if m.start and text[m.start - 1] in "( $£€~" and _ASIDE.search(text, max(0, m.start - 20), m.start):
            m = m._replace(aside=True)
        elif (_NAMED.search(text, max(0, m.start - 9), m.start)
              or (len(m.surface) == 1 and _NAMED_AFTER.match(text, m.start + 1))):
            m = m._replace(aside=True)
        elif m.values <= {0.0, 1.0} and (_SCORE_SIDE.search(text, max(0, m.start - 3), m.start)
                                          or re.match(r"\s?[-–]\s?\d", text[m.start + len(m.surface):])):
            m = m._replace(aside=True)
        marked.append(m)
    return marked


def mentions(text: str) -> list[Mention]:
    """Numbers in an English sentence (digits first, then words)."""
    out: list[Mention] = []
    covered: list[tuple[int, int]] = []
    if HAS_DIGIT.search(text):
        text = ascii_digits(text)
        if "٫" in text or "٬" in text:
            text = text.replace("٫", ".").replace("٬", ",")
        _digit_mentions(text, out, covered)
        out = _mark_asides(text, out)
    if "½" in text or "¼" in text or "¾" in text or "⅓" in text or "⅔" in text:
        for m in FRACTION_RE.finditer(text):
            out.append(Mention(m.group(0), frozenset({key(FRACTIONS[m.group(0)])}), True, m.start()))
    if not _NUMBER_WORDS.isdisjoint(_LOWER_WORD.findall(text.lower())):
        _word_mentions(text, out, covered)
    return out
