"""Sentence segmentation for Arabic news text.

``split_sentences(text)`` returns character spans of the sentences of ``text``. Spans are in order,
never empty, never overlap, and only whitespace lies between and around them, so the spans plus the
whitespace between them rebuild the input exactly.

One compiled regex finds every candidate (a run of sentence-final punctuation with the closing quotes
or brackets that follow it, or a line break) in a single pass; a few cheap look-ups around each
candidate decide whether it ends a sentence. The rules, in the order they are applied:

* A line break always ends a segment (headlines, datelines and list items arrive on their own lines).
* Sentences end at ``.`` ``!`` ``?`` ``؟`` ``…`` and runs of them (``؟!``, ``!!``, ``?..``), followed by
  whitespace or the end of the text. Closing quotes and brackets right after the run stay on the
  sentence they close (``."`` ``؟»`` ``!)``). ``،`` ``؛`` and ``:`` never end a sentence.
* Nothing inside a token ends a sentence: ``3.5``, ``1.200``, ``12.10.2016``, ``10.30``, URLs and
  e-mail addresses never split, because the punctuation is not followed by whitespace. (One exception:
  ``كلمة.كلمة`` -- two Arabic words glued by ``.``/``؟``/``!`` -- is a missing space after a sentence
  end and is split with no whitespace between the spans; ``الجزيرة.نت`` is a domain name and is not.)
* Abbreviations do not end a sentence: a single Arabic letter before ``.`` (``د.`` ``أ.`` ``م.``
  ``ص.`` ``هـ.``, also ``ود.``, and after a number: ``2011م.`` ``1437هـ.``), a Latin capital before a
  Latin word (initials ``J. K. Rowling``), dotted letter groups (``ق.م.`` ``أ.د.`` ``U.S.`` ``e.g.``),
  common Latin abbreviations (``Mr.`` ``Dr.`` ``Inc.`` ``vs.``...), Arabic spellings of a Latin
  initial after a name (``جون إف. كينيدي``; after another letter name it is an acronym such as
  ``سي إن إن.`` and may end the sentence), ``في.`` (``v.`` in ``روي في. واد``), and a number or letter
  that opens a segment (``1.``). A ``.`` followed by a lowercase Latin letter does not end a sentence.
  The price: a sentence that really ends with such a token (``عام 2011م.``, ``فيتامين د.``) is not
  split; it is translated together with the next one.
* An ellipsis alone (``...``, ``…``, ``..``) is a pause, not an end: Arabic has no capital letters to tell
  a new sentence, and in news text a bare ellipsis is almost always mid-sentence (``جدًا ... إنهم``).
  It ends a sentence when it comes with ``!``/``?``/``؟`` or with a closing quote or bracket.
* A closing quote or bracket is not separated from its attribution: after ``؟»``/``!"``/``."`` no split
  before ``قال``/``أضاف``/``كما``/``حسبما``/``مضيفا``/``الذي``... unless the words after the verb introduce
  new reported speech (``إن``/``أن``/``بأن``/``:``/an opening quote before any comma), as in
  ``"...." قال فليك إن ...``, which is a new sentence. A verb with ``و`` (``وقال``) starts a new sentence,
  and so does ``كما`` ("also") after a full stop, unless an attribution verb follows (``." كما أضاف``).
* Datelines (``القاهرة (رويترز) -``) carry no sentence-final punctuation, so they stay with the sentence
  they open.
"""

from __future__ import annotations

import re

from mt.document import Span, trim_span
from mt.text.charsets import LETTER_RE
from mt.text.charsets import bare as bare_form

_TERMINAL = ".!?؟…‼⁇⁈⁉۔"
_STRONG = frozenset("!?؟‼⁇⁈⁉")
_CLOSERS = "\"'»”“’‘)\\]}›"
_OPENERS = frozenset("([{«“‘‹\"'")
_LINE_BREAK = r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]"

# One pass over the text: line breaks, and runs of final punctuation (possibly with closers inside,
# as in ``؟».``) with the closing quotes/brackets that follow them.
_CANDIDATE = re.compile(
    f"(?P<br>{_LINE_BREAK})"
    f"|(?P<run>[{_TERMINAL}]+(?:[{_CLOSERS}]+[{_TERMINAL}]+)*)(?P<close>[{_CLOSERS}]*)"
)

