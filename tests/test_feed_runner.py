"""run_batch as a library: output records, resume after torn or dropped lines, the cache, updates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mt.feed import run_batch, translate_record
from mt.feed.ledger import JsonlLedger, LedgerError
from mt.feed.records import parse_record
from mt.sentence_cache import SqliteSentenceCache

SENTENCES = [
    "اشتدت حدة المعارك في مدينة حلب أمس.",
    "وقالت الشبكة إن المعارك تركزت في أحياء بستان الباشا.",
    "وأكد ناشطون أن الطيران واصل قصف المدينة وريفها.",
    "ودارت اشتباكات عنيفة بين المدافعين عن المدينة والقوات المهاجمة.",
]


def article(n: int, paragraphs: int = 3) -> str:
    """A small article whose sentences are unique to ``n`` (and some shared by all articles)."""
    return "\n".join(f"{SENTENCES[(n + p) % 4][:-1]} في اليوم {n * 10 + p}. {SENTENCES[p % 4]}" for p in range(paragraphs))


def write_feed(path: Path, n: int = 12, bad: bool = True) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"uri": f"urn:{i}", "version": 1, "headline": f"عنوان الخبر {i}", "body": article(i), "lang": "ar"}, ensure_ascii=False) + "\n")
            if bad and i % 4 == 1:
                fh.write('{"uri": "broken", "body": \n[1]\n{"uri": "x", "body": 5}\n')
    return path


@pytest.fixture(scope="module")
def pipeline(tiny_model):
    from mt.pipeline import Pipeline

    return Pipeline(str(tiny_model), backend="ct2", beam_size=1, max_new_tokens=4, threads=1)


@pytest.fixture
def cached_pipeline(pipeline, tmp_path):
    pipeline.cache = SqliteSentenceCache(tmp_path / "cache.sqlite3")
    yield pipeline
    pipeline.cache.close()
    pipeline.cache = None


def test_output_record_layout(pipeline, tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", n=3, bad=False)
    summary = run_batch([str(feed)], tmp_path / "out.jsonl", pipeline=pipeline, window_bytes=600)
    assert (summary.records, summary.written, summary.failed) == (3, 3, 0)
    rec = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert list(rec) == ["uri", "version", "headline", "body", "lang", "translation", "signature"]
    t = rec["translation"]
    assert t["body"].count("\n") == 2 and isinstance(t["headline"], str)
    parts = [s["part"] for s in t["sentences"]]
    assert parts == ["headline"] + ["body"] * 6
    assert list(t["sentences"][0]) == ["part", "span", "source", "repaired", "translation", "cached", "qa", "chunked", "truncated", "score", "edits"]
    assert rec["signature"] == pipeline.signature()
    # the service's one-record function gives the same record
    same = translate_record(pipeline, parse_record({k: rec[k] for k in ["uri", "version", "headline", "body", "lang"]}))
    assert same == rec


def test_empty_body_is_an_empty_translation(pipeline, tmp_path):
    feed = tmp_path / "f.jsonl"
    feed.write_text('{"uri": "a", "body": ""}\n', encoding="utf-8")
    run_batch([str(feed)], tmp_path / "o.jsonl", pipeline=pipeline)
    rec = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))
    assert rec["translation"] == {"headline": None, "body": "", "sentences": []}


@pytest.mark.parametrize("use_cache", [True, False])
def test_resume_after_torn_and_lost_lines_is_byte_identical(pipeline, tmp_path, use_cache):
    if use_cache:
        pipeline.cache = SqliteSentenceCache(tmp_path / "c.sqlite3")
    try:
        feed = write_feed(tmp_path / "feed.jsonl")
        ref = tmp_path / "ref.jsonl"
        first = run_batch([str(feed)], ref, pipeline=pipeline, window_bytes=1000)
        assert first.failed == 9 and first.written == 12
        data, errors = ref.read_bytes(), (tmp_path / "ref.errors.jsonl").read_bytes()
        out = tmp_path / "out.jsonl"
        lines = data.splitlines(keepends=True)
        for cut in (len(data) - 5, len(b"".join(lines[:5])) + 40, len(b"".join(lines[:1])), 0):
            out.write_bytes(data[:cut])  # a crash: the last line torn, lines of a window lost
            (tmp_path / "out.errors.jsonl").write_bytes(errors[: cut // 50])
            s = run_batch([str(feed)], out, pipeline=pipeline, window_bytes=1000)
            assert out.read_bytes() == data
            assert (tmp_path / "out.errors.jsonl").read_bytes() == errors
            assert s.written + s.skipped_existing == 12 and s.failed == 9
    finally:
        pipeline.cache = None


def test_cached_flag_is_reproducible_and_counts_are_real(cached_pipeline, tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", bad=False)
    first = run_batch([str(feed)], tmp_path / "a.jsonl", pipeline=cached_pipeline, window_bytes=800)
    again = run_batch([str(feed)], tmp_path / "b.jsonl", pipeline=cached_pipeline, window_bytes=800)
    assert first.sentences_cached < first.sentences and first.sentences_translated > 0
    assert again.sentences_cached == again.sentences and again.sentences_translated == 0
    # the output does not depend on what the cache held before the job
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    recs = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    flags = [s["cached"] for r in recs for s in r["translation"]["sentences"]]
    assert not any(flags[:7]) and any(flags)  # shared sentences repeat from the second article on


def test_update_with_one_new_paragraph_translates_only_new_sentences(cached_pipeline, tmp_path):
    v1 = {"uri": "urn:story", "version": 1, "headline": "عنوان", "body": article(5)}
    v2 = {**v1, "version": 2, "body": v1["body"] + "\nوأعلن المرصد مقتل عشرة مدنيين في القصف الجديد. وتعرضت مدرسة لأضرار."}
    (tmp_path / "v1.jsonl").write_text(json.dumps(v1, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "v2.jsonl").write_text(json.dumps(v2, ensure_ascii=False) + "\n", encoding="utf-8")
    run_batch([str(tmp_path / "v1.jsonl")], tmp_path / "o1.jsonl", pipeline=cached_pipeline)
    sent: list[int] = []
    translate_ids = cached_pipeline.translator.translate_ids
    cached_pipeline.translator.translate_ids = lambda ids, **kw: sent.append(len(ids)) or translate_ids(ids, **kw)
    try:
        s = run_batch([str(tmp_path / "v2.jsonl")], tmp_path / "o2.jsonl", pipeline=cached_pipeline)
    finally:
        del cached_pipeline.translator.translate_ids
    assert sent == [2] and s.sentences_translated == 2 and s.sentences_cached == s.sentences - 2


def test_cache_key_changes_with_model_or_decoding(tiny_model, tmp_path):
    from mt.pipeline import Pipeline
    from mt.translator import Translator

    base = Pipeline(str(tiny_model), backend="ct2", beam_size=1, max_new_tokens=4)
    backend = base.translator.backend
    keys = {
        base.translation_key(),
        Pipeline(str(tiny_model), translator=Translator(backend=backend, beam_size=1, max_new_tokens=5)).translation_key(),
        Pipeline(str(tiny_model), translator=Translator(backend=backend, beam_size=2, max_new_tokens=4)).translation_key(),
    }
    assert len(keys) == 3
    other = tmp_path / "other"
    other.mkdir()
    for f in tiny_model.iterdir():
        (other / f.name).write_bytes(f.read_bytes())
    (other / "generation_config.json").write_text(
        (tiny_model / "generation_config.json").read_text().replace("{", '{"x_note": 1,', 1)
    )
    assert Pipeline(str(other), backend="ct2", beam_size=1, max_new_tokens=4).translation_key() not in keys


def test_output_from_another_feed_is_refused(pipeline, tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", n=2, bad=False)
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps({"uri": "zzz", "body": "x", "translation": {}, "signature": "s"}) + "\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="line 1 holds uri 'zzz'.*--restart"):
        run_batch([str(feed)], out, pipeline=pipeline)
    assert run_batch([str(feed)], out, pipeline=pipeline, restart=True).written == 2


def test_one_writer_per_output(tmp_path):
    with JsonlLedger(tmp_path / "o.jsonl"):
        with pytest.raises(LedgerError, match="another job"):
            JsonlLedger(tmp_path / "o.jsonl")


def test_folder_feed(pipeline, tmp_path):
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "sub" / "b.txt").write_text(article(1), encoding="utf-8")
    (tmp_path / "in" / "a.txt").write_text(article(2, 1) + "\n", encoding="utf-8")
    s = run_batch([str(tmp_path / "in")], tmp_path / "o.jsonl", pipeline=pipeline)
    recs = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    assert s.written == 2 and [r["uri"] for r in recs] == ["a.txt", "sub/b.txt"]
    assert recs[0]["translation"]["body"].endswith("\n") and recs[0]["translation"]["headline"] is None
