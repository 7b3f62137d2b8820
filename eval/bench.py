"""Benchmark a translation backend on identical work: speed, memory, latency, settings.

    mt-eval bench --model M --backend torch|ct2 [--compute-type T] [--device cpu|cuda]
                  [--beam-size N] [--max-batch-tokens N | --batch-size N] --src FILE
                  [--force-lengths-from REF] [--docids FILE] [--threads N] [--json]

What is measured (one backend, one configuration, in this process):

* ``load_s``: constructing the backend (a CTranslate2 conversion is done beforehand with
  ``--prepare`` or on first use; its time is reported separately as ``convert_s``);
* ``wall_s``: translating all of FILE, model load excluded, after one short warm-up call;
* ``target_tokens``: with ``--force-lengths-from REF`` every output is forced to exactly the number of
  target tokens of its reference line (capped at ``--max-forced-length``), so every backend does the
  same work and the count is exact. Without it, outputs are re-tokenised with the model's target
  tokenizer, the same way for every backend;
* ``tokens_per_s``, ``sentences_per_s``;
* ``peak_rss_mb``: the process's peak resident memory (getrusage), load included. Run each
  configuration in a fresh process (``run_benchmark_subprocess`` / ``scripts/bench_backends.py``)
  so peaks do not mix; on CUDA also the peak allocated GPU memory;
* with ``--docids``: a second pass translating article by article, with p50/p95 latency per article;
* hardware, load average, thread settings and library versions.

Batching: with forced lengths, sentences are sorted by forced length (then source length) and cut
into batches by ``--batch-size`` / ``--max-batch-tokens``, so the rows of a batch need about the same
number of decoding steps (both engines compute a batch until its longest row is done; CTranslate2
applies decoding limits per call). Without forced lengths: the translator's source-length-sorted
plan. Both backends get exactly the same batches. Inputs get the model-side Moses normalisation first
(outside the timing), as in the pipeline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

DEFAULT_BATCH_SIZE = 16
DEFAULT_MAX_FORCED = 256


@dataclass
class BenchConfig:
    model: str
    src: str
    backend: str = "ct2"
    compute_type: str | None = None
    device: str = "cpu"
    beam_size: int | None = None
    batch_size: int | None = DEFAULT_BATCH_SIZE
    max_batch_tokens: int | None = None
    force_lengths_from: str | None = None
    max_forced_length: int = DEFAULT_MAX_FORCED
    max_new_tokens: int | None = None
    docids: str | None = None
    limit: int | None = None
    threads: int | None = None
    inter_threads: int | None = None
    intra_threads: int | None = None
    warmup: bool = True
    concurrent_batches: bool = True


@dataclass
class BenchResult:
    config: dict[str, Any]
    backend: str
    compute_type: str
    device: str
    beam_size: int
    sentences: int
    batches: int
    mean_batch_size: float
    target_tokens: int
    token_count_method: str
    source_tokens: int
    load_s: float
    convert_s: float | None
    wall_s: float
    tokens_per_s: float
    sentences_per_s: float
    cpu_utilisation: float | None
    rss_after_load_mb: float
    peak_rss_mb: float
    cuda_peak_allocated_mb: float | None
    article_latency: dict[str, Any] | None
    threads: dict[str, Any]
    hardware: dict[str, Any]
    versions: dict[str, str]
    backend_info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- helpers ------------------------------------------------------------------------------------


def _read_lines(path: str, limit: int | None = None) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        lines = [ln.rstrip("\n").rstrip("\r") for ln in fh]
    return lines[:limit] if limit else lines


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("torch", "transformers", "ctranslate2", "sentencepiece", "sacremoses", "newswire-mt"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def hardware_info() -> dict[str, Any]:
    import psutil

    from eval.manifest import _cpu_model  # one reader of /proc/cpuinfo for runs and benchmarks

    info: dict[str, Any] = {
        "cpu": _cpu_model(),
        "logical_cores": psutil.cpu_count(logical=True),
        "physical_cores": psutil.cpu_count(logical=False),
        "affinity_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "loadavg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
    }
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=10,
        )
        if out.returncode == 0 and out.stdout.strip():
            info["gpus"] = out.stdout.strip().splitlines()
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def plan_bench_batches(
    source_lengths: Sequence[int],
    forced: Sequence[int] | None,
    batch_size: int | None,
    max_batch_tokens: int | None,
) -> list[list[int]]:
    """Indices per batch. With forced lengths, sentences are sorted by forced length (then source
    length) before cutting batches, so a batch's rows need about the same number of decoding steps;
    otherwise the translator's source-length-sorted plan."""
    from mt.batching import plan_batches

    if forced is None:
        return plan_batches(source_lengths, batch_size, max_batch_tokens)
    order = sorted(range(len(forced)), key=lambda i: (-forced[i], -source_lengths[i], i))
    return plan_batches(source_lengths, batch_size, max_batch_tokens, order=order)


