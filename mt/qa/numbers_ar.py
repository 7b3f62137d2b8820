"""Numbers in Arabic text: digits in three scripts, separators, scale words, number words, ordinals.

:func:`mentions` returns :class:`~mt.qa.numerals.Mention` records. Digit groups are strong;
number words (``ثلاثة``, ``خمسة وعشرون``, ``الخامس عشر``, ``ثمانينيات``, ``عامين``) are weak.
Forms read:

- digits: Western, Arabic-Indic (٠-٩) and Persian (۰-۹); ``٫`` decimal, ``٬``/``،`` thousands,
  ``20.000`` / ``20,000``, and the press form ``3ر60`` (3.60);
- a scale word after digits: ``20 ألف`` ``2.5 مليون`` ``11 مليار`` (and آلاف, ملايين, مليارات, بليون);
- times ``11:15``, ranges and scores ``18-7`` (each side a number), fractions ``3/4`` and dates ``19/6/1953``;
- years with ``م``/``هـ`` (``2016م``, ``1438هـ``): the digits are read, the era letter is not a scale;
- number words, compounds (``خمسة وعشرون``, ``ثلاثة آلاف``, ``مليوني``), ordinals (``الخامس عشر``,
  ``الحادي والعشرين``), fractions (``نصف`` ``ربع`` ``ثلث``), decades (``الثمانينيات``), duals of
  counted nouns (``عامين`` = two years), Gregorian and Levantine month names.
"""

from __future__ import annotations

import re