_ARABIC_LETTER = LETTER_RE
_DOTTED_LETTERS = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # ق.م  U.S  أ.د  e.g
_ARABIC_DOMAIN = re.compile("(?:نت|كوم|أورغ|أورج|إنفو)(?![\u0621-\u064a])")  # الجزيرة.نت
_NUMBER_ERA = re.compile(r"\d+(?:م|ه|ق\.م|ص)")  # 2011م. 1437هـ. (tatweel removed) 300ق.م.
_SMALL_NUMBER = re.compile(r"\d{1,3}|[٠-٩]{1,3}")
_LATIN_NEXT = re.compile(r"\s+[A-Za-z]")
_NEXT_WORD = re.compile(r"\s*([^\s.!?؟…،,؛;:]*)")
# Words after an attribution verb, up to the next comma or sentence-final punctuation.
_TAIL = re.compile(r"[^.!?؟…،,؛;\n\r\u2028\u2029]*")
# The tail introduces new reported speech: a complementiser (إن/أن/بأن/فإن/إنه...), a colon, an opening quote.
_NEW_SPEECH = re.compile(r"(?:^|\s)[وفب]?[إأ]ن(?:ه|ها|هم|هن|نا|ني)?(?=\s|$)|:|[«“\"]")

_LATIN_ABBREVIATIONS = frozenset(
    """Mr Mrs Ms Mx Dr Prof St Sr Jr Mt Ft Inc Ltd Co Corp Bros Gen Col Lt Sgt Capt Cmdr Adm Maj Gov Sen
    Rep Rev Hon Pres Supt Det Insp No Nos Nr Vol Fig Dept Univ Ave Blvd Rd Jan Feb Apr Jun Jul Aug Sep Sept
    Oct Nov Dec Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun vs v approx est cf al ca pp op ibid""".split()
)
# Arabic spellings of Latin letter names: an initial after a name (جون إف. كينيدي), or part of an
# acronym after another letter name (سي إن إن.  إم إس إن بي سي.), which may end a sentence.
_LETTER_NAMES = frozenset(
    "إيه إي بي سي دي إف جي جيه إتش آي جاي كيه كي إل إم إن أو كيو آر إس تي يو في دبليو إكس واي زد".split()
)
# Letter names that are also everyday words ending a sentence (بي "me", كي) are never initials.
_INITIALS = _LETTER_NAMES - {"بي", "كي"}
_ARABIC_ABBREVIATIONS = frozenset({"في"})  # "v." in روي في. واد (the preposition never ends a sentence)

# After a closing quote: words that continue the sentence (participles, "according to", relatives).
_CONTINUATIONS = frozenset(
    """قائلا قائلًا قائلاً قائلة قائلين قائلتا مضيفا مضيفًا مضيفاً مضيفة مضيفين متسائلا متسائلًا متسائلاً
    متسائلة مؤكدا مؤكدًا مؤكداً مؤكدة موضحا موضحًا موضحاً موضحة مشيرا مشيرًا مشيراً مشيرة حسبما حسب بحسب
    وفق وفقا وفقًا وفقاً طبقا طبقًا طبقاً نقلا نقلًا نقلاً الذي التي الذين اللذان اللتان اللواتي اللاتي""".split()
)
# After a closing quote: attribution verbs; they attach unless new reported speech follows.
_ATTRIBUTION = frozenset(
    """قال قالت قالوا قالا يقول تقول يقولون أضاف أضافت أضافوا يضيف تضيف تساءل تساءلت يتساءل تتساءل
    سأل سألت يسأل تسأل أوضح أوضحت يوضح توضح أكد أكدت يؤكد تؤكد صرح صرحت يصرح تصرح علق علقت يعلق تعلق
    رد ردت يرد ترد أجاب أجابت يجيب تجيب هتف هتفت هتفوا يهتف صاح صاحت صرخ صرخت كتب كتبت غرد غردت ذكر ذكرت
    أشار أشارت تابع تابعت أردف أردفت أعلن أعلنت اعترف اعترفت أفاد أفادت تمتم همس همست كما""".split()
)


def split_sentences(text: str) -> list[Span]:
    """Sentence spans in ``text``, in order; text between and around spans is whitespace only."""
    spans: list[Span] = []
    start = 0
    for m in _CANDIDATE.finditer(text):
        if m.group("br") is not None:
            cut = m.end()
        else:
            cut = _sentence_end(text, m, start)
            if cut is None:
                continue
        _append(spans, text, start, cut)
        start = cut
    _append(spans, text, start, len(text))
    return spans


def _append(spans: list[Span], text: str, start: int, end: int) -> None:
    span = trim_span(text, start, end)
    if span is not None:
        spans.append(span)


