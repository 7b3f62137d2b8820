"""Edits lifted through several repair steps still describe the original text exactly."""

from hypothesis import given, settings
from hypothesis import strategies as st

from mt.document import Edit
from mt.text.alignment import Alignment, apply_edits, lift_edits
from mt.text.repair import Repairer
from mt.text.unicode import UnicodeCleanup, WhitespaceNormalizer

ALPHABET = "ab \u00a0\u200f\u0640لا.،«»ﻻ"


@st.composite
def text_and_edits(draw, text=None):
    text = draw(st.text(ALPHABET, max_size=30)) if text is None else text
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    edits, prev = [], 0
    for a, b in zip(cuts[::2], cuts[1::2]):
        if a < prev:
            continue
        after = draw(st.sampled_from(["", " ", "xy"]))
        if a == b and after == "":
            continue
        edits.append(Edit(a, b, text[a:b], after, "test"))
        prev = b if b > a else b + 1
    return text, edits


@given(st.data())
@settings(max_examples=300)
def test_two_steps_lifted_edits_rebuild_final_text(data):
    original, first = data.draw(text_and_edits())
    middle, align1 = apply_edits(original, first)
    _, second = data.draw(text_and_edits(middle))
    final, align2 = apply_edits(middle, second)
    lifted = lift_edits(original, first, middle, align1, second)
    rebuilt, _ = apply_edits(original, lifted)
    assert rebuilt == final
    for e in lifted:
        assert original[e.start : e.end] == e.before
    combined = align1.then(align2)
    assert list(combined.bounds) == sorted(combined.bounds)
    assert combined.bounds[-1] == len(original)


def test_alignment_maps_spans_back():
    text, align = apply_edits("ab\u200fcd", [Edit(2, 3, "\u200f", "", "x")])
    assert text == "abcd"
    assert align.span_to_old((2, 4)) == (3, 5)
    assert Alignment.identity(3).span_to_old((1, 2)) == (1, 2)


def test_later_step_absorbs_earlier_edit():
    steps = [UnicodeCleanup(), WhitespaceNormalizer()]
    result = Repairer(steps)("a\u200f \u00a0 b")
    assert result.text == "a b"
    assert apply_edits(result.original, result.edits)[0] == result.text
