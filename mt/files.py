"""Reading inputs and writing outputs safely: errors name the user's path in one line; nothing done is lost.

Output files (``open_output``) are written under their visible ``NAME.partial`` name and renamed
over ``NAME`` only when complete, so a reader never sees half an output, and an interrupted run
leaves what it did in ``NAME.partial`` (never in a hidden temporary file). The story per ending:

* success: ``NAME.partial`` becomes ``NAME`` (atomic rename; an existing file's mode is kept, a new
  file gets the umask's); a symlink ``NAME`` is written through (its target is replaced, the link
  stays);
* an error, Ctrl-C or SIGTERM: ``NAME.partial`` is kept when it holds anything (the caller says
  how far the run got), and ``NAME`` is untouched;
* SIGKILL (or a power cut): nothing can run, so ``NAME.partial`` stays with what was flushed so
  far (text output is flushed paragraph by paragraph); the next run to the same ``NAME`` replaces it
  and removes it on success. Hidden ``.NAME.XXXXXXXX`` temporary files of older versions are
  removed by the next run to ``NAME`` too.

:func:`check_output_path` does every check that can be done before the work starts (missing or
unwritable directory, a directory or device as target, the output being one of the inputs), so a
command can refuse a bad ``-o`` before it loads a model.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

PARTIAL_SUFFIX = ".partial"

# Separators that some readers (Python's str.splitlines, editors) take as line ends but the project
# does not (only "\n" and "\r\n" end a line): written out, they would break line alignment.
_STRAY_SEPARATORS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


class InputError(Exception):
    """Unreadable or undecodable input; the message names the file (and line)."""


class OutputError(Exception):
    """An output that cannot or must not be written; the message names the user's path."""


def read_input(path: str) -> str:
    """Read UTF-8 text from a file or stdin (``-``); undecodable bytes raise InputError with file and line."""
    name = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            if sys.stdin is None:
                raise InputError("cannot read <stdin>: it is closed; give an input file")
            data = sys.stdin.buffer.read()
        else:
            data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{name}: line {line}: invalid UTF-8 (byte offset {exc.start}); convert it to UTF-8 first") from None
    return text.removeprefix("\ufeff")


def read_lines(path: str, what: str = "input") -> list[str]:
    """The lines of a UTF-8 file (or ``-``), split at "\\n" and "\\r\\n" only (mt.document.LINE_BREAK);
    a final line break ends the last line. Errors name ``what`` and the file."""
    from mt.document import LINE_BREAK

    try:
        text = read_input(path)
    except InputError as exc:
        raise InputError(f"{what}: {exc}") from None
    if not text:
        return []
    lines = LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def single_line(text: str) -> str:
    """``text`` safe to write as (part of) one output line: every line separator becomes a space."""
    text = text.replace("\n", " ")
    return _STRAY_SEPARATORS.sub(" ", text)


