"""`mt preprocess`: the repaired text (one sentence per line), or the edits the repair made."""

from __future__ import annotations

import argparse
import json

from mt.cli.common import progress_note, stdin_hint, warn
from mt.document import LINE_BREAK
from mt.files import check_output_path, open_output, read_input, single_line
from mt.text.inspect import inspect_text


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("preprocess", help="repair and segment Arabic text without translating")
    p.add_argument("file", nargs="?", default="-", help="input file, or - for stdin (default)")
    p.add_argument("-o", "--output",
                   help="write here instead of stdout (an interrupted run keeps what was done in OUTPUT.partial)")
    p.add_argument("--no-segment", action="store_true", help="repair only: exactly one output line per input line")
    p.add_argument("--explain", action="store_true", help="print the edits as JSON lines instead of the text")
    p.set_defaults(func=run)


def split_lines(text: str) -> list[tuple[str, str]]:
    """(line, its line break) pairs; only "\\n" and "\\r\\n" end a line (see mt.document.LINE_BREAK)."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in LINE_BREAK.finditer(text):
        out.append((text[pos : m.start()], m.group()))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], ""))
    return out


def run(args: argparse.Namespace) -> int:
    from mt.preprocess import Preprocessor
    from mt.text.segment import split_sentences

    check_output_path(args.output, inputs=[args.file])
    stdin_hint(args.file)
    text = read_input(args.file)
    for warning in inspect_text(text):
        warn(warning)
    pre = Preprocessor(splitter=None if args.no_segment else split_sentences)
    lines = split_lines(text)
    number = 0
    with open_output(args.output, inputs=[args.file]) as out:
        try:
            offset = 0
            for number, (body, newline) in enumerate(lines, start=1):
                article = pre(body)
                if args.explain:
                    for e in article.edits:
                        record = {"line": number, "column": e.start, "offset": offset + e.start, **e.to_dict()}
                        record["start"], record["end"] = offset + e.start, offset + e.end
                        out.write(json.dumps(record, ensure_ascii=False) + "\n")
                elif args.no_segment:
                    out.write(single_line(article.repaired) + (newline or "\n"))
                else:
                    for sentence in article.sentences:
                        out.write(single_line(sentence.repaired) + "\n")
                    out.write("\n")
                offset += len(body) + len(newline)
        except BaseException as exc:
            exc.add_note(progress_note(max(number - 1, 0), len(lines), "lines"))
            raise
    return 0
