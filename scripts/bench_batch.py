#!/usr/bin/env python
"""Issue 11's benchmark: `mt batch` throughput vs the raw backend, the cache speed-up, flat memory.

    python scripts/bench_batch.py [--model models/opus-bench] [--threads 2] [--max-new-tokens 48]
                                  [--rss-articles 100000] [--skip-rss] [--workdir DIR]

(a) the NTREX dev documents as a feed (one article per docid, first line as headline), ct2 int8
    greedy: `mt batch`'s engine (``mt.feed.run_batch``: reading, preprocessing, windows of shared
    batches, the sentence cache, JSON records, fsync) against the backend's raw ``generate`` on the
    same unique model inputs with the same planner (one plan over all of them); target tokens/s of
    both counted on the raw outputs (the outputs are checked identical). Interleaved, best of two;
    each `mt batch` run starts with an empty cache.
(b) the same feed again into a new OUT with the warm cache: time ratio first run / cached run.
(c) `python -m mt.cli batch` in a subprocess on a generated feed (scripts/make_feed.py, default
    100,000 synthetic articles from NTREX sentences) with the tiny test model, ct2, greedy,
    --max-new-tokens 4 and a sentence cache: resident memory sampled every 0.5 s, reported when
    OUT reaches 1k, 10k, 50k and all articles, and the peak.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from mt.testing import ensure_test_model  # noqa: E402
from make_feed import ntrex_feed, synthetic_feed  # noqa: E402


def throughput(args, model: Path, work: Path) -> dict:
    """(a) and (b): in one process, one loaded engine shared by the raw path and `mt batch`'s."""
    from eval.bench import count_output_tokens
    from mt.backends.base import Batch, DecodeOptions
    from mt.batching import plan_batches
    from mt.config import PipelineConfig
    from mt.feed import read_feed, run_batch
    from mt.feed.output import prepare_record, record_sentences
    from mt.pipeline import Pipeline
    from mt.sentence_cache import SqliteSentenceCache

    feed = work / "ntrex-feed.jsonl"
    articles = ntrex_feed(feed)
    config = PipelineConfig(model=str(model), backend="ct2", device="cpu", compute_type="int8", beam_size=1,
                            max_new_tokens=args.max_new_tokens, threads=args.threads, batch_size=args.batch_size)
    pipeline = Pipeline.from_config(config)
    backend = pipeline.translator.backend
    options = DecodeOptions(beam_size=1, max_new_tokens=args.max_new_tokens)
    records = [item.record for item in read_feed([str(feed)]) if item.record is not None]
    sentences = [s for r in records for s in record_sentences(*prepare_record(pipeline.preprocess, r))]
    inputs = list(dict.fromkeys(m for s in sentences for m in s.model_inputs if m.strip()))
    ids = backend.encode(inputs)
    plan = plan_batches([len(r) for r in ids], config.batch_size, config.max_batch_tokens,
                        limits=backend.job_limits(options), beam_size=1, max_target=options.max_new_tokens)

    def run_raw() -> tuple[float, list[str]]:
        outs = [""] * len(inputs)
        t0 = time.perf_counter()
        for b, hyps in zip(plan, backend.generate(Batch([ids[i] for i in b], options) for b in plan)):
            for i, h in zip(b, hyps):
                outs[i] = h.text
        return time.perf_counter() - t0, outs

    runs = 0

    def run_mt_batch(cache: SqliteSentenceCache) -> tuple[float, object]:
        nonlocal runs
        runs += 1
        pipeline.cache = cache
        t0 = time.perf_counter()
        summary = run_batch([str(feed)], work / f"out{runs}.jsonl", pipeline=pipeline)
        return time.perf_counter() - t0, summary

    pipeline.translate_article(records[0].body.splitlines()[0])  # warm-up
    times: dict[str, list[float]] = {"raw": [], "batch": []}
    caches = []
    for k in range(2):
        t, raw_out = run_raw()
        times["raw"].append(t)
        caches.append(SqliteSentenceCache(work / f"cache{k}.sqlite3"))
        t, first = run_mt_batch(caches[-1])
        times["batch"].append(t)
    cached_t, cached = run_mt_batch(caches[-1])
    # the records' translations are the raw outputs
    by_input = dict(zip(inputs, raw_out))
    got = [s for line in (work / f"out{runs}.jsonl").read_text(encoding="utf-8").splitlines()
           for s in json.loads(line)["translation"]["sentences"]]
    same = sum(not s["chunked"] and s["translation"] == by_input.get(pipeline.translator.model_input(s["repaired"]), "")
               for s in got)
    tokens = count_output_tokens(backend.tokens, raw_out)
    best = {k: min(v) for k, v in times.items()}
    return {
        "articles": articles,
        "sentences": len(sentences),
        "model_inputs": len(inputs),
        "target_tokens": tokens,
        "seconds": {k: [round(x, 2) for x in v] for k, v in times.items()},
        "raw_tokens_per_s": round(tokens / best["raw"], 1),
        "batch_tokens_per_s": round(tokens / best["batch"], 1),
        "ratio": round(best["raw"] / best["batch"], 3),
        "identical_outputs": f"{same}/{len(got)}",
        "first_run_summary": first.to_dict(),
        "cached_seconds": round(cached_t, 3),
        "cached_summary": cached.to_dict(),
        "cache_speedup": round(best["batch"] / cached_t, 1),
    }


