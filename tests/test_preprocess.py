"""Preprocessing keeps alignment: paragraphs are lines, sentence spans point into the input."""

from hypothesis import given, settings
from hypothesis import strategies as st

from mt import preprocess
from mt.text.paragraphs import split_paragraphs

PIECES = ["قال الوزير", "روسياوإيران", " ", "  ", "\n", "\r\n", "\n\n", ".", "؟", "،", "\u200f", "ـ", "3.5", "«نص»", "\u00a0"]


def test_paragraphs_are_non_blank_lines_without_edge_spaces():
    text = " أ ب \r\n\n  \nج\u2028د\rه"
    # only "\n" and "\r\n" end a line: U+2028 and a bare CR are whitespace inside one
    assert [text[a:b] for a, b in split_paragraphs(text)] == ["أ ب", "ج\u2028د\rه"]


def test_layout_mirrors_input_lines():
    article = preprocess("سطر أول.\r\n\r\nسطر ثان\n")
    assert article.repaired == "سطر أول.\r\n\r\nسطر ثان\n"  # each line keeps its own line break
    assert preprocess("بلا سطر أخير").repaired == "بلا سطر أخير"


@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
@settings(max_examples=150, deadline=None)
def test_spans_account_for_every_character(text):
    article = preprocess(text)
    pos = 0
    for s in article.sentences:
        gap = text[pos : s.span[0]]
        assert all(c.isspace() or c in "\u200f" for c in gap), repr(gap)
        assert text[s.span[0] : s.span[1]] == s.source
        assert s.repaired.strip() == s.repaired and s.repaired
        pos = s.span[1]
    assert all(c.isspace() or c in "\u200f" for c in text[pos:])
    for e in article.edits:
        assert text[e.start : e.end] == e.before


@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
@settings(max_examples=100, deadline=None)
def test_repair_only_touches_spaces_and_invisible_marks(text):
    article = preprocess(text, segment=False)
    squash = lambda s: "".join(c for c in s if not c.isspace() and c not in "\u200fـ")
    assert squash(article.repaired) == squash(text)
