"""`mt translate`: one Arabic article in, its English translation out (text or JSON)."""

from __future__ import annotations

import argparse
import json
import sys

from mt.config import add_pipeline_arguments, config_from_args
from mt.document import iter_layout
from mt.files import open_output, read_input


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("translate", help="translate an Arabic article (one paragraph per line)")
    p.add_argument("file", nargs="?", default="-", help="input file, or - for stdin (default)")
    p.add_argument("-o", "--output", help="write here instead of stdout (written atomically)")
    add_pipeline_arguments(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mt.pipeline import Pipeline

    config = config_from_args(args)
    text = read_input(args.file)
    pipeline = Pipeline.from_config(config)
    article = pipeline.preprocess(text)
    bar = progress_bar(sum(len(s.model_inputs) for s in article.sentences))
    try:
        with open_output(args.output) as out:
            paragraphs = pipeline.translate_paragraphs(article, progress=bar.update if bar else None)
            if args.format == "json":
                for _ in paragraphs:
                    pass
                record = {"signature": pipeline.signature(), **article.to_dict()}
                json.dump(record, out, ensure_ascii=False, indent=1)
                out.write("\n")
            else:
                for piece in iter_layout(text, paragraphs, lambda p: p.translation, final_newline=True):
                    out.write(piece)
                    out.flush()
    finally:
        if bar is not None:
            bar.close()
    return 0


def progress_bar(total: int, unit: str = "sent"):  # noqa: ANN201 - a tqdm bar or None
    """A whole-job tqdm bar on stderr, shown only when stderr is a terminal and there is real work."""
    if total < 2 or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc="translating", file=sys.stderr, leave=False)
