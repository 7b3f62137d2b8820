"""Spacing repair: split merged words and fix spaces around punctuation. Only whitespace changes.

Runs after :class:`~mt.text.unicode.UnicodeCleanup` and :class:`~mt.text.unicode.WhitespaceNormalizer`,
so it sees one line with single ASCII spaces. Rule families, each proposing edits:

* ``merged-word``: a run of Arabic letters that is two or more words. One scored decision per run,
  whole word versus merge (:mod:`mt.text.word_split`): word costs from wordfreq with clitic and
  pronoun analysis, a character model for tokens no list holds (:mod:`mt.text.char_model`), letter-
  shape boundary costs and a prior against splitting. Context within the text: a run written as a
  token of its own twice is a word; a known word glued to such a word is split (``ضد|سيفولو``).
  A line that lost most of its spaces is read in whole-line mode (no prior, wider budgets).
* ``merged-number``: a number glued to a word or a word to a number (``10سنوات``, ``فبراير2010``,
  ``17ميلروز``), but not units and year marks (``120كم``, ``2014م``, ``1437هـ``), the Arabic decimal
  (``3ر60``), clitics (``و2014``, ``بـ49``) or codes (``إس300``, ``كوفيد19``, ``بوينغ737``);
* ``latin-arabic``: Latin glued to Arabic (``عبرTwitter``, ``CNNالأمريكية``); a clitic or a
  tatweel may lean on a Latin word (``وGoogle``, ``لـCNN``);
* punctuation spacing (:mod:`mt.text.punct_spacing`), including quote marks paired by order in the
  line (``space-around-quote``), a missing space before ``«`` or ``(`` (``space-before-bracket``),
  and dotted acronyms of letter names left alone (``إف.بي.آي``).

Tokens that look like URLs, e-mail addresses, hashtags or handles are never split. Decisions about
one token are pure functions of it and live in bounded LRU caches shared between threads
(:class:`TokenDecisions`); nothing per call is stored on a step, so one step may serve many threads.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass

from mt.document import Edit
from mt.text.alignment import apply_edits, lift_edits
from mt.text.charsets import BASIC_LETTERS, DIACRITICS, DIGITS, LETTERS, strip_diacritics
from mt.text.punct_spacing import punctuation_edits
from mt.text.spacing_cache import lru
from mt.text.word_split import MERGE_PARTICLES, WordSplitter, _particle_verb, default_splitter
from mt.text.word_split import clear_caches as clear_split_caches

_TOKEN = re.compile(r"\S+")
# Within a token: Arabic letter runs (with their diacritics), digit runs, tatweel.
_PIECE = re.compile(
    f"(?P<ar>[{LETTERS}][{LETTERS}{DIACRITICS}]*)|(?P<num>[{DIGITS}]+)|(?P<tat>\u0640+)|(?P<lat>[A-Za-z]+)"
)
_SKIP_TOKEN = re.compile(r"[@#/_=\\]|://|www\.|\.(?:com|org|net)\b", re.I)
_HAS_ARABIC = re.compile(f"[{LETTERS}]")
_ARABIC_RUN = re.compile(f"[{LETTERS}]+")
_PLAIN_RUN = re.compile(f"[{BASIC_LETTERS}]+")

# Letters written straight after a number: units, year and era marks, ordinal/abbreviation letters.
UNITS = frozenset(
    "م هـ ه ق ك كم كلم سم مم ملم مل ل لتر كغ كجم كلغ غ غم غرام جم ث د س ساعة ط طن ميل دولار ق.م "
    "كيلو كيلومتر متر مترا ر ت ش ب ج ع ن هكتار فدان دونم ميغاواط ميجاوات واط فولت بت".split()
)
# Clitics (and the article) written straight before a number: و2014, بال10, ال100.
NUMBER_PREFIXES = frozenset(
    "و ف ب ل ك ال وال بال فال لل ولل وب ول وك فب فل فك وبال".split()
)


SPLIT_RULES = frozenset({"merged-word", "merged-number", "latin-arabic"})


def clear_caches() -> None:
    """Forget cached decisions (benchmarks that want a cold start)."""
    clear_split_caches()


# Clitics (and the article) written straight before a Latin word: وGoogle, بالـ is tatweel (kept).
LATIN_PREFIXES = NUMBER_PREFIXES | frozenset("لـ بـ".split())
# Letter names of Latin acronyms and military/product codes written before a number: إس300, تي72.
CODE_LETTERS = frozenset("إس اس تي بي سي دي جي إف اف إم ام إن ان آر ار إل ال كيو يو إتش اتش زد واي إكس اكس ميغ ميج سو".split())

# Words that take a number as part of one name (كوفيد19, سوخوي35, بوينغ737).
NAMES_BEFORE_CODES = frozenset("كوفيد سوخوي ميراج بوينغ بوينج إيرباص ايرباص ميغ ميج فالكون سامسونج سامسونغ".split())

# Two-letter words that stand before numbers (في 2014, من 47); longer ones are judged by frequency.
WORDS_BEFORE_NUMBERS = frozenset("في من عن مع".split())


class SpacingRepair:
    """Repair step: merged words, merged numbers, spaces around punctuation."""

    name = "spacing"

    def __init__(self, splitter: WordSplitter | None = None, _whole_line: bool = False):
        # Per-token decisions are pure functions of the token for one splitter: they live in the
        # splitter's TokenDecisions (bounded LRU caches shared by every SpacingRepair on that splitter,
        # safe between threads). Nothing per call is stored on the step.
        self.splitter = splitter or default_splitter()
        self.tokens = token_decisions(self.splitter)
        # whole-line mode for lines that lost most of their spaces: the same step on the dense variant
        dense = None if _whole_line else self.splitter.dense
        self._dense = SpacingRepair(dense, _whole_line=True) if dense is not None else None

    max_passes = 4

    def find_edits(self, text: str) -> list[Edit]:
        """Edits on ``text``. A split can reveal another one (a part of a long run, now a token of its
        own, is judged on its own), so passes repeat until nothing changes: the repair is idempotent."""
        edits = self._find_once(text)
        for _ in range(self.max_passes - 1):
            if not any(e.rule in SPLIT_RULES for e in edits):
                break  # punctuation edits alone create no new word tokens
            current, alignment = apply_edits(text, edits)
            more = self._find_once(current)
            if not more:
                break
            edits = lift_edits(text, edits, current, alignment, more)
        return edits

    def _find_once(self, text: str) -> list[Edit]:
        punct = punctuation_edits(text)
        edits = {(e.start, e.end): e for e in punct}
        if not _HAS_ARABIC.search(text):
            return sorted(edits.values(), key=lambda e: (e.start, e.end))

        def add(at: int, rule: str) -> None:
            edits.setdefault((at, at), Edit(at, at, "", " ", rule))

        # Tokens end at spaces, and also where a space is about to be inserted for sure (after
        # punctuation, between a number and a word, after ة or tanween): the decisions below then see
        # exactly the tokens a second pass would see, which keeps the repair idempotent.
        cuts = sorted(e.start for e in punct if e.start == e.end)
        info = self.tokens.info
        spans: list[tuple[int, int]] = []
        subs: list[_Sub] = []
        todo: list[int] = []  # subs with splits, or long unknown runs the context may cut
        n_long = 0
        for tok in _TOKEN.finditer(text):
            a0, b0 = tok.span()
            pieces = _cut(a0, b0, cuts) if cuts and any(a0 < c < b0 for c in cuts) else ((a0, b0),)
            for a, b in pieces:
                hard, parts = info(text[a:b])
                for pos, rule in hard:
                    add(a + pos, rule)
                for sub in parts:
                    if sub.splits or sub.unknown6:
                        todo.append(len(subs))
                        n_long += sub.long_unknown
                    spans.append((a + sub.start, a + sub.end))
                    subs.append(sub)
        if not todo:
            return sorted(edits.values(), key=lambda e: (e.start, e.end))
        model = self.splitter.model
        if (n_long >= 2 and self._dense is not None and model.whole_line_mode
                and _lost_most_spaces(subs, model.whole_line_share)):
            return self._dense._find_once(text)
        # Context within this text: a run written as a token of its own twice is a word (a name
        # repeated in a paragraph), and a run that is a known word + such a word is a merge.
        seen = Counter(sub.run for sub in subs if sub.run) if model.use_context else Counter()
        context: list[str] | None = None
        for i in todo:
            sub = subs[i]
            a = spans[i][0]
            splits = sub.splits
            if splits and not all(sure for _, sure in splits):
                if sub.run and seen[sub.run] >= 2:
                    splits = tuple((pos, sure) for pos, sure in splits if sure)  # repeated: a word
                elif model.guard_beside_unknown and self._near_unknown_word(text, spans, i):
                    # next to an unknown word (a name: سيفولو سايبوف), only sure cuts are made
                    splits = tuple((pos, sure) for pos, sure in splits if sure)
            if not splits and sub.unknown6 and seen[sub.run] == 1:
                if context is None:
                    context = [r for r, n in seen.items() if len(r) >= 4]
                at = self._context_cut(sub.run, context)
                if at is not None:
                    splits = ((at, True),)
            for pos, _ in splits:
                add(a + pos, "merged-word")
        return sorted(edits.values(), key=lambda e: (e.start, e.end))

    def _context_cut(self, run: str, context: list[str]) -> int | None:
        """``ضدسيفولو`` when ``سيفولو`` stands alone elsewhere in the text: a cut between a known word
        and a word of the context (offset in the run), the run being no known word itself."""
        lex = self.splitter.lexicon
        for word in context:
            if len(word) > len(run) - 2:
                continue
            if run.endswith(word):
                other = run[: -len(word)]
                at = len(other)
            elif run.startswith(word):
                other = run[len(word) :]
                at = len(word)
            else:
                continue
            cost = lex.listed(other)
            if cost is not None and cost <= self.splitter.model.context_partner_cost and len(other) >= 2:
                return at
        return None

    def _near_unknown_word(self, text: str, spans: list[tuple[int, int]], i: int) -> bool:
        for j in (i - 1, i + 1):
            if 0 <= j < len(spans) and self.tokens.has_unknown(text[spans[j][0] : spans[j][1]]):
                return True
        return False


class TokenDecisions:
    """Everything decided about one token alone, for one splitter: pure functions of the token,
    memoised in bounded LRU caches (functools) shared by every SpacingRepair on that splitter and
    safe between threads (two threads may compute the same entry; both results are equal)."""

    def __init__(self, splitter: WordSplitter):
        self.splitter = splitter
        self.info = lru(TOKEN_CACHE_SIZE)(self._token_info)
        self.has_unknown = lru(TOKEN_CACHE_SIZE)(self._has_unknown_word)

    def _token_info(self, token: str) -> tuple[tuple[tuple[int, str], ...], tuple["_Sub", ...]]:
        """Everything the step decides about one token alone (cached): its hard cuts (rule-sure) and
        the pieces between them, each with its bare run and word splits."""
        if _PLAIN_RUN.fullmatch(token):
            return self._plain_run_info(token)
        hard = tuple(self._hard_cuts(token))
        parts = []
        for a, b in _cut(0, len(token), sorted(pos for pos, _ in hard)):
            piece = token[a:b]
            run = _bare_run(piece)
            known = None if len(run) < 6 else self.splitter.lexicon.analysed_cost(run) is not None
            splits = tuple(self._word_splits(piece))
            parts.append(_Sub(a, b, run, splits, known is False and run == piece,
                              len(run) >= 10 and known is False))
        return hard, tuple(parts)

    def _plain_run_info(self, token: str):
        """_token_info for a token of bare Arabic letters only (most tokens): the same decisions
        without the piece-by-piece scan (no digits, Latin, tatweel or marks can be in it)."""
        n = len(token)
        if n < 4:
            return (), (_Sub(0, n, token, (), False, False),)
        sp = self.splitter
        if "ة" not in token[:-1] and "ى" not in token[:-1]:
            # a common word as listed needs no analysis at all
            cost = sp.lexicon.listed(token)
            if (cost is not None and cost <= sp.model.common_cost and not _particle_verb(token)
                    and not token.startswith(MERGE_PARTICLES)):
                return (), (_Sub(0, n, token, (), False, False),)
        finals = sp.final_cuts(token)
        parts = []
        for a, b in _cut(0, n, finals):
            piece = token[a:b]
            splits: tuple[tuple[int, bool], ...] = ()
            if b - a >= 3:
                cuts = sp.split_points(piece)
                if cuts:
                    splits = tuple(zip(cuts, sp.sure_cuts(piece, cuts)))
            known = None if b - a < 6 else sp.lexicon.analysed_cost(piece) is not None
            parts.append(_Sub(a, b, piece, splits, known is False, b - a >= 10 and known is False))
        return tuple((p, "merged-word") for p in finals), tuple(parts)

    def _has_unknown_word(self, token: str) -> bool:
        """A run of 4+ letters that is no known word, not even with clitics, and no merge either."""
        lex = self.splitter.lexicon
        for m in _PIECE.finditer(token):
            if m.lastgroup == "ar":
                key = strip_diacritics(m.group())
                if len(key) >= 4 and lex.analysed_cost(key) is None and not self.splitter.split_points(m.group()):
                    return True
        return False

    def _runs(self, token: str):
        """(run start, run end, previous piece kind, next piece kind) for the Arabic runs of ``token``
        that may be repaired (not in URLs, handles, hashtags; not next to a functional tatweel)."""
        if len(token) < 3 or _SKIP_TOKEN.search(token):
            return
        pieces = [(m.lastgroup, m.start(), m.end()) for m in _PIECE.finditer(token)]
        for k, (kind, start, end) in enumerate(pieces):
            if kind != "ar":
                continue
            prev = pieces[k - 1][0] if k > 0 and pieces[k - 1][2] == start else None
            nxt = pieces[k + 1][0] if k + 1 < len(pieces) and pieces[k + 1][1] == end else None
            if prev == "tat" or nxt == "tat":
                continue  # functional tatweel (بـ, لـ«اليوم», 1437هـ): an abbreviation or prefix
            yield start, end, prev, nxt

    def _hard_cuts(self, token: str) -> list[tuple[int, str]]:
        """Cuts that need no word evidence on both sides: after ة / tanween, number | word."""
        out: list[tuple[int, str]] = []
        for start, end, prev, nxt in self._runs(token):
            run = token[start:end]
            finals = self.splitter.final_cuts(run)
            out += [(start + p, "merged-word") for p in finals]
            bounds = (0, *finals, len(run))
            if prev == "num" and self._word_after_number(run[: bounds[1]]):
                out.append((start, "merged-number"))
            if nxt == "num" and self._word_before_number(run[bounds[-2] :]):
                out.append((end, "merged-number"))
            # Latin glued to Arabic (عبرTwitter, CNNالأمريكية): always two words, but a clitic or
            # the article may lean on a Latin word (وGoogle, بالـ is a tatweel and never comes here)
            key = strip_diacritics(run[bounds[-2] :])
            if nxt == "lat" and key not in LATIN_PREFIXES and len(key) >= 2:
                out.append((end, "latin-arabic"))
            if prev == "lat" and (len(strip_diacritics(run)) >= 2 or nxt in ("lat", "num")):
                out.append((start, "latin-arabic"))
        return out

    def _word_splits(self, token: str) -> list[tuple[int, bool]]:
        """(offset, sure) for each space a merged word needs inside ``token``."""
        out: list[tuple[int, bool]] = []
        for start, end, _, _ in self._runs(token):
            run = token[start:end]
            cuts = self.splitter.split_points(run)
            out += [(start + p, sure) for p, sure in zip(cuts, self.splitter.sure_cuts(run, cuts))]
        return out

    def _word_after_number(self, run: str) -> bool:
        """``10سنوات``: a number, then a word that is not a unit or an era mark."""
        key = strip_diacritics(run)
        if key in UNITS or len(key) < 2:
            return False
        first = self.splitter.split_points(run)
        word = key if not first else strip_diacritics(run[: first[0]])
        if word in UNITS:
            return False
        cost = self.splitter.lexicon.analysed_cost(word)
        if cost is None:
            return len(word) >= 4 and not self.splitter.split_points(word)  # a name: 17ميلروز
        return cost <= 16.0

    def _word_before_number(self, run: str) -> bool:
        """``فبراير2010``: a common word (not a clitic, article or code letters), then a number."""
        key = strip_diacritics(run)
        if key in NUMBER_PREFIXES or len(key) < 2:
            return False
        cuts = self.splitter.split_points(run)
        word = key if not cuts else strip_diacritics(run[cuts[-1] :])
        if word in WORDS_BEFORE_NUMBERS:
            return True
        if len(word) < 3 or word in NUMBER_PREFIXES or word in CODE_LETTERS or word in UNITS:
            return False
        if len(word) == 3:
            cost = self.splitter.lexicon.listed(word)
            return cost is not None and cost <= 12.0
        if word in NAMES_BEFORE_CODES:
            return False
        cost = self.splitter.lexicon.analysed_cost(word)
        if cost is None:
            return len(word) >= 5  # a name before a number (ميلروز 17): codes are short
        return cost <= 20.0




TOKEN_CACHE_SIZE = 200_000
_DECISIONS_LOCK = threading.Lock()


def token_decisions(splitter: WordSplitter) -> TokenDecisions:
    """The one TokenDecisions of ``splitter``, kept on it (its caches are shared by every step
    using that splitter); made once, even when many threads ask at the same time."""
    found = splitter.__dict__.get("_token_decisions")
    if found is None:
        with _DECISIONS_LOCK:
            found = splitter.__dict__.get("_token_decisions")
            if found is None:
                found = splitter.__dict__["_token_decisions"] = TokenDecisions(splitter)
    return found


@dataclass(frozen=True)
class _Sub:
    """One piece of a token between hard cuts (offsets in the token)."""

    start: int
    end: int
    run: str  # the piece as a bare Arabic run, or ""
    splits: tuple[tuple[int, bool], ...]  # (offset in the piece, sure) of its word splits
    unknown6: bool  # a run of 6+ letters that is no known word (the context may cut it)
    long_unknown: bool  # 10+ letters, no known word (a line that lost its spaces)


def _lost_most_spaces(subs: list[_Sub], share: float) -> bool:
    """Has this line lost most of its spaces? True when long runs that are no known word
    (10+ letters) hold more than ``share`` of its Arabic letters, in two places or more."""
    total = long = n_long = 0
    for sub in subs:
        total += len(sub.run)
        if sub.long_unknown:
            long += len(sub.run)
            n_long += 1
    return n_long >= 2 and long > share * total


def _bare_run(token: str) -> str:
    """The token as a bare Arabic run (no diacritics), or "" when it holds anything else."""
    key = strip_diacritics(token.strip(".,،؛:!؟?\"“”«»()[]'"))
    return key if key and _ARABIC_RUN.fullmatch(key) else ""


def _cut(a: int, b: int, points: list[int]) -> list[tuple[int, int]]:
    """``[a, b)`` cut at the sorted ``points`` that fall strictly inside it."""
    inside = [p for p in points if a < p < b]
    starts = [a, *inside]
    return list(zip(starts, [*inside, b]))
