"""`mt preprocess`: the repaired text (one sentence per line), or the edits the repair made."""

from __future__ import annotations

import argparse
import json

from mt.document import LINE_BREAK
from mt.files import open_output, read_input


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("preprocess", help="repair and segment Arabic text without translating")
    p.add_argument("file", nargs="?", default="-", help="input file, or - for stdin (default)")
    p.add_argument("-o", "--output", help="write here instead of stdout")
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

    text = read_input(args.file)
    pre = Preprocessor(splitter=None if args.no_segment else split_sentences)
    with open_output(args.output) as out:
        offset = 0
        for number, (body, newline) in enumerate(split_lines(text), start=1):
            article = pre(body)
            if args.explain:
                for e in article.edits:
                    record = {"line": number, "column": e.start, "offset": offset + e.start, **e.to_dict()}
                    record["start"], record["end"] = offset + e.start, offset + e.end
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            elif args.no_segment:
                out.write(article.repaired + (newline or "\n"))
            else:
                for sentence in article.sentences:
                    out.write(sentence.repaired + "\n")
                out.write("\n")
            offset += len(body) + len(newline)
    return 0
