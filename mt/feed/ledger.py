"""Exactly-once JSONL outputs: the output file is its own ledger.

A :class:`JsonlLedger` opens an existing output, cuts a torn last line (a crash mid-write), then
hands back the lines already written, one by one, while the runner walks the feed from the start;
when they run out it appends. Appends are whole lines in one ``write``, flushed and fsynced at the
end of each group, with Ctrl-C/SIGTERM held back for that moment, so a crash can only ever tear
the last line, and the next run repairs it. An exclusive lock stops two jobs writing one file.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

TAIL_CHUNK = 1 << 16


class LedgerError(ValueError):
    """The output cannot be used as a ledger (locked by another job, or written by another run)."""


@contextmanager
def signals_held() -> Iterator[None]:
    """Delay SIGINT/SIGTERM until the block is done (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    old = {s: signal.signal(s, lambda signum, frame: pending.append(signum)) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        for s in pending[:1]:
            signal.raise_signal(s)


class JsonlLedger:
    """An append-only JSONL file read back as the record of what is done (see the module doc)."""

    def __init__(self, path: str | Path, *, restart: bool = False):
        self.path = Path(path)
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LedgerError(f"cannot open {self.path} for writing: {exc.strerror or exc}") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            raise LedgerError(f"{self.path} is being written by another job; wait for it or choose another file") from None
        if restart:
            os.ftruncate(self._fd, 0)
        self.repaired_bytes = self._cut_torn_tail()
        self._reader = open(self.path, "rb")  # noqa: SIM115 - closed when exhausted or on close()
        self._offset = 0
        self.lines_read = 0
        self.reading = True

    def _cut_torn_tail(self) -> int:
        """Truncate after the last newline; returns how many bytes of a torn line were dropped."""
        size = os.fstat(self._fd).st_size
        end = size
        while end > 0:
            start = max(0, end - TAIL_CHUNK)
            chunk = os.pread(self._fd, end - start, start)
            i = chunk.rfind(b"\n")
            if i >= 0:
                end = start + i + 1
                break
            end = start
        if end != size:
            os.ftruncate(self._fd, end)
            os.fsync(self._fd)
        return size - end

    # -- reading back what is done -----------------------------------------------------------
    def next_entry(self) -> dict[str, Any] | None:
        """The next line already written, decoded; None when there are no more (then appends start).

        A line that is not a JSON object (a damaged write) is cut off with everything after it.
        """
        if not self.reading:
            return None
        raw = self._reader.readline()
        if raw:
            try:
                entry = json.loads(raw)
            except ValueError:
                entry = None
            if isinstance(entry, dict):
                self._offset += len(raw)
                self.lines_read += 1
                return entry
        self.truncate_here()
        return None

    def truncate_here(self) -> None:
        """Drop every line not yet read back (they will be written again); appends start here."""
        if self.reading:
            self._reader.close()
            self.reading = False
            if os.fstat(self._fd).st_size != self._offset:
                os.ftruncate(self._fd, self._offset)
                os.fsync(self._fd)

    # -- appending ---------------------------------------------------------------------------
    def append(self, lines: list[str]) -> None:
        """Append whole lines (each without its newline) in one write, then fsync."""
        if not lines:
            return
        self.truncate_here()
        data = "".join(line + "\n" for line in lines).encode("utf-8")
        with signals_held():
            view = memoryview(data)
            while view:
                n = os.pwrite(self._fd, view, self._offset)
                view = view[n:]
                self._offset += n
            os.fsync(self._fd)

    def close(self) -> None:
        if self.reading:
            self._reader.close()
            self.reading = False
        if self._fd >= 0:
            os.close(self._fd)  # releases the lock
            self._fd = -1

    def __enter__(self) -> "JsonlLedger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