def forced_lengths(tokenizer, references: Sequence[str], cap: int) -> list[int]:
    """Target tokens of each reference (``</s>`` excluded), at least 1, at most ``cap``."""
    ids = tokenizer(text_target=list(references)).input_ids
    return [max(1, min(cap, len(row) - 1)) for row in ids]


def count_output_tokens(tokenizer, outputs: Sequence[str]) -> int:
    """Re-tokenise outputs with the target tokenizer (``</s>`` excluded): the same for every backend."""
    if not outputs:
        return 0
    return sum(len(row) - 1 for row in tokenizer(text_target=list(outputs)).input_ids)


def load_backend_for_bench(cfg: BenchConfig):
    """The backend object, with thread settings applied before the model is loaded."""
    threads = cfg.threads
    if cfg.backend == "torch":
        import torch

        if threads:
            torch.set_num_threads(threads)
        from mt.backends.hf import HFBackend

        return HFBackend(cfg.model, device=cfg.device, compute_type=cfg.compute_type)
    if cfg.backend == "ct2":
        from mt.backends.ct2 import CT2Backend, default_threads

        inter, intra = cfg.inter_threads, cfg.intra_threads
        if threads and inter is None and intra is None:
            d_inter, _ = default_threads("cpu" if cfg.device in ("cpu", "auto") else cfg.device)
            inter, intra = (threads, 1) if d_inter > 1 else (1, threads)
        return CT2Backend(
            cfg.model, device=cfg.device, compute_type=cfg.compute_type,
            inter_threads=inter, intra_threads=intra,
        )
    raise ValueError(f"unknown backend '{cfg.backend}' (choose torch or ct2)")


def _thread_info(backend) -> dict[str, Any]:
    info: dict[str, Any] = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "CT2_USE_MKL") if k in os.environ}
    if backend.name == "torch":
        import torch

        info.update(torch_threads=torch.get_num_threads(), torch_interop_threads=torch.get_num_interop_threads())
    else:
        info.update(inter_threads=backend.inter_threads, intra_threads=backend.intra_threads)
    return info


# -- the benchmark ------------------------------------------------------------------------------


