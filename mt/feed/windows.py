"""Windows: the feed cut into runs of neighbouring records that are translated together.

Window ``(i, k)`` holds the records of input ``i`` that start in its bytes ``[k*W, (k+1)*W)``
(``W = window_bytes``; a JSONL record starts at its line, a folder's article at the sum of the sizes
of the files before it, in path order). The rule looks only at byte offsets, so:

* a window holds the same records in every run, first or resumed, so its batches, and the output
  bytes, are the same (windows never span two inputs);
* windows can be found without parsing a record (:func:`plan_windows`: one newline scan, or a folder
  listing) and each read on its own (:func:`read_window`: seek to its first line), which is how Ray
  Data reads a feed in parallel (:mod:`mt.feed.ray_engine`); :func:`iter_windows` reads the same
  windows in one pass, from any stream, stdin included.

64 KiB is about 30,000 characters of Arabic in UTF-8 (200 sentences of news), 10,000 when the JSON
escapes every letter (``\\uXXXX``): enough to fill a few batches on every engine replica.
"""

from __future__ import annotations

import io
import mmap
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from mt.feed.reader import STDIN, FeedItem, list_folder, read_feed, read_folder, read_jsonl, source_name
from mt.feed.records import FeedRecord

WINDOW_BYTES = 64 * 1024

WindowKey = tuple[int, int]  # (input number, window number within that input)


@dataclass
class FeedWindow:
    """The items (good and bad records, in feed order) of one window."""

    key: WindowKey
    items: list[FeedItem] = field(default_factory=list)

    @property
    def records(self) -> list[FeedRecord]:
        return [item.record for item in self.items if item.record is not None]


@dataclass(frozen=True)
class WindowSpec:
    """Where one window's records are, found without reading them (:func:`plan_windows`)."""

    key: WindowKey
    path: str  # the input as given (a JSONL file or a folder)
    start: int  # JSONL: byte offset of its first line; folder: bytes of the files before its first
    end: int = 0  # JSONL: where its lines end (the next window's first line)
    first_line: int = 1  # JSONL: line number of its first line
    files: tuple[tuple[str, int], ...] = ()  # folder: its articles (path relative to the folder, size)
    name: str = ""  # how bad records name the input (default: its path)


@dataclass(frozen=True)
class Feed:
    """A job's inputs and window size: read in one pass (:meth:`windows`) or planned (:meth:`plan`)."""

    inputs: tuple[str, ...]
    window_bytes: int = WINDOW_BYTES
    names: tuple[str, ...] | None = None  # how bad records name each input (default: its path)

    def windows(self) -> Iterator[FeedWindow]:
        return iter_windows(self.inputs, self.window_bytes, self.names)

    def plan(self, start: WindowKey = (0, 0)) -> Iterator[WindowSpec]:
        return plan_windows(self.inputs, self.window_bytes, start, self.names)


def window_of(item: FeedItem, input_no: int, window_bytes: int) -> WindowKey:
    """The one rule: which window an item belongs to."""
    return (input_no, item.offset // window_bytes)


def iter_windows(
    inputs: Sequence[str], window_bytes: int = WINDOW_BYTES, names: Sequence[str] | None = None
) -> Iterator[FeedWindow]:
    """Every window of the feed, in order, read in one pass (stdin too); memory holds one window.

    ``names``: how bad records name each input (default: its path; stdin is ``<stdin>``).
    """
    window: FeedWindow | None = None
    for input_no, path in enumerate(inputs):
        for item in read_feed([path], names=[names[input_no]] if names else None):
            key = window_of(item, input_no, window_bytes)
            if window is None or window.key != key:
                if window is not None:
                    yield window
                window = FeedWindow(key)
            window.items.append(item)
    if window is not None:
        yield window


def plan_windows(
    inputs: Sequence[str],
    window_bytes: int = WINDOW_BYTES,
    start: WindowKey = (0, 0),
    names: Sequence[str] | None = None,
) -> Iterator[WindowSpec]:
    """The windows from ``start`` on, as :class:`WindowSpec` (files and folders; stdin cannot be re-read).

    A JSONL file is scanned for newlines once (no parsing); a window none of whose lines starts in
    its bytes is left out, and so may be one whose lines are all blank (it reads as no items).
    """
    for input_no, path in enumerate(inputs):
        if input_no < start[0]:
            continue
        first = start[1] if input_no == start[0] else 0
        if path == STDIN:
            raise ValueError("stdin cannot be planned into windows: it can be read only once")
        name = names[input_no] if names else path
        if Path(path).is_dir():
            specs = _plan_folder(input_no, path, window_bytes, name)
        else:
            specs = _plan_jsonl(input_no, path, window_bytes, name)
        yield from (spec for spec in specs if spec.key[1] >= first)


def _plan_jsonl(input_no: int, path: str, window_bytes: int, name: str) -> Iterator[WindowSpec]:
    with open(path, "rb") as fh:
        size = fh.seek(0, 2)
        if size == 0:
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            start, line, counted = 0, 1, 0
            while start < size:
                k = start // window_bytes
                newline = data.find(b"\n", (k + 1) * window_bytes - 1)
                end = size if newline < 0 else newline + 1  # the first line starting in a later window
                line += data[counted:start].count(b"\n")
                counted = start
                yield WindowSpec((input_no, k), path, start, end, line, name=name)
                start = end


def _plan_folder(input_no: int, path: str, window_bytes: int, name: str) -> Iterator[WindowSpec]:
    offset = 0
    group: list[tuple[str, int]] = []
    group_start = 0
    for rel, size in list_folder(Path(path)):
        if group and offset // window_bytes != group_start // window_bytes:
            yield WindowSpec((input_no, group_start // window_bytes), path, group_start, files=tuple(group), name=name)
            group = []
        if not group:
            group_start = offset
        group.append((rel, size))
        offset += size
    if group:
        yield WindowSpec((input_no, group_start // window_bytes), path, group_start, files=tuple(group), name=name)


def read_window(spec: WindowSpec) -> FeedWindow:
    """The items of one planned window: the same items :func:`iter_windows` gives for its key."""
    if spec.files:
        items = list(read_folder(Path(spec.path), spec.name or spec.path, spec.files, spec.start))
    else:
        with open(spec.path, "rb") as fh:
            fh.seek(spec.start)
            data = fh.read(spec.end - spec.start)
        items = list(read_jsonl(io.BytesIO(data), spec.name or source_name(spec.path), first_line=spec.first_line, offset=spec.start))
    return FeedWindow(spec.key, items)


def spool_stdin(directory: str | None = None) -> str:
    """Copy stdin into a temporary file (for readers that need to seek); returns its path. The caller removes it."""
    fd, name = tempfile.mkstemp(prefix="mt-batch-stdin-", suffix=".jsonl", dir=directory)
    with open(fd, "wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
    return name


__all__ = [
    "Feed",
    "FeedWindow",
    "WINDOW_BYTES",
    "WindowKey",
    "WindowSpec",
    "iter_windows",
    "plan_windows",
    "read_window",
    "spool_stdin",
    "window_of",
]
