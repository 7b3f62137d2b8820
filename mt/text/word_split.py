"""Find the lost spaces inside one run of Arabic letters (``المتحدةالأمريكية`` -> 2 words).

One scored decision per run, whole word versus merge, every signal in nats (``-ln p``):

* **whole word**: a word listed in wordfreq costs its listed cost; clitics (و ف ب ل ك س لل) and an
  attached pronoun are analysed (:mod:`mt.text.lexicon`); a run no list holds costs its character-
  model cost (:mod:`mt.text.char_model`) plus ``unknown_word_cost``, so a name is a word too.
* **merge**: the cheapest reading as two or more parts (dynamic programming), each part's cost, a
  boundary cost set by letter shape (a space lost after ا د ذ ر ز و ... is invisible to the writer,
  after ة / ى / tanween a cut is sure) and ``split_prior`` per cut: lost spaces are rare in news.
  Every cut must also be justified *locally* by the two words it separates (budgets by length;
  two-letter parts limited to particles; ما/لا + X needs a verb or a common X; لنا/لها + X a common X).
  Where no split into known parts holds, a split with one unknown part (a name glued to a known
  word: ``فريق|إيبروكس``) is taken when it beats the whole word by ``scored_margin``.
* **rules**: cuts after ة and trusted tanween are sure; never right after عبد/عبدال/أبو (joined
  names) or a word-initial hamza-less الا (الاتحاد); hamza-less function words (الا, انا) are priced
  as their hamza form plus ``hamzaless_part_cost``; old orthography (شىء) is never cut.

:data:`DENSE_CHANGES` is the whole-line variant for lines that lost most of their spaces. The
parameters were tuned on the tuning half of NTREX dev only (``python -m eval.spacing_tune``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from mt.text.charsets import TANWEEN, is_diacritic, strip_diacritics
from mt.text.lexicon import Lexicon, arabic_lexicon
from mt.text.spacing_cache import clear_all, lru

# Letters that never join the following letter: a lost space after them cannot be seen.
NON_JOINING = set("اأإآٱدذرزوؤةىء")
# Letters that only ever end a word: anything after them inside a run is another word.
WORD_FINAL = set("ةى")
# Article-bearing word starts: the second word of the common "...X الY" merge.
ARTICLE_STARTS = ("ال", "وال", "بال", "فال", "كال", "لل", "ولل", "فلل")
# Two-letter words that may stand as a part of a split: particles and pronouns that are often
# glued to the next word. Other two-letter "words" are mostly fragments of names (لو|ندري, لا|ري).
SHORT_WORDS = frozenset("ما لا أو في من عن لم لن قد هو هي إن أن كل ثم هل مع تم".split())
NAME_STARTS = frozenset("ما لا".split())  # ماكدول, لافيرن, مادورو, لاغارد
VERB_PARTICLES = frozenset("ما لا لم لن قد".split())
PARTICLES_BEFORE_VERB = ("وما", "ولا", "فما", "فلا", "ما", "لا")
# Attached pronouns that are also free words: after a stem they are a suffix (جهدهما), not a word.
SUFFIX_WORDS = frozenset("هما".split())
# Function words written without their hamza (الا = إلا, انا = أنا): as a part of a split they are
# priced as the hamza form plus ``hamzaless_part_cost`` (a name ending ...انا, ...الي is likelier).
HAMZALESS = {"الا": "إلا", "الي": "إلى", "انا": "أنا", "ان": "أن", "اذا": "إذا", "او": "أو", "انه": "أنه",
             "انها": "أنها", "اي": "أي", "اول": "أول", "اكثر": "أكثر"}
# A preposition or conjunction with a pronoun or particle attached (لنا, لها, ولها, لكل): as the first
# part of a split they are more often a clitic on a name (ل|نابليس) unless the next word is common.
CLITIC_COMPOUNDS = frozenset("لنا لها لهم له لك لكم لكل لهو للا لدي بها به بهم بنا فيه فيها منه منها عنه عنها "
                             "ولها وله ولنا وبها وبه ولكل ولهم".split())
# Particles whose merges with the next word wordfreq lists as words (web text writes them joined).
MERGE_PARTICLES = ("وما", "ولا", "ولم", "ولن", "وقد", "فما", "فلا", "فلم", "فقد", "ما", "لا", "لم", "لن", "قد")
PRONOUN_SUFFIXES = frozenset("ه ها هم هن هما كم كن كما نا ني ي ك".split())


@dataclass(frozen=True)
class SplitModel:
    """Costs are in nats (``-ln p``)."""

    common_cost: float = 12.0  # a run listed at least this frequently (6e-6) is a word: never split
    safe_cost: float = 16.1  # clitics + a stem at least this frequent (1e-7): a word
    listed_margin: float = -1.0  # a rarer listed run splits only if the split is this much cheaper
    cut_budget: float = 23.5  # each cut: cost(left) + cost(right) + boundary must stay below this...
    budget_per_letter: float = 2.5  # ... plus this for each letter of the shorter part beyond 3
    budget_per_long_letter: float = 1.5  # ... and this for each letter of the longer part beyond 5
    short_neighbour_cost: float = 8.0  # the word after ما / لا (which start many names) must be this common
    after_particle_cost: float = 13.5  # the word after another two-letter word (في من عن أو قد ...)
    verb_after_particle_cost: float = 13.0  # ... unless it is a verb after ما / لا / لم / لن
    before_short_cost: float = 13.5  # the word before a two-letter word
    beside_three_cost: float = 14.0  # a word next to a three-letter one (ألا|سدير is a name)
    max_part_cost: tuple[float, ...] = (11.5, 13.5, 15.5)  # parts of 3, 4, 5 letters; longer: any known
    after_final: float = -4.0  # boundary after ة / ى
    after_non_joining: float = 0.0
    before_article: float = 1.0  # joining letter, then an ال word
    after_joining: float = 3.0
    particle_verb_bonus: float = 6.0  # ما / لا + imperfect verb: a merge even when the web often writes it so
    unknown_part_cost: float = 30.0  # a name bounded by ة / ى (المتحدةكارولينا)
    function_word_cost: float = 7.5  # a short part at least this frequent is no name fragment
    max_part_len: int = 18
    # The scored decision (whole word versus merge, all in nats). An unknown token's whole-word cost
    # is its character-model cost plus ``unknown_word_cost``; a split pays ``split_prior`` per cut
    # (how rare a lost space is in news) on top of its parts and boundaries.
    unknown_word_cost: float = 3.5
    split_prior: float = 4.0
    unknown_part_extra: float = 2.0  # an unknown part inside a split: a name glued to a word
    min_unknown_part: int = 4
    clitic_compound_partner_cost: float = 12.0  # the word after لنا/لها/لكل... must be this common
    hamzaless_part_cost: float = 4.0  # extra cost of a hamza-less function word as a part (see HAMZALESS)
    listed_merge_margin: float = -1.2  # see WordSplitter._listed_particle_merge (99: off)
    listed_merge_max_cost: float = 15.0  # ... only for joined forms the web writes at least this often
    listed_merge_word_cost: float = 11.5  # ... and a word after the particle at least this common
    max_scored_len: int = 99  # runs longer than this are not searched for unknown parts (speed)
    scored_when_unjustified: bool = True  # also search when a known-parts split exists but is not justified
    scored_margin: float = 2.0  # the scored route (unknown parts) must win by this much
    use_char_model: bool = True
    min_junction: float = -99.0  # char-model evidence of a boundary: cost(whole) - sum cost(parts) >= this
    char_scale: float = 1.0
    whole_line_mode: bool = True  # lines that lost most of their spaces use DENSE_CHANGES
    whole_line_share: float = 0.5
    use_context: bool = True  # a run repeated as a token in the text is a word; known word + such a word is a merge
    context_partner_cost: float = 11.0  # the known word beside a context word must be this common  # the character model's cost is scaled by this (calibration against word costs)
    guard_beside_unknown: bool = True
    two_letter_after_final: float = 11.0  # إلىحد, المتحدةرد: a listed two-letter word after ة / ى  # beside an unknown word only sure cuts (SpacingRepair)


CACHE_SIZE = 200_000


def clear_caches() -> None:
    """Forget cached split decisions of every splitter (benchmarks that want a cold start)."""
    clear_all()


_DEFAULT: "WordSplitter | None" = None
_DEFAULT_LOCK = threading.Lock()


def default_splitter() -> "WordSplitter":
    """The process-wide splitter on the shared lexicon with the default model (its decision caches
    are shared by every SpacingRepair built without a splitter of its own)."""
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = WordSplitter()
    return _DEFAULT


# Whole-line mode: a line that lost most of its spaces (التقىبومبيومعكمجونغأون...) is read with
# these changes: a lost space is no longer rare there, so the prior against splitting goes and the
# per-cut budgets widen.
DENSE_CHANGES = {
    "split_prior": 0.0,
    "scored_margin": 0.0,
    "cut_budget": 27.5,
    "guard_beside_unknown": False,
    "short_neighbour_cost": 10.0,
    "beside_three_cost": 15.0,
    "listed_margin": -3.0,
    "safe_cost": 14.0,
    "common_cost": 11.0,
}


class WordSplitter:
    def __init__(self, lexicon: Lexicon | None = None, model: SplitModel | None = None, dense: bool = False):
        self._lex = lexicon
        self.model = model or SplitModel()
        # the whole-line variant (same lexicon, its own caches); a dense splitter has none
        self.dense = None if dense else WordSplitter(lexicon, replace(self.model, **DENSE_CHANGES), dense=True)
        # Decisions are pure functions of the run for this lexicon and model: bounded LRU caches,
        # safe to share between threads (SpacingRepair keeps its per-token decisions beside them).
        self._split_cached = lru(CACHE_SIZE)(self._split_points)
        self._part_cached = lru(CACHE_SIZE)(self._part_cost_uncached)

    @property
    def lexicon(self) -> Lexicon:
        if self._lex is None:
            self._lex = arabic_lexicon()  # the shared one: every thread gets the same object
        return self._lex

    def split_points(self, run: str) -> tuple[int, ...]:
        """Offsets inside ``run`` (a string of Arabic letters and diacritics) where a space belongs."""
        if len(run) < 4:
            return ()
        return self._split_cached(run)

    def final_cuts(self, run: str) -> tuple[int, ...]:
        """Cuts (offsets in ``run``) after letters that only end words: ة, tanween (أيضًا), and ى
        before a known word. They need no lexicon evidence for the parts, so names stay possible
        on either side (حكومةسايبوف); the parts are then repaired as runs of their own."""
        key = strip_diacritics(run)
        if len(key) < 4:
            return ()
        sure = self._marks(run, key)[0] if run != key else {}
        cuts = []
        last = 0
        for c in range(2, len(key) - 1):
            rest = len(key) - c
            if not (rest >= 3 or key[c:] in SHORT_WORDS or (rest == 2 and key[c - 1] in WORD_FINAL
                                                            and key[c:] not in PRONOUN_SUFFIXES
                                                            and (lex_cost := self.lexicon.listed(key[c:])) is not None
                                                            and lex_cost <= self.model.two_letter_after_final)):
                continue
            prev = key[c - 1]
            if prev == "ة" or c in sure:
                pass
            elif prev == "ى" and key[c] not in "ءئ" and c - last >= 2:
                if self.lexicon.analysed_cost(key[last:c]) is None:
                    continue
            else:
                continue
            cuts.append(c)
            last = c
        return _map_offsets(run, key, tuple(cuts))

    def sure_cuts(self, run: str, cuts: tuple[int, ...]) -> list[bool]:
        """For each cut: is it sure even next to an unknown word (a name)?

        A cut is unsure when a part beside it is short (<= 4 letters), not a very frequent word and
        has no article: the shape of a fragment of a foreign name (سيف|ولو, لا|جون, وفي|تشي).
        """
        bounds = (0, *cuts, len(run))
        parts = [strip_diacritics(run[a:b]) for a, b in zip(bounds, bounds[1:])]
        return [self._name_safe(parts[k]) and self._name_safe(parts[k + 1]) or parts[k][-1] in WORD_FINAL
                for k in range(len(cuts))]

    def _name_safe(self, part: str) -> bool:
        if len(part) > 4 or part.startswith(ARTICLE_STARTS):
            return True
        c = self.lexicon.listed(part)
        return c is not None and c <= self.model.function_word_cost

    def _split_points(self, run: str) -> tuple[int, ...]:
        key = strip_diacritics(run)
        if len(key) < 4:
            return ()
        lex, m = self.lexicon, self.model
        listed = lex.listed(key)
        particle_verb = _particle_verb(key)
        if listed is not None:
            at = self._listed_particle_merge(key, listed)
            if at:
                return _map_offsets(run, key, (at,))
        if listed is not None and listed <= m.common_cost and not particle_verb:
            return ()
        analysed = lex.analysed_cost(key)
        if analysed is not None and analysed <= m.safe_cost and (listed is None or analysed < listed):
            return ()  # clitics + a well-attested stem (+ pronoun): وإيران, لروسيا, لادعاء, مستشاروها
        marks = self._marks(run, key)
        memo: dict[tuple[int, int], float | None] = {}
        found = self._best_segmentation(key, marks, memo)
        if found is None or not self._cuts_justified(key, found[1], marks):
            scored = ()
            if (m.use_char_model and analysed is None and 2 + m.min_unknown_part <= len(key) <= m.max_scored_len
                    and (found is None or m.scored_when_unjustified)):
                # an unknown run: may it be a known word glued to an unknown one (a name)?
                found_any = self._segmentations(key, marks, True, memo)[1]
                scored = self._scored_split(key, found_any, self.whole_cost(key, analysed))
            if scored:
                return _map_offsets(run, key, scored)
            if found is None:
                return ()
            # keep only the cuts that word-final letters make sure (ساخرة|للجاسوس)
            sure = tuple(c for c in found[1] if _sure_boundary(key, c, marks))
            return _map_offsets(run, key, sure) if sure and analysed is None else ()
        if analysed is None and m.use_char_model and not all(_sure_boundary(key, c, marks) for c in found[1]):
            if found[0] + m.split_prior * len(found[1]) >= self.whole_cost(key, analysed):
                return ()  # a plausible unknown word (a name: سيفولو) is more likely than this split
            if m.min_junction > -99 and self.junction(key, found[1]) < m.min_junction:
                return ()  # the letters read better as one word than as words ending and starting there
        bonus = m.particle_verb_bonus if particle_verb and found[1][0] == len(particle_verb) else 0.0
        if analysed is not None and found[0] - bonus + m.listed_margin >= analysed:
            return ()  # a listed or analysable word, more probable whole than split
        return _map_offsets(run, key, found[1])

    def _marks(self, run: str, key: str) -> "Marks":
        """Tanween cues (trusted ones only) and the cuts that rules forbid (عبد|الله, أبو|ظبي, الا|تحاد)."""
        sure, never = _tanween_cues(run) if run != key else ({}, set())
        sure = {c: v for c, v in sure.items() if self._trust_tanween(key, c)}
        return sure, never | _name_and_article_cuts(key)

    def _trust_tanween(self, key: str, cut: int) -> bool:
        """Tanween ends a word only when it sits where a word can end: after a known word, or on a
        word-final shape (ًا, ةً, اءً, ىً). A mark typed on the wrong letter (جدًيد) proves nothing."""
        left = key[:cut]
        for n in range(min(len(left), 12), 2, -1):
            if self.lexicon.analysed_cost(left[-n:]) is not None:
                return True
        return len(left) >= 3 and left[-1] in "اةءى"

    def _listed_particle_merge(self, key: str, listed: float) -> int:
        """A particle + word merge that the web writes joined so often that wordfreq lists it
        (ماكان, لميكن, قديكون): the joined form is about as frequent as the two words would be
        independently (cost(joined) - cost(particle) - cost(word) > ``listed_merge_margin``), where
        a real word (لاحقا, مادية, ماكرون) is far more frequent than that. Returns the cut or 0."""
        m = self.model
        if listed > m.listed_merge_max_cost:
            return 0  # a rare listed token (a name: لاجون) is no evidence of a common merge
        best, at = m.listed_merge_margin, 0
        for p in MERGE_PARTICLES:
            if key.startswith(p) and len(key) - len(p) >= 3:
                pc, wc = self.lexicon.listed(p), self.lexicon.listed(key[len(p) :])
                if pc is not None and wc is not None and wc <= m.listed_merge_word_cost and listed - pc - wc > best:
                    best, at = listed - pc - wc, len(p)
        if at:
            # a one-letter clitic on a listed word is a likelier reading (ل + ادعاء, not لا + دعاء)
            rest = self.lexicon.listed(key[1:]) if key[0] in "وفبلك" else None
            if rest is not None and rest <= self.lexicon.listed(key[:at]) + self.lexicon.listed(key[at:]):
                return 0
        return at

    @property
    def char_model(self):
        from mt.text.char_model import arabic_char_model

        return arabic_char_model()

    def whole_cost(self, key: str, analysed: float | None = None) -> float:
        """Cost of ``key`` read as one word: listed or analysed (clitics, pronoun) when known, else the
        character model's cost plus the unknown-word penalty."""
        if analysed is not None:
            return analysed
        if not self.model.use_char_model:
            return float("inf")
        return self.model.char_scale * self.char_model.cost(key) + self.model.unknown_word_cost

    def _scored_split(self, key: str, found, whole: float) -> tuple[int, ...]:
        """``found``, the cheapest split when parts may be unknown words (names), if it beats ``whole``."""
        m = self.model
        if not m.use_char_model or found is None:
            return ()
        cost, cuts = found
        if cost + m.split_prior * len(cuts) + m.scored_margin < whole and (
                m.min_junction <= -99 or self.junction(key, cuts) >= m.min_junction):
            return cuts
        return ()

    def junction(self, key: str, cuts: tuple[int, ...]) -> float:
        """Character-model evidence for the cuts: cost of ``key`` as one word minus the costs of its
        parts as words (each with its own edges). High where the letters across a cut rarely meet
        inside a word (مجلس|الأمن), low where they are one plausible word (أو|فليا)."""
        bounds = (0, *cuts, len(key))
        cm = self.char_model
        return cm.cost(key) - sum(cm.cost(key[a:b]) for a, b in zip(bounds, bounds[1:]))

    def _cuts_justified(self, key: str, cuts: tuple[int, ...], marks: "Marks") -> bool:
        """Every cut must be justified by the two words it separates, not by the whole run."""
        m = self.model
        bounds = (0, *cuts, len(key))
        parts = [key[a:b] for a, b in zip(bounds, bounds[1:])]
        costs = [self._part_cost_at(key, a, b) for a, b in zip(bounds, bounds[1:])]
        for k in range(len(parts) - 1):
            left, right = parts[k], parts[k + 1]
            if _sure_boundary(key, bounds[k + 1], marks) and len(right) >= 3:
                continue  # ة (or tanween: أيضًا) only ends words: the cut is sure
            budget = (m.cut_budget + m.budget_per_letter * max(0, min(len(left), len(right)) - 3)
                      + m.budget_per_long_letter * max(0, max(len(left), len(right)) - 5))
            bc = self._boundary_cost(left, right)
            if bounds[k + 1] in marks[0]:
                bc = min(bc, m.after_final)
            if costs[k] + costs[k + 1] + bc >= budget:
                return False
            if len(left) == 2 or len(right) == 2:
                if len(left) == len(right) == 2:
                    return len(parts) == 2 and lex_listed_rarely(self.lexicon, key)
                # ما|X, لا|X: many names start so (ماكدول, لافيرن); X|من is safer
                if len(left) == 2:
                    other = costs[k + 1]
                    limit = m.short_neighbour_cost if left in NAME_STARTS else m.after_particle_cost
                    if left in VERB_PARTICLES and right[0] in "يتنأ":
                        limit = m.verb_after_particle_cost  # ما يحتاجون, لا تختلف
                else:
                    other, limit = costs[k], m.before_short_cost + max(0, len(left) - 4)
                if other > limit:
                    return False
            elif min(len(left), len(right)) == 3:
                other = costs[k + 1] if len(left) == 3 else costs[k]
                if other > m.beside_three_cost and not (left in PARTICLES_BEFORE_VERB and right[0] in "يتن"):
                    return False
            if k == 0 and left in CLITIC_COMPOUNDS and (self.lexicon.listed(right) or 99.0) > m.clitic_compound_partner_cost:
                return False  # ل + a name (لنابليس), not لنا + a rare word
        return True

    def _part_cost_at(self, key: str, j: int, i: int) -> float | None:
        """Cost of the part ``key[j:i]``. An unknown part (a name) is allowed where a word-final
        letter marks the boundary: after ة (or ى, for 4+ letters), or ending in ة before a cut."""
        part = key[j:i]
        c = self._part_cost(part)
        if c is not None or len(part) < 3:
            return c
        after_final = j > 0 and (key[j - 1] == "ة" or (key[j - 1] == "ى" and len(part) >= 4))
        before_cut = i < len(key) and part[-1] == "ة"
        if after_final or before_cut:
            known = self.lexicon.analysed_cost(part)  # rare words are fine here, names too
            return self.model.unknown_part_cost if known is None else min(known, self.model.unknown_part_cost)
        return None

    def _part_cost(self, part: str) -> float | None:
        return self._part_cached(part)

    def _part_cost_uncached(self, part: str) -> float | None:
        if part in SUFFIX_WORDS:
            return None
        if part in HAMZALESS:
            c = self._part_cost_uncached(HAMZALESS[part])
            return None if c is None else c + self.model.hamzaless_part_cost
        if len(part) == 2:
            return self.lexicon.listed(part) if part in SHORT_WORDS else None
        c = self.lexicon.cost(part) if len(part) < 5 else self.lexicon.analysed_cost(part)
        if c is None:
            return None
        limits = self.model.max_part_cost
        if len(part) - 3 < len(limits) and c > limits[len(part) - 3]:
            return None
        return c

    def _boundary_cost(self, left: str, right: str) -> float | None:
        m = self.model
        last = left[-1]
        if last == "ى" and right[0] in "ءئ":
            return None  # old orthography: شىء, الطوارىء
        if last in WORD_FINAL:
            return m.after_final
        if last in NON_JOINING:
            return m.after_non_joining
        if right.startswith(ARTICLE_STARTS):
            return m.before_article
        return m.after_joining

    def _best_segmentation(self, key: str, marks: "Marks", memo: dict | None = None) -> tuple[float, tuple[int, ...]] | None:
        """Cheapest split of ``key`` into >= 2 known parts: (cost, cut offsets), or None. ``memo``
        collects the part costs for a second search over the same run."""
        n = len(key)
        m = self.model
        maxlen = m.max_part_len
        never, sure = marks[1], marks[0]
        # best[i]: (cost, cuts, start of last part) for key[:i] as a sequence of parts
        best: list[tuple[float, tuple[int, ...], int] | None] = [None] * (n + 1)
        best[0] = (0.0, (), 0)
        for i in range(2, n + 1):
            cand = None
            for j in range(max(0, i - maxlen), i - 1):
                prev = best[j]
                if prev is None or (j > 0 and j in never):
                    continue  # never between a tanween and its alif (ووفقًا)
                pc = self._part_cost_at(key, j, i) if i - j < n else None
                if memo is not None:
                    memo[j, i] = pc
                if pc is None:
                    continue
                cost = prev[0] + pc
                if j > 0:
                    bc = self._boundary_cost(key[prev[2] : j], key[j:i])
                    if bc is None:
                        continue
                    if j in sure:
                        bc = min(bc, m.after_final)
                    cost += bc
                if cand is None or cost < cand[0]:
                    cand = (cost, prev[1] + ((j,) if j > 0 else ()), j)
            best[i] = cand
        final = best[n]
        return None if final is None or not final[1] else (final[0], final[1])

    def _segmentations(self, key: str, marks: "Marks", unknown: bool, memo: dict | None = None):
        """(cheapest split into known parts, cheapest split where a part of 4+ letters no list holds
        may stand, priced by the character model), each (cost, cut offsets) or None; the second is
        only searched with ``unknown``. One pass fills both tables."""
        n = len(key)
        m = self.model
        maxlen = m.max_part_len
        never, sure = marks[1], marks[0]
        # best[i]: (cost, cuts, start of last part) for key[:i] as a sequence of parts
        best: list[tuple[float, tuple[int, ...], int] | None] = [None] * (n + 1)
        best_any: list[tuple[float, tuple[int, ...], int] | None] = [None] * (n + 1)
        best[0] = best_any[0] = (0.0, (), 0)
        unknown_extra = m.unknown_word_cost + m.unknown_part_extra
        # character-model cost of key[j:i], filled per start j on first need (one pass per j)
        from_j: dict[int, list[float]] = {}
        for i in range(2, n + 1):
            cand = cand_any = None
            for j in range(max(0, i - maxlen), i - 1):
                prev, prev_any = best[j], best_any[j]
                if prev is None and prev_any is None:
                    continue
                if j > 0 and j in never:
                    continue  # never between a tanween and its alif (ووفقًا)
                part = key[j:i]
                if memo is not None and (j, i) in memo:
                    pc = memo[j, i]
                else:
                    pc = self._part_cost_at(key, j, i) if i - j < n else None
                pc_any = pc
                if pc is None:
                    if (not unknown or i - j >= n or i - j < m.min_unknown_part
                            or self.lexicon.analysed_cost(part) is not None):
                        continue  # a known but rare part was refused on purpose
                    if prev_any is None:
                        continue
                    costs = from_j.get(j)
                    if costs is None:
                        costs = from_j[j] = self.char_model.prefix_costs(key[j:], maxlen)
                    pc_any = m.char_scale * costs[i - j] + unknown_extra
                for table, p, c in ((0, prev, pc), (1, prev_any, pc_any)):
                    if p is None or c is None or (table and not unknown):
                        continue
                    cost = p[0] + c
                    if j > 0:
                        bc = self._boundary_cost(key[p[2] : j], part)
                        if bc is None:
                            continue
                        if j in sure:
                            bc = min(bc, m.after_final)
                        cost += bc
                    if table == 0:
                        if cand is None or cost < cand[0]:
                            cand = (cost, p[1] + ((j,) if j > 0 else ()), j)
                    elif cand_any is None or cost < cand_any[0]:
                        cand_any = (cost, p[1] + ((j,) if j > 0 else ()), j)
            best[i], best_any[i] = cand, cand_any
        out = []
        for final in (best[n], best_any[n]):
            out.append(None if final is None or not final[1] else (final[0], final[1]))
        return out[0], out[1]


