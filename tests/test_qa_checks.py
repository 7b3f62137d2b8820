"""The untranslated, repetition, length and empty checks, and the QAChecker interface."""

from __future__ import annotations

import json
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mt.qa import CHECK_NAMES, Flag, QAChecker, check_pair, summarize
from mt.qa.base import THRESHOLDS_PATH, load_thresholds
from mt.qa.empty import EmptyCheck
from mt.qa.length import LengthCheck
from mt.qa.repetition import RepetitionCheck, longest_run
from mt.qa.untranslated import UntranslatedCheck

SRC = "وقال الوزير إن الحكومة ستعمل على تحسين الخدمات الصحية في المناطق الريفية خلال العام المقبل."
REF = "The minister said the government would work to improve health services in rural areas next year."


def names(flags):
    return [f.check for f in flags]


def test_interface():
    assert CHECK_NAMES == ("number", "untranslated", "repetition", "length", "empty")
    f = Flag("number", {"missing": ["20000"], "extra": ["2000"]})
    assert f.to_dict() == {"check": "number", "detail": {"missing": ["20000"], "extra": ["2000"]}}
    assert Flag.from_dict(json.loads(json.dumps(f.to_dict()))) == f
    with pytest.raises(Exception):
        f.check = "x"  # frozen
    assert check_pair(SRC, REF) == []
    assert QAChecker().check_many([(SRC, REF), (SRC, "")]) == [[], [Flag("empty", {})]]


def test_calibrated_thresholds_are_shipped():
    data = json.loads(THRESHOLDS_PATH.read_text(encoding="utf-8"))
    assert {"a", "b", "s0", "s1", "z_low", "z_high"} <= set(data["length"])
    assert load_thresholds()["length"]["z_low"] == data["length"]["z_low"]


def test_unknown_check_rejected():
    with pytest.raises(ValueError, match="unknown QA check"):
        QAChecker(checks=["number", "spelling"])


def test_subset_of_checks():
    assert names(QAChecker(checks=["number"]).check(SRC, "")) == []


# ------------------------------------------------------------- empty
@pytest.mark.parametrize("hyp", ["", "   ", "\t", " . ", "«»"])
def test_empty_flags_blank_translation(hyp):
    assert check_pair(SRC, hyp) == [Flag("empty", {})]


def test_empty_needs_source_content():
    assert EmptyCheck()("", "") is None
    assert EmptyCheck()("  ", "") is None
    assert EmptyCheck()("...", "") is None
    assert EmptyCheck()("2018", "") == {}


# ------------------------------------------------------------- untranslated
def test_arabic_word_left():
    d = UntranslatedCheck()(SRC, "The minister said the government would improve الخدمات in rural areas.")
    assert d == {"arabic": ["الخدمات"], "copied": False}


def test_source_copied():
    d = UntranslatedCheck()(SRC, SRC)
    assert d["copied"] is True and d["arabic"][0] == "وقال"
    assert names(check_pair(SRC, SRC))[0] == "untranslated"


def test_mostly_arabic_output_is_copied():
    d = UntranslatedCheck()(SRC, "The وزير قال إن الحكومة ستعمل")
    assert d["copied"] is True


def test_no_arabic_no_flag():
    assert UntranslatedCheck()(SRC, REF) is None
    # Arabic-Indic digits are numbers (the number check's business), not words
    assert UntranslatedCheck()("٢٠١٨", "٢٠١٨") is None


# ------------------------------------------------------------- repetition
def test_loop_flagged():
    hyp = "Come on come on come on come on come on, said the crowd."
    d = RepetitionCheck()("هيا، قال الجمهور.", hyp)
    assert d["ngram"] == "come on" and d["count"] == 5


def test_unigram_loop():
    d = RepetitionCheck()(SRC, "The the the the minister said.")
    assert d["ngram"] == "the" and d["count"] == 4


def test_repetition_the_source_has_is_not_flagged():
    assert RepetitionCheck()("لا، لا، لا، قال.", "No, no, no, he said.") is None


