"""Trap words built by class from sources the spacing repair was not tuned on.

Three generated classes (the hand list ``eval/data/spacing_traps.tsv`` adds functional tatweel,
acronyms, number codes, URLs ...):

* ``name-ref``: transliterated names in the Arabic of one NTREX half, found through the English
  reference: an Arabic token (with its clitics) whose consonant skeleton matches a capitalised
  English word of the same line (``Welsh`` ~ ``ويلز``). Nothing in the repair reads the English.
* ``inflected``: clitic and suffix forms generated from wordfreq nouns (a stem is a noun when
  ``ال`` + stem is listed): و/ف/ب/ل/وب/لل/وبال + stem, stem + pronoun (ة -> ت), و + stem + ها.
  Only forms that the list itself does not hold (so no lookup can protect them) are kept.
* ``rare``: listed but rare words (wordfreq cost 14-19) of the half's clean lines, written whole
  there, not annotated as merges.

Everything is seeded and deterministic; the classes are rebuilt on each run, nothing is stored.
"""

from __future__ import annotations

import random
import re
from difflib import SequenceMatcher

from mt.text.charsets import BASIC_LETTERS, strip_diacritics

# Arabic letter -> a rough Latin consonant class ('' for letters that are mostly vowels).
_AR2LAT = {
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "k", "د": "d", "ذ": "d", "ر": "r", "ز": "z",
    "س": "s", "ش": "s", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "g", "ف": "f", "ق": "k",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "", "ي": "", "ى": "", "ا": "", "أ": "",
    "إ": "", "آ": "", "ء": "", "ئ": "", "ؤ": "", "ة": "", "پ": "b", "ڤ": "f", "چ": "j", "گ": "g",
}
_EN_MAP = [("ph", "f"), ("ch", "s"), ("sh", "s"), ("th", "t"), ("ck", "k"), ("gh", "g"), ("kh", "k"),
           ("c", "k"), ("q", "k"), ("x", "ks"), ("v", "f"), ("p", "b"), ("w", ""), ("y", ""), ("j", "j")]
_CAP = re.compile(r"\b[A-Z][a-z]{2,}\b")
_AR_TOKEN = re.compile(f"[{BASIC_LETTERS}]+")
_CLITICS = ("وال", "بال", "فال", "لل", "ال", "و", "ب", "ل", "ف")


def _skeleton_ar(word: str) -> str:
    return "".join(_AR2LAT.get(ch, "") for ch in word)


def _skeleton_en(word: str) -> str:
    w = word.lower()
    for a, b in _EN_MAP:
        w = w.replace(a, b)
    w = re.sub("[aeiou]", "", w)
    return re.sub(r"(.)\1+", r"\1", w)


def _matches(sk: str, caps: set[str]) -> float:
    return max((SequenceMatcher(None, sk, c).ratio() for c in caps), default=0.0) if len(sk) >= 3 else 0.0


def _is_merge(tok: str, caps: set[str], lex, whole: float) -> bool:
    """The name is only part of the token, the rest a common word: a natural merge (كلاركإن)."""
    for k in range(2, len(tok) - 1):
        left, right = tok[:k], tok[k:]
        for name, other in ((left, right), (right, left)):
            c = lex.listed(other)
            if c is not None and c < 11.0 and len(name) >= 3 and _matches(_skeleton_ar(name), caps) >= whole:
                return True
    return False


def name_traps(ar_lines: list[str], en_lines: list[str], lex, exclude: set[str] = frozenset(),
               min_ratio: float = 0.75) -> list[str]:
    """Arabic tokens of 5+ letters that transliterate a capitalised English word of the same line and
    are rare or unknown as a whole (a common word is no test). Tokens in ``exclude`` (annotated
    natural merges) and tokens that are a name glued to a common word are left out."""
    found: dict[str, None] = {}
    for ar, en in zip(ar_lines, en_lines):
        caps = {_skeleton_en(w) for i, w in enumerate(_CAP.findall(en))}
        caps = {c for c in caps if len(c) >= 3}
        if not caps:
            continue
        for tok in ar.split():
            if not _AR_TOKEN.fullmatch(tok) or len(tok) < 5 or tok in exclude:
                continue
            listed = lex.listed(tok)
            if listed is not None and listed < 13.0:
                continue
            stems = [tok] + [tok[len(c):] for c in _CLITICS if tok.startswith(c) and len(tok) - len(c) >= 4]
            best = max(_matches(_skeleton_ar(stem), caps) for stem in stems)
            if best >= min_ratio and not _is_merge(tok, caps, lex, best):
                found[tok] = None
    return list(found)


_PREFIXES = ("و", "ف", "ب", "ل", "وب", "ول", "فب")
_SUFFIXES = ("ه", "ها", "هم", "هما", "نا", "كم", "هن")