def partial_path(path: str | os.PathLike[str]) -> Path:
    """Where an unfinished output to ``path`` is written (and kept when the run stops early)."""
    target = Path(os.path.realpath(path))
    return target.with_name(target.name + PARTIAL_SUFFIX)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def check_output_path(path: str | os.PathLike[str] | None, inputs: Iterable[str | os.PathLike[str]] = ()) -> Path | None:
    """Check that ``path`` can be written as an output, before any work is done; return the real
    file that will be written (symlinks followed), or None for stdout (``None`` or ``-``).

    Raises :class:`OutputError` naming ``path`` when its directory is missing or not writable, when
    it is a directory, device, pipe or socket, or when it is one of ``inputs`` (the same file by
    any name), and when stdout is closed.
    """
    if path is None or str(path) == "-":
        if sys.stdout is None:
            raise OutputError("cannot write to stdout: it is closed; give -o FILE")
        return None
    name = os.fspath(path)
    if not name:
        raise OutputError("-o: empty file name")
    try:
        real = Path(os.path.realpath(name, strict=False))
    except OSError as exc:  # a symlink loop, on some Pythons
        raise OutputError(f"cannot write {name}: {exc.strerror or exc}") from None
    if Path(name).is_symlink() and not real.parent.is_dir():
        raise OutputError(f"cannot write {name}: it is a symlink to {real}, whose directory does not exist")
    parent = real.parent
    if not parent.exists():
        shown = os.path.dirname(name) or "."
        raise OutputError(f"cannot write {name}: no such directory {shown}")
    if not parent.is_dir():
        raise OutputError(f"cannot write {name}: {os.path.dirname(name)} is not a directory")
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"cannot write {name}: {exc.strerror or exc}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        hint = "; give a file name" + ("" if stat.S_ISDIR(st.st_mode) else ", or leave out -o to write to stdout")
        raise OutputError(f"cannot write {name}: it is {_kind(st.st_mode)}, not a regular file{hint}")
    for source in inputs:
        src = os.fspath(source)
        if src == "-":
            continue
        same = False
        try:
            same = st is not None and os.path.samefile(src, real)
        except OSError:
            same = False
        if same or os.path.realpath(src) == str(real):
            raise OutputError(f"cannot write {name}: it is the input file {src}; write the output elsewhere")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {name}: permission denied (directory {os.path.dirname(name) or '.'})")
    if st is not None and not os.access(real, os.W_OK):
        raise OutputError(f"cannot write {name}: permission denied")
    return real


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove hidden ``.NAME.XXXXXXXX`` files that older versions (tempfile.mkstemp) left beside
    ``target`` when killed; returns what was removed."""
    pattern = re.compile(re.escape(f".{target.name}.") + r"[a-z0-9_]{8}")
    removed = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return removed
    for p in entries:
        if pattern.fullmatch(p.name) and p.is_file() and not p.is_symlink():
            try:
                p.unlink()
                removed.append(p)
            except OSError:
                pass
    return removed


@dataclass
class Output:
    """An output being written: ``stream`` to write to; after an early end, ``kept`` is the
    ``.partial`` file that holds what was written (None for stdout or when nothing was)."""

    path: str | None  # as the user gave it; None for stdout
    stream: IO[str]
    target: Path | None = None  # the real file written (symlinks followed)
    partial: Path | None = None
    kept: Path | None = None
    notes: list[str] = field(default_factory=list)

    def write(self, text: str) -> None:
        """Write ``text``; an I/O failure becomes an :class:`OutputError` naming the output."""
        try:
            self.stream.write(text)
        except OSError as exc:
            raise self.error(exc) from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as exc:
            raise self.error(exc) from None

    def error(self, exc: OSError) -> BaseException:
        if exc.errno == errno.EPIPE:
            return BrokenPipeError(exc.errno, exc.strerror)
        where = self.path or "stdout"
        return OutputError(f"cannot write {where}: {exc.strerror or exc}")


@contextmanager
def open_output(path: str | os.PathLike[str] | None, *, inputs: Iterable[str | os.PathLike[str]] = (),
                announce: bool = False) -> Iterator[Output]:
    """Write to stdout (``None`` or ``-``) or to a file, safely (see the module docstring).

    Yields an :class:`Output`. On success the file appears complete under its name and a stale
    ``.partial`` is gone; on any exception (Ctrl-C and SIGTERM included) what was written is kept in
    ``NAME.partial`` and a note saying so is added to the exception (``exc.__notes__``), which
    ``mt``'s error handler prints on the same line. ``announce`` also prints that note to stderr.
    """
    target = check_output_path(path, inputs)
    if target is None:
        out = Output(None, sys.stdout)
        try:
            yield out
            out.flush()
        except OSError as exc:
            raise out.error(exc) from None
        return
    name = os.fspath(path)
    remove_stale_temporaries(target)
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    try:
        if partial.is_symlink() or partial.exists():
            if _locked(partial):
                raise OutputError(f"cannot write {name}: another run is writing it ({partial.name} is in use)")
            partial.unlink()  # a stale one (an earlier run was killed): this run redoes the work
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        raise OutputError(f"cannot write {name}: {partial.name}: {exc.strerror or exc}") from None
    _lock(fd)
    fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
    out = Output(name, fh, target=target, partial=partial)
    try:
        try:
            yield out
            out.flush()
            try:
                os.fsync(fh.fileno())
            except OSError:
                pass  # not every file system syncs (pipes, some FUSE mounts); the rename still is atomic
        finally:
            fh.close()
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = None
        if mode is not None:
            os.chmod(partial, mode)
        os.replace(partial, target)
    except BaseException as exc:
        if not fh.closed:
            try:
                fh.close()
            except OSError:
                pass
        try:
            size = partial.stat().st_size
        except OSError:
            size = 0
        if size:
            out.kept = partial
            note = f"what was done is kept in {_shown(partial, name)}"
        else:
            partial.unlink(missing_ok=True)
            note = f"{name} was not written"
        if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
            exc = OutputError(f"cannot write {name}: {exc.strerror or exc}")
            exc.add_note(note)
            if announce:
                print(f"mt: {note}", file=sys.stderr)
            raise exc from None
        exc.add_note(note)
        if announce:
            print(f"mt: {note}", file=sys.stderr)
        raise


def _shown(real: Path, given: str) -> str:
    """The partial file's name as the user would write it: beside their path, unless a symlink moved it."""
    return str(real) if Path(given).is_symlink() else given + PARTIAL_SUFFIX


def _lock(fd: int) -> bool:
    """Take a non-blocking exclusive lock on ``fd`` (so two runs never share one .partial)."""
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except (ImportError, OSError):
        return False


def _locked(path: Path) -> bool:
    """Whether another process holds the lock of ``path`` (a .partial being written right now)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except ImportError:
        return False
    except OSError:
        return True
    finally:
        os.close(fd)