def test_no_loop_in_normal_text():
    assert RepetitionCheck()(SRC, REF) is None
    assert RepetitionCheck()(SRC, "It was very, very cold.") is None


def test_longest_run():
    assert longest_run("a b c a b c a b c d".split()) == (3, 0, 3)
    assert longest_run("a b c".split()) == (1, 0, 0)


def test_long_ngram_doubled_is_a_loop_short_one_is_not():
    d = RepetitionCheck()(SRC, "The minister said the government the minister said the government would act.")
    assert d["ngram"] == "the minister said the government" and d["count"] == 2
    assert RepetitionCheck()(SRC, "Bye bye, he said, and it happened early, happen early.") is None


# ------------------------------------------------------------- length
def test_cut_translation_flagged():
    d = LengthCheck(load_thresholds()["length"])(SRC, "The minister said the")
    assert d["direction"] == "short" and d["ratio"] < d["expected"][0]


def test_hallucination_flagged():
    long = REF + " " + " ".join(f"And then the {w} went to the market and bought bread." for w in "abcdefgh")
    d = LengthCheck(load_thresholds()["length"])(SRC, long)
    assert d["direction"] == "long" and d["ratio"] > d["expected"][1]


def test_normal_length_not_flagged():
    assert LengthCheck(load_thresholds()["length"])(SRC, REF) is None


def test_short_segments_get_wider_bounds():
    lc = LengthCheck(load_thresholds()["length"])
    assert lc.expected(10)[1] > lc.expected(200)[1]
    assert lc("عاجل", "Breaking news") is None


def test_empty_translation_is_only_empty():
    assert names(check_pair(SRC, "")) == ["empty"]


# ------------------------------------------------------------- checker
def test_several_flags_in_check_name_order():
    hyp = "The minister said 5 5 5 5 times الخدمات"
    got = names(check_pair(SRC, hyp))
    assert got == sorted(got, key=CHECK_NAMES.index)
    assert {"number", "untranslated", "repetition", "length"} <= set(got)


def test_summarize():
    s = summarize([[], [Flag("number", {}), Flag("length", {})], [Flag("number", {})]])
    assert s == {"lines": 3, "flagged": 2,
                 "per_check": {"number": 2, "untranslated": 0, "repetition": 0, "length": 1, "empty": 0}}


def test_thread_safe_shared_checker():
    checker = QAChecker()
    pairs = [(SRC, REF), (SRC, ""), ("قتل 25 شخصا", "24 people were killed"), (SRC, SRC)] * 50
    expected = [checker.check(s, t) for s, t in pairs]
    results = [None] * 4

    def work(k):
        results[k] = checker.check_many(pairs)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


_ALPHABET = "ابتثجحخدذرزسشصضطظعغفقكلمنهويةىأإآءئؤ ًٌٍَُِّْـ٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬،؛؟0123456789.,:;/-–%$£€½()'\" abcdefghijklmnopqrstuvwxyzABCM\n\u2028\u200f"


@settings(max_examples=300, deadline=None)
@given(src=st.text(alphabet=_ALPHABET, max_size=80), hyp=st.text(alphabet=_ALPHABET, max_size=80))
def test_never_raises_and_details_are_json(src, hyp):
    for flag in check_pair(src, hyp):
        assert flag.check in CHECK_NAMES
        json.dumps(flag.to_dict(), ensure_ascii=False)


def test_long_and_odd_inputs():
    long_src = " ".join(["قال الوزير إن 25 شخصا قتلوا"] * 400)
    long_hyp = " ".join(["the minister said 25 people were killed"] * 400)
    assert check_pair(long_src, long_hyp) == []
    assert "repetition" in names(check_pair(SRC, "go " * 500))
    assert check_pair("١٢٣", "123") == []


def test_presentation_forms_are_arabic_too():
    d = UntranslatedCheck()(SRC, "The minister \ufee3\ufeb3\ufe8e\ufe80 said")
    assert d is not None and d["arabic"] == ["\ufee3\ufeb3\ufe8e\ufe80"]
    assert UntranslatedCheck()(SRC, "\ufeffThe minister said") is None  # a BOM is no letter