def inflected_traps(lex, n: int = 300, seed: int = 7) -> list[str]:
    """Clitic/suffix forms of wordfreq nouns that the list does not hold itself."""
    rng = random.Random(seed)
    nouns = sorted(
        w for w in lex.words()
        if 3 <= len(w) <= 7 and not w.startswith(("ال", "و", "ف", "ب", "ل")) and _AR_TOKEN.fullmatch(w)
        and lex.listed(w) < 16.0 and (lex.listed("ال" + w) or 99) < 17.0
    )
    out: dict[str, None] = {}
    tries = 0
    while len(out) < n and tries < 50 * n:
        tries += 1
        stem = rng.choice(nouns)
        kind = rng.randrange(5)
        # the stem's last letter as written before a suffix: ة -> ت, ى -> ا (رؤاهم), ء stays
        base = stem[:-1] + "ت" if stem.endswith("ة") else stem[:-1] + "ا" if stem.endswith("ى") else stem
        if kind == 0:
            form = rng.choice(_PREFIXES) + stem
        elif kind == 1:
            form = base + rng.choice(_SUFFIXES)
        elif kind == 2:
            form = rng.choice(("و", "ب", "ف")) + base + rng.choice(("ها", "هم", "ه"))
        elif kind == 3:
            form = rng.choice(("لل", "وال", "بال", "فال", "ولل")) + stem
        else:
            form = rng.choice(("و", "ف")) + rng.choice(("ب", "ل")) + base + rng.choice(("ها", "هم"))
        if lex.listed(form) is None:
            out[form] = None
    return list(out)


def rare_traps(lines: list[str], lex, merged_tokens: set[str], lo: float = 14.0, hi: float = 19.0) -> list[str]:
    found: dict[str, None] = {}
    for text in lines:
        for tok in text.split():
            if not _AR_TOKEN.fullmatch(tok) or len(tok) < 4 or tok in merged_tokens:
                continue
            c = lex.listed(strip_diacritics(tok))
            if c is not None and lo <= c <= hi:
                found[tok] = None
    return list(found)


# --------------------------------------------------------------- names transliterated by rule
_DIGRAPHS = [("sch", "ش"), ("tch", "تش"), ("ch", "تش"), ("sh", "ش"), ("th", "ث"), ("ph", "ف"), ("ck", "ك"),
             ("gh", "غ"), ("kh", "خ"), ("qu", "كو"), ("ee", "ي"), ("oo", "و"), ("ou", "و"), ("ea", "ي"),
             ("ie", "ي"), ("ai", "اي"), ("ay", "اي"), ("ey", "اي"), ("oa", "و"), ("au", "او")]
_SINGLE = {"b": "ب", "d": "د", "f": "ف", "h": "ه", "j": "ج", "k": "ك", "l": "ل", "m": "م", "n": "ن", "p": "ب",
           "q": "ك", "r": "ر", "s": "س", "t": "ت", "v": "ف", "w": "و", "x": "كس", "z": "ز",
           "a": "ا", "e": "ي", "i": "ي", "o": "و", "u": "و", "y": "ي"}
_INITIAL = {"a": "أ", "e": "إ", "i": "إ", "o": "أو", "u": "أو"}


def transliterate(name: str) -> str:
    """A rough Arabic news-style transliteration of an English name (Lorenzo -> لورينزو)."""
    w = re.sub(r"(.)\1+", r"\1", name.lower())
    out: list[str] = []
    i = 0
    if w and w[0] in _INITIAL:
        out.append(_INITIAL[w[0]])
        i = 1
    while i < len(w):
        for dg, ar in _DIGRAPHS:
            if w.startswith(dg, i):
                out.append(ar)
                i += len(dg)
                break
        else:
            ch = w[i]
            nxt = w[i + 1] if i + 1 < len(w) else ""
            last = i == len(w) - 1
            if ch == "c":
                out.append("س" if nxt in ("e", "i", "y") else "ك")
            elif ch == "g":
                out.append("ج" if nxt in ("e", "i", "y") else "غ")
            elif ch == "e" and last:
                pass  # silent final e
            elif ch == "e" and nxt and nxt not in "aeiou" and i + 2 < len(w) and w[i + 2] in "aeiou":
                pass  # a short e before one consonant and a vowel: not written
            elif ch in _SINGLE:
                out.append(_SINGLE[ch])
            i += 1
    return "".join(out)


def transliterated_name_traps(en_lines: list[str], lex, seed: int = 3, n: int = 300) -> list[str]:
    """Capitalised English words of the half's references, transliterated by rule, alone or with
    a و / ب / ل clitic; tokens a list already holds as common words are left out."""
    rng = random.Random(seed)
    names = sorted({w for line in en_lines for w in _CAP.findall(line) if len(w) >= 4})
    out: dict[str, None] = {}
    for name in names:
        ar = transliterate(name)
        if len(ar) < 4 or not _AR_TOKEN.fullmatch(ar):
            continue
        c = lex.listed(ar)
        if c is not None and c < 13.0:
            continue
        form = ar if rng.random() < 0.7 else rng.choice(("و", "ب", "ل")) + ar
        out[form] = None
    forms = list(out)
    rng.shuffle(forms)
    return sorted(forms[:n])


def name_pair_traps(names: list[str], n: int = 300, seed: int = 5) -> list[str]:
    """Two transliterated names side by side (a first name and a surname): each is unknown, so
    neither may lend the other a split."""
    rng = random.Random(seed)
    bare = [x for x in names if not x.startswith(("و", "ب", "ل"))] or names
    return sorted({f"{rng.choice(bare)} {rng.choice(bare)}" for _ in range(n)})
