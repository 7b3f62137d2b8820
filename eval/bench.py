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
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
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


def _versions() -> dict[str, str | None]:
    from mt.sysinfo import library_versions

    return library_versions()


def hardware_info() -> dict[str, Any]:
    from mt.sysinfo import hardware_info as info

    return info()


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
    *,
    limits=None,
    beam_size: int = 1,
) -> list[list[int]]:
    """Indices per batch. With forced lengths, sentences are sorted by forced length (then source
    length) before cutting batches, so a batch's rows need about the same number of decoding steps;
    otherwise the translator's source-length-sorted plan."""
    from mt.batching import plan_batches

    common = dict(limits=limits, beam_size=beam_size)
    if forced is None:
        return plan_batches(source_lengths, batch_size, max_batch_tokens, **common)
    order = sorted(range(len(forced)), key=lambda i: (-forced[i], -source_lengths[i], i))
    return plan_batches(source_lengths, batch_size, max_batch_tokens, order=order, **common)


def forced_lengths(tokens, references: Sequence[str], cap: int) -> list[int]:
    """Target tokens of each reference (``</s>`` excluded), at least 1, at most ``cap``."""
    return [max(1, min(cap, len(row) - 1)) for row in tokens.encode_target(references)]


def count_output_tokens(tokens, outputs: Sequence[str]) -> int:
    """Re-tokenise outputs with the target tokenizer (``</s>`` excluded): the same for every backend."""
    return sum(len(row) - 1 for row in tokens.encode_target(outputs))


def forced_batches(ids, batches: Sequence[Sequence[int]], forced: Sequence[int] | None, options) -> list:
    """The benchmark's work: one engine batch per planned batch. With forced lengths every row of a
    batch decodes exactly the batch's longest forced length (min = max new tokens), which is the
    work both engines do for a batch anyway (finished rows are still computed)."""
    from dataclasses import replace

    from mt.backends.base import Batch

    out = []
    for b in batches:
        opts = options
        if forced is not None:
            longest = max(forced[i] for i in b)
            opts = replace(options, min_new_tokens=longest, max_new_tokens=longest)
        out.append(Batch([ids[i] for i in b], opts))
    return out


def run_batches(backend, batches: Sequence) -> list:
    """Translate engine batches through the public ``generate`` (several in flight where it can)."""
    return list(backend.generate(batches))