from mt.qa.numerals import (
    DIGIT_TABLE,
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
from mt.text.charsets import DIACRITICS, TATWEEL

# Normalisation for matching: digits to ASCII, no diacritics or tatweel, one alef, ى->ي, ة->ه.
# Only deletions and 1:1 replacements, so positions stay comparable within the normalised text.
_TABLE = dict(DIGIT_TABLE)
_TABLE.update({ord(c): None for c in TATWEEL})
_TABLE.update({ord(c): None for c in re.findall(f"[{DIACRITICS}]", "".join(map(chr, range(0x0600, 0x0700))))})
_TABLE.update({ord(c): "ا" for c in "أإآٱ"})
_TABLE[ord("ى")] = "ي"
_TABLE[ord("ة")] = "ه"


_DELETE = re.compile(f"[{DIACRITICS}{TATWEEL}]")


def normalize(text: str) -> str:
    """Digits as ASCII, no diacritics or tatweel, one alef, ى->ي, ة->ه (what ``_TABLE`` says, done
    with a regular expression and ``str.replace``: several times faster than ``str.translate``)."""
    text = _DELETE.sub("", ascii_digits(text))
    if "أ" in text:
        text = text.replace("أ", "ا")
    if "إ" in text:
        text = text.replace("إ", "ا")
    if "آ" in text:
        text = text.replace("آ", "ا")
    if "ٱ" in text:
        text = text.replace("ٱ", "ا")
    return text.replace("ى", "ي").replace("ة", "ه")


_L = "\u0621-\u064a"  # letters after normalisation
COUNTED_FROM = 11  # number words from this value up must come through the translation

# ---------------------------------------------------------------- digits
_SCALES = {
    "الف": 1e3, "الفا": 1e3, "الاف": 1e3, "مليون": 1e6, "مليونا": 1e6, "ملايين": 1e6,
    "مليار": 1e9, "مليارا": 1e9, "مليارات": 1e9, "بليون": 1e9, "بلايين": 1e9,
    "تريليون": 1e12, "تريليونات": 1e12,
}
_SCALE_ALT = "|".join(sorted(_SCALES, key=len, reverse=True))
_DIGIT_RE = re.compile(
    r"(?P<time>(?<!\d)\d{1,2}:\d{2})(?![\d:])"
    r"|(?P<rdec>\d+)ر(?P<rfrac>\d+)(?![" + _L + r"])"
    r"|(?P<slash>\d+(?:/\d+)+)"
    r"|(?P<num>\d+(?:[.,٫٬،]\d+)*)(?:\s*(?:ال)?(?P<scale>" + _SCALE_ALT + r")(?![" + _L + r"]))?"
)


_HIJRI_AFTER = re.compile(
    r"\s*(?:ه(?![" + _L + r"])|هجري|هجريه|(?:من\s+)?(?:شهر\s+)?"
    r"(?:محرم|صفر|ربيع|جمادي|رجب|شعبان|رمضان|شوال|ذو|ذي)(?![" + _L + r"]))"
)


_NAMED_BEFORE = re.compile(r"كوفيد[- ]?$|covid[- ]?$", re.IGNORECASE)


def _digit_mentions(norm: str, out: list[Mention], covered: list[tuple[int, int]]) -> None:
    prev_end, prev_digits = -10, ""
    for m in _DIGIT_RE.finditer(norm):
        surface = m.group(0)
        if m.group("time"):
            h, mm = (int(x) for x in surface.split(":"))
            vals, text = time_values(h, mm)
            out.append(Mention(surface, vals, True, m.start(), text))
        elif m.group("rdec"):
            a, b = m.group("rdec"), m.group("rfrac")
            # 3ر60 is 3.60; older type set it right-to-left, so read 60.3 too
            out.append(Mention(surface, frozenset({key(float(f"{a}.{b}")), key(float(f"{b}.{a}"))}), True, m.start(),
                              f"{a}.{b}"))
        elif m.group("slash"):
            out.extend(slash_mentions(surface, m.start()))
        else:
            raw = m.group("num")
            vals = parse_digits(raw)
            if len(raw) <= 5:
                vals.update(dotted_time(raw))
            scale = m.group("scale")
            if scale:
                s = _SCALES[scale]
                vals = {key(v * s) for v in vals}
            elif (end_year := year_range_end(norm, m.start(), raw, prev_end, prev_digits)) is not None:
                vals.add(end_year)
            # a Hijri date (1440هـ, 15 رمضان) is often left out or converted by translators: weak
            strong = scale is not None or _HIJRI_AFTER.match(norm, m.end()) is None
            if strong and _NAMED_BEFORE.search(norm, max(0, m.start() - 8), m.start()):
                strong = False  # كوفيد-19: a name the translation may give as "coronavirus"
            out.append(Mention(surface, frozenset(vals), strong, m.start()))
            prev_digits = raw
        prev_end = m.end()
        covered.append((m.start(), m.end()))


# ---------------------------------------------------------------- words
# stem -> (kind, value). Kinds: u unit/ordinal, t ten (عشر, also in teens), d tens, h hundreds,
# s scale, p plural scale (needs a number before it), s2 dual scale, f fraction,
# x standalone (decades, duals of counted nouns, months): never combined.
_WORDS = WordTable()
_add = _WORDS.add


_add("u", 1, "واحد", "واحده", "احد", "احدي", "اول", "اولي", "حادي", "حاديه")
_add("u", 2, "اثنان", "اثنين", "اثنتان", "اثنتين", "اثنا", "اثني", "اثنتا", "اثنتي", "ثاني", "ثانيه", "ثان")
_add("u", 3, "ثلاث", "ثلاثه", "ثالث", "ثالثه")
_add("u", 4, "اربع", "اربعه", "رابع", "رابعه")
_add("u", 5, "خمس", "خمسه", "خامس", "خامسه")
_add("u", 6, "ست", "سته", "سادس", "سادسه")
_add("u", 7, "سبع", "سبعه", "سابع", "سابعه")
_add("u", 8, "ثمان", "ثماني", "ثمانيه", "ثامن", "ثامنه")
_add("u", 9, "تسع", "تسعه", "تاسع", "تاسعه")
_add("t", 10, "عشر", "عشره", "عاشر", "عاشره")
for _v, _stem in ((20, "عشر"), (30, "ثلاث"), (40, "اربع"), (50, "خمس"), (60, "ست"), (70, "سبع"), (80, "ثمان"), (90, "تسع")):
    _add("d", _v, _stem + "ون", _stem + "ين")
    _add("dec", _v, _stem + "ينيات", _stem + "ينات")  # decades: الثمانينيات, الثمانينات
_add("h", 100, "مئه", "مائه")
_add("h", 200, "مئتان", "مئتين", "مائتان", "مائتين", "مئتا", "مائتا", "مئتي", "مائتي")
for _v, _stem in ((3, "ثلاث"), (4, "اربع"), (5, "خمس"), (6, "ست"), (7, "سبع"), (8, "ثمان"), (9, "تسع")):
    _add("h", _v * 100, _stem + "مئه", _stem + "مائه")
_add("s", 1e3, "الف", "الفا")
_add("p", 1e3, "الاف")
_add("s2", 1e3, "الفان", "الفين", "الفي")
_add("s", 1e6, "مليون", "مليونا")
_add("p", 1e6, "ملايين")
_add("s2", 1e6, "مليونان", "مليونين", "مليوني")
_add("s", 1e9, "مليار", "مليارا", "بليون")
_add("p", 1e9, "مليارات", "بلايين")
_add("s2", 1e9, "ملياران", "مليارين", "ملياري")
_add("s", 1e12, "تريليون")
_add("f", 0.5, "نصف")
_add("f", 0.25, "ربع", "ارباع")
_add("f", 1 / 3, "ثلث")
_add("f", 2 / 3, "ثلثي", "ثلثا")
for _noun in ("عام", "سنت", "يوم", "شهر", "اسبوع", "ساعت", "دقيقت", "مرت", "هدف", "نقطت", "دولار",
              "شخص", "طفل", "قرن", "عقد", "جزء", "طرف", "فريق", "بلد", "دولت"):
    _add("x", 2, _noun + "ين", _noun + "ان")
_add("x", 0, "صفر")
_add("x", 1, "هدف")  # a score: فاز بهدفين مقابل هدف = won 2-1
_add("x", 2, "ثنائي", "ثنائيه")  # 2-way, bilateral
_add("x", 3, "ثلاثي", "ثلاثيه")  # 3D: ثلاثية الأبعاد
_add("x", 4, "رباعي", "رباعيه")
_add("x", 5, "خماسي", "خماسيه")
for _i, _month in enumerate(("يناير", "فبراير", "مارس", "ابريل", "مايو", "يونيو", "يوليو", "اغسطس",
                             "سبتمبر", "اكتوبر", "نوفمبر", "ديسمبر"), 1):
    _add("x", _i, _month)
for _i, _month in ((2, "شباط"), (3, "اذار"), (4, "نيسان"), (5, "ايار"), (6, "حزيران"), (7, "تموز"), (9, "ايلول")):
    _add("x", _i, _month)

assert all(normalize(w) == w for w in _WORDS), "lexicon entries must be written normalised"

_WORD_RE = re.compile(
    r"(?<![" + _L + r"])(?P<pre>[وف]?(?:لل|[بلك]?ال|[بلك])?)(?P<w>"
    + trie_pattern(_WORDS)
    + r")ا?(?![" + _L + r"])"  # ا: the accusative ending (ثلاثًا, مليونًا)
)
_GAP = re.compile(r"\s*")


def _joins(prev: tuple[str, float], nxt: tuple[str, float], waw: bool) -> bool:
    """Whether number word ``nxt`` continues the number ending in ``prev`` (Arabic order: units
    before tens, ``و`` before every part after the first, none before عشر, مئة and the scales)."""
    pk, pv = prev
    nk, nv = nxt
    if not waw:
        if nk == "t":
            return pk == "u" and pv < 10  # خمسة عشر, الخامس عشر
        if nk == "h":
            return nv == 100 and pk == "u"  # ثلاث مئة
        return nk in ("s", "p", "s2") and pk in ("u", "t", "d", "h", "f")  # ثلاثة آلاف, نصف مليون
    if pk in ("h", "s", "p", "s2"):
        return nk in ("u", "t", "d", "h") or (nk == "f" and pk != "h")  # مئة وخمسة, مليون ونصف
    return nk == "d" and pk == "u"  # خمسة وعشرون, الحادي والعشرين


def _word_mentions(norm: str, out: list[Mention], covered: list[tuple[int, int]]) -> None:
    group: list[tuple[str, float]] = []
    g_start = g_end = 0
    percent = False

    def flush() -> None:
        if not group:
            return
        total = cur = last_scale = 0.0
        prev = ""
        for kind, v in group:
            if kind == "h" and v == 100 and 1 <= cur <= 9:
                cur *= 100
            elif kind == "s":
                if prev != "of_scale":  # مليون ونصف المليون: the second المليون repeats the first
                    total += (cur or 1) * v
                cur, last_scale = 0, v
            elif kind == "f" and last_scale and not cur:
                total += v * last_scale  # مليون ونصف
                prev = "of_scale"
                continue
            elif kind == "p":
                if cur:
                    total += cur * v
                    cur, last_scale = 0, v
            elif kind == "s2":
                total += (cur or 2) * v
                cur, last_scale = 0, v
            else:
                cur += v
            prev = kind
        value = total + cur
        if value:
            # a count in words that cannot be grammar: eleven and up ("خمسة وعشرون", "الخامس عشر",
            # "ثلاثة آلاف"); "المئة" of a percentage is not one
            counted = value >= COUNTED_FROM and not percent
            out.append(Mention(norm[g_start:g_end], frozenset({key(value)}), False, g_start, counted=counted))
        group.clear()

    for m in _WORD_RE.finditer(norm):
        if covered and any(a <= m.start() < b for a, b in covered):
            continue  # the scale word of "20 ألف", already read with its digits
        kind, v = _WORDS[m.group("w")]
        if kind in ("x", "dec"):
            flush()
            out.append(Mention(m.group(0), frozenset({key(v)}), False, m.start(), counted=kind == "dec"))
            continue
        if group and not (_GAP.fullmatch(norm, g_end, m.start())
                          and _joins(group[-1], (kind, v), "و" in m.group("pre"))):
            flush()
        if not group:
            g_start = m.start()
            if kind == "p":  # آلاف / ملايين alone: "thousands of", not a number
                continue
            percent = kind == "h" and v == 100 and "ال" in m.group("pre")  # في المئة, بالمائة
        group.append((kind, v))
        g_end = m.end()
    flush()


# A cheap test on the text as written: can it hold a number word of 11 or more, or a decade?
# (teens and tens, hundreds, the scales). Only when it can is the text normalised and parsed.
COUNT_HINT = re.compile(
    "عشر|ثلاث|[أاإ]ربع|خمس|ست(?:ين|ون|م|ة عشر| عشر)|سبع|ثمان|تسع|مئ|مائ|[أا]لف|آلاف|الاف"
    "|مليون|ملايين|مليار|بليون|بلايين|تريليون"
)


def original_surface(text: str, m: Mention) -> str:
    """The words of ``text`` as written (diacritics, hamza, tatweel kept) for a mention read from
    its normalised form."""
    if _DELETE.search(text) is None:  # nothing deleted: positions are the same
        return text[m.start:m.start + len(m.surface)]
    index = [i for i, ch in enumerate(text) if _TABLE.get(ord(ch), 1) is not None]
    end = m.start + len(m.surface) - 1
    if m.start >= len(index) or end >= len(index):
        return m.surface
    return text[index[m.start]:index[end] + 1]


def mentions(text: str) -> list[Mention]:
    """Numbers in an Arabic sentence, in order of appearance (digits first, then words)."""
    norm = normalize(text)
    out: list[Mention] = []
    covered: list[tuple[int, int]] = []
    if HAS_DIGIT.search(norm):
        _digit_mentions(norm, out, covered)
    if "½" in norm or "¼" in norm or "¾" in norm or "⅓" in norm or "⅔" in norm:
        for m in FRACTION_RE.finditer(norm):
            out.append(Mention(m.group(0), frozenset({key(FRACTIONS[m.group(0)])}), True, m.start()))
    _word_mentions(norm, out, covered)
    return out