Marks = tuple[dict[int, bool], set[int]]  # cues of one run: (sure cuts, impossible cuts)

_CLITIC_HEADS = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل")
# Name heads that are written joined to the name (عبدالله, أبوظبي) and the hamza-less article + alif
# word (الاتحاد is not إلا + تحاد): never cut right after them.
_JOINED_HEADS = ("عبدال", "عبد", "أبو", "ابو", "أبي", "ابي", "أبا", "ابا", "الا")


def _name_and_article_cuts(key: str) -> set[int]:
    out: set[int] = set()
    for clitic in _CLITIC_HEADS:
        if clitic and not key.startswith(clitic):
            continue
        for head in _JOINED_HEADS:
            if key.startswith(head, len(clitic)) and len(key) - len(clitic) - len(head) >= 2:
                end = len(clitic) + len(head)
                out.add(end)
                if head == "عبدال":
                    out.add(end - 2)  # عبد|الرحمن: the name is written joined
    return out


def _sure_boundary(key: str, cut: int, marks: Marks) -> bool:
    return (key[cut - 1] == "ة" or cut in marks[0]) and len(key) - cut >= 3


def lex_listed_rarely(lex: Lexicon, key: str) -> bool:
    """Two particles written together (هومن) are split only when the web attests the merged form
    (a rare listed token); an unlisted one is more likely a name (منأوفي)."""
    return lex.listed(key) is not None