def load_backend_for_bench(cfg: BenchConfig):
    """The backend object, with thread settings applied before the model is loaded."""
    threads = cfg.threads
    if cfg.backend == "torch":
        import torch

        if threads:
            torch.set_num_threads(threads)
        from mt.backends.hf import HFBackend

        return HFBackend(cfg.model, device=cfg.device, compute_type=cfg.compute_type, threads=threads)
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
    tokens = backend.tokens

    forced = None
    if cfg.force_lengths_from:
        refs = _read_lines(cfg.force_lengths_from, cfg.limit)
        if len(refs) != len(sources):
            raise ValueError(f"{cfg.force_lengths_from} has {len(refs)} lines, {cfg.src} has {len(sources)}")
        forced = forced_lengths(tokens, [refs[i] for i in keep], cfg.max_forced_length)
    ids = backend.encode(inputs)
    src_lengths = [len(row) for row in ids]
    options = DecodeOptions(beam_size=cfg.beam_size, max_new_tokens=cfg.max_new_tokens)
    beam = cfg.beam_size or backend.default_beam_size
    limits = backend.job_limits(options)
    batches = plan_bench_batches(src_lengths, forced, cfg.batch_size, cfg.max_batch_tokens, limits=limits, beam_size=beam)

    if cfg.warmup and inputs:
        run_batches(backend, forced_batches(ids, [[0]], [2] if forced is not None else None, options))

    cuda_peak = None
    if backend.device == "cuda" and backend.name == "torch":
        import torch

        torch.cuda.reset_peak_memory_stats()
    outputs: list[str] = [""] * len(inputs)
    proc = psutil.Process()
    cpu0 = proc.cpu_times()
    start = time.perf_counter()
    for batch, hyps in zip(batches, translate_planned(backend, batches, ids, forced, options, cfg.concurrent_batches)):
        for i, hyp in zip(batch, hyps):
            outputs[i] = hyp.text
    wall = time.perf_counter() - start
    cpu1 = proc.cpu_times()
    cpu_util = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / wall if wall > 0 else None
    if backend.device == "cuda":
        cuda_peak = _cuda_peak_mb(backend)

    if forced is not None:
        n_tokens, method = sum(forced), "forced"
    else:
        n_tokens, method = count_output_tokens(tokens, outputs), "retokenized"

    latency = None
    if cfg.docids:
        latency = _article_latency(cfg, backend, options, keep, ids, src_lengths, forced, limits, beam)

    return BenchResult(
        config=asdict(cfg),
        backend=backend.name,
        compute_type=backend.compute_type,
        device=backend.device,
        beam_size=int(beam),
        sentences=len(inputs),
        batches=len(batches),
        mean_batch_size=round(len(inputs) / max(1, len(batches)), 2),
        target_tokens=int(n_tokens),
        token_count_method=method,
        source_tokens=int(sum(src_lengths)),
        load_s=round(load_s, 3),
        convert_s=round(convert_s, 3) if convert_s is not None else None,
        wall_s=round(wall, 3),
        tokens_per_s=round(n_tokens / wall, 2) if wall > 0 else 0.0,
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


def translate_planned(backend, batches, ids, forced, options, concurrent: bool):
    """Translate every batch in order: all through one ``generate`` call (several batches in flight
    where the engine can), or one ``generate`` call per batch when ``concurrent`` is off."""
    jobs = forced_batches(ids, batches, forced, options)
    if concurrent:
        yield from backend.generate(jobs)
        return
    for job in jobs:
        yield from backend.generate([job])


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


def _article_latency(cfg, backend, options, keep, ids, src_lengths, forced, limits, beam) -> dict[str, Any]:
    """Translate article by article (each on its own, as a newsroom request would), timing each."""
    docids = _read_lines(cfg.docids, cfg.limit)
    articles: dict[str, list[int]] = {}
    for pos, i in enumerate(keep):
        articles.setdefault(docids[i] if i < len(docids) else "?", []).append(pos)
    times = []
    for idx in articles.values():
        sub_forced = [forced[i] for i in idx] if forced is not None else None
        plan = plan_bench_batches([src_lengths[i] for i in idx], sub_forced, cfg.batch_size, cfg.max_batch_tokens,
                                  limits=limits, beam_size=beam)
        plan = [[idx[j] for j in local] for local in plan]
        t0 = time.perf_counter()
        for _ in translate_planned(backend, plan, ids, forced, options, cfg.concurrent_batches):
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
    from mt.backends.ct2 import default_compute_type, resolve_device
    from mt.backends.ct2_convert import STORED_QUANTIZATION, converted_model

    device = resolve_device(cfg.device)
    compute = cfg.compute_type or default_compute_type(device)
    t0 = time.perf_counter()
    converted_model(cfg.model, STORED_QUANTIZATION[compute])
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
        argv += ["--max-batch-tokens", str(cfg.max_batch_tokens)]
    if cfg.batch_size is not None:
        argv += ["--batch-size", str(cfg.batch_size)]
    if not cfg.warmup:
        argv += ["--no-warmup"]
    if not cfg.concurrent_batches:
        argv += ["--sequential-batches"]
    return argv


# -- command line -------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from mt.config import add_pipeline_arguments

    add_pipeline_arguments(parser.add_argument_group("model, decoding and batching (as in mt translate)"),
                           model_required=True)
    parser.add_argument("--src", required=True, help="source sentences, one per line")
    parser.add_argument("--force-lengths-from", metavar="REF", default=None,
                        help="force each output to its reference line's target-token count")
    parser.add_argument("--max-forced-length", type=int, default=DEFAULT_MAX_FORCED)
    parser.add_argument("--docids", default=None, help="article id per line: adds per-article latency p50/p95")
    parser.add_argument("--limit", type=int, default=None, help="only the first N lines")
    parser.add_argument("--inter-threads", type=int, default=None, help="ct2: concurrent replicas")
    parser.add_argument("--intra-threads", type=int, default=None, help="ct2: threads per replica")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false")
    parser.add_argument("--sequential-batches", dest="concurrent_batches", action="store_false",
                        help="one generate call per batch (default: engines that can keep several batches in "
                        "flight, i.e. ct2 with inter_threads > 1, do so)")
    parser.add_argument("--subprocess", action="store_true", help="measure in a fresh process (clean memory peak)")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")


def config_from_args(args: argparse.Namespace) -> BenchConfig:
    """The benchmark's configuration; the shared options are validated by ``PipelineConfig``."""
    from mt.backends import ct2_available
    from mt.config import config_from_args as pipeline_config

    cfg = pipeline_config(args)
    backend = cfg.backend if cfg.backend != "auto" else ("ct2" if ct2_available() else "torch")
    device = "cpu" if cfg.device == "auto" else cfg.device
    return BenchConfig(
        model=cfg.model, src=args.src, backend=backend, compute_type=cfg.compute_type,
        device=device, beam_size=cfg.beam_size, batch_size=cfg.batch_size,
        max_batch_tokens=cfg.max_batch_tokens, force_lengths_from=args.force_lengths_from,
        max_forced_length=args.max_forced_length, max_new_tokens=cfg.max_new_tokens, docids=args.docids,
        limit=args.limit, threads=cfg.threads, inter_threads=args.inter_threads,
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
    except (OSError, ValueError) as exc:  # ConfigError is a ValueError
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
