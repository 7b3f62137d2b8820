"""Spacing repair: merged words, merged numbers, punctuation spacing, traps, and properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mt.text.alignment import apply_edits
from mt.text.repair import Repairer, default_steps, repair_text
from mt.text.spacing import SpacingRepair
from mt.text.unicode import UnicodeCleanup, WhitespaceNormalizer


def fixed(text: str) -> str:
    return repair_text(text).text


def rules(text: str) -> set[str]:
    return {e.rule for e in repair_text(text).edits}


def test_spacing_step_is_in_the_default_chain():
    names = [s.name for s in default_steps()]
    assert names[-1] == "spacing" and names.index("whitespace") < names.index("spacing")
    assert SpacingRepair.name == "spacing"


# --------------------------------------------------------------------------- merged words
@pytest.mark.parametrize(
    "merged, expected",
    [
        # a particle glued to the next word
        ("مايقف", "ما يقف"),
        ("ولاتختلف", "ولا تختلف"),
        ("أوالمواقع", "أو المواقع"),
        # a word ending in ة / ى glued to the next
        ("المتحدةالأمريكية", "المتحدة الأمريكية"),
        ("حتىالآن", "حتى الآن"),
        # a word glued to a following ال word
        ("الأممالمتحدة", "الأمم المتحدة"),
        ("مجلسالأمن", "مجلس الأمن"),
        # و stays on the second word
        ("روسياوإيران", "روسيا وإيران"),
        # two ordinary words
        ("مركزالحريات", "مركز الحريات"),
        ("فازعلى", "فاز على"),
        # three words
        ("الولاياتالمتحدةالأمريكية", "الولايات المتحدة الأمريكية"),
    ],
)
def test_merged_words_are_split(merged, expected):
    assert fixed(merged) == expected
    assert rules(merged) == {"merged-word"}


@pytest.mark.parametrize(
    "merged, expected",
    [
        ("لايمكن", "لا يمكن"),  # the web often writes particle + verb joined: still a merge
        ("لاتزال", "لا تزال"),
        ("أيضًاأن", "أيضًا أن"),  # tanween ends a word
        ("ووفقًالسلطات", "ووفقًا لسلطات"),  # ... and never splits from its alif
        ("حكومةسايبوف", "حكومة سايبوف"),  # an unknown name is fine after ة
        ("إلهامهمن", "إلهامه من"),  # attached pronoun, then a particle
    ],
)
def test_cues_beyond_the_lexicon(merged, expected):
    assert fixed(merged) == expected


@pytest.mark.parametrize("text", ["سيفولو سايبوف", "وقال سايبوف سيفولو", "ماكدول", "لاجون", "مستشاروها", "وبانفعال"])
def test_names_and_inflected_words_next_to_unknown_words_stay(text):
    assert fixed(text) == text


def test_merged_word_in_context():
    text = "وقال إن الأممالمتحدة دعت إلى وقف القتال"
    assert fixed(text) == "وقال إن الأمم المتحدة دعت إلى وقف القتال"


def test_headline_glued_to_body():
    assert fixed("عاجلالرئيس يقول إن الحرب انتهت") == "عاجل الرئيس يقول إن الحرب انتهت"


def test_merged_word_with_diacritics_splits_after_the_marks():
    assert fixed("المتحدةُالأمريكية") == "المتحدةُ الأمريكية"


@pytest.mark.parametrize(
    "merged, expected",
    [
        ("10سنوات", "10 سنوات"),
        ("فبراير2010", "فبراير 2010"),
        ("١٠سنوات", "١٠ سنوات"),
        ("عام2014", "عام 2014"),
        ("في2014", "في 2014"),
    ],
)
def test_merged_numbers_are_split(merged, expected):
    assert fixed(merged) == expected
    assert rules(merged) == {"merged-number"}


# ------------------------------------------------------------------------------- traps
TRAPS = {
    "name": ["لوندري", "إيرولت", "الأليغانس", "بيرمنغهام", "ماكدول", "لافيرن", "مادورو", "أبوظبي"],
    "clitic": ["وإيران", "بالقرب", "لروسيا", "وبالتالي", "وللولايات", "فالحكومة", "لادعاء"],
    "waw-inside": ["مسؤولوها", "مسؤولون", "يواصلون", "داوود"],
    "abd-name": ["عبدالله", "عبدالرحمن", "عبدالعزيز"],
    "old-orthography": ["الطوارىء", "شىء", "فى", "مبادىء"],
    "functional-tatweel": ["بـ49", "لـ«اليوم»", "الـ20", "1437هـ"],
    "arabic-decimal": ["3ر60", "12ر5"],
    "acronym": ["أ.ف.ب", "ق.م", "U.S.A.", "د.ب.أ"],
    "unit": ["120كم", "50كلم", "30كغ"],
    "year": ["2014م", "1437هـ", "2020م."],
    "latin": ["Google", "iPhone 12", "Reuters"],
    "number-code": ["COVID-19", "F-16", "إس300", "A320", "G20"],
    "url": ["http://www.aljazeera.net/news/2016", "www.bbc.com/arabic"],
    "email": ["info@example.com"],
    "hashtag": ["#السعودية_اليوم", "#حلب_تحترق", "@AJArabic"],
    "number-separator": ["1,500,000", "3.5", "١٬٢٠٠", "٣٫٥", "10:30", "2016/10/03", "3،5"],
}


@pytest.mark.parametrize("cls, word", [(c, w) for c, ws in TRAPS.items() for w in ws])
def test_traps_are_left_alone(cls, word):
    assert fixed(word) == word, cls
    sentence = f"وقال المتحدث إن {word} جديد"
    assert fixed(sentence) == sentence, cls


# ------------------------------------------------------------------------- punctuation
@pytest.mark.parametrize(
    "text, expected, rule",
    [
        ("قال ، إن", "قال، إن", "space-before-punct"),
        ("انتهى الأمر .", "انتهى الأمر.", "space-before-punct"),
        ("هل انتهى ؟", "هل انتهى؟", "space-before-punct"),
        ("قال : نعم", "قال: نعم", "space-before-punct"),
        ("الحرب ( الأهلية )", "الحرب (الأهلية)", "space-inside-brackets"),
        ("شبكة « سي إن إن »", "شبكة «سي إن إن»", "space-inside-brackets"),
        ("قال،إن", "قال، إن", "space-after-punct"),
        ("انتهى.وقال", "انتهى. وقال", "space-after-punct"),
        ("وأضاف:نحن", "وأضاف: نحن", "space-after-punct"),
        ("لماذا؟قال", "لماذا؟ قال", "space-after-punct"),
        ("(وهي)قصف", "(وهي) قصف", "space-after-punct"),
        ("نسبة 38%من الناخبين", "نسبة 38% من الناخبين", "space-after-punct"),
    ],
)
def test_punctuation_spacing(text, expected, rule):
    assert fixed(text) == expected
    assert rules(text) == {rule}


@pytest.mark.parametrize(
    "text",
    ["الساعة 10:30 صباحا", "نسبة 3.5 في المئة", "موقع www.example.com للأخبار", "د.ب.أ", "أ.ف.ب",
     "مراسلنا info@example.com", "الآية 2:255", "عام 1,500"],
)
def test_no_space_added_inside_numbers_urls_acronyms(text):
    assert fixed(text) == text


def test_sample_article(example_text):
    out = Repairer()(example_text.splitlines()[0]).text
    assert "الولايات المتحدة الأمريكية" in out
    assert "الأمم المتحدة" in out
    assert "روسيا وإيران" in out
    assert "المتحدةالأمريكية" not in out


def test_edits_carry_offsets_and_rules():
    text = "في الأممالمتحدة ، قال"
    result = repair_text(text)
    assert [(e.start, e.before, e.after, e.rule) for e in result.edits] == [
        (8, "", " ", "merged-word"),
        (15, " ", "", "space-before-punct"),
    ]


def test_eval_data_files_are_well_formed():
    from eval.spacing import _cuts, load_annotations, load_traps

    traps = load_traps()
    assert len(traps) >= 100 and len({cls for _, cls in traps}) >= 15
    for line_no, token, expected in load_annotations():
        assert line_no > 0 and expected.replace(" ", "") == token
    assert _cuts("الأممالمتحدة", "الأمم المتحدة") == {5}


def test_corruption_is_seeded_and_only_touches_spaces():
    import random

    from eval.spacing import corrupt

    text = "قال المتحدث إن الأمم المتحدة، وروسيا (وإيران) اتفقت. وأضاف: نعم"
    a = corrupt(text, random.Random(13), p_nonjoin=0.5, p_join=0.5)
    b = corrupt(text, random.Random(13), p_nonjoin=0.5, p_join=0.5)
    assert a == b
    bad, origin, gold = a
    assert bad.replace(" ", "") == text.replace(" ", "")
    assert all(origin[i] is None or bad[i] == text[origin[i]] for i in range(len(bad)))


def test_ntrex_sample_has_no_errors_on_repaired_text(ntrex_dir):
    lines = (ntrex_dir / "ntrex.dev.ar").read_text(encoding="utf-8").splitlines()[:50]
    for line in lines:
        once = repair_text(line).text
        assert repair_text(once).text == once


# ------------------------------------------------------------------------- properties
WORDS = ["الأمم", "المتحدة", "روسيا", "وإيران", "في", "ما", "لا", "مركز", "الحريات", "عبدالله", "لوندري",
         "2014", "١٠", "سنوات", "بـ49", "3ر60", "أ.ف.ب", "الطوارىء", "Google", "مسؤولوها", "حتى", "قال"]
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.text(alphabet="ابتةجدرزسعفقكلمنهوىيءأإآ0123456789٠١٥", min_size=1, max_size=8),
)
SEPARATORS = st.sampled_from(["", " ", "  ", "، ", "،", " ،", ".", ". ", " .", ":", "( ", " )", "«", "»", "؟", "\t",
                              "\u200f", "ـ", ",", "/", "@", "#", "-"])
LINES = st.lists(st.tuples(PIECES, SEPARATORS), min_size=1, max_size=10).map(
    lambda parts: "".join(p + s for p, s in parts)
)
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _unspaced(text: str) -> str:
    return re.sub(r"\s+", "", text)


@PROPS
@given(LINES)
def test_repair_is_idempotent(text):
    once = repair_text(text).text
    assert repair_text(once).text == once


@PROPS
@given(LINES)
def test_spacing_changes_no_letter(text):
    cleaned = Repairer([UnicodeCleanup(), WhitespaceNormalizer()])(text).text
    assert _unspaced(repair_text(text).text) == _unspaced(cleaned)
    for e in SpacingRepair().find_edits(cleaned):
        assert e.before.strip() == "" and e.after.strip() == ""


@PROPS
@given(LINES)
def test_edits_map_back_to_the_original(text):
    result = repair_text(text)
    assert apply_edits(text, result.edits)[0] == result.text
    for e in result.edits:
        assert text[e.start : e.end] == e.before
    spacing_edits = SpacingRepair().find_edits(result.text)
    assert spacing_edits == []
