"""mt-eval bench: runs on the tiny model with a few lines and reports every promised field."""

from __future__ import annotations

import argparse
import json

import pytest

from eval import bench

SOURCES = [
    "قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل في جنيف.",
    "ارتفعت أسعار النفط بنسبة ثلاثة في المئة يوم الثلاثاء.",
    "دعت الأمم المتحدة إلى وقف فوري لإطلاق النار.",
    "",
    "أغلقت المدارس أبوابها بسبب العاصفة الثلجية.",
]
REFERENCES = [
    "The foreign minister said the talks would resume next week in Geneva.",
    "Oil prices rose by three percent on Tuesday.",
    "The United Nations called for an immediate ceasefire.",
    "",
    "Schools closed because of the snowstorm.",
]
DOCIDS = ["a", "a", "b", "b", "c"]

FIELDS = {
    "tokens_per_s", "sentences_per_s", "wall_s", "load_s", "peak_rss_mb", "rss_after_load_mb",
    "target_tokens", "token_count_method", "article_latency", "hardware", "threads", "versions",
    "backend", "compute_type", "device", "beam_size", "cuda_peak_allocated_mb", "config",
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bench")
    for name, lines in (("src.ar", SOURCES), ("ref.en", REFERENCES), ("docids", DOCIDS)):
        (d / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return d


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("NEWSWIRE_CACHE", str(tmp_path_factory.getbasetemp() / "bench-ct2-cache"))


def _args(*argv):
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    return parser.parse_args(list(argv))


def _common(tiny_model, files):
    return ["--model", str(tiny_model), "--src", str(files / "src.ar"), "--beam-size", "1", "--threads", "1"]


@pytest.mark.parametrize("backend", ["torch", "ct2"])
def test_bench_json_fields(backend, tiny_model, files, capsys):
    if backend == "ct2":
        pytest.importorskip("ctranslate2")  # the optional [ct2] extra
    args = _args(*_common(tiny_model, files), "--backend", backend,
                 "--force-lengths-from", str(files / "ref.en"), "--docids", str(files / "docids"), "--json")
    assert bench.run_from_args(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert FIELDS <= set(data)
    assert data["backend"] == backend and data["sentences"] == 4  # the empty line never reaches the model
    assert data["token_count_method"] == "forced" and data["target_tokens"] > 0
    assert data["tokens_per_s"] > 0 and data["peak_rss_mb"] > 0 and data["wall_s"] > 0
    assert data["article_latency"]["articles"] == 3
    assert data["article_latency"]["p95_s"] >= data["article_latency"]["p50_s"]
    assert data["hardware"]["logical_cpus"] >= 1 and "loadavg" in data["hardware"]
    assert "transformers" in data["versions"]


def test_forced_lengths_are_identical_work(tiny_model, files):
    pytest.importorskip("ctranslate2")
    common = dict(model=str(tiny_model), src=str(files / "src.ar"), beam_size=1, threads=1,
                  force_lengths_from=str(files / "ref.en"))
    a = bench.run_benchmark(bench.BenchConfig(backend="torch", **common))
    b = bench.run_benchmark(bench.BenchConfig(backend="ct2", compute_type="int8", **common))
    assert a.target_tokens == b.target_tokens and a.batches == b.batches


def test_unforced_counts_retokenized_output(tiny_model, files, capsys):
    pytest.importorskip("ctranslate2")
    args = _args(*_common(tiny_model, files), "--backend", "ct2", "--max-new-tokens", "6", "--batch-size", "2")
    assert bench.run_from_args(args) == 0
    out = capsys.readouterr().out
    assert "tokens/s" in out and "retokenized" in out and "batches" in out


def test_subprocess_measurement(tiny_model, files):
    pytest.importorskip("ctranslate2")
    cfg = bench.BenchConfig(model=str(tiny_model), src=str(files / "src.ar"), backend="ct2", beam_size=1,
                            threads=1, max_new_tokens=4)
    result = bench.run_benchmark_subprocess(cfg, timeout=300)
    assert result.sentences == 4 and result.peak_rss_mb > 0 and result.load_s >= 0


def test_plan_bench_batches_groups_similar_lengths():
    batches = bench.plan_bench_batches([5, 6, 7, 8], [10, 3, 10, 3], batch_size=2, max_batch_tokens=None)
    assert sorted(sorted(b) for b in batches) == [[0, 2], [1, 3]]
    assert sorted(i for b in batches for i in b) == [0, 1, 2, 3]


def test_token_budget_alone_is_the_only_batch_limit(tiny_model, files):
    both = bench.config_from_args(_args(*_common(tiny_model, files), "--batch-size", "4", "--max-batch-tokens", "64"))
    assert (both.batch_size, both.max_batch_tokens) == (4, 64)
    with pytest.raises(ValueError, match="--batch-size"):
        bench.config_from_args(_args(*_common(tiny_model, files), "--batch-size", "0"))
    cfg = bench.config_from_args(_args(*_common(tiny_model, files), "--max-batch-tokens", "64"))
    assert cfg.batch_size is None and cfg.max_batch_tokens == 64
    assert bench.config_from_args(_args(*_common(tiny_model, files))).batch_size == bench.DEFAULT_BATCH_SIZE


def test_bad_model_exits_2(files, capsys):
    args = _args("--model", str(files / "no-such-model"), "--src", str(files / "src.ar"), "--backend", "ct2")
    pytest.importorskip("ctranslate2")
    assert bench.run_from_args(args) == 2
    assert "no-such-model" in capsys.readouterr().err
