"""One Pipeline, many callers: threads get exactly the sequential result; stream pools and bounds."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from mt import Pipeline

FAST = dict(beam_size=1, max_new_tokens=6)


@pytest.fixture(scope="module")
def articles(example_text) -> list[str]:
    """200 short articles: sentences of the sample article in varying combinations, some re-sent."""
    sentences = [s.strip() for s in re.split(r"(?<=[.؟!])\s+", example_text) if len(s.strip()) > 5]
    out = []
    for i in range(200):
        k = 1 + i % 3
        picked = [sentences[(i * 7 + j * 5) % len(sentences)] for j in range(k)]
        out.append(" ".join(picked) + ("\n\n" + sentences[i % len(sentences)] if i % 4 == 0 else ""))
    return out


def _record(article) -> list:
    return [(s.span, s.repaired, s.model_inputs, s.translation, [e.to_dict() for e in s.edits]) for s in article.sentences]


@pytest.mark.parametrize("backend", ["torch", "ct2"])
def test_eight_threads_get_the_sequential_result(tiny_model, articles, backend):
    if backend == "ct2":
        pytest.importorskip("ctranslate2")  # the optional [ct2] extra
    pipe = Pipeline(str(tiny_model), backend=backend, threads=1, **FAST)  # a tiny model: one thread is enough
    sequential = [_record(pipe.translate_article(t)) for t in articles]
    with ThreadPoolExecutor(8) as pool:
        threaded = list(pool.map(lambda t: _record(pipe.translate_article(t)), articles))
    assert threaded == sequential
    with ThreadPoolExecutor(8) as pool:  # whole batches of articles from several threads at once
        chunks = [articles[i : i + 25] for i in range(0, len(articles), 25)]
        streamed = [a for part in pool.map(lambda c: [_record(x) for x in pipe.stream(c)], chunks) for a in part]
    assert streamed == sequential


class CountingBackend:
    """Wraps a backend and records the size of every batch it is given."""

    def __init__(self, inner):
        self.inner = inner
        self.batches: list[int] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def generate(self, batches):
        for batch in batches:
            self.batches.append(len(batch.ids))
            yield from self.inner.generate([batch])


def test_stream_keeps_order_and_pools_neighbouring_articles(tiny_model, articles):
    from mt.backends import load_backend

    backend = CountingBackend(load_backend(str(tiny_model), "torch", "cpu"))
    pipe = Pipeline.from_config(Pipeline(str(tiny_model), backend="torch", batch_size=8, **FAST).config, backend=backend)
    texts = articles[:40]
    one_by_one = [_record(pipe.translate_article(t)) for t in texts]
    backend.batches.clear()
    streamed = [_record(a) for a in pipe.stream(texts)]
    assert streamed == one_by_one
    assert max(backend.batches) == 8  # sentences of several (1-4 sentence) articles share batches


def test_stream_reads_ahead_a_bounded_window(tiny_model, articles):
    pipe = Pipeline(str(tiny_model), backend="torch", **FAST)
    pulled = 0

    def feed():
        nonlocal pulled
        for i in range(10_000):  # far more than is ever read
            pulled += 1
            yield articles[i % len(articles)]

    stream = pipe.stream(feed(), window=20)
    first = next(stream)
    assert first.translation and pulled <= 20  # at most a window of sentences (>= 1 per article)
    for _ in range(30):
        next(stream)
    assert pulled <= 31 + 20


def test_pipeline_config_round_trips_and_builds_the_same_pipeline(tiny_model, example_text):
    import pickle

    from mt.config import PipelineConfig

    config = PipelineConfig(model=str(tiny_model), backend="torch", **FAST)
    assert PipelineConfig.from_json(config.to_json()) == config == pickle.loads(pickle.dumps(config))
    a = Pipeline.from_config(config)
    b = Pipeline.from_config(PipelineConfig.from_json(config.to_json()))
    assert a.signature() == b.signature()
    assert a.translate_article(example_text).translation == b.translate_article(example_text).translation