def run_benchmark(cfg: BenchConfig) -> BenchResult:
    """Run one configuration in this process (see the module docstring for what is measured)."""
    import psutil

    from mt.backends.base import DecodeOptions
    from mt.model_input import ModelInputNormalizer

    sources = _read_lines(cfg.src, cfg.limit)
    keep = [i for i, s in enumerate(sources) if s.strip()]
    normalizer = ModelInputNormalizer()
    inputs = [normalizer(sources[i]) for i in keep]

    t0 = time.perf_counter()
    backend = load_backend_for_bench(cfg)
    load_s = time.perf_counter() - t0
    convert_s = getattr(backend, "convert_s", None)
    rss_after_load = _rss_mb()
    tokenizer = backend.tokenizer

    forced = None
    if cfg.force_lengths_from:
        refs = _read_lines(cfg.force_lengths_from, cfg.limit)
        if len(refs) != len(sources):
            raise ValueError(f"{cfg.force_lengths_from} has {len(refs)} lines, {cfg.src} has {len(sources)}")
        forced = forced_lengths(tokenizer, [refs[i] for i in keep], cfg.max_forced_length)
    src_lengths = backend.count_tokens(inputs)
    batches = plan_bench_batches(src_lengths, forced, cfg.batch_size, cfg.max_batch_tokens)
    options = DecodeOptions(beam_size=cfg.beam_size, max_new_tokens=cfg.max_new_tokens)
    beam = cfg.beam_size or getattr(backend, "default_beam_size", None) or backend.generation_config.num_beams

    if cfg.warmup and inputs:
        backend.translate_batch(inputs[:1], options, [2] if forced is not None else None)

    cuda_peak = None
    if backend.device == "cuda" and backend.name == "torch":
        import torch

        torch.cuda.reset_peak_memory_stats()
    outputs: list[str] = [""] * len(inputs)
    proc = psutil.Process()
    cpu0 = proc.cpu_times()
    start = time.perf_counter()
    for batch, outs in zip(batches, _translate_all(backend, batches, inputs, forced, options, cfg.concurrent_batches)):
        for i, out in zip(batch, outs):
            outputs[i] = out
    wall = time.perf_counter() - start
    cpu1 = proc.cpu_times()
    cpu_util = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / wall if wall > 0 else None
    if backend.device == "cuda":
        cuda_peak = _cuda_peak_mb(backend)

    if forced is not None:
        tokens, method = sum(forced), "forced"
    else:
        tokens, method = count_output_tokens(tokenizer, outputs), "retokenized"

    latency = None
    if cfg.docids:
        latency = _article_latency(cfg, backend, options, keep, inputs, src_lengths, forced)

    return BenchResult(
        config=asdict(cfg),
        backend=backend.name,
        compute_type=backend.compute_type,
        device=backend.device,
        beam_size=int(beam),
        sentences=len(inputs),
        batches=len(batches),
        mean_batch_size=round(len(inputs) / max(1, len(batches)), 2),
        target_tokens=int(tokens),
        token_count_method=method,
        source_tokens=int(sum(src_lengths)),
        load_s=round(load_s, 3),
        convert_s=round(convert_s, 3) if convert_s is not None else None,
        wall_s=round(wall, 3),
        tokens_per_s=round(tokens / wall, 2) if wall > 0 else 0.0,
        sentences_per_s=round(len(inputs) / wall, 3) if wall > 0 else 0.0,
        cpu_utilisation=round(cpu_util, 2) if cpu_util is not None else None,
        rss_after_load_mb=round(rss_after_load, 1),
        peak_rss_mb=round(_peak_rss_mb(), 1),
        cuda_peak_allocated_mb=cuda_peak,
        article_latency=latency,
        threads=_thread_info(backend),
        hardware=hardware_info(),
        versions=_versions(),
        backend_info=backend.describe(),
    )


def _translate_all(backend, batches, inputs, forced, options, concurrent: bool):
    """Translate every batch in order; through ``translate_batches`` (several batches in flight)
    when the backend has it and ``concurrent`` is on, else one ``translate_batch`` call per batch."""
    jobs = (([inputs[i] for i in b], [forced[i] for i in b] if forced is not None else None) for b in batches)
    if concurrent and hasattr(backend, "translate_batches"):
        yield from backend.translate_batches(jobs, options)
        return
    for texts, lengths in jobs:
        yield backend.translate_batch(texts, options, lengths)


def _cuda_peak_mb(backend) -> float | None:
    if backend.name == "torch":
        import torch

        return round(torch.cuda.max_memory_allocated() / 2**20, 1)
    # CTranslate2 has no allocator statistics: the process's memory as the driver sees it
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=10,
        )
        for line in out.stdout.splitlines():
            pid, used = (x.strip() for x in line.split(","))
            if int(pid) == os.getpid():
                return float(used)
    except (OSError, ValueError, subprocess.SubprocessError):
        pass
    return None


