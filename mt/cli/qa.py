"""`mt qa --src SRC --hyp HYP [--format jsonl|text] [-o OUT]`: QA flags for line-aligned files.

The translation may come from any system. ``jsonl`` (default) writes exactly one object per input
line, ``{"line": n, "flags": [{"check": NAME, "detail": {...}}]}`` (n from 1); ``text`` lists the
flagged lines and a summary. Lines end at ``\\n`` or ``\\r\\n`` only (U+2028 and friends are text).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mt.cli.common import UserError
from mt.files import open_output, read_lines


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("qa", help="flag translations an editor must check (line-aligned files)",
                       description="Flag translations an editor must check: numbers, untranslated Arabic, "
                       "loops, omissions, empty output.")
    p.add_argument("--src", required=True, help="Arabic source, one sentence per line (- for stdin)")
    p.add_argument("--hyp", required=True, help="English translation, line-aligned with --src")
    p.add_argument("--format", choices=["jsonl", "text"], default="jsonl",
                   help="jsonl: one object per line (default); text: flagged lines and a summary")
    p.add_argument("-o", "--output", help="write here instead of stdout (written atomically)")
    p.add_argument("--thresholds", help="a thresholds JSON file instead of the calibrated one")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check ``args.src`` against ``args.hyp`` and write the flags."""
    from mt.qa import QAChecker, default_checker
    from mt.qa.report import format_jsonl, format_text

    if args.src == "-" and args.hyp == "-":
        raise UserError("--src and --hyp cannot both be stdin")
    if args.thresholds and not Path(args.thresholds).is_file():
        raise UserError(f"--thresholds {args.thresholds}: no such file")
    with open_output(args.output, inputs=[args.src, args.hyp]) as out:
        src = read_lines(args.src, "source")
        hyp = read_lines(args.hyp, "translation")
        if len(src) != len(hyp):
            raise UserError(f"source {args.src} has {len(src)} lines but translation {args.hyp} has {len(hyp)}")
        checker = QAChecker(args.thresholds) if args.thresholds else default_checker()
        flags = checker.check_many(zip(src, hyp))
        out.write(format_jsonl(flags) if args.format == "jsonl" else format_text(flags))
    return 0
