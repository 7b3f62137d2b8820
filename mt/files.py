"""Reading inputs and writing outputs safely: UTF-8 errors name file and line; outputs never half-written."""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator


class InputError(Exception):
    """Unreadable or undecodable input; the message names the file (and line)."""


def read_input(path: str) -> str:
    """Read UTF-8 text from a file or stdin (``-``); undecodable bytes raise InputError with file and line."""
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
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
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