def _sentence_end(text: str, m: re.Match, seg_start: int) -> int | None:
    """Where the sentence ends if punctuation match ``m`` ends one, else None."""
    end = m.end()
    run_start = m.start()
    if end == len(text):
        return None  # the end of the text ends the last segment anyway
    nxt = text[end]
    run = m.group("run")
    close = m.group("close")
    strong = any(c in _STRONG for c in run)
    before = text[run_start - 1] if run_start else ""
    if not before or before in "([{«‹":
        return None  # "(؟)", "(...)" or punctuation opening the text
    if not nxt.isspace():
        return _glued_end(text, m, strong) if not close else None
    dots = run.count(".")
    ellipsis = not strong and (dots >= 2 or "…" in run)
    if before.isspace():
        # " ..." is a pause, " ." a stray dot (the repair step removes the space before it)
        if not strong:
            return None
        if not text[seg_start:run_start].strip():
            return None
    if ellipsis and not close:
        return None
    if not strong and not ellipsis:
        # a single "." (possibly with closers inside the run): abbreviations, numbers opening a segment
        if run[0] == "." and _is_abbreviation(text, run_start, seg_start):
            return None
        word = _NEXT_WORD.match(text, end)
        nw = word.group(1)
        if nw and "a" <= nw[0] <= "z":
            return None
    if close:
        if close[0] in ")]}" and _inside_brackets(text, seg_start, run_start):
            return None  # "قال (وهي مهمة!) إن": a parenthesis inside the sentence
        if not _ends_before_attribution(text, end, strong):
            return None
    return end


def _inside_brackets(text: str, seg_start: int, pos: int) -> bool:
    """The bracket closed at ``pos`` opened after some words of the current sentence."""
    opened = max(text.rfind("(", seg_start, pos), text.rfind("[", seg_start, pos))
    return opened > seg_start and bool(text[seg_start:opened].strip())


def _glued_end(text: str, m: re.Match, strong: bool) -> int | None:
    """``كلمة.كلمة``: two Arabic words with no space after a final ``.``/``؟``/``!`` -- a missing space."""
    run = m.group("run")
    if not strong and run != ".":
        return None
    s = m.start()
    if s < 2 or not _ARABIC_LETTER.match(text, s - 1) or not _ARABIC_LETTER.match(text, s - 2):
        return None
    if not _ARABIC_LETTER.match(text, m.end()) or _ARABIC_DOMAIN.match(text, m.end()):
        return None
    return m.end()


def _token_before(text: str, pos: int) -> tuple[int, str]:
    """The whitespace-delimited token ending at ``pos`` (opening quotes/brackets stripped)."""
    i = pos
    lo = max(0, pos - 40)
    while i > lo and not text[i - 1].isspace():
        i -= 1
    while i < pos and text[i] in _OPENERS:
        i += 1
    return i, text[i:pos]


def _is_abbreviation(text: str, dot: int, seg_start: int) -> bool:
    tok_start, token = _token_before(text, dot)
    if not token:
        return False
    bare = bare_form(token)
    if len(bare) == 2 and bare[0] == "و" and bare[1].isalpha() and not bare[1].isascii():
        bare = bare[1]  # ود. فاطمة ("and Dr.")
    if len(bare) == 1 and bare.isalpha():
        if bare.isascii():
            # J. K. Rowling; but "the letter u." or "vitamin C." before Arabic ends a sentence
            return bare.isupper() and _LATIN_NEXT.match(text, dot + 1) is not None
        return True  # د. أ. م. ص. هـ.
    if bare in _LATIN_ABBREVIATIONS or bare in _ARABIC_ABBREVIATIONS:
        return True
    if _DOTTED_LETTERS.fullmatch(bare) or _NUMBER_ERA.fullmatch(bare):
        return True  # ق.م. U.S. أ.د. 2011م.
    if not text[seg_start:tok_start].strip():
        # the first token of a segment: a list number ("1.") or a letter
        return bool(_SMALL_NUMBER.fullmatch(bare))
    if bare in _INITIALS:
        # جون إف. كينيدي (an initial) vs. سي إن إن. (an acronym, may end the sentence)
        _, prev = _token_before(text, tok_start - 1) if tok_start > 0 else (0, "")
        prev = bare_form(prev)
        if prev.endswith("."):
            return prev[:-1] in _LETTER_NAMES or len(prev) == 2  # جيه. كيه.  J. K.
        return prev not in _LETTER_NAMES
    return False


def _ends_before_attribution(text: str, end: int, strong: bool) -> bool:
    """After a closing quote/bracket: True unless the next words attach to the quote (its attribution)."""
    word = _NEXT_WORD.match(text, end)
    nw = bare_form(word.group(1))
    if not nw:
        return True
    if "a" <= nw[0] <= "z":
        return False
    if nw in _CONTINUATIONS:
        return False
    if nw == "كما":
        # quote then كما + speech verb ("as he added": !" كما أضاف) is its attribution and attaches;
        # otherwise, after '."', كما ("also") opens a new sentence; after '!"' or '؟"' it goes on
        word = _NEXT_WORD.match(text, word.end())
        return bare_form(word.group(1)) not in _ATTRIBUTION and not strong
    if nw in _ATTRIBUTION:
        tail = _TAIL.match(text, word.end()).group()
        return bool(_NEW_SPEECH.search(tail))
    return True