def _particle_verb(key: str) -> str:
    """The particle of ``ما يقف`` / ``ولا تختلف`` when ``key`` starts with one before an imperfect verb."""
    for p in PARTICLES_BEFORE_VERB:
        if key.startswith(p) and len(key) >= len(p) + 3 and key[len(p)] in "يتن":
            return p
    return ""


def _tanween_cues(run: str) -> tuple[dict[int, bool], set[int]]:
    """Cuts (letter offsets) that tanween makes sure (after ًا, ٌ, ٍ) or impossible (between ً and its ا)."""
    sure: dict[int, bool] = {}
    never: set[int] = set()
    letters = [i for i, ch in enumerate(run) if not is_diacritic(ch)]
    for li, pos in enumerate(letters):
        end = letters[li + 1] if li + 1 < len(letters) else len(run)
        marks = run[pos + 1 : end]
        if "\u064b" in marks and li + 1 < len(letters) and run[letters[li + 1]] == "ا":
            never.add(li + 1)
            sure[li + 2] = True
        elif any(t in marks for t in TANWEEN):
            sure[li + 1] = True
    return sure, never


def _map_offsets(run: str, key: str, cuts: tuple[int, ...]) -> tuple[int, ...]:
    """Cut offsets in the diacritic-free ``key`` -> offsets in ``run`` (after a letter's diacritics)."""
    if run == key:
        return cuts
    letter_pos = [i for i, ch in enumerate(run) if not is_diacritic(ch)]
    return tuple(letter_pos[c] for c in cuts)
