"""Character clean-up: presentation forms, invisible marks, decorative vs functional tatweel."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mt.text.alignment import apply_edits
from mt.text.repair import Repairer
from mt.text.unicode import UnicodeCleanup, WhitespaceNormalizer

clean = Repairer([UnicodeCleanup(), WhitespaceNormalizer()])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("الأمـــم", "الأمم"),  # decorative tatweel between letters
        ("مـُـحمد", "مُحمد"),  # tatweel carrying a haraka: the haraka stays
        ("بـالمدينة", "بالمدينة"),
    ],
)
def test_decorative_tatweel_is_removed(text, expected):
    result = clean(text)
    assert result.text == expected
    assert {e.rule for e in result.edits} == {"decorative-tatweel"}


@pytest.mark.parametrize("text", ["بـ49", "لـ«اليوم»", "الـ20", "1437هـ", "هـ", "وفقاً لـ\"الشرق الأوسط\""])
def test_functional_tatweel_is_kept(text):
    assert clean(text).text == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ﻻ", "لا"),
        ("ﺍﻟﻌﺮﺑﻴﺔ", "العربية"),
        ("ﷲ", "الله"),
    ],
)
def test_presentation_forms_become_base_letters(text, expected):
    result = clean(text)
    assert result.text == expected
    assert {e.rule for e in result.edits} == {"presentation-form"}


@pytest.mark.parametrize("mark", ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff", "\u00ad", "\u202b"])
def test_invisible_marks_are_removed(mark):
    result = clean(f"كلمة{mark} أخرى")
    assert result.text == "كلمة أخرى"
    assert [e.rule for e in result.edits] == ["invisible-mark"]


def test_whitespace_runs_become_one_space_and_edges_are_trimmed():
    result = clean("\u00a0 قال\t\tإن  \u2003الأمر ")
    assert result.text == "قال إن الأمر"


def test_invisible_mark_used_as_a_space_is_repaired_by_spacing():
    from mt.text.repair import repair_text

    assert repair_text("الأمم\u200fالمتحدة").text == "الأمم المتحدة"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ابتـُمةلـ«»49 \u200f\u200bﻻﺍ\t", max_size=20))
def test_clean_up_is_idempotent_and_maps_back(text):
    result = clean(text)
    assert clean(result.text).text == result.text
    assert apply_edits(text, result.edits)[0] == result.text
    for e in result.edits:
        assert text[e.start : e.end] == e.before


def test_line_separators_inside_a_line_are_spaces_not_invisible_marks():
    from mt import preprocess

    for sep in "\v\f\x1c\x1d\x1e\x1f\x85\u2028\u2029\r":
        assert preprocess(f"أول{sep}تابع").repaired == "أول تابع", repr(sep)