def rss_of(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def flat_memory(args, work: Path) -> dict:
    """(c): RSS of a real `mt batch` process over a long generated feed."""
    tiny = ensure_test_model(work / "tiny-model", "tiny")
    feed = work / "big-feed.jsonl"
    t0 = time.perf_counter()
    synthetic_feed(feed, args.rss_articles, args.rss_sentences, 0, 0)
    print(f"  generated {args.rss_articles} articles in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    out = work / "big-out.jsonl"
    cmd = [sys.executable, "-m", "mt.cli", "batch", str(feed), "-o", str(out), "--cache", str(work / "big-cache.sqlite3"),
           "--summary", str(work / "big-summary.json"), "--model", str(tiny), "--backend", "ct2",
           "--beam-size", "1", "--max-new-tokens", "4", "--threads", str(args.threads)]
    proc = subprocess.Popen(cmd, cwd=REPO, env={**os.environ, "HF_HUB_OFFLINE": "1"}, stderr=subprocess.PIPE, text=True)
    marks = sorted({m for m in (1000, 10_000, 50_000, args.rss_articles) if m <= args.rss_articles})
    at: dict[int, float] = {}
    peak, samples, lines, pos = 0.0, [], 0, 0
    t0 = time.perf_counter()
    while proc.poll() is None:
        time.sleep(0.5)
        rss = rss_of(proc.pid)
        if rss is None:
            break
        try:
            with open(out, "rb") as fh:  # count new lines only
                fh.seek(pos)
                chunk = fh.read()
                pos += len(chunk)
                lines += chunk.count(b"\n")
        except FileNotFoundError:
            pass
        peak = max(peak, rss)
        samples.append((round(time.perf_counter() - t0, 1), lines, round(rss, 1)))
        for m in marks:
            if m not in at and lines >= m:
                at[m] = rss
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"mt batch failed ({proc.returncode}): {err[-2000:]}")
    return {"articles": args.rss_articles, "sentences_per_article": args.rss_sentences + 1,
            "rss_mb_at": {str(k): round(v, 1) for k, v in at.items()}, "peak_rss_mb": round(peak, 1),
            "seconds": round(time.perf_counter() - t0, 1), "summary": json.loads((work / "big-summary.json").read_text()),
            "samples": samples[:: max(1, len(samples) // 40)]}


def markdown(tp: dict | None, mem: dict | None, meta: dict) -> str:
    out = [f"`mt batch` benchmark, {meta['threads']} CPU threads, load average before/after {meta['load_before']} / {meta['load_after']}.", ""]
    if tp:
        s1, s2 = tp["first_run_summary"], tp["cached_summary"]
        out += [
            f"NTREX dev as a feed ({tp['articles']} articles, {tp['sentences']} sentences, {tp['model_inputs']} unique model inputs), "
            f"opus-size test model, ct2 int8 greedy, --max-new-tokens {meta['max_new_tokens']}, {tp['target_tokens']} target tokens; "
            f"outputs identical to raw: {tp['identical_outputs']}.",
            "",
            "| run | seconds | target tok/s | vs raw backend |",
            "|---|---:|---:|---:|",
            f"| raw backend `generate` (one plan) | {min(tp['seconds']['raw']):.2f} | {tp['raw_tokens_per_s']:.0f} | 100 % |",
            f"| `mt batch`, empty cache ({s1['sentences_translated']} sentences to the model) | {min(tp['seconds']['batch']):.2f} | "
            f"{tp['batch_tokens_per_s']:.0f} | **{100 * tp['ratio']:.0f} %** |",
            f"| `mt batch` again, warm cache ({s2['sentences_cached']}/{s2['sentences']} cached) | {tp['cached_seconds']:.2f} | - | "
            f"**{tp['cache_speedup']:.0f}x faster** |",
            "",
        ]
    if mem:
        at = mem["rss_mb_at"]
        out += [
            f"Memory: `mt batch` subprocess on {mem['articles']} generated articles (~{mem['sentences_per_article']} sentences each), "
            f"tiny test model, ct2, --max-new-tokens 4, sentence cache on; {mem['seconds']:.0f} s.",
            "",
            "| articles written | " + " | ".join(at) + " | peak |",
            "|---|" + "---:|" * (len(at) + 1),
            "| RSS MB | " + " | ".join(f"{v:.0f}" for v in at.values()) + f" | {mem['peak_rss_mb']:.0f} |",
        ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=REPO / "models" / "opus-bench")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--rss-articles", type=int, default=100_000)
    ap.add_argument("--rss-sentences", type=int, default=3, help="body sentences per generated article")
    ap.add_argument("--skip-rss", action="store_true")
    ap.add_argument("--only-rss", action="store_true")
    ap.add_argument("--workdir", type=Path, default=None, help="keep feeds and outputs here (default: a temp dir)")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("NEWSWIRE_CACHE", str(work / "cache-root"))
        tp = None if args.only_rss else throughput(args, ensure_test_model(args.model, "opus"), work)
        if tp:
            print(json.dumps({k: v for k, v in tp.items() if "summary" not in k}), file=sys.stderr)
        mem = None if args.skip_rss else flat_memory(args, work)
    meta = {"threads": args.threads, "max_new_tokens": args.max_new_tokens, "load_before": load_before,
            "load_after": [round(x, 2) for x in os.getloadavg()]}
    print(markdown(tp, mem, meta))
    if args.json_out:
        args.json_out.write_text(json.dumps({"meta": meta, "throughput": tp, "memory": mem}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
