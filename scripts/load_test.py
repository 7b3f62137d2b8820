#!/usr/bin/env python
"""Issue 13's load test: `mt serve` under concurrent clients, against the library in-process.

    python scripts/load_test.py [--model models/opus-bench] [--sentences 256] [--concurrency 1,8,32]
                                [--articles 12] [--rss-requests 10000] [--json-out FILE]

Loopback only, bounded in count (every phase sends a fixed number of requests) and in time
(``--phase-seconds``: a phase stops sending when it is over). In one run:

1. in-process baselines with the same config (no cache): ``Pipeline.stream`` and `mt batch`'s
   ``BatchJob`` over the same single sentences (sentences/s), ``Pipeline.translate_article`` on a
   ~600-word article (median latency), and the expected translation of every sentence sent;
2. `mt serve` (subprocess, ``--no-cache``, the same decoding options): 1/8/32 clients sending
   single sentences, then whole NTREX articles, then a lone 600-word article;
3. overload: a server with ``--queue-size 4`` and 64 clients; only 200 and 503 may come back, and
   each 200 must be the translation of its own request (checked against step 1, and against the
   translations of the other requests to tell a mix-up from a numerical difference);
4. RSS: ``--rss-requests`` single-sentence requests at 32 clients, the server's RSS sampled.

Prints a Markdown table: phase, clients, requests/s, target tokens/s, p50/p95/p99 latency and
responses by status, then the targets with measured ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from eval.testsets import ntrex_dev_dir  # noqa: E402

LOOPBACK = "127.0.0.1"


@dataclass
class Phase:
    name: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    outputs: dict[int, str] = field(default_factory=dict)  # request index -> translation (200s)
    tokens: int = 0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def ok_rps(self) -> float:
        return self.statuses.get(200, 0) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))]

    def row(self) -> str:
        statuses = " ".join(f"{k}:{v}" for k, v in sorted(self.statuses.items(), key=lambda kv: str(kv[0])))
        return (
            f"| {self.name} | {self.clients} | {self.requests} | {self.rps():.1f} | {self.tokens / (self.seconds or 1):.0f} | "
            f"{self.pct(0.5) * 1000:.0f} | {self.pct(0.95) * 1000:.0f} | {self.pct(0.99) * 1000:.0f} | {statuses} |"
        )


# -- the server --------------------------------------------------------------------------------
class ServerProcess:
    def __init__(self, args: argparse.Namespace, *extra: str):
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
        cmd = [sys.executable, "-m", "mt.cli", "serve", "--model", str(args.model), "--host", LOOPBACK, "--port", "0",
               "--no-cache", "--log-level", "warning", *decoding_args(args), *extra]
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
        self.url = None
        lines = []
        while self.url is None:
            line = self.proc.stderr.readline()
            if not line:
                raise SystemExit(f"load_test: mt serve did not start:\n{''.join(lines)}")
            lines.append(line)
            m = re.search(r"(http://127\.0\.0\.1:\d+)", line)
            self.url = m.group(1) if m else None
        import threading

        threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()
        import httpx

        deadline = time.monotonic() + 600
        with httpx.Client(base_url=self.url, timeout=30) as c:
            while True:
                try:
                    if c.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("load_test: mt serve never became ready")
                time.sleep(0.2)

    def rss_mb(self) -> float:
        import psutil

        return psutil.Process(self.proc.pid).memory_info().rss / 2**20

    def stop(self) -> int:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(120)


def decoding_args(args: argparse.Namespace) -> list[str]:
    out = ["--backend", args.backend, "--compute-type", args.compute_type, "--beam-size", str(args.beam_size)]
    if args.max_new_tokens:
        out += ["--max-new-tokens", str(args.max_new_tokens)]
    return out


# -- clients -----------------------------------------------------------------------------------
async def drive(url: str, bodies: list[dict], clients: int, name: str, max_seconds: float, timeout: float = 300) -> Phase:
    """``clients`` concurrent clients sending ``bodies`` to /translate, each request once."""
    import httpx

    phase = Phase(name, clients)
    next_index = 0
    deadline = time.monotonic() + max_seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(c: "httpx.AsyncClient") -> None:
        nonlocal next_index
        while next_index < len(bodies) and time.monotonic() < deadline:
            i = next_index
            next_index += 1
            t0 = time.perf_counter()
            try:
                r = await c.post("/translate", json=bodies[i])
                status = r.status_code
                if status == 200:
                    phase.outputs[i] = r.json()["translatedText"]
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            phase.latencies.append(time.perf_counter() - t0)
            phase.statuses[status] += 1

    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as c:
        t0 = time.perf_counter()
        await asyncio.gather(*(client(c) for _ in range(clients)))
        phase.seconds = time.perf_counter() - t0
    return phase


def run_phase(url: str, texts: list[str], clients: int, name: str, args: argparse.Namespace, count) -> Phase:
    phase = asyncio.run(drive(url, [{"q": t, "source": "ar", "target": "en"} for t in texts], clients, name,
                              args.phase_seconds))
    phase.tokens = sum(count(list(phase.outputs.values())))  # counted after the clock stopped
    print(phase.row(), file=sys.stderr, flush=True)
    return phase


# -- data ------------------------------------------------------------------------------------
def load_data(args: argparse.Namespace) -> tuple[list[str], list[str], str]:
    """(single sentences, whole articles, one ~600-word article) from NTREX dev."""
    d = ntrex_dev_dir()
    lines = (d / "ntrex.dev.ar").read_text(encoding="utf-8").splitlines()
    docids = (d / "ntrex.dev.docids").read_text(encoding="utf-8").splitlines()
    docs: dict[str, list[str]] = {}
    for line, doc in zip(lines, docids):
        docs.setdefault(doc, []).append(line)
    articles = ["\n".join(v) for v in docs.values()]
    sentences = list(dict.fromkeys(lines))  # distinct, so every answer can be told apart
    long_article: list[str] = []
    for line in lines[len(lines) // 2 :]:
        long_article.append(line)
        if sum(len(x.split()) for x in long_article) >= 600:
            break
    return sentences, articles, "\n".join(long_article)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=REPO / "models" / "opus-bench")
    ap.add_argument("--backend", default="ct2")
    ap.add_argument("--compute-type", default="int8")
    ap.add_argument("--beam-size", type=int, default=1)
    ap.add_argument("--max-new-tokens", type=int, default=48,
                    help="output cap (the random test model never stops by itself: every output is this long)")
    ap.add_argument("--sentences", type=int, default=192, help="single sentences per phase")
    ap.add_argument("--articles", type=int, default=6, help="whole articles per phase")
    ap.add_argument("--concurrency", default="1,8,32")
    ap.add_argument("--overload-clients", type=int, default=64)
    ap.add_argument("--overload-queue", type=int, default=4)
    ap.add_argument("--overload-requests", type=int, default=320)
    ap.add_argument("--rss-requests", type=int, default=10_000)
    ap.add_argument("--rss-max-new-tokens", type=int, default=8,
                    help="output cap of the RSS run's server (it measures memory per request, not decoding)")
    ap.add_argument("--phase-seconds", type=float, default=600.0, help="a phase stops sending after this")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    if not (args.model / "config.json").is_file():
        raise SystemExit(f"load_test: no model at {args.model}; build it: python scripts/make_test_model.py "
                         f"{args.model} --size opus")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    levels = [int(x) for x in args.concurrency.split(",")]
    sentences, articles, long_article = load_data(args)
    singles = sentences[: args.sentences]
    overload_texts = sentences[args.sentences : args.sentences + args.overload_requests]
    rss_texts = sentences  # cycled
    t_start = time.time()

    # 1. in-process baselines (the same config, no cache), while no server runs
    from mt.config import PipelineConfig
    from mt.pipeline import Pipeline

    config = PipelineConfig(model=str(args.model), backend=args.backend, device="cpu", compute_type=args.compute_type,
                            beam_size=args.beam_size, max_new_tokens=args.max_new_tokens)
    pipeline = Pipeline.from_config(config)
    tokenizer = pipeline.translator.backend.tokenizer

    def count(texts: list[str]) -> list[int]:
        return [len(ids) for ids in tokenizer(text_target=texts)["input_ids"]] if texts else []

    pipeline.translate_article(long_article)  # warm
    def baselines() -> tuple[float, float, list[str]]:
        t0 = time.perf_counter()
        out = [a.translation for a in pipeline.stream(singles)]
        return time.perf_counter() - t0, time_batch_job(pipeline, singles), out

    stream_s, batch_s, streamed = baselines()
    article_s = []
    for _ in range(3):
        t0 = time.perf_counter()
        pipeline.translate_article(long_article)
        article_s.append(time.perf_counter() - t0)
    expected = {i: a.translation for i, a in enumerate(pipeline.stream(overload_texts))}
    stream_tokens = sum(count(streamed))
    print(f"in-process: stream {len(singles) / stream_s:.1f} sent/s ({stream_tokens / stream_s:.0f} tok/s), "
          f"mt batch {len(singles) / batch_s:.1f} sent/s, 600-word article median {statistics.median(article_s):.2f} s",
          file=sys.stderr, flush=True)

    header = ("| phase | clients | requests | req/s | target tok/s | p50 ms | p95 ms | p99 ms | responses |\n"
              "|---|---:|---:|---:|---:|---:|---:|---:|---|")
    print(header, file=sys.stderr)
    phases: list[Phase] = []
    server = ServerProcess(args)
    try:
        for c in levels:
            phases.append(run_phase(server.url, singles, c, "sentence", args, count))
        for c in levels if args.articles else ():
            phases.append(run_phase(server.url, articles[: args.articles], c, "article", args, count))
        lone = run_phase(server.url, [long_article] * 3, 1, "600-word article", args, count)
        phases.append(lone)
        served_singles = phases[0].outputs
    finally:
        code = server.stop()
    print(f"(server exit status after SIGTERM: {code})", file=sys.stderr)
    # the machine's load drifts: the in-process baselines again, the mean of both runs is compared
    stream_2, batch_2, _ = baselines()
    print(f"in-process again: stream {len(singles) / stream_2:.1f} sent/s, mt batch {len(singles) / batch_2:.1f} sent/s",
          file=sys.stderr, flush=True)
    stream_s, batch_s = (stream_s + stream_2) / 2, (batch_s + batch_2) / 2
    del pipeline

    # 4. RSS over many requests: memory per request, not decoding, so outputs are capped short
    rss: list[float] = []
    if args.rss_requests:
        server = ServerProcess(args, "--max-new-tokens", str(args.rss_max_new_tokens))
        try:
            rss = rss_run(server, rss_texts, args, count, phases)
        finally:
            server.stop()

    # 3. overload: a queue of 4 and 64 clients
    server = ServerProcess(args, "--queue-size", str(args.overload_queue))
    try:
        over = run_phase(server.url, overload_texts, args.overload_clients, f"overload (queue {args.overload_queue})",
                         args, count)
        phases.append(over)
    finally:
        server.stop()
    by_text: dict[str, set[int]] = {}
    for i, t in expected.items():
        by_text.setdefault(t, set()).add(i)
    wrong = [i for i, out in over.outputs.items() if out != expected[i]]
    mixed = [i for i in wrong if out_belongs_elsewhere(over.outputs[i], i, by_text)]
    differs_single = sum(1 for i, out in served_singles.items() if out != streamed[i])

    # report
    single = {p.clients: p for p in phases if p.name == "sentence"}
    top = max(levels)
    table = "\n".join([header, *(p.row() for p in phases)])
    results = {
        "sentence_rps": {c: single[c].ok_rps() for c in single},
        "speedup_top_vs_1": single[top].ok_rps() / single[1].ok_rps() if 1 in single else None,
        "vs_stream": single[top].ok_rps() / (len(singles) / stream_s),
        "vs_batch": single[top].ok_rps() / (len(singles) / batch_s),
        "article_latency_ratio": statistics.median(lone.latencies) / statistics.median(article_s),
        "overload_statuses": {str(k): v for k, v in over.statuses.items()},
        "overload_wrong": len(wrong),
        "overload_mixed_up": len(mixed),
        "single_sentence_outputs_differing_from_stream": differs_single,
        "rss_mb": rss,
    }
    print(f"\n## mt serve load test ({time.strftime('%Y-%m-%d %H:%M', time.gmtime(t_start))} UTC; "
          f"{args.model.name}, {args.backend} {args.compute_type}, beam {args.beam_size}, "
          f"max_new {args.max_new_tokens or 'model'}; {os.cpu_count()} CPUs; client and server on the same machine)\n")
    print(table)
    print(f"\nin-process on the same {len(singles)} sentences (mean of runs before and after the server's): "
          f"Pipeline.stream {len(singles) / stream_s:.1f} sent/s, "
          f"mt batch (BatchJob) {len(singles) / batch_s:.1f} sent/s; translate_article (600 words) median "
          f"{statistics.median(article_s) * 1000:.0f} ms")
    print(f"- {top} clients vs 1 client (single sentences): {results['speedup_top_vs_1']:.2f}x (target >= 4x)")
    print(f"- {top} clients vs mt batch: {results['vs_batch']:.0%}; vs Pipeline.stream: {results['vs_stream']:.0%} "
          f"(target >= 80 %)")
    print(f"- lone 600-word article: {statistics.median(lone.latencies) * 1000:.0f} ms vs in-process "
          f"{statistics.median(article_s) * 1000:.0f} ms = {results['article_latency_ratio']:.2f}x (target <= 1.3x)")
    bad_status = {k: v for k, v in over.statuses.items() if k not in (200, 503)}
    print(f"- overload: {dict(over.statuses)}; other than 200/503: {bad_status or 'none'}; 200s not matching their "
          f"request's translation: {len(wrong)} (of which equal to another request's: {len(mixed)})")
    print(f"- RSS over {args.rss_requests} requests (MB, every {max(1, args.rss_requests // 10)}): "
          f"{' '.join(f'{x:.0f}' for x in rss)}; growth after the first sample "
          f"{(rss[-1] - rss[0]) if rss else float('nan'):+.0f} MB")
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


def out_belongs_elsewhere(out: str, i: int, by_text: dict[str, set[int]]) -> bool:
    return bool(by_text.get(out, set()) - {i})


def time_batch_job(pipeline, texts: list[str]) -> float:  # noqa: ANN001 - a Pipeline
    """Seconds `mt batch` (its BatchJob, the model already loaded) takes over ``texts`` as records."""
    from mt.feed.runner import BatchJob

    with tempfile.TemporaryDirectory(prefix="load-test-") as tmp:
        feed = Path(tmp) / "feed.jsonl"
        with feed.open("w", encoding="utf-8") as fh:
            for i, t in enumerate(texts):
                fh.write(json.dumps({"uri": f"s{i}", "body": t}, ensure_ascii=False) + "\n")
        job = BatchJob(pipeline, [str(feed)], str(Path(tmp) / "out.jsonl"), errors=str(Path(tmp) / "err.jsonl"),
                       restart=True)
        t0 = time.perf_counter()
        job.run()
        return time.perf_counter() - t0


def rss_run(server: ServerProcess, texts: list[str], args: argparse.Namespace, count, phases: list[Phase]) -> list[float]:
    """``--rss-requests`` single sentences at 32 clients in ten slices, the server's RSS after each."""
    total = args.rss_requests
    step = max(1, total // 10)
    samples = []
    merged = Phase("RSS run", 32)
    sent = 0
    while sent < total:
        n = min(step, total - sent)
        chunk = [texts[(sent + k) % len(texts)] for k in range(n)]
        p = asyncio.run(drive(server.url, [{"q": t} for t in chunk], 32, "rss", args.phase_seconds))
        merged.seconds += p.seconds
        merged.latencies += p.latencies
        merged.statuses.update(p.statuses)
        merged.tokens += sum(count(list(p.outputs.values())))
        sent += n
        samples.append(server.rss_mb())
        print(f"  rss after {sent} requests: {samples[-1]:.0f} MB", file=sys.stderr, flush=True)
    phases.append(merged)
    print(merged.row(), file=sys.stderr, flush=True)
    return samples


if __name__ == "__main__":
    sys.exit(main())