def _article_latency(cfg, backend, options, keep, inputs, src_lengths, forced) -> dict[str, Any]:
    """Translate article by article (each on its own, as a newsroom request would), timing each."""
    docids = _read_lines(cfg.docids, cfg.limit)
    articles: dict[str, list[int]] = {}
    for pos, i in enumerate(keep):
        articles.setdefault(docids[i] if i < len(docids) else "?", []).append(pos)
    times = []
    for idx in articles.values():
        sub_forced = [forced[i] for i in idx] if forced is not None else None
        plan = plan_bench_batches([src_lengths[i] for i in idx], sub_forced, cfg.batch_size, cfg.max_batch_tokens)
        plan = [[idx[j] for j in local] for local in plan]
        t0 = time.perf_counter()
        for _ in _translate_all(backend, plan, inputs, forced, options, cfg.concurrent_batches):
            pass
        times.append(time.perf_counter() - t0)
    times.sort()
    return {
        "articles": len(times),
        "p50_s": round(statistics.median(times), 3),
        "p95_s": round(_percentile(times, 95), 3),
        "max_s": round(times[-1], 3),
        "mean_sentences": round(len(keep) / max(1, len(times)), 1),
    }


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def prepare(cfg: BenchConfig) -> float:
    """Do one-time work (the CTranslate2 conversion) outside the measured process; returns seconds."""
    if cfg.backend != "ct2":
        return 0.0
    from mt.backends.ct2 import _STORED, converted_model, resolve_device

    device = resolve_device(cfg.device)
    compute = cfg.compute_type or ("float16" if device == "cuda" else "int8")
    t0 = time.perf_counter()
    converted_model(cfg.model, _STORED[compute])
    return time.perf_counter() - t0


