"""The pipeline on the sample article with the tiny offline model."""

from __future__ import annotations

import re

import pytest

from mt import Pipeline, preprocess
from mt.document import Article

from mt.backends import ct2_available

FAST = {"beam_size": 1, "max_new_tokens": 6}
BACKENDS = [
    "torch",
    pytest.param("ct2", marks=pytest.mark.skipif(not ct2_available(), reason="ctranslate2 not installed")),
]


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request) -> str:
    """Every pipeline test runs on both engines: they share one output contract."""
    return request.param


@pytest.fixture(scope="module")
def pipeline(tiny_model, backend):
    return Pipeline(str(tiny_model), backend=backend, **FAST)


def _gaps_are_blank(article: Article) -> None:
    pos = 0
    for s in article.sentences:
        gap = article.text[pos : s.span[0]]
        assert not re.sub(r"[\s\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", "", gap), repr(gap)
        assert article.text[s.span[0] : s.span[1]] == s.source
        pos = s.span[1]
    assert not article.text[pos:].strip()


def test_every_sentence_translated_once_and_order_kept(pipeline, example_text):
    article = pipeline.translate_article(example_text)
    assert len(article.paragraphs) == 1
    assert len(article.sentences) >= 10
    assert all(s.translation for s in article.sentences)
    assert all(len(s.model_inputs) == 1 for s in article.sentences)
    _gaps_are_blank(article)
    spans = [s.span for s in article.sentences]
    assert spans == sorted(spans)


def test_deterministic_and_batched_equals_one_by_one(tiny_model, backend, example_text):
    batched = Pipeline(str(tiny_model), backend=backend, batch_size=8, **FAST).translate_article(example_text)
    again = Pipeline(str(tiny_model), backend=backend, batch_size=8, **FAST).translate_article(example_text)
    single = Pipeline(str(tiny_model), backend=backend, batch_size=1, **FAST).translate_article(example_text)
    first = [s.translation for s in batched.sentences]
    assert first == [s.translation for s in again.sentences]
    assert first == [s.translation for s in single.sentences]


def test_paragraph_structure_and_blank_lines_kept(pipeline):
    text = "\nالفقرة الأولى. جملة ثانية.\n\n\nالفقرة الثانية\n"
    article = pipeline.translate_article(text)
    assert [len(p.sentences) for p in article.paragraphs] == [2, 1]
    lines = article.translation.split("\n")
    assert lines[0] == "" and lines[2:4] == ["", ""] and lines[-1] == ""
    assert lines[1] and lines[4]
    _gaps_are_blank(article)


def test_empty_and_blank_input_gives_empty_article(pipeline):
    assert pipeline.translate_article("").translation == ""
    assert pipeline.translate_article("  \n \n").sentences == []


def test_model_inputs_are_moses_normalised_but_repaired_text_is_not(pipeline):
    article = pipeline.preprocess("قال «مرحبا» أمس.")
    sentence = article.sentences[0]
    assert "«" in sentence.repaired
    assert sentence.model_inputs == ['قال "مرحبا" أمس.']


def test_overlong_sentence_is_chunked_never_truncated(tiny_model, backend):
    pipe = Pipeline(str(tiny_model), backend=backend, max_sentence_tokens=24, **FAST)
    words = "وقال الوزير إن الحكومة ستعمل على تحسين الأوضاع، ثم أضاف أن الاجتماع كان مثمرا".split()
    text = " ".join(words * 6) + "."
    article = pipe.translate_article(text)
    (sentence,) = article.sentences
    assert sentence.chunked
    assert all(n <= 24 for n in pipe.count_tokens(sentence.model_inputs))
    assert "".join(sentence.model_inputs).replace(" ", "") == text.replace(" ", "")
    assert sentence.translation


def test_translate_lines_keeps_one_article_per_line(pipeline):
    articles = pipeline.translate_lines(["جملة أولى. وجملة ثانية.", "", "سطر ثالث"])
    assert len(articles) == 3
    assert articles[1].translation == ""
    assert "\n" not in articles[0].translation


def test_preprocess_api_repairs_the_sample_article(example_text):
    article = preprocess(example_text)
    repaired = " ".join(s.repaired for s in article.sentences)
    assert "الأمم المتحدة" in repaired
    assert "روسيا وإيران" in repaired
    assert all(s.translation is None for s in article.sentences)
    assert all(e.before == example_text[e.start : e.end] for e in article.edits)


def test_signature_and_description_name_model_and_settings(pipeline, backend, tiny_model):
    sig = pipeline.signature()
    assert f"backend:{backend}" in sig and "beam:1" in sig and "rev:dir:" in sig
    info = pipeline.describe()
    assert info["model"] == str(tiny_model)
    assert info["preprocessing"].startswith("v")


def test_progress_counts_every_model_input(tiny_model, backend, example_text):
    pipe = Pipeline(str(tiny_model), backend=backend, batch_size=2, **FAST)
    done: list[int] = []
    article = pipe.translate_article(example_text, progress=done.append)
    assert sum(done) == sum(len(s.model_inputs) for s in article.sentences) and len(done) > 1


def test_progress_bar_on_a_terminal_only(monkeypatch, capsys):
    from mt.cli.translate import progress_bar

    assert progress_bar(100) is None  # captured stderr is not a terminal
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    bar = progress_bar(100)
    bar.update(10)
    bar.close()
    assert "translating" in capsys.readouterr().err
