"""`mt batch --engine ray`: the same output bytes, errors file, summary and resume as the local engine.

One local Ray (2 CPUs) is started for the module and joined by the subprocesses with
``--ray-address``; one test lets `mt batch` start its own Ray, as a user without a cluster would.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys

import pytest

from tests.test_batch_cli import REPO, lines, run_mt, run_until
from tests.test_feed_runner import write_feed

ray = pytest.importorskip("ray")

WINDOW = ["--window-bytes", "800"]


def mt_args(tiny_model, *args) -> list[str]:
    return [sys.executable, "-m", "mt.cli", "batch", *map(str, args), "--model", str(tiny_model),
            "--backend", "ct2", "--beam-size", "1", "--max-new-tokens", "4", *WINDOW]


@pytest.fixture(scope="module")
def reference(tiny_model, tmp_path_factory):
    """The local engine's outputs for a 40-record feed with bad records: ref* without a cache,
    cached* with one (its ``cached`` flags differ)."""
    from mt.config import PipelineConfig
    from mt.feed import run_batch
    from mt.sentence_cache import SqliteSentenceCache

    work = tmp_path_factory.mktemp("ray-ref")
    feed = write_feed(work / "feed.jsonl", n=40)
    config = PipelineConfig(model=str(tiny_model), backend="ct2", beam_size=1, max_new_tokens=4)
    summary = run_batch([str(feed)], work / "ref.jsonl", config, summary=work / "ref.json", window_bytes=800)
    assert (summary.written, summary.failed) == (40, 30)
    cache = SqliteSentenceCache(work / "cache.sqlite3")
    run_batch([str(feed)], work / "cached.jsonl", config, cache=cache, summary=work / "cached.json", window_bytes=800)
    cache.close()
    return feed, work


@pytest.fixture(scope="module")
def ray_address():
    """A local Ray for this module's subprocesses to join (as they would join a cluster)."""
    from mt.feed.ray_engine import start_local_ray

    yield start_local_ray(num_cpus=2, object_store_bytes=128 * 1024**2)
    ray.shutdown()


def test_own_local_ray_with_a_cache_equals_the_local_engine(tiny_model, reference, tmp_path):
    """No address: `mt batch` starts (and stops) a Ray for this machine; the cache is shared by its actors."""
    feed, ref = reference
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    cache = tmp_path / "cache.sqlite3"
    cmd = mt_args(tiny_model, feed, "-o", tmp_path / "out.jsonl", "--summary", tmp_path / "s.json",
                  "--engine", "ray", "--cache", cache)
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert r.returncode == 1, r.stderr
    assert r.stderr.splitlines()[-1].startswith("mt batch: 70 records: 40 written"), r.stderr
    assert "Traceback" not in r.stderr and "WARNING" not in r.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == (ref / "cached.jsonl").read_bytes()
    assert (tmp_path / "out.errors.jsonl").read_bytes() == (ref / "cached.errors.jsonl").read_bytes()
    summary = json.loads((tmp_path / "s.json").read_text())
    expected = json.loads((ref / "cached.json").read_text())
    for k in ("records", "written", "skipped_existing", "failed", "sentences"):
        assert summary[k] == expected[k], k
    # real cache hits: windows in flight together do not see each other's entries, so there may be fewer
    assert 0 < summary["sentences_cached"] <= expected["sentences_cached"]
    assert cache.is_file() and cache.stat().st_size > 0  # the actors wrote the driver's --cache


def test_killed_and_resumed_on_a_cluster_is_byte_identical(tiny_model, reference, ray_address, tmp_path):
    """SIGKILL then SIGTERM partway through, rerun: OUT and the errors file are the uninterrupted local run's."""
    feed, ref = reference
    out = tmp_path / "out.jsonl"
    cmd = mt_args(tiny_model, feed, "-o", out, "--summary", tmp_path / "s.json", "--no-cache",
                  "--engine", "ray", "--ray-address", ray_address, "--actors", "2", "--threads-per-actor", "1")
    codes = []
    for n, sig in [(4, signal.SIGKILL), (14, signal.SIGTERM)]:
        codes.append(run_until(cmd, out, n, sig))
        data = out.read_bytes()
        assert (ref / "ref.jsonl").read_bytes().startswith(data[: data.rfind(b"\n") + 1])
    assert codes == [-signal.SIGKILL, 143], codes
    final = run_mt(cmd)
    assert final.returncode == 1, final.stderr
    assert out.read_bytes() == (ref / "ref.jsonl").read_bytes()
    assert (tmp_path / "out.errors.jsonl").read_bytes() == (ref / "ref.errors.jsonl").read_bytes()
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["written"] + summary["skipped_existing"] == 40 and summary["skipped_existing"] >= 4
    assert summary["failed"] == 30 and not summary["interrupted"]
    assert lines(out) == 40


