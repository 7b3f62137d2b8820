"""Spacing repair: split merged words and fix spaces around punctuation. Only whitespace changes.

Runs after :class:`~mt.text.unicode.UnicodeCleanup` and :class:`~mt.text.unicode.WhitespaceNormalizer`,
so it sees one line with single ASCII spaces. Three rule families, each proposing edits:

* ``merged-word``: a run of Arabic letters that is two or more words (:mod:`mt.text.word_split`);
* ``merged-number``: a number glued to a word or a word to a number (``10سنوات``, ``فبراير2010``),
  but not units and year marks (``120كم``, ``2014م``, ``1437هـ``), the Arabic decimal (``3ر60``),
  clitics (``و2014``, ``بـ49``) or codes (``إس300``);
* punctuation spacing (:mod:`mt.text.punct_spacing`).

Tokens that look like URLs, e-mail addresses, hashtags or handles are never split.
"""

from __future__ import annotations

import re

from mt.document import Edit
from mt.text.lexicon import strip_diacritics
from mt.text.punct_spacing import AR, DIGIT, punctuation_edits
from mt.text.word_split import WordSplitter

MARKS = "\u064b-\u065f\u0670"
_TOKEN = re.compile(r"\S+")
# Within a token: Arabic letter runs (with their diacritics), digit runs, tatweel.
_PIECE = re.compile(f"(?P<ar>[{AR}][{AR}{MARKS}]*)|(?P<num>[{DIGIT}]+)|(?P<tat>\u0640+)")
_SKIP_TOKEN = re.compile(r"[@#/_=\\]|://|www\.|\.(?:com|org|net)\b", re.I)
_HAS_ARABIC = re.compile(f"[{AR}]")

# Letters written straight after a number: units, year and era marks, ordinal/abbreviation letters.
UNITS = frozenset(
    "م هـ ه ق ك كم كلم سم مم ملم مل ل لتر كغ كجم كلغ غ غم غرام جم ث د س ساعة ط طن ميل دولار ق.م "
    "كيلو كيلومتر متر مترا ر ت ش ب ج ع ن هكتار فدان دونم ميغاواط ميجاوات واط فولت بت".split()
)
# Clitics (and the article) written straight before a number: و2014, بال10, ال100.
NUMBER_PREFIXES = frozenset(
    "و ف ب ل ك ال وال بال فال لل ولل وب ول وك فب فل فك وبال".split()
)


class SpacingRepair:
    """Repair step: merged words, merged numbers, spaces around punctuation."""

    name = "spacing"

    def __init__(self, splitter: WordSplitter | None = None):
        self.splitter = splitter or WordSplitter()

    def find_edits(self, text: str) -> list[Edit]:
        punct = punctuation_edits(text)
        edits = {(e.start, e.end): e for e in punct}
        if _HAS_ARABIC.search(text):
            # a space added after punctuation also ends a token, so that a second pass sees the same tokens
            inserted = [e.start for e in punct if e.start == e.end]
            spans: list[tuple[int, int]] = []
            for tok in _TOKEN.finditer(text):
                starts = [tok.start(), *(p for p in inserted if tok.start() < p < tok.end())]
                spans += zip(starts, [*starts[1:], tok.end()])
            for i, (a, b) in enumerate(spans):
                splits = self._token_splits(text[a:b])
                if any(not strong for _, rule, strong in splits if rule == "merged-word") and (
                    self._near_unknown_word(text, spans, i)
                ):
                    # next to an unknown word (a name: سيفولو سايبوف), only a sure cut is made
                    splits = [s for s in splits if s[1] != "merged-word"]
                for pos, rule, _ in splits:
                    edits.setdefault((a + pos, a + pos), Edit(a + pos, a + pos, "", " ", rule))
        return sorted(edits.values(), key=lambda e: (e.start, e.end))

    def _near_unknown_word(self, text: str, spans: list[tuple[int, int]], i: int) -> bool:
        for j in (i - 1, i + 1):
            if 0 <= j < len(spans) and self._has_unknown_word(text[spans[j][0] : spans[j][1]]):
                return True
        return False

    def _has_unknown_word(self, token: str) -> bool:
        """A run of 4+ letters that is no known word, not even with clitics, and no merge either."""
        lex = self.splitter.lexicon
        for m in _PIECE.finditer(token):
            if m.lastgroup == "ar":
                key = strip_diacritics(m.group())
                if len(key) >= 4 and lex.analysed_cost(key) is None and not self.splitter.split_points(m.group()):
                    return True
        return False

    def _token_splits(self, token: str) -> list[tuple[int, str, bool]]:
        """(offset, rule, sure) for each space to insert in ``token``."""
        if len(token) < 3 or _SKIP_TOKEN.search(token):
            return []
        pieces = [(m.lastgroup, m.start(), m.end()) for m in _PIECE.finditer(token)]
        out: list[tuple[int, str, bool]] = []
        for k, (kind, start, end) in enumerate(pieces):
            if kind == "ar":
                prev = pieces[k - 1] if k > 0 and pieces[k - 1][2] == start else None
                nxt = pieces[k + 1] if k + 1 < len(pieces) and pieces[k + 1][1] == end else None
                if (prev and prev[0] == "tat") or (nxt and nxt[0] == "tat"):
                    continue  # functional tatweel (بـ, لـ«اليوم», 1437هـ): an abbreviation or prefix
                run = token[start:end]
                cuts = self.splitter.split_points(run)
                out += [(start + p, "merged-word", sure) for p, sure in zip(cuts, self.splitter.sure_cuts(run, cuts))]
                if prev and prev[0] == "num" and self._word_after_number(run, token, end):
                    out.append((start, "merged-number", True))
                if nxt and nxt[0] == "num" and self._word_before_number(run):
                    out.append((end, "merged-number", True))
        return out

    def _word_after_number(self, run: str, token: str, end: int) -> bool:
        """``10سنوات``: a number, then a word that is not a unit or an era mark."""
        key = strip_diacritics(run)
        if key in UNITS or len(key) < 2:
            return False
        first = self.splitter.split_points(run)
        word = key if not first else strip_diacritics(run[: first[0]])
        if word in UNITS:
            return False
        cost = self.splitter.lexicon.cost(word)
        return cost is not None and cost <= 13.0

    def _word_before_number(self, run: str) -> bool:
        """``فبراير2010``: a common word (not a clitic, article or code letters), then a number."""
        key = strip_diacritics(run)
        if key in NUMBER_PREFIXES or len(key) < 3:
            return False
        cuts = self.splitter.split_points(run)
        word = key if not cuts else strip_diacritics(run[cuts[-1] :])
        if len(word) < 3 or word in NUMBER_PREFIXES:
            return False
        cost = self.splitter.lexicon.listed(word)
        return cost is not None and cost <= 11.0