def run_benchmark_subprocess(cfg: BenchConfig, env: dict[str, str] | None = None, timeout: float | None = None) -> BenchResult:
    """Run one configuration in a fresh Python process, so its memory peak is its own."""
    prepare(cfg)
    # run this file by path rather than ``-m eval.bench``: the measured process then holds the
    # backend and the pipeline's modules, not the rest of the evaluation package (sacrebleu, ...)
    runner = "import runpy, sys; sys.argv[0] = sys.argv[1]; del sys.argv[1]; runpy.run_path(sys.argv[0], run_name='__main__')"
    argv = [sys.executable, "-c", runner, str(Path(__file__).resolve()), "--json", *config_to_argv(cfg)]
    repo = str(Path(__file__).resolve().parents[1])
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (repo, full_env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run(argv, capture_output=True, text=True, env=full_env, timeout=timeout, cwd=repo)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark subprocess failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    data = json.loads(proc.stdout)
    return BenchResult(**data)


def config_to_argv(cfg: BenchConfig) -> list[str]:
    argv = ["--model", cfg.model, "--src", cfg.src, "--backend", cfg.backend, "--device", cfg.device]
    pairs = [
        ("--compute-type", cfg.compute_type), ("--beam-size", cfg.beam_size),
        ("--force-lengths-from", cfg.force_lengths_from), ("--docids", cfg.docids), ("--limit", cfg.limit),
        ("--threads", cfg.threads), ("--inter-threads", cfg.inter_threads), ("--intra-threads", cfg.intra_threads),
        ("--max-new-tokens", cfg.max_new_tokens),
    ]
    for flag, value in pairs:
        if value is not None:
            argv += [flag, str(value)]
    argv += ["--max-forced-length", str(cfg.max_forced_length)]
    if cfg.max_batch_tokens is not None:
        if cfg.batch_size is not None:
            raise ValueError("give a batch size or a token budget, not both")
        argv += ["--max-batch-tokens", str(cfg.max_batch_tokens)]
    elif cfg.batch_size is not None:
        argv += ["--batch-size", str(cfg.batch_size)]
    if not cfg.warmup:
        argv += ["--no-warmup"]
    if not cfg.concurrent_batches:
        argv += ["--sequential-batches"]
    return argv


# -- command line -------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="hub id or local MarianMT directory")
    parser.add_argument("--backend", choices=("torch", "ct2"), default="ct2")
    parser.add_argument("--compute-type", default=None, help="float32, int8, float16, ... (default: the backend's)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="cpu")
    parser.add_argument("--beam-size", type=int, default=None, help="default: the model's generation config")
    batching = parser.add_argument_group("batching (the same for every backend)")
    limit = batching.add_mutually_exclusive_group()
    limit.add_argument("--batch-size", type=int, default=None,
                       help=f"sentences per batch (default {DEFAULT_BATCH_SIZE} unless --max-batch-tokens is given)")
    limit.add_argument("--max-batch-tokens", type=int, default=None, help="padded source tokens per batch")
    parser.add_argument("--src", required=True, help="source sentences, one per line")
    parser.add_argument("--force-lengths-from", metavar="REF", default=None,
                        help="force each output to its reference line's target-token count")
    parser.add_argument("--max-forced-length", type=int, default=DEFAULT_MAX_FORCED)
    parser.add_argument("--max-new-tokens", type=int, default=None, help="length limit when lengths are not forced")
    parser.add_argument("--docids", default=None, help="article id per line: adds per-article latency p50/p95")
    parser.add_argument("--limit", type=int, default=None, help="only the first N lines")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (torch threads; ct2 inter x intra)")
    parser.add_argument("--inter-threads", type=int, default=None, help="ct2: concurrent replicas")
    parser.add_argument("--intra-threads", type=int, default=None, help="ct2: threads per replica")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false")
    parser.add_argument("--sequential-batches", dest="concurrent_batches", action="store_false",
                        help="one translate_batch call at a time (default: backends that can keep several "
                        "batches in flight, i.e. ct2 with inter_threads > 1, do so)")
    parser.add_argument("--subprocess", action="store_true", help="measure in a fresh process (clean memory peak)")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")


def config_from_args(args: argparse.Namespace) -> BenchConfig:
    if args.batch_size is not None and args.batch_size < 1:
        raise ValueError("--batch-size must be >= 1")
    if args.max_batch_tokens is not None and args.max_batch_tokens < 1:
        raise ValueError("--max-batch-tokens must be >= 1")
    batch_size = args.batch_size if args.batch_size is not None else (
        None if args.max_batch_tokens is not None else DEFAULT_BATCH_SIZE)
    return BenchConfig(
        model=args.model, src=args.src, backend=args.backend, compute_type=args.compute_type,
        device=args.device, beam_size=args.beam_size, batch_size=batch_size,
        max_batch_tokens=args.max_batch_tokens, force_lengths_from=args.force_lengths_from,
        max_forced_length=args.max_forced_length, max_new_tokens=args.max_new_tokens, docids=args.docids,
        limit=args.limit, threads=args.threads, inter_threads=args.inter_threads,
        intra_threads=args.intra_threads, warmup=args.warmup, concurrent_batches=args.concurrent_batches,
    )


def format_result(r: BenchResult) -> str:
    lines = [
        f"backend {r.backend} {r.compute_type} on {r.device}, beam {r.beam_size}: "
        f"{r.sentences} sentences in {r.batches} batches (mean {r.mean_batch_size})",
        f"  target tokens/s  {r.tokens_per_s:10.1f}   ({r.target_tokens} tokens, {r.token_count_method})",
        f"  sentences/s      {r.sentences_per_s:10.2f}",
        f"  wall time        {r.wall_s:10.2f} s  (model load {r.load_s:.2f} s excluded)",
        f"  peak RSS         {r.peak_rss_mb:10.1f} MB (after load {r.rss_after_load_mb:.1f} MB)",
        f"  CPU utilisation  {r.cpu_utilisation} cores",
    ]
    if r.cuda_peak_allocated_mb is not None:
        lines.append(f"  CUDA peak        {r.cuda_peak_allocated_mb:10.1f} MB")
    if r.article_latency:
        a = r.article_latency
        lines.append(f"  article latency  p50 {a['p50_s']:.3f} s, p95 {a['p95_s']:.3f} s over {a['articles']} articles")
    lines.append(f"  threads          {r.threads}")
    lines.append(f"  hardware         {r.hardware.get('cpu')}, load average {r.hardware.get('loadavg')}")
    lines.append(f"  versions         {r.versions}")
    return "\n".join(lines)


def run_from_args(args: argparse.Namespace) -> int:
    from mt.backends.base import ModelLoadError

    try:
        cfg = config_from_args(args)
        result = run_benchmark_subprocess(cfg) if getattr(args, "subprocess", False) else run_benchmark(cfg)
    except ModelLoadError as exc:
        print(f"mt-eval bench: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"mt-eval bench: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), indent=1, ensure_ascii=False))
    else:
        print(format_result(result))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
