"""Chunking of over-long sentences (issue 4): within budget, nothing dropped, clause boundaries first."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mt.text.chunk import DEFAULT_MAX_TOKENS, chunk_sentence


class Counter:
    """A fake tokenizer that records how often it is called."""

    def __init__(self, fn):
        self.fn = fn
        self.calls = 0

    def __call__(self, s: str) -> int:
        self.calls += 1
        return self.fn(s)


def words_plus_eos(s: str) -> int:
    return len(s.split()) + 1


def chars_plus_eos(s: str) -> int:
    return math.ceil(len(s) / 3) + 1


def check_cover(text: str, spans) -> None:
    """Spans in order, non-empty, stripped, only whitespace between and around them."""
    pos = 0
    for a, b in spans:
        assert pos <= a < b <= len(text)
        assert text[pos:a].strip() == ""
        assert not text[a].isspace() and not text[b - 1].isspace()
        pos = b
    assert text[pos:].strip() == ""
    # every non-whitespace character is in some span
    covered = "".join(text[a:b] for a, b in spans)
    assert "".join(covered.split()) == "".join(text.split())


def run_on_sentence(n_words: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    words = "قال المتحدث باسم الوزارة إن الوفد سيصل غدا إلى العاصمة للمشاركة في المحادثات الجارية".split()
    out: list[str] = []
    while len(out) < n_words:
        clause = rng.sample(words, rng.randint(4, 12))
        sep = rng.choice(["،", "؛", "", "", ":"])
        conj = rng.choice(["", "", "و", "ثم", "لكن", "بينما"])
        if conj == "و":
            clause[0] = conj + clause[0]
        elif conj:
            clause.insert(0, conj)
        out.extend(clause)
        out[-1] += sep
    return " ".join(out[:n_words]) + "."


def test_default_budget_is_well_under_the_models_positions():
    assert 128 <= DEFAULT_MAX_TOKENS <= 200


def test_short_sentence_is_one_chunk_with_one_call():
    count = Counter(words_plus_eos)
    text = "  قال الوزير إن المحادثات مستمرة.  "
    assert chunk_sentence(text, count) == [(2, len(text) - 2)]
    assert count.calls == 1


def test_empty_text_has_no_chunks():
    assert chunk_sentence("", words_plus_eos) == []
    assert chunk_sentence(" \n ", words_plus_eos) == []


def test_2000_token_run_on_sentence_is_chunked_within_budget_and_nothing_dropped():
    text = run_on_sentence(1999)
    count = Counter(words_plus_eos)
    assert count(text) == 2000
    count.calls = 0
    spans = chunk_sentence(text, count, 160)
    check_cover(text, spans)
    assert all(words_plus_eos(text[a:b]) <= 160 for a, b in spans)
    assert len(spans) >= 13
    assert count.calls <= 3 * len(spans) + 2  # a cheap estimate first, count_tokens only to verify
    # clause boundaries are preferred: (almost) every chunk but the last ends at punctuation
    ends_at_clause = sum(text[b - 1] in "؛،:" for a, b in spans[:-1])
    assert ends_at_clause >= len(spans) - 2


def test_semicolon_before_comma_before_colon_before_conjunction_before_word():
    count = words_plus_eos
    a = " ".join(["كلمة"] * 6)
    # with a ؛ available, the split is there and not at the earlier ،
    text = f"{a}، {a} {a}؛ {a} {a}"
    spans = chunk_sentence(text, count, 20)
    assert [text[s:e][-1] for s, e in spans[:-1]] == ["؛"]
    # without ؛, at ، rather than :
    text = f"{a}: {a} {a}، {a} {a}"
    spans = chunk_sentence(text, count, 20)
    assert [text[s:e][-1] for s, e in spans[:-1]] == ["،"]
    # without punctuation, before a conjunction
    text = f"{a} {a} ثم {a} {a}"
    spans = chunk_sentence(text, count, 20)
    assert len(spans) == 2 and text[spans[1][0] :].startswith("ثم ")
    text = f"{a} {a} وقال {a} {a}"
    spans = chunk_sentence(text, count, 20)
    assert len(spans) == 2 and text[spans[1][0] :].startswith("وقال ")
    # a و-initial noun is not a conjunction: the split falls at a word boundary instead
    text = " ".join(["وزير"] * 30)
    spans = chunk_sentence(text, count, 20)
    check_cover(text, spans)
    assert all(count(text[s:e]) <= 20 for s, e in spans)


def test_chunks_are_balanced_rather_than_full_plus_a_scrap():
    text = " ".join(f"كلمة{i}" for i in range(170))
    spans = chunk_sentence(text, words_plus_eos, 160)
    sizes = [words_plus_eos(text[a:b]) for a, b in spans]
    assert len(spans) == 2 and min(sizes) >= 60, sizes


def test_single_600_character_token_is_chunked_at_character_boundaries():
    token = "".join(random.Random(1).choice("ابتثجحخدذرزسشصضطظعغفقكلمنهوي") for _ in range(600))
    text = f"زوروا {token} للمزيد."
    count = Counter(chars_plus_eos)
    spans = chunk_sentence(text, count, 50)
    check_cover(text, spans)
    assert all(chars_plus_eos(text[a:b]) <= 50 for a, b in spans)
    assert "".join(text[a:b] for a, b in spans) == text.replace(" ", "")
    assert count.calls <= 3 * len(spans) + 2


def test_character_fallback_keeps_combining_marks_on_their_letter():
    token = "بَ" * 300  # 600 characters: letter + fatha
    spans = chunk_sentence(token, chars_plus_eos, 20)
    check_cover(token, spans)
    assert all(token[a] != "\u064e" for a, b in spans)
    assert all(chars_plus_eos(token[a:b]) <= 20 for a, b in spans)


def test_budget_too_small_for_one_character_raises_rather_than_dropping():
    with pytest.raises(ValueError):
        chunk_sentence("كلمة أخرى", lambda s: len(s) + 5, 3)


def test_estimate_that_is_wrong_is_corrected_by_verification():
    # Latin stretches cost 4x more per character than Arabic ones: the first estimate is off.
    def uneven(s: str) -> int:
        return sum(4 if c.isascii() and not c.isspace() else 0.25 for c in s) // 1 + 1

    text = " ".join(["كلمة"] * 200 + ["wordwordword"] * 40 + ["كلمة"] * 200)
    spans = chunk_sentence(text, uneven, 100)
    check_cover(text, spans)
    assert all(uneven(text[a:b]) <= 100 for a, b in spans)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["كلمة", "و", "ثم", "،", "؛", ":", " ", " ", "  ", "\n", "x" * 40, "بَ"]), max_size=80).map("".join),
    st.integers(min_value=3, max_value=40),
)
def test_property_within_budget_and_everything_covered(text, budget):
    spans = chunk_sentence(text, chars_plus_eos, budget)
    check_cover(text, spans)
    assert all(chars_plus_eos(text[a:b]) <= budget for a, b in spans)


def test_real_tokenizer_of_the_tiny_test_model(tiny_model):
    from transformers import MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(str(tiny_model))
    count = Counter(lambda s: len(tokenizer(s).input_ids))
    text = run_on_sentence(900, seed=3)
    total = count(text)
    assert total > 2 * DEFAULT_MAX_TOKENS
    count.calls = 0
    spans = chunk_sentence(text, count)
    check_cover(text, spans)
    lengths = [len(tokenizer(text[a:b]).input_ids) for a, b in spans]
    assert max(lengths) <= DEFAULT_MAX_TOKENS
    assert len(spans) >= math.ceil(total / DEFAULT_MAX_TOKENS)
    assert count.calls <= 3 * len(spans) + 2
    # a single 600-character token, measured with the real tokenizer
    token = "".join(random.Random(2).choice("ابتثجحخدذرزسشصضطظعغفقكلمنهوي0123456789") for _ in range(600))
    spans = chunk_sentence(token, count, 64)
    check_cover(token, spans)
    assert all(len(tokenizer(token[a:b]).input_ids) <= 64 for a, b in spans)
    assert "".join(token[a:b] for a, b in spans) == token
