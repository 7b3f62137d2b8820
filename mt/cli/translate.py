"""`mt translate`: one Arabic article in, its English translation out (text or JSON).

Everything that can be checked is checked before the model loads (options, the input, the output
location). Output goes out paragraph by paragraph; an interrupted run (Ctrl-C, SIGTERM) keeps what
was done (text: the finished lines; JSON: a valid document of the finished paragraphs, marked
``"complete": false``) and says how far it got.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, Callable, Iterator

from mt.cli.common import add_cache_arguments, open_cache, progress_note, stdin_hint, warn
from mt.config import add_pipeline_arguments, config_from_args
from mt.document import LINE_BREAK, Article, Paragraph, iter_layout
from mt.files import Output, OutputError, check_output_path, open_output, read_input, single_line
from mt.text.inspect import inspect_text

if TYPE_CHECKING:
    from mt.pipeline import Pipeline


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("translate", help="translate an Arabic article (one paragraph per line)")
    p.add_argument("file", nargs="?", default="-", help="input file, or - for stdin (default)")
    p.add_argument("-o", "--output",
                   help="write here instead of stdout (appears complete or not at all; an interrupted "
                        "run keeps what was done in OUTPUT.partial)")
    add_pipeline_arguments(p)
    add_cache_arguments(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    check_output_path(args.output, inputs=[args.file])
    stdin_hint(args.file)
    text = read_input(args.file)
    for warning in inspect_text(text):
        warn(warning)
    from mt.pipeline import Pipeline  # (the heavy imports, once the cheap checks have passed)

    pipeline = Pipeline.from_config(config, cache=open_cache(args))
    article = pipeline.preprocess(text)
    bar = progress_bar(sum(len(s.model_inputs) for s in article.sentences))
    try:
        with open_output(args.output, inputs=[args.file]) as out:
            write_translation(pipeline, article, out, fmt=args.format, bar=bar)
    finally:
        if bar is not None:
            bar.close()
    return 0


def write_translation(pipeline: "Pipeline", article: Article, out: Output | IO[str], *, fmt: str = "text",
                      bar: Any = None) -> None:
    """Translate ``article`` and write it to ``out`` as it goes (``fmt``: text or json).

    ``bar`` (anything with ``update(n)`` and ``n``) follows the whole job in model inputs. On an
    exception (Ctrl-C and SIGTERM included) what was finished is written (JSON: a complete document
    of the finished paragraphs) and a note "after K of N paragraphs" is added to the exception.
    """
    total = len(article.paragraphs)
    done: list[Paragraph] = []
    finished_inputs = 0
    written = 0  # paragraphs safely handed to the output

    def advance(p: Paragraph) -> None:
        nonlocal finished_inputs
        done.append(p)
        finished_inputs += sum(len(s.model_inputs) for s in p.sentences)
        if bar is not None and bar.n < finished_inputs:
            bar.update(finished_inputs - bar.n)  # repeats and cache hits never reach the callback

    paragraphs = translated_paragraphs(pipeline, article, progress=bar.update if bar is not None else None)
    try:
        if fmt == "json":
            for p in paragraphs:
                advance(p)
            out.write(json_record(pipeline, article, done) + "\n")
        else:
            stream: Iterator[Paragraph] = _tap(paragraphs, advance)
            for piece in iter_layout(article.text, stream, lambda p: single_line(p.translation), final_newline=True):
                out.write(piece)
                out.flush()
                written = len(done)
    except BaseException as exc:
        if len(done) < total and not isinstance(exc, (OSError, OutputError)):
            with _signals_held():
                if fmt == "json":
                    out.write(json_record(pipeline, article, done) + "\n")
                    written = len(done)
                elif written:  # end the last finished line, as the input does
                    m = LINE_BREAK.search(article.text)
                    out.write(m.group() if m else "\n")
        if written < total:
            exc.add_note(progress_note(written, total, "paragraphs"))
        raise


def translated_paragraphs(pipeline: "Pipeline", article: Article, *, progress: Callable[[int], None] | None = None,
                          group_sentences: int | None = None) -> Iterator[Paragraph]:
    """``article``'s paragraphs, translated in small groups (``Pipeline.translate_paragraphs``) and
    yielded in order once done, so an interrupt loses at most one group's work."""
    return pipeline.translate_paragraphs(article, group=group_sentences, progress=progress)


def json_record(pipeline: "Pipeline", article: Article, done: list[Paragraph]) -> str:
    """The JSON document of ``article``; with fewer ``done`` paragraphs than it has, a valid document
    of those alone, marked ``"complete": false`` with how far the run got."""
    complete = len(done) == len(article.paragraphs)
    record: dict[str, Any] = {"signature": pipeline.signature(), "complete": complete}
    if complete:
        record.update(article.to_dict())
    else:
        part = Article(article.text, list(done))
        record.update(
            paragraphs_done=len(done),
            paragraphs_total=len(article.paragraphs),
            **part.to_dict(),
        )
        record["translation"] = "".join(iter_layout(article.text, done, lambda p: p.translation))
    return json.dumps(record, ensure_ascii=False, indent=1)


def _tap(paragraphs: Iterator[Paragraph], seen: Callable[[Paragraph], None]) -> Iterator[Paragraph]:
    for p in paragraphs:
        seen(p)
        yield p


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while a final record is written, so a second signal cannot cut it."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def progress_bar(total: int, unit: str = "sent", *, file: IO[str] | None = None, force: bool = False):  # noqa: ANN201
    """A whole-job tqdm bar on stderr (or ``file``), shown only when it is a terminal and there is
    real work (``force``: always)."""
    stream = file or sys.stderr
    if not force and (total < 2 or stream is None or not stream.isatty()):
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc="translating", file=stream, leave=False)
