"""Feed inputs: JSONL files (one record a line), ``-`` for stdin, folders of ``*.txt`` articles.

:func:`read_feed` yields every record in input order, good or bad, with its file and line, so a
bad one becomes one line in the errors file and never stops the job. Memory holds one record.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

from mt.feed.records import FeedRecord, RecordError, parse_record
from mt.files import InputError

STDIN = "-"


@dataclass(frozen=True)
class BadRecord:
    """An input record that could not be translated: where it is and why."""

    source: str
    line: int
    reason: str
    uri: str | None = None

    def to_dict(self) -> dict:
        out: dict = {"input": self.source, "line": self.line, "reason": self.reason}
        if self.uri is not None:
            out["uri"] = self.uri
        return out


@dataclass(frozen=True)
class FeedItem:
    """One input record in feed order: ``record`` when valid, else ``error``."""

    source: str
    line: int
    record: FeedRecord | None = None
    error: BadRecord | None = None
    offset: int = 0  # where it starts in its input: the line's byte offset (folders: the files before it, in bytes)


def source_name(path: str) -> str:
    return "<stdin>" if path == STDIN else path


def check_inputs(inputs: Sequence[str]) -> None:
    """Raise :class:`InputError` naming the first input that is missing or unreadable (before any work)."""
    if not inputs:
        raise InputError("no input given (a JSONL file, - for stdin, or a folder of .txt files)")
    if list(inputs).count(STDIN) > 1:
        raise InputError("- (stdin) can be given only once")
    for path in inputs:
        if path == STDIN:
            continue
        p = Path(path)
        if not p.exists():
            raise InputError(f"{path}: no such file or folder")
        if p.is_dir():
            if not os.access(p, os.R_OK | os.X_OK):
                raise InputError(f"{path}: folder is not readable")
        elif not os.access(p, os.R_OK):
            raise InputError(f"{path}: file is not readable")


def count_records(inputs: Sequence[str]) -> int | None:
    """A cheap upper bound on the number of records (for progress ETA); None for stdin."""
    total = 0
    for path in inputs:
        if path == STDIN:
            return None
        p = Path(path)
        if p.is_dir():
            total += sum(1 for _ in p.rglob("*.txt"))
        else:
            with open(p, "rb") as fh:
                total += sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return total


def read_feed(inputs: Sequence[str], names: Sequence[str] | None = None) -> Iterator[FeedItem]:
    """Every record of every input, in order (files in the order given, folders in sorted path order).

    ``names``: how bad records name each input (default: its path; stdin is ``<stdin>``).
    """
    for k, path in enumerate(inputs):
        name = names[k] if names else source_name(path)
        if path == STDIN:
            yield from read_jsonl(sys.stdin.buffer, name)
        elif Path(path).is_dir():
            yield from read_folder(Path(path), name)
        else:
            try:
                fh = open(path, "rb")
            except OSError as exc:
                raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
            with fh:
                yield from read_jsonl(fh, name)


def read_jsonl(fh: BinaryIO, source: str, *, first_line: int = 1, offset: int = 0) -> Iterator[FeedItem]:
    """Records of one JSONL stream; blank lines are skipped, bad lines become :class:`BadRecord`.

    ``first_line``/``offset``: where ``fh`` starts in its file (a window read on its own).
    """
    for number, raw in enumerate(fh, first_line):
        start, offset = offset, offset + len(raw)
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        yield parse_line(raw, source, number, start)


def parse_line(raw: bytes, source: str, number: int, offset: int = 0) -> FeedItem:
    """One JSONL line as a record, or as a :class:`BadRecord` saying why not."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _bad(source, number, f"invalid UTF-8 at byte {exc.start} of the line", offset=offset)
    try:
        obj = json.loads(text)
    except ValueError as exc:
        return _bad(source, number, f"invalid JSON: {exc}", offset=offset)
    try:
        return FeedItem(source, number, record=parse_record(obj), offset=offset)
    except RecordError as exc:
        uri = next((obj.get(f) for f in ("uri", "id", "guid") if isinstance(obj, dict) and isinstance(obj.get(f), str)), None)
        return _bad(source, number, exc.reason, uri, offset=offset)


def list_folder(folder: Path) -> list[tuple[str, int]]:
    """The articles of a folder: every ``*.txt`` below it as (path relative to it, size), in path order."""
    files = []
    for path in folder.rglob("*.txt"):
        try:
            if path.is_file():
                files.append((path.relative_to(folder).as_posix(), path.stat().st_size))
        except OSError:  # vanished or unreadable: reading it will say so
            files.append((path.relative_to(folder).as_posix(), 0))
    return sorted(files)


def read_folder(folder: Path, name: str, files: Sequence[tuple[str, int]] | None = None, offset: int = 0) -> Iterator[FeedItem]:
    """Each ``*.txt`` below ``folder`` is one article; its uri is the path relative to ``folder``.

    ``files``: a part of :func:`list_folder`'s listing, starting ``offset`` bytes into it.
    """
    for rel, size in list_folder(folder) if files is None else files:
        yield read_article(folder / rel, os.path.join(name, rel), rel, offset)
        offset += size


def read_article(path: Path, source: str, uri: str, offset: int) -> FeedItem:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _bad(source, 1, f"cannot read: {exc.strerror or exc}", uri, offset=offset)
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return _bad(source, line, f"invalid UTF-8 (byte offset {exc.start})", uri, offset=offset)
    try:
        return FeedItem(source, 1, record=parse_record({"uri": uri, "body": text}), offset=offset)
    except RecordError as exc:
        return _bad(source, 1, exc.reason, uri, offset=offset)


def _bad(source: str, line: int, reason: str, uri: str | None = None, *, offset: int = 0) -> FeedItem:
    return FeedItem(source, line, error=BadRecord(source, line, reason, uri), offset=offset)
