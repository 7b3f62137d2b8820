"""``mt-eval``: a thin command line over the ``eval`` package.

Subcommands: ``score`` (sacrebleu metrics with signatures), ``compare`` (paired significance tests),
``run`` (translate a test set with the pipeline and write hypotheses, scores, report, manifest),
``testsets`` (the registry with provenance) and ``bench`` (speed and memory; lives in ``eval.bench``).
Input problems print one line, ``mt-eval: error: ...``, and exit with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Sequence

from eval.score import DEFAULT_METRICS, METRIC_KEYS, EvalError
from mt.config import ConfigError, add_pipeline_arguments, config_from_args

EXIT_INPUT_ERROR = 2


def _add_score(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="corpus BLEU, chrF2, chrF2++, TER with sacrebleu signatures",
                       description="Scores a hypothesis file against one or more reference files with sacrebleu.")
    p.add_argument("--hyp", required=True, metavar="FILE", help="hypotheses, one segment per line")
    p.add_argument("--ref", required=True, action="append", metavar="FILE", help="reference file (repeat for more)")
    p.add_argument("--metrics", default=",".join(DEFAULT_METRICS),
                   help=f"comma-separated subset of {','.join(METRIC_KEYS)} (default: all)")
    p.add_argument("--docids", metavar="FILE", help="document id of each line: adds per-document scores")
    p.add_argument("--tokenize", default=None, help="BLEU tokenizer (sacrebleu's; default 13a)")
    p.add_argument("--width", type=int, default=1, help="decimals printed (sacrebleu's default: 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_cmd_score)


def _cmd_score(args: argparse.Namespace) -> int:
    from eval.score import score_files

    report = score_files(args.hyp, args.ref, args.metrics, docids_path=args.docids,
                         tokenize=args.tokenize, width=args.width)
    if args.json:
        print(json.dumps(report.to_dict(), indent=1, ensure_ascii=False))
    else:
        print(report.format_text())
    return 0


def _add_compare(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="paired bootstrap / approximate randomisation against the first system",
                       description="Each system's score, 95%% CI and p-value against the first --hyp (the baseline), "
                                   "computed with sacrebleu's significance code.")
    p.add_argument("--ref", required=True, action="append", metavar="FILE", help="reference file (repeat for more)")
    p.add_argument("--hyp", required=True, action="append", metavar="FILE",
                   help="system output; give two or more, the first is the baseline")
    p.add_argument("--name", action="append", metavar="NAME", help="system names, in --hyp order (default: file names)")
    p.add_argument("--method", choices=["bootstrap", "ar"], default="bootstrap")
    p.add_argument("--seed", type=int, default=12345, help="random seed, a positive integer (default: 12345)")
    p.add_argument("--samples", type=int, default=None,
                   help="bootstrap resamples (default 1000) or AR trials (default 10000)")
    p.add_argument("--metrics", default="bleu,chrf", help="comma-separated subset of bleu,chrf,chrf++,ter")
    p.add_argument("--width", type=int, default=1)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_compare)


def _cmd_compare(args: argparse.Namespace) -> int:
    import os

    from eval.score import read_lines
    from eval.significance import compare_systems

    if len(args.hyp) < 2:
        raise EvalError("compare needs at least two --hyp files (the first is the baseline)")
    names = args.name or []
    if names and len(names) != len(args.hyp):
        raise EvalError(f"{len(names)} --name for {len(args.hyp)} --hyp")
    if not names:
        names = [os.path.basename(h) for h in args.hyp]
        if len(set(names)) != len(names):
            names = list(args.hyp)
    refs = [read_lines(r, what="reference file") for r in args.ref]
    systems = []
    for name, path in zip(names, args.hyp):
        hyp = read_lines(path, what="hypothesis file")
        if len(hyp) != len(refs[0]):
            raise EvalError(f"hypothesis file {path} has {len(hyp)} lines but reference file {args.ref[0]} has {len(refs[0])}")
        systems.append((name, hyp))
    for path, r in zip(args.ref[1:], refs[1:]):
        if len(r) != len(refs[0]):
            raise EvalError(f"reference file {path} has {len(r)} lines but {args.ref[0]} has {len(refs[0])}")
    result = compare_systems(systems, refs, args.metrics, method=args.method, seed=args.seed,
                             n_samples=args.samples, width=args.width)
    if args.json:
        print(json.dumps(result.to_dict(), indent=1, ensure_ascii=False))
    else:
        print(result.format_text())
    return 0


def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="translate a test set with the pipeline; write hypotheses, scores, report, manifest",
                       description="Runs the full pipeline on the source side, one source line per unit, then scores it.")
    data = p.add_argument_group("test set (one of)")
    data.add_argument("--testset", metavar="NAME|FILE", help="registered name (see `mt-eval testsets`) or a .tsv/.jsonl file")
    data.add_argument("--src", metavar="FILE", help="plain-text source, one segment per line")
    data.add_argument("--ref", action="append", metavar="FILE", help="plain-text reference (with --src; repeat for more)")
    data.add_argument("--docids", metavar="FILE", help="document ids (with --src)")
    data.add_argument("--refs", metavar="KEYS", help="references of a registered set, e.g. en,en-gb,en-us (NTREX)")
    data.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N lines (smoke runs)")
    add_pipeline_arguments(p.add_argument_group("pipeline and decoding"), model_required=True)
    o = p.add_argument_group("output")
    o.add_argument("-o", "--output-dir", required=True, metavar="DIR")
    o.add_argument("--metrics", default=",".join(DEFAULT_METRICS))
    o.add_argument("--long-tokens", type=int, default=50, metavar="N",
                   help="a source line of more than N model tokens counts as long (default 50)")
    o.add_argument("--comet-model", metavar="PATH", help="local COMET checkpoint; COMET is skipped without it")
    o.add_argument("--progress", action="store_true")
    p.set_defaults(func=_cmd_run)


def _cmd_run(args: argparse.Namespace) -> int:
    from eval.run import run_evaluation
    from eval.testsets import load_parallel, load_testset

    if bool(args.testset) == bool(args.src):
        raise EvalError("give either --testset NAME|FILE or --src FILE --ref FILE")
    if args.src:
        if not args.ref:
            raise EvalError("--src needs at least one --ref")
        ts = load_parallel(args.src, args.ref, args.docids)
    else:
        if args.ref or args.docids:
            raise EvalError("--ref/--docids go with --src; with --testset use --refs to pick references")
        ts = load_testset(args.testset, refs=args.refs.split(",") if args.refs else None)
    if args.limit is not None:
        if args.limit < 1:
            raise EvalError("--limit must be at least 1")
        ts = ts.head(args.limit)
    try:
        opts = config_from_args(args)
    except ConfigError as e:
        raise EvalError(str(e)) from None
    result = run_evaluation(ts, opts, args.output_dir, metrics=args.metrics, long_tokens=args.long_tokens,
                            comet_model=args.comet_model, progress=args.progress,
                            argv=["mt-eval", *sys.argv[1:]])
    for s in result.scores.values():
        print(s.format())
    print(f"run signature: {result.run_signature}")
    print(f"wrote {', '.join(str(p) for p in result.files.values())}")
    return 0


def _add_testsets(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("testsets", help="list registered test sets with provenance")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_testsets)


def _cmd_testsets(args: argparse.Namespace) -> int:
    from eval.testsets import format_testsets_table, list_testsets

    infos = list_testsets()
    if args.json:
        print(json.dumps([i.to_dict() for i in infos], indent=1, ensure_ascii=False))
    else:
        print(format_testsets_table(infos))
    return 0


BENCH_HELP = "speed and memory of a backend on identical work (eval.bench)"


def _add_bench(sub: argparse._SubParsersAction, bench=None) -> None:  # noqa: ANN001
    """``bench`` lives in ``eval.bench``, imported only when the subcommand is used."""
    if bench is None:  # listed in the help, never run from here (main() routes `bench` itself)
        p = sub.add_parser("bench", help=BENCH_HELP, add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
        return
    doc = (bench.__doc__ or "").strip().split("\n")[0] or None
    p = sub.add_parser("bench", help=BENCH_HELP, description=doc)
    bench.add_arguments(p)
    p.set_defaults(func=bench.run_from_args)


def build_parser(bench=None) -> argparse.ArgumentParser:  # noqa: ANN001
    """The ``mt-eval`` parser; ``bench`` is the imported ``eval.bench`` module when that subcommand runs."""
    parser = argparse.ArgumentParser(
        prog="mt-eval",
        description="Evaluation harness for newswire-mt: sacrebleu-exact scores, significance, test sets, runs.",
    )
    from eval import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _add_score(sub)
    _add_compare(sub)
    _add_run(sub)
    _add_testsets(sub)
    _add_bench(sub, bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        bench = importlib.import_module("eval.bench") if argv[:1] == ["bench"] else None
        args = build_parser(bench).parse_args(argv)
        return int(args.func(args) or 0)
    except EvalError as e:
        print(f"mt-eval: error: {e}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        print("mt-eval: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
