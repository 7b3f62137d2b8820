"""`mt batch`: translate wire feeds (JSONL records, folders of .txt articles) into JSONL, resumably."""

from __future__ import annotations

import argparse
import sys

from mt.cli.common import UserError, add_cache_arguments, open_cache
from mt.config import add_pipeline_arguments, config_from_args

EXIT_SOME_FAILED = 1


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "batch",
        help="translate a feed of articles (JSONL, - for stdin, or folders of .txt) into JSONL; reruns resume",
        description="Translate every record of the feeds into OUT (one JSON line per good record, in input "
        "order). Rerunning the same command continues where it stopped; bad records are listed in --errors.",
    )
    p.add_argument("feeds", nargs="+", metavar="FEED", help="JSONL file, - for stdin, or a folder (each *.txt is one article)")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output JSONL (read back to resume)")
    p.add_argument("--errors", metavar="FILE", help="bad records, one JSON line each (default OUT.errors.jsonl)")
    p.add_argument("--summary", metavar="FILE", help="write the run's counts here as JSON")
    add_cache_arguments(p)
    p.add_argument("--restart", action="store_true", help="start OUT and the errors file over instead of resuming")
    add_pipeline_arguments(p)
    engine = p.add_argument_group("engine (see mt.feed.ray_engine)")
    engine.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="local: this process (default); ray: an actor pool on Ray (the [ray] extra), same output")
    engine.add_argument("--ray-address", metavar="ADDR",
                        help="join this Ray cluster (default: $RAY_ADDRESS, else start a local Ray sized for this machine)")
    engine.add_argument("--actors", type=_positive, metavar="N", help="Ray: translation actors (default: fill the cluster)")
    engine.add_argument("--threads-per-actor", type=_positive, metavar="K",
                        help="Ray: CPU threads (and reserved CPUs) per actor (default: --threads, else a node's CPUs)")
    # bytes of input per shared translation window (mt.feed.windows); keep it fixed across reruns of one job
    p.add_argument("--window-bytes", type=_positive, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {value!r}")
    return n


def run(args: argparse.Namespace) -> int:
    from mt.feed.reader import count_records
    from mt.feed.runner import WINDOW_BYTES, BatchJob, check_paths, default_errors_path, write_summary
    from mt.pipeline import Pipeline

    config = config_from_args(args)
    errors = args.errors or str(default_errors_path(args.output))
    check_paths(args.feeds, args.output, errors, args.summary)  # before the model loads
    cache = pipeline = engine = None
    if args.engine == "ray":
        from mt.feed.ray_engine import RayEngine, RayOptions

        options = RayOptions(address=args.ray_address, actors=args.actors, threads_per_actor=args.threads_per_actor)
        engine = RayEngine(config, options, cache=args.cache, no_cache=args.no_cache)
    elif args.ray_address or args.actors or args.threads_per_actor:
        raise UserError("--ray-address, --actors and --threads-per-actor need --engine ray")
    else:
        cache = open_cache(args)
        pipeline = Pipeline.from_config(config, cache=cache)
    bar = ProgressBar(count_records(args.feeds)) if sys.stderr.isatty() else None
    job = BatchJob(pipeline, args.feeds, args.output, errors=errors, restart=args.restart,
                   progress=bar.update if bar else None, window_bytes=args.window_bytes or WINDOW_BYTES,
                   engine=engine)
    try:
        summary = job.run()
    except KeyboardInterrupt:
        s = job.summary
        print(
            f"mt batch: stopped after {s.records} records ({s.skipped_existing + s.written} in {args.output}, "
            f"{s.written} written now); rerun the same command to continue",
            file=sys.stderr,
        )
        raise
    finally:
        if bar is not None:
            bar.close()
        for note in job.notes:
            print(f"mt batch: {note}", file=sys.stderr)
        if args.summary:
            write_summary(job.summary, args.summary)
        if cache is not None:
            cache.close()
        if engine is not None:
            engine.close()
    print(f"mt batch: {summary.line()}", file=sys.stderr)
    return EXIT_SOME_FAILED if summary.failed else 0


class ProgressBar:
    """Whole-job progress on a terminal: articles (with ETA when the total is known), sentences, rate."""

    def __init__(self, total: int | None):
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="article", desc="mt batch", file=sys.stderr, dynamic_ncols=True)

    def update(self, summary) -> None:  # noqa: ANN001 - a BatchSummary
        self.bar.update(summary.records - self.bar.n)
        rate = summary.sentences / max(self.bar.format_dict.get("elapsed", 0) or 1e-9, 1e-9)
        self.bar.set_postfix_str(f"{summary.sentences} sent, {rate:.1f} sent/s, {summary.failed} failed")

    def close(self) -> None:
        self.bar.close()
