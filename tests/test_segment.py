"""Sentence segmentation of Arabic news text (issue 4)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mt.text.segment import split_sentences


def sents(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def check_spans(text: str, spans) -> None:
    pos = 0
    for a, b in spans:
        assert pos <= a < b <= len(text)
        assert text[pos:a].strip() == ""  # only whitespace between spans
        assert not text[a].isspace() and not text[b - 1].isspace()
        pos = b
    assert text[pos:].strip() == ""


# --- where sentences end -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("انتهى الاجتماع. بدأ المؤتمر.", ["انتهى الاجتماع.", "بدأ المؤتمر."]),
        ("يا له من يوم! بدأ المؤتمر.", ["يا له من يوم!", "بدأ المؤتمر."]),
        ("هل انتهى الاجتماع؟ نعم انتهى.", ["هل انتهى الاجتماع؟", "نعم انتهى."]),
        ("Is it over? Yes it is.", ["Is it over?", "Yes it is."]),
        ("هل هذا معقول؟! لا أحد يصدق.", ["هل هذا معقول؟!", "لا أحد يصدق."]),
        ("لن نستسلم!!! قالها بحزم.", ["لن نستسلم!!!", "قالها بحزم."]),
        ("ماذا بعد؟… لا أحد يعرف.", ["ماذا بعد؟…", "لا أحد يعرف."]),
        ("ماذا بعد؟... لا أحد يعرف.", ["ماذا بعد؟...", "لا أحد يعرف."]),
        ("انتهى كل شيء.. ثم بدأ عهد جديد؟ ربما.", ["انتهى كل شيء.. ثم بدأ عهد جديد؟", "ربما."]),
    ],
)
def test_sentence_final_punctuation_and_runs(text, expected):
    assert sents(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ('قال: "انتهى الأمر." وبدأ الاجتماع.', ['قال: "انتهى الأمر."', "وبدأ الاجتماع."]),
        ("وتساءل: «إلى متى؟» ولم يجب أحد.", ["وتساءل: «إلى متى؟»", "ولم يجب أحد."]),
        ("(انظر التفاصيل أدناه!) وبدأ الاجتماع.", ["(انظر التفاصيل أدناه!)", "وبدأ الاجتماع."]),
        ("وقال «نحن هنا». وأضاف أنهم باقون.", ["وقال «نحن هنا».", "وأضاف أنهم باقون."]),
        ('وقال "لن نتراجع…" وغادر القاعة. ثم عاد.', ['وقال "لن نتراجع…"', "وغادر القاعة.", "ثم عاد."]),
        ("وصرح المتحدث: «هذا غير مقبول.» ثم غادر.", ["وصرح المتحدث: «هذا غير مقبول.»", "ثم غادر."]),
    ],
)
def test_closing_quote_or_bracket_stays_with_its_sentence(text, expected):
    assert sents(text) == expected


def test_parenthesis_inside_a_sentence_is_not_an_end():
    assert sents("قال الوزير (وهي مهمة صعبة!) إن العمل مستمر.") == ["قال الوزير (وهي مهمة صعبة!) إن العمل مستمر."]


def test_missing_space_after_full_stop_between_arabic_words():
    text = "انتهى الاجتماع.وبدأ المؤتمر؟نعم"
    assert split_sentences(text) == [(0, 15), (15, 28), (28, 31)]


# --- where they do not ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ارتفع النمو إلى 3.5 في المئة في الربع الأول.",
        "وصل عدد المشاركين إلى 1.200 شخص من 20.4 مليون.",
        "وقع الحادث في 12.10.2016 عند الساعة 10.30 صباحا وفي 2016/10/12 الساعة 10:30.",
        "زوروا الموقع www.example.com/news?id=3&x=1.5 أو https://bbc.co.uk/arabic للمزيد.",
        "راسلونا على info@example.com أو على jo@samaritans.org للمزيد.",
        "بلغ المؤشر ٣.٥ نقطة.",
    ],
)
def test_no_split_inside_numbers_dates_times_urls_emails(text):
    assert sents(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "التقى د. أحمد زويل مع الطلاب أمس.",
        "حاضر أ. محمد علي في الجامعة.",
        "أشرف م. خالد على المشروع.",
        "انظر ص. 25 من التقرير.",
        "بني المعبد عام 300 ق.م. على يد الملك.",
        "وصل الوفد الساعة 10 ص. إلى المطار.",
        "أرخ الكتاب في 1437 هـ. وطبع لاحقا.",
        "حضر أ.د. سامي الجلسة.",
        "كتبت J. K. Rowling الرواية الأولى.",
        "وقال U.S. Secretary of State إن الأمر انتهى.",
        "وقال Mr. Smith إن Dr. Jones غادر.",
        "اغتيل جون إف. كينيدي عام 1963.",
        "حكم روي في. واد ما زال موضع جدل.",
        "وكالة (أ.ف.ب.) أفادت بذلك.",
        "حضر أ. د. سالم، ود. فاطمة، والمهندس م. خالد الاجتماع.",
        "وفي عام 2011م. اندلعت الثورة وفي 1437هـ. انتهت.",
        "ولد الشاعر في القرن الثالث الهجري (ت. 283 هـ.) في بغداد.",
    ],
)
def test_no_split_after_abbreviations(text):
    assert sents(text) == [text]


def test_latin_letter_ends_a_sentence_unless_it_is_an_initial():
    assert sents("يحتاج الجسم إلى فيتامين C. ويوجد في البرتقال.") == ["يحتاج الجسم إلى فيتامين C.", "ويوجد في البرتقال."]
    assert sents("ينطق مثل حرف u. في الإنجليزية.") == ["ينطق مثل حرف u.", "في الإنجليزية."]


def test_arabic_domain_name_is_not_a_glued_sentence_end():
    assert sents("وقال للجزيرة.نت إن الوضع صعب.") == ["وقال للجزيرة.نت إن الوضع صعب."]


def test_acronym_spelled_in_arabic_can_end_a_sentence():
    assert sents("وقالت ذلك لشبكة سي إن إن. ثم غادرت.") == ["وقالت ذلك لشبكة سي إن إن.", "ثم غادرت."]
    assert sents("وبثت الخبر قناة إم إس إن بي سي. ثم توقف.") == ["وبثت الخبر قناة إم إس إن بي سي.", "ثم توقف."]


@pytest.mark.parametrize(
    "text",
    [
        "قال إن الوضع... صعب جداً.",
        "إنهم صغار وفضوليون جدًا ... إنهم لا يهدفون إلى إيذائك.",
        "وكانت النتيجة… مخيبة للآمال.",
        "وقال الشاهد (...) إن الحادث وقع ليلا.",
    ],
)
def test_no_split_at_mid_sentence_ellipsis(text):
    assert sents(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "«هل يعقل هذا؟» قال الوزير.",
        "«هل يعقل هذا؟» قال الوزير في مؤتمر صحفي عقده أمس.",
        '"لن نستسلم!" كما أضاف الوزير.',
        'قال المتحدث: "لن نتراجع!" كما أضاف أن الحوار مستمر.',
        'هتف المتظاهرون "نوفمبر قادم!" كما تظاهروا في مدخل المبنى.',
        'وقال "سنواصل ملاحقة هؤلاء الأفراد." حسبما أفاد السيد ألبنس.',
        '"هل يعتقدون أنني أحصل على خصم؟" تساءلت.',
        "«لن نتراجع!» قالت المتحدثة، مضيفة أن القرار نهائي.",
        "«كفى!» صرخ أحد الحاضرين.",
        "شاهدت فيلم «من أنا؟» الذي عرض أمس.",
    ],
)
def test_no_split_between_closing_quote_and_attribution(text):
    assert sents(text) == [text]


def test_quote_followed_by_new_reported_speech_is_a_new_sentence():
    text = '"لديك السلطة." قال فليك إن مكتبه أصدر بيانا.'
    assert sents(text) == ['"لديك السلطة."', "قال فليك إن مكتبه أصدر بيانا."]
    text = "«نحن هنا.» وقال الوزير إنهم باقون."
    assert sents(text) == ["«نحن هنا.»", "وقال الوزير إنهم باقون."]
    text = '"سنواصل العمل." كما تم اعتقال ثلاثة أشخاص.'
    assert sents(text) == ['"سنواصل العمل."', "كما تم اعتقال ثلاثة أشخاص."]
    text = '"سنواصل العمل." كما أضاف الوزير.'
    assert sents(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "قال الوزير، الذي وصل أمس، إن المحادثات مستمرة؛ وأضاف أن النتائج إيجابية، بحسب المصدر.",
        "وقال الوزير: المحادثات مستمرة، والنتائج إيجابية؛ ولا تراجع.",
    ],
)
def test_never_at_arabic_comma_or_semicolon(text):
    assert sents(text) == [text]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "القاهرة (رويترز) - قال وزير الخارجية إن المحادثات مستمرة. وأضاف أن النتائج إيجابية.",
            ["القاهرة (رويترز) - قال وزير الخارجية إن المحادثات مستمرة.", "وأضاف أن النتائج إيجابية."],
        ),
        (
            "واشنطن (أ.ف.ب.) - أعلن البيت الأبيض أمس عن خطة جديدة.",
            ["واشنطن (أ.ف.ب.) - أعلن البيت الأبيض أمس عن خطة جديدة."],
        ),
    ],
)
def test_dateline_stays_with_its_sentence(text, expected):
    assert sents(text) == expected


def test_line_break_always_ends_a_segment():
    text = "عاجل: انفجار في العاصمة\nالقاهرة (رويترز) -\r\nقال مسؤولون إن الانفجار وقع صباحا\u2028- البند الأول"
    assert sents(text) == [
        "عاجل: انفجار في العاصمة",
        "القاهرة (رويترز) -",
        "قال مسؤولون إن الانفجار وقع صباحا",
        "- البند الأول",
    ]


def test_list_number_opening_a_line_is_not_a_sentence():
    assert sents("1. الاقتصاد العالمي\n2. أسعار النفط") == ["1. الاقتصاد العالمي", "2. أسعار النفط"]


def test_lowercase_latin_after_full_stop_continues():
    assert sents("see approx. the same figure, e.g. in the report.") == ["see approx. the same figure, e.g. in the report."]


def test_empty_and_whitespace_only():
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []
    assert split_sentences("  .  ") == [(2, 3)]


# --- the sample article --------------------------------------------------------------------------


def test_sample_article_splits_into_its_twelve_sentences(example_text):
    got = sents(example_text)
    check_spans(example_text, split_sentences(example_text))
    firsts = [s.split()[0] for s in got]
    assert firsts == [
        "اشتدت", "وقالت", "وأضافت", "وقالت", "ووصف", "وانتقد",
        "وقال", "من", "وقال", "وأضاف", "ولفت", "وتابع",
    ]
    assert got[5] == "وانتقد جونسون الرئيس السوري بشار الأسد وروسيا."
    assert got[6].endswith("مفاوضات السلام».")
    assert got[8].startswith("وقال الوزير الفرنسي في مقابلة مع شبكة «سي إن إن»:")
    assert got[11].endswith("جرائم حرب».")


# --- properties ----------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
    + list("0123456789٠٣aAzZ")
    + list(".!?؟…،؛:,\"'«»“”()[]-/@ـ\u064e")
    + [" ", " ", " ", "  ", "\n", "\r\n", "\r", "\t", "\u2028", "\u00a0", "\u200b", "\x85", "\x0c"]
    + ["د.", "ق.م.", "...", " قال ", " كما ", "3.5", "U.S.", " إن ", "؟» "]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_spans_and_whitespace_rebuild_the_input(text):
    spans = split_sentences(text)
    check_spans(text, spans)
    rebuilt = []
    pos = 0
    for a, b in spans:
        rebuilt.append(text[pos:a])
        rebuilt.append(text[a:b])
        pos = b
    rebuilt.append(text[pos:])
    assert "".join(rebuilt) == text
    assert all(b > a for a, b in spans)
    for a, b in spans:  # a line break always ends a segment
        assert not re.search(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]", text[a:b])


# --- NTREX-dev (skips when the shared data is absent) --------------------------------------------


def test_ntrex_dev_boundary_scores(ntrex_dir):
    from eval.segmentation import load_documents, raw_boundaries, evaluate

    report = evaluate(load_documents(ntrex_dir), raw_boundaries)
    assert report["precision"] >= 0.99 and report["f1"] >= 0.99, report
    assert report["splits_at_comma"] == 0
    assert report["splits_after_abbreviation"] == 0
    assert report["splits_at_mid_sentence_ellipsis"] == 0
    assert report["splits_between_quote_and_attribution"] == 0
