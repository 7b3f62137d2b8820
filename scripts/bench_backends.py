#!/usr/bin/env python
"""Issue 6's benchmark in one run: torch fp32/int8 vs CTranslate2 fp32/int8, greedy and beam 4.

    python scripts/bench_backends.py [--model DIR] [--limit N] [--threads 2] [--batch-size 16]
                                     [--json-out FILE] [--markdown-out FILE]

* model: the ``--size opus`` test model (opus-mt-ar-en's architecture, random weights), built into
  ``models/opus-bench`` when ``--model`` is not given (gitignored; a few minutes once);
* work: NTREX dev (``../shared/data/ntrex-dev/ntrex.dev.ar``), every output forced to the length of its
  reference in ``ntrex.dev.en`` (target tokens of the model's tokenizer, capped at 256), so all
  configurations produce exactly the same number of tokens in the same batches;
* each configuration runs in a fresh process (``eval.bench.run_benchmark_subprocess``) on
  ``--threads`` CPU threads, so memory peaks do not mix;
* then the full pipeline (``mt translate``'s path: preprocessing, segmentation, model-input
  normalisation, batching, reassembly) on the same text with ct2 int8 greedy, against the backend's
  raw throughput on the very model inputs the pipeline produced (same batches settings, same outputs).

Prints a Markdown table with ratios vs torch fp32 and the load average before/after.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mt.testing import ensure_test_model  # noqa: E402
from eval.bench import (  # noqa: E402
    BenchConfig,
    count_output_tokens,
    hardware_info,
    run_benchmark_subprocess,
)
from eval.testsets import ntrex_dev_dir  # noqa: E402

NTREX = ntrex_dev_dir()
CONFIGS = [("torch", "float32"), ("torch", "int8"), ("ct2", "float32"), ("ct2", "int8")]


def run_configs(args, model: Path) -> list[dict]:
    results = []
    for beam in args.beams:
        for backend, compute in CONFIGS:
            cfg = BenchConfig(
                model=str(model), src=str(args.src), backend=backend, compute_type=compute, device="cpu",
                beam_size=beam, batch_size=args.batch_size or None, max_batch_tokens=args.max_batch_tokens,
                force_lengths_from=str(args.ref), limit=args.limit, threads=args.threads,
            )
            t0 = time.perf_counter()
            r = run_benchmark_subprocess(cfg).to_dict()
            print(
                f"  {backend:5s} {compute:7s} beam {beam}: {r['tokens_per_s']:8.1f} tok/s  "
                f"peak RSS {r['peak_rss_mb']:7.1f} MB  cpu {r['cpu_utilisation']}  "
                f"({time.perf_counter() - t0:.0f} s, load {os.getloadavg()[0]:.2f})",
                file=sys.stderr, flush=True,
            )
            results.append(r)
    return results


def pipeline_ratio(args, model: Path) -> dict:
    """Full pipeline vs the backend's raw throughput on identical model inputs (ct2 int8, greedy)."""
    from mt.backends.base import Batch, DecodeOptions
    from mt.backends.ct2 import CT2Backend
    from mt.batching import plan_batches
    from mt.document import iter_layout
    from mt.pipeline import Pipeline
    from mt.translator import Translator

    lines = (args.src.read_text(encoding="utf-8").splitlines())[: args.limit]
    text = "\n".join(lines) + "\n"
    backend = CT2Backend(str(model), device="cpu", compute_type="int8", inter_threads=args.threads, intra_threads=1)
    settings = dict(backend=backend, beam_size=1, max_new_tokens=args.pipeline_max_new_tokens,
                    batch_size=args.batch_size or None, max_batch_tokens=args.max_batch_tokens)
    pipelines = {"shipped": Pipeline(str(model), translator=Translator(**settings))}
    options = DecodeOptions(beam_size=1, max_new_tokens=args.pipeline_max_new_tokens)

    def run_pipeline(pipeline):
        t0 = time.perf_counter()
        article = pipeline.preprocess(text)
        out = io.StringIO()
        for piece in iter_layout(text, pipeline.translate_paragraphs(article), lambda p: p.translation):
            out.write(piece)
        return time.perf_counter() - t0, article

    for p in pipelines.values():  # warm-up (the preprocessor's caches are a service's steady state)
        p.translate_article(lines[0])
    _, article = run_pipeline(pipelines["shipped"])
    inputs = [m for s in article.sentences for m in s.model_inputs]
    ids = backend.encode(inputs)
    batches = plan_batches([len(r) for r in ids], args.batch_size or None, args.max_batch_tokens,
                           limits=backend.job_limits(options), beam_size=1, max_target=options.max_new_tokens)

    def run_raw():
        """The backend's best raw path on the pipeline's own model inputs and batch plan."""
        outs = [""] * len(inputs)
        t0 = time.perf_counter()
        for b, res in zip(batches, backend.generate(Batch([ids[i] for i in b], options) for b in batches)):
            for i, hyp in zip(b, res):
                outs[i] = hyp.text
        return time.perf_counter() - t0, outs

    times: dict[str, list[float]] = {"raw": [], **{k: [] for k in pipelines}}
    raw_out: list[str] = []
    last = None
    for _ in range(2):  # interleaved, best of two
        t, raw_out = run_raw()
        times["raw"].append(t)
        for name, p in pipelines.items():
            t, last = run_pipeline(p)
            times[name].append(t)
    # the pipeline's translation of each unchunked sentence is exactly the raw output for its input
    same, k = 0, 0
    for sent in last.sentences:
        n = len(sent.model_inputs)
        same += n == 1 and sent.translation == raw_out[k]
        k += n
    tokens = count_output_tokens(backend.tokens, raw_out)
    best = {k: min(v) for k, v in times.items()}
    return {
        "lines": len(lines),
        "sentences": len(article.sentences),
        "model_inputs": len(inputs),
        "max_new_tokens": args.pipeline_max_new_tokens,
        "target_tokens": tokens,
        "seconds": {k: [round(x, 2) for x in v] for k, v in times.items()},
        "raw_tokens_per_s": round(tokens / best["raw"], 1),
        "pipeline_tokens_per_s": round(tokens / best["shipped"], 1),
        "ratio": round(best["raw"] / best["shipped"], 3),
        "identical_outputs": f"{same}/{len(last.sentences)}",
    }


