"""`mt qa --src SRC --hyp HYP [--format jsonl|text] [-o OUT]`: QA flags for line-aligned files.

The translation may come from any system. ``jsonl`` (default) writes exactly one object per input
line, ``{"line": n, "flags": [{"check": NAME, "detail": {...}}]}`` (n from 1); ``text`` lists the
flagged lines and a summary. Lines end at ``\\n`` or ``\\r\\n`` only (U+2028 and friends are text).

:func:`add_arguments` and :func:`run` are what the ``mt`` command registers; ``python -m mt.qa.cli``
runs the same thing on its own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import IO

from mt.qa.base import CHECK_NAMES, Flag, QAChecker, default_checker, summarize


class QAInputError(Exception):
    """A missing, unreadable or non-UTF-8 input, or inputs of different lengths; the message says which."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--src", required=True, help="Arabic source, one sentence per line (- for stdin)")
    parser.add_argument("--hyp", required=True, help="English translation, line-aligned with --src")
    parser.add_argument("--format", choices=["jsonl", "text"], default="jsonl",
                        help="jsonl: one object per line (default); text: flagged lines and a summary")
    parser.add_argument("-o", "--output", help="write here instead of stdout (written atomically)")
    parser.add_argument("--thresholds", help="a thresholds JSON file instead of the calibrated one")


def read_lines(path: str, what: str) -> list[str]:
    """The lines of a UTF-8 file, split at "\\n" and "\\r\\n" only; a final line break ends the last line."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except FileNotFoundError:
        raise QAInputError(f"{what} {path}: no such file") from None
    except IsADirectoryError:
        raise QAInputError(f"{what} {path}: is a directory, expected a text file") from None
    except OSError as e:
        raise QAInputError(f"{what} {path}: cannot read ({e.strerror or e})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise QAInputError(f"{what} {path}: not valid UTF-8 at line {line}, byte {col} "
                           f"(0x{data[e.start]:02x})") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def _describe(flag: Flag) -> str:
    d = flag.detail
    if flag.check == "number":
        parts = []
        if d.get("missing"):
            parts.append("missing " + ", ".join(f"{v} ({f})" if f != v else v
                                                for v, f in zip(d["missing"], d.get("missing_forms", d["missing"]))))
        if d.get("extra"):
            parts.append("not in source " + ", ".join(f"{v} ({f})" if f != v else v
                                                      for v, f in zip(d["extra"], d.get("extra_forms", d["extra"]))))
        return "number: " + "; ".join(parts)
    if flag.check == "untranslated":
        what = "source copied" if d.get("copied") else "Arabic left"
        return f"untranslated: {what}: " + " ".join(d.get("arabic", []))
    if flag.check == "repetition":
        return f"repetition: \"{d.get('ngram')}\" x{d.get('count')}"
    if flag.check == "length":
        lo, hi = d.get("expected", [None, None])
        return f"length: too {d.get('direction')}, ratio {d.get('ratio')} (expected {lo}-{hi})"
    if flag.check == "empty":
        return "empty: no translation"
    return f"{flag.check}: {json.dumps(d, ensure_ascii=False)}"


def format_text(flags_per_line: list[list[Flag]]) -> str:
    out = []
    for n, flags in enumerate(flags_per_line, 1):
        for f in flags:
            out.append(f"line {n}: {_describe(f)}")
    s = summarize(flags_per_line)
    share = s["flagged"] / s["lines"] if s["lines"] else 0.0
    per = ", ".join(f"{c} {s['per_check'][c]}" for c in CHECK_NAMES)
    out.append(f"{s['lines']} lines, {s['flagged']} flagged ({share:.1%}): {per}")
    return "\n".join(out) + "\n"


def format_jsonl(flags_per_line: list[list[Flag]]) -> str:
    return "".join(
        json.dumps({"line": n, "flags": [f.to_dict() for f in flags]}, ensure_ascii=False) + "\n"
        for n, flags in enumerate(flags_per_line, 1)
    )


def _write(text: str, output: str | None, stdout: IO[str]) -> None:
    if not output or output == "-":
        stdout.write(text)
        stdout.flush()
        return
    target = Path(output)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def run(args: argparse.Namespace, stdout: IO[str] | None = None) -> int:
    """Check ``args.src`` against ``args.hyp`` and write the flags; raises :class:`QAInputError`."""
    if args.src == "-" and args.hyp == "-":
        raise QAInputError("--src and --hyp cannot both be stdin")
    src = read_lines(args.src, "source")
    hyp = read_lines(args.hyp, "translation")
    if len(src) != len(hyp):
        raise QAInputError(f"source {args.src} has {len(src)} lines but translation {args.hyp} has {len(hyp)}")
    thresholds = getattr(args, "thresholds", None)
    if thresholds:
        if not Path(thresholds).is_file():
            raise QAInputError(f"thresholds {thresholds}: no such file")
        checker = QAChecker(thresholds)
    else:
        checker = default_checker()
    flags = checker.check_many(zip(src, hyp))
    fmt = getattr(args, "format", "jsonl") or "jsonl"
    text = format_jsonl(flags) if fmt == "jsonl" else format_text(flags)
    try:
        _write(text, getattr(args, "output", None), stdout or sys.stdout)
    except OSError as e:
        raise QAInputError(f"output {args.output}: cannot write ({e.strerror or e})") from None
    return 0


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    parser = argparse.ArgumentParser(prog="mt qa", description="Flag translations an editor must check.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except QAInputError as e:
        print(f"mt qa: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
