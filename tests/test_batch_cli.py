"""`mt batch` end to end in subprocesses: kills at random moments and reruns, exit codes, the cache."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


from tests.test_feed_runner import write_feed

REPO = Path(__file__).resolve().parents[1]


def mt_args(tiny_model, *args) -> list[str]:
    return [sys.executable, "-m", "mt.cli", "batch", *map(str, args), "--model", str(tiny_model),
            "--backend", "ct2", "--beam-size", "1", "--max-new-tokens", "4"]


def run_mt(cmd: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=300)


def lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def run_until(cmd: list[str], out: Path, n: int, sig: int) -> int:
    """Start ``cmd``, send ``sig`` once OUT has at least ``n`` lines; returns the exit status."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while proc.poll() is None and lines(out) < n and time.monotonic() < deadline:
        time.sleep(0.002)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    if sig != signal.SIGKILL and proc.returncode in (130, 143):
        assert "rerun the same command" in err and "Traceback" not in err
    return proc.returncode


def test_kills_at_several_points_then_rerun_is_byte_identical(tiny_model, tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", n=60)
    ref, out = tmp_path / "ref.jsonl", tmp_path / "out.jsonl"
    common = ["--window-bytes", "800", "--no-cache"]
    done = run_mt(mt_args(tiny_model, feed, "-o", ref, "--summary", tmp_path / "ref.json", *common))
    assert done.returncode == 1, done.stderr  # bad records: exit 1
    assert "60 written" in done.stderr and "45 failed" in done.stderr
    cmd = mt_args(tiny_model, feed, "-o", out, "--summary", tmp_path / "s.json", *common)
    codes = []
    for n, sig in [(1, signal.SIGKILL), (8, signal.SIGTERM), (16, signal.SIGINT), (28, signal.SIGKILL)]:
        codes.append(run_until(cmd, out, n, sig))
        data = out.read_bytes()
        assert ref.read_bytes().startswith(data[: data.rfind(b"\n") + 1])  # a prefix, whatever happened
        if sig != signal.SIGKILL and codes[-1] in (130, 143):
            assert data.endswith(b"\n") and json.loads((tmp_path / "s.json").read_text())["interrupted"] is True
    assert -signal.SIGKILL in codes and (143 in codes or 130 in codes), codes
    final = run_mt(cmd)
    assert final.returncode == 1, final.stderr
    assert out.read_bytes() == ref.read_bytes()
    assert (tmp_path / "out.errors.jsonl").read_bytes() == (tmp_path / "ref.errors.jsonl").read_bytes()
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["failed"] == 45 and summary["written"] + summary["skipped_existing"] == 60
    assert set(summary) >= {"records", "written", "skipped_existing", "failed", "sentences", "sentences_cached",
                            "sentences_translated", "seconds"}


def test_usage_errors_exit_2_with_one_line(tiny_model, tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", n=1, bad=False)
    for args, message in [
        ([tmp_path / "missing.jsonl", "-o", tmp_path / "o.jsonl"], "missing.jsonl: no such file"),
        ([feed, "-o", tmp_path / "nodir" / "o.jsonl"], "does not exist"),
        ([feed, "-o", tmp_path], "is a folder"),
        ([feed, "-o", feed], "is also an input"),
    ]:
        r = run_mt(mt_args(tiny_model, *args))
        assert r.returncode == 2 and message in r.stderr, r.stderr
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    r = run_mt(mt_args(tiny_model, feed, "-o", tmp_path / "o.jsonl", "--cache", "x", "--no-cache"))
    assert r.returncode == 2


def test_two_processes_share_one_cache_and_a_folder_feed(tiny_model, tmp_path):
    cache = tmp_path / "shared.sqlite3"
    feed = write_feed(tmp_path / "feed.jsonl", n=20, bad=False)
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(10):
        (folder / f"{i:02d}.txt").write_text(json.loads(feed.read_text(encoding="utf-8").splitlines()[i])["body"], encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    procs = [
        subprocess.Popen(mt_args(tiny_model, src, "-o", tmp_path / f"o{k}.jsonl", "--cache", cache, "--window-bytes", "600",
                                 "--summary", tmp_path / f"s{k}.json"), env=env, cwd=REPO, stderr=subprocess.PIPE, text=True)
        for k, src in enumerate([feed, folder])
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert lines(tmp_path / "o0.jsonl") == 20 and lines(tmp_path / "o1.jsonl") == 10
    uris = [json.loads(x)["uri"] for x in (tmp_path / "o1.jsonl").read_text(encoding="utf-8").splitlines()]
    assert uris == [f"{i:02d}.txt" for i in range(10)]
    # a third run of the same feed finds everything in the cache
    again = run_mt(mt_args(tiny_model, feed, "-o", tmp_path / "o2.jsonl", "--cache", cache, "--summary", tmp_path / "s2.json"))
    s2 = json.loads((tmp_path / "s2.json").read_text())
    assert again.returncode == 0 and s2["sentences_translated"] == 0 and s2["sentences_cached"] == s2["sentences"]
    stats = subprocess.run([sys.executable, "-m", "mt.cli", "cache", "stats", "--json", "--cache", str(cache)],
                           capture_output=True, text=True, cwd=REPO, env=env)
    assert json.loads(stats.stdout)["entries"] > 0
    cleared = subprocess.run([sys.executable, "-m", "mt.cli", "cache", "clear", "--cache", str(cache)],
                             capture_output=True, text=True, cwd=REPO, env=env)
    assert cleared.returncode == 0 and "cleared" in cleared.stdout