def markdown(results: list[dict], pipe: dict | None, meta: dict) -> str:
    out = [
        f"Model: {meta['model']} (d_model {meta['d_model']}, {meta['layers']} layers, vocab {meta['vocab']}), random weights. "
        f"Source: NTREX dev, {meta['sentences']} sentences{meta['subset']}; every output forced to its "
        f"reference's length ({meta['tokens']} target tokens per run). {meta['threads']} CPU threads, batch size "
        f"{meta['batch_size']}, one fresh process per row. CPU: {meta['cpu']}. "
        f"Load average before/after: {meta['load_before']} / {meta['load_after']}.",
        "",
        "| config | decoding | target tok/s | vs torch fp32 | sent/s | wall s | peak RSS MB | RSS vs torch fp32 | CPU cores used |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = {(r["beam_size"]): r for r in results if r["backend"] == "torch" and r["compute_type"] == "float32"}
    for r in results:
        b = base[r["beam_size"]]
        dec = "greedy" if r["beam_size"] == 1 else f"beam {r['beam_size']}"
        out.append(
            f"| {r['backend']} {r['compute_type']} | {dec} | {r['tokens_per_s']:.0f} | "
            f"{r['tokens_per_s'] / b['tokens_per_s']:.2f}x | {r['sentences_per_s']:.2f} | {r['wall_s']:.1f} | "
            f"{r['peak_rss_mb']:.0f} | {100 * r['peak_rss_mb'] / b['peak_rss_mb']:.0f} % | {r['cpu_utilisation']} |"
        )
    if pipe:
        out += [
            "",
            f"Full pipeline (`mt translate`'s path: repair, segmentation, model-input normalisation, batching, "
            f"reassembly) on the same {pipe['lines']} lines, ct2 int8 greedy, max_new_tokens {pipe['max_new_tokens']}, "
            f"vs the backend's raw `generate` on the very model inputs the pipeline produced "
            f"({pipe['identical_outputs']} outputs identical): raw {pipe['raw_tokens_per_s']:.0f} tok/s, "
            f"pipeline {pipe['pipeline_tokens_per_s']:.0f} tok/s = **{100 * pipe['ratio']:.0f} %** "
            f"(best of two interleaved runs each).",
        ]
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=None, help="default: build models/opus-bench")
    ap.add_argument("--src", type=Path, default=NTREX / "ntrex.dev.ar")
    ap.add_argument("--ref", type=Path, default=NTREX / "ntrex.dev.en")
    ap.add_argument("--limit", type=int, default=None, help="first N lines only")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=16, help="0 with --max-batch-tokens")
    ap.add_argument("--max-batch-tokens", type=int, default=None)
    ap.add_argument("--beams", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--pipeline-max-new-tokens", type=int, default=48)
    ap.add_argument("--skip-pipeline", action="store_true")
    ap.add_argument("--only-pipeline", action="store_true")
    ap.add_argument("--json-out", type=Path, default=None)
    ap.add_argument("--markdown-out", type=Path, default=None)
    args = ap.parse_args(argv)
    if not args.src.is_file():
        print(f"source not found: {args.src}", file=sys.stderr)
        return 2
    model = ensure_test_model(args.model or REPO / "models" / "opus-bench", "opus")
    load_before = [round(x, 2) for x in os.getloadavg()]
    if args.only_pipeline:
        print(json.dumps(pipeline_ratio(args, model), indent=1))
        return 0
    results = run_configs(args, model)
    pipe = None if args.skip_pipeline else pipeline_ratio(args, model)
    load_after = [round(x, 2) for x in os.getloadavg()]
    cfg = json.loads((model / "config.json").read_text(encoding="utf-8"))
    n_lines = len(args.src.read_text(encoding="utf-8").splitlines())
    meta = {
        "model": "`make_test_model.py --size opus`" if cfg["d_model"] == 512 else f"`{model}`",
        "d_model": cfg["d_model"],
        "layers": f"{cfg['encoder_layers']}+{cfg['decoder_layers']}",
        "vocab": cfg["vocab_size"],
        "sentences": results[0]["sentences"],
        "subset": f" (the first {args.limit} of {n_lines} lines)" if args.limit and args.limit < n_lines else "",
        "tokens": results[0]["target_tokens"],
        "threads": args.threads,
        "batch_size": args.batch_size,
        "cpu": hardware_info()["cpu"],
        "load_before": load_before,
        "load_after": load_after,
    }
    table = markdown(results, pipe, meta)
    print(table)
    if args.json_out:
        args.json_out.write_text(json.dumps({"meta": meta, "results": results, "pipeline": pipe}, indent=1), encoding="utf-8")
    if args.markdown_out:
        args.markdown_out.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