def test_library_engine_in_a_callers_ray(tiny_model, ray_address, tmp_path):
    """BatchJob with RayEngine uses a Ray the caller already joined and leaves it running."""
    from mt.config import PipelineConfig
    from mt.feed.ray_engine import RayEngine, RayOptions
    from mt.feed.runner import BatchJob
    from mt.pipeline import Pipeline

    feed = write_feed(tmp_path / "feed.jsonl", n=6, bad=False)
    config = PipelineConfig(model=str(tiny_model), backend="ct2", beam_size=1, max_new_tokens=4, threads=1)
    local = BatchJob(Pipeline.from_config(config), [str(feed)], tmp_path / "local.jsonl", window_bytes=600).run()
    with RayEngine(config, RayOptions(actors=1), no_cache=True) as engine:
        assert engine.describe()["threads_per_actor"] == 1
        summary = BatchJob(None, [str(feed)], tmp_path / "ray.jsonl", window_bytes=600, engine=engine).run()
    assert ray.is_initialized()
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert (summary.written, summary.sentences) == (local.written, local.sentences)


def test_usage_errors_are_one_line(tiny_model, tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", n=1, bad=False)
    r = run_mt(mt_args(tiny_model, feed, "-o", tmp_path / "o.jsonl", "--actors", "2"))
    assert r.returncode == 2 and r.stderr == "mt: error: --ray-address, --actors and --threads-per-actor need --engine ray\n"
    # Ray not installed: a package named ray that cannot be imported shadows the real one
    fake = tmp_path / "noray" / "ray"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named ray')\n")
    env = {**os.environ, "PYTHONPATH": f"{fake.parent}{os.pathsep}{os.environ.get('PYTHONPATH', '')}", "HF_HUB_OFFLINE": "1"}
    r = subprocess.run(mt_args(tiny_model, feed, "-o", tmp_path / "o.jsonl", "--engine", "ray"),
                       capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "pip install 'newswire-mt[ray]'" in r.stderr
    assert not (tmp_path / "o.jsonl").exists() or (tmp_path / "o.jsonl").stat().st_size == 0


def test_stdin_and_a_finished_job_on_a_cluster(tiny_model, reference, ray_address, tmp_path):
    """stdin is read by Ray Data too (copied to a temporary file first); a rerun of a finished job
    checks OUT and translates nothing."""
    feed, ref = reference
    out = tmp_path / "out.jsonl"
    cmd = mt_args(tiny_model, "-", "-o", out, "--no-cache", "--summary", tmp_path / "s.json",
                  "--engine", "ray", "--ray-address", ray_address, "--actors", "1")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    for _ in range(2):
        with open(feed, "rb") as stdin:
            r = subprocess.run(cmd, stdin=stdin, capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
        assert r.returncode == 1, r.stderr
        assert out.read_bytes() == (ref / "ref.jsonl").read_bytes()
        errors = (tmp_path / "out.errors.jsonl").read_text()
        assert errors == (ref / "ref.errors.jsonl").read_text().replace(f'"input":"{feed}"', '"input":"<stdin>"')
    assert "70 records: 0 written, 40 already done, 30 failed" in r.stderr
    assert json.loads((tmp_path / "s.json").read_text())["sentences_translated"] == 0


def test_the_dataset_reads_and_preprocesses_in_tasks_and_translates_in_actors(tiny_model, reference, ray_address):
    from mt.config import PipelineConfig
    from mt.feed.ray_engine import RayEngine, RayOptions, read_windows
    from mt.feed.windows import Feed

    feed, _ = reference
    config = PipelineConfig(model=str(tiny_model), backend="ct2", beam_size=1, max_new_tokens=4)
    with RayEngine(config, RayOptions(actors=2, threads_per_actor=1), no_cache=True) as engine:
        specs = list(Feed((str(feed),), 800).plan())
        plan = str(engine.dataset(specs))
        # a read task's rows: each window's items and its records preprocessed, token ids included
        (first, *_) = read_windows(specs[:1], engine.config_json)
    # the read tasks (one row per window), then the actor pool
    assert plan.splitlines() == ["MapBatches(TranslateWindows)", f"+- Dataset(num_rows={len(specs)}, schema=Unknown schema)"]
    row = first.to_pylist()[0]
    items, prepared = pickle.loads(row["items"]), pickle.loads(row["prepared"])
    assert len(prepared) == sum(item.record is not None for item in items) > 0
    headline, body = prepared[0]
    assert body.sentences and all(s.input_ids and s.translation is None for s in body.sentences)


def test_a_model_that_does_not_load_is_one_line_before_any_record(tiny_model, ray_address, tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", n=2, bad=False)
    cmd = [sys.executable, "-m", "mt.cli", "batch", str(feed), "-o", str(tmp_path / "o.jsonl"), "--model",
           str(tmp_path / "nomodel"), "--engine", "ray", "--ray-address", ray_address]
    r = run_mt(cmd)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("mt: error: cannot load model") and "no such directory" in r.stderr
    assert not (tmp_path / "o.jsonl").exists() or (tmp_path / "o.jsonl").stat().st_size == 0
