#!/usr/bin/env python
"""Issue 14's benchmark: `mt batch --engine ray` throughput against the local engine, same machine.

    python scripts/bench_ray.py [--model models/opus-bench] [--rounds 2] [--cpus 2] [--max-new-tokens 48]
                                [--layouts 1x2,2x1] [--workdir DIR] [--json-out FILE]

The NTREX dev documents as a feed (one article per docid, first line as headline;
scripts/make_feed.py), ct2 int8 greedy, no sentence cache, each run a real `mt batch` subprocess:
the local engine (``--threads CPUS``) and the Ray engine for each ``ACTORSxTHREADS`` layout
(``--actors A --threads-per-actor T``), joining one local Ray (``--cpus`` CPUs, started here
once, so Ray's start-up is not counted again and again). The engines run interleaved, round by
round in a rotating order, because the machine is shared and its load drifts; the ratio is of
the same round (the load drifts between rounds too: the table gives each round's ratio and their
geometric mean, which no single lucky run decides). Throughput is counted over the job (``seconds`` of ``--summary``: reading,
preprocessing, translation, writing; for Ray also starting Ray Data's actor pool and loading a model
in each actor, which the local engine does before its job starts; each row's ``wall`` counts
everything). Every run's OUT is compared with the first local run's bytes.
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
from make_feed import ntrex_feed  # noqa: E402

from mt.feed.ray_engine import start_local_ray  # noqa: E402


def run_engine(name: str, extra: list[str], args, model: Path, feed: Path, work: Path, k: int) -> dict:
    out, summary = work / f"{name}-{k}.jsonl", work / f"{name}-{k}.summary.json"
    cmd = [sys.executable, "-m", "mt.cli", "batch", str(feed), "-o", str(out), "--summary", str(summary), "--restart",
           "--no-cache", "--model", str(model), "--backend", "ct2", "--compute-type", "int8", "--beam-size", "1",
           "--max-new-tokens", str(args.max_new_tokens), "--batch-size", str(args.batch_size), *extra]
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=REPO, env={**os.environ, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{name} failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr[-2000:]}")
    s = json.loads(summary.read_text())
    row = {"engine": name, "round": k, "seconds": s["seconds"], "wall": round(wall, 1), "load1": round(load, 1),
           "records": s["written"], "sentences": s["sentences"], "out": str(out)}
    print(json.dumps(row), file=sys.stderr)
    return row


def table(rows: list[dict], cpus: int) -> str:
    """Markdown: per engine, job seconds of each round, throughput of its best, and the ratio to the
    local run of the same round (each round, then their geometric mean)."""
    import math

    names = list(dict.fromkeys(r["engine"] for r in rows if r["engine"] != "warmup"))
    local = {r["round"]: r for r in rows if r["engine"] == "local"}
    lines = ["| engine | actors x threads | job s per round | sentences/s (best) | vs local, per round | vs local, geo. mean |",
             "|---|---|---|---:|---|---:|"]
    for name in names:
        mine = [r for r in rows if r["engine"] == name]
        best = min(mine, key=lambda r: r["seconds"])
        ratios = [local[r["round"]]["seconds"] / r["seconds"] for r in mine if r["round"] in local]
        mean = math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else float("nan")
        layout = f"1 process x {cpus}" if name == "local" else name.split("-", 1)[1]
        per_round = ", ".join(f"{r['seconds']:.1f}" for r in mine)
        lines.append(f"| {name.split('-')[0]} | {layout} | {per_round} | "
                     f"{best['sentences'] / best['seconds']:.1f} | {', '.join(f'{100 * x:.0f} %' for x in ratios)} | **{100 * mean:.0f} %** |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=REPO / "models" / "opus-bench")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--cpus", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--layouts", default="1x2,2x1", help="Ray layouts ACTORSxTHREADS, comma-separated")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    model = ensure_test_model(args.model, "opus")
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("NEWSWIRE_CACHE", str(work / "cache-root"))  # the ct2 conversion, once
        feed = work / "ntrex-feed.jsonl"
        articles = ntrex_feed(feed)
        address = start_local_ray(args.cpus)  # what `mt batch --engine ray` starts without an address
        engines = [("local", ["--threads", str(args.cpus)])]
        for layout in args.layouts.split(","):
            a, t = layout.lower().split("x")
            engines.append((f"ray {a}x{t}", ["--engine", "ray", "--ray-address", address, "--actors", a,
                                             "--threads-per-actor", t]))
        load_before = [round(x, 2) for x in os.getloadavg()]
        # warm-up: the ct2 conversion and the page cache, not measured
        run_engine("warmup", engines[0][1], args, model, feed, work, 0)
        rows = []
        for k in range(args.rounds):
            order = engines[k % len(engines):] + engines[: k % len(engines)]  # rotate who goes first
            for name, extra in order:
                rows.append(run_engine(name.replace(" ", "-"), extra, args, model, feed, work, k))
        reference = (work / "warmup-0.jsonl").read_bytes()
        identical = all(Path(r["out"]).read_bytes() == reference for r in rows)
        load_after = [round(x, 2) for x in os.getloadavg()]
    head = (f"NTREX dev as a feed ({articles} articles), opus-size test model, ct2 int8 greedy, --max-new-tokens "
            f"{args.max_new_tokens}, no cache, {args.cpus} CPUs; {args.rounds} interleaved rounds; load average before/after "
            f"{load_before} / {load_after}; outputs byte-identical across engines: {identical}.")
    print(head + "\n\n" + table(rows, args.cpus))
    if args.json_out:
        args.json_out.write_text(json.dumps({"rows": rows, "identical": identical, "load": [load_before, load_after]}, indent=1))
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
