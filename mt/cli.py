"""`mt`: translate or preprocess Arabic news text. A thin layer over the library API."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from mt.backends.base import DEFAULT_MODEL, ModelLoadError
from mt.document import Article, count_line_breaks

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


class InputError(Exception):
    """Unreadable or undecodable input; the message names the file (and line)."""


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (InputError, ModelLoadError, ValueError) as exc:
        print(f"mt: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("mt: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (e.g. `| head`); nothing more to say
        sys.stderr.close()
        return 0


def build_parser() -> argparse.ArgumentParser:
    from mt import __version__

    parser = argparse.ArgumentParser(prog="mt", description="Arabic-to-English news translation.")
    parser.add_argument("--version", action="version", version=f"newswire-mt {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    tr = sub.add_parser("translate", help="translate an Arabic article (one paragraph per line)")
    tr.add_argument("file", nargs="?", default="-", help="input file, or - for stdin (default)")
    tr.add_argument("-o", "--output", help="write here instead of stdout (written atomically)")
    tr.add_argument("--model", default=DEFAULT_MODEL, help=f"hub id or local MarianMT directory (default {DEFAULT_MODEL})")
    tr.add_argument("--backend", default="auto", choices=["auto", "torch", "ct2"], help="inference engine (auto: ct2 if installed)")
    tr.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    tr.add_argument("--compute-type", help="float32, int8 (CPU), float16/bfloat16 (CUDA); default per backend and device")
    tr.add_argument("--beam-size", type=_positive, help="beam size (default: the model's)")
    tr.add_argument("--batch-size", type=_positive, default=16, help="sentences per batch (default 16)")
    tr.add_argument("--max-batch-tokens", type=_positive, help="padded source tokens per batch")
    tr.add_argument("--max-new-tokens", type=_positive, help="cap on output tokens per sentence")
    tr.add_argument("--max-sentence-tokens", type=_positive, help="longer sentences are chunked (default 160)")
    tr.add_argument("--format", choices=["text", "json"], default="text")
    tr.set_defaults(func=cmd_translate)

    pp = sub.add_parser("preprocess", help="repair and segment Arabic text without translating")
    pp.add_argument("file", nargs="?", default="-", help="input file, or - for stdin (default)")
    pp.add_argument("-o", "--output", help="write here instead of stdout")
    pp.add_argument("--no-segment", action="store_true", help="repair only: exactly one output line per input line")
    pp.add_argument("--explain", action="store_true", help="print the edits as JSON lines instead of the text")
    pp.set_defaults(func=cmd_preprocess)
    return parser


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return n


# -- commands ------------------------------------------------------------------------------------
def cmd_translate(args: argparse.Namespace) -> int:
    from mt.pipeline import Pipeline
    from mt.text.chunk import DEFAULT_MAX_TOKENS

    text = read_input(args.file)
    pipeline = Pipeline(
        args.model,
        backend=args.backend,
        device=args.device,
        compute_type=args.compute_type,
        beam_size=args.beam_size,
        batch_size=args.batch_size,
        max_batch_tokens=args.max_batch_tokens,
        max_new_tokens=args.max_new_tokens,
        max_sentence_tokens=args.max_sentence_tokens or DEFAULT_MAX_TOKENS,
    )
    article = pipeline.preprocess(text)
    with open_output(args.output) as out:
        if args.format == "json":
            for _ in pipeline.translate_paragraphs(article, progress=True):
                pass
            record = {"signature": pipeline.signature(), **article.to_dict()}
            json.dump(record, out, ensure_ascii=False, indent=1)
            out.write("\n")
        else:
            write_layout(article, pipeline.translate_paragraphs(article, progress=True), out)
    return 0


def write_layout(article: Article, paragraphs, out: IO[str]) -> None:
    """Stream translated paragraphs, one output line per input line (blank lines kept)."""
    pos = 0
    for i, p in enumerate(paragraphs):
        breaks = count_line_breaks(article.text[pos : p.span[0]])
        out.write("\n" * (breaks if i == 0 else breaks - 1))
        out.write(p.translation + "\n")
        out.flush()
        pos = p.span[1]
    tail = count_line_breaks(article.text[pos:])
    out.write("\n" * max(tail - 1, 0) if article.paragraphs else "\n" * tail)


def cmd_preprocess(args: argparse.Namespace) -> int:
    from mt.preprocess import Preprocessor
    from mt.text.segment import split_sentences

    text = read_input(args.file)
    pre = Preprocessor(splitter=None if args.no_segment else split_sentences)
    with open_output(args.output) as out:
        offset = 0
        for number, line in enumerate(text.splitlines(keepends=True), start=1):
            body = line.rstrip("\r\n")
            article = pre(body)
            if args.explain:
                for e in article.edits:
                    record = {"line": number, "column": e.start, "offset": offset + e.start, **e.to_dict()}
                    record["start"], record["end"] = offset + e.start, offset + e.end
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            elif args.no_segment:
                out.write(article.repaired.strip("\n") + "\n")
            else:
                for sentence in article.sentences:
                    out.write(sentence.repaired + "\n")
                out.write("\n")
            offset += len(line)
    return 0


# -- input and output ----------------------------------------------------------------------------
def read_input(path: str) -> str:
    """Read UTF-8 text from a file or stdin; undecodable bytes raise InputError with file and line."""
    name = "<stdin>" if path == "-" else path
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{name}: line {line}: invalid UTF-8 (byte offset {exc.start}); convert it to UTF-8 first") from exc
    return text.removeprefix("\ufeff")


@contextmanager
def open_output(path: str | None) -> Iterator[IO[str]]:
    """stdout, or a file written to a temporary name and renamed on success (never half-written)."""
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        # keep what was already translated next to the target, and say where it is
        partial = target.with_name(target.name + ".partial")
        if Path(tmp).stat().st_size:
            os.replace(tmp, partial)
            print(f"mt: incomplete output kept in {partial}", file=sys.stderr)
        else:
            Path(tmp).unlink(missing_ok=True)
        raise


if __name__ == "__main__":
    sys.exit(main())
