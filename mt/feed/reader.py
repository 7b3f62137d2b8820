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


def read_feed(inputs: Sequence[str]) -> Iterator[FeedItem]:
    """Every record of every input, in order (files in the order given, folders in sorted path order)."""
    for path in inputs:
        if path == STDIN:
            yield from read_jsonl(sys.stdin.buffer, source_name(path))
        elif Path(path).is_dir():
            yield from read_folder(Path(path), path)
        else:
            try:
                fh = open(path, "rb")
            except OSError as exc:
                raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
            with fh:
                yield from read_jsonl(fh, path)


def read_jsonl(fh: BinaryIO, source: str) -> Iterator[FeedItem]:
    """Records of one JSONL stream; blank lines are skipped, bad lines become :class:`BadRecord`."""
    for number, raw in enumerate(fh, 1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield _bad(source, number, f"invalid UTF-8 at byte {exc.start} of the line")
            continue
        try:
            obj = json.loads(text)
        except ValueError as exc:
            yield _bad(source, number, f"invalid JSON: {exc}")
            continue
        try:
            yield FeedItem(source, number, record=parse_record(obj))
        except RecordError as exc:
            uri = next((obj.get(f) for f in ("uri", "id", "guid") if isinstance(obj, dict) and isinstance(obj.get(f), str)), None)
            yield _bad(source, number, exc.reason, uri)


def read_folder(folder: Path, name: str) -> Iterator[FeedItem]:
    """Each ``*.txt`` below ``folder`` is one article; its uri is the path relative to ``folder``."""
    for path in sorted(folder.rglob("*.txt"), key=lambda p: p.relative_to(folder).as_posix()):
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        source = os.path.join(name, rel)
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield _bad(source, 1, f"cannot read: {exc.strerror or exc}", rel)
            continue
        try:
            text = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            yield _bad(source, line, f"invalid UTF-8 (byte offset {exc.start})", rel)
            continue
        try:
            yield FeedItem(source, 1, record=parse_record({"uri": rel, "body": text}))
        except RecordError as exc:
            yield _bad(source, 1, exc.reason, rel)


def _bad(source: str, line: int, reason: str, uri: str | None = None) -> FeedItem:
    return FeedItem(source, line, error=BadRecord(source, line, reason, uri))
