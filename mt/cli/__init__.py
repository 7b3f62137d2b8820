"""`mt`: translate, preprocess and check Arabic news text. A thin layer over the library API.

Each command lives in its own module with ``add_parser(subparsers)`` (which sets ``func``); this
module only routes and turns user errors into one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys

from mt.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
    UserError,
    exit_code,
    raise_on_sigterm,
    signal_name,
    user_errors,
)

COMMANDS = ("mt.cli.translate", "mt.cli.preprocess", "mt.cli.batch", "mt.cli.serve", "mt.cli.qa", "mt.cli.cache")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    from mt import __version__

    parser = argparse.ArgumentParser(prog="mt", description="Arabic-to-English news translation.")
    parser.add_argument("--version", action="version", version=f"newswire-mt {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    args = build_parser().parse_args(argv)
    raise_on_sigterm()
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): nothing more to say
        _silence_stdout()
        return 0
    except user_errors() as exc:
        _error(f"mt: error: {_with_notes(exc)}")
        return EXIT_USER_ERROR
    except KeyboardInterrupt as exc:
        _error(f"mt: interrupted ({signal_name(exc)}){_notes(exc, ': ')}")
        return exit_code(exc)
    except OSError as exc:  # stdout full or closed, a disk full, a file vanished...
        where = f" {exc.filename}" if exc.filename else ""
        _silence_stdout()
        _error(f"mt: error: cannot complete:{where} {exc.strerror or exc}{_notes(exc, '; ')}")
        return EXIT_USER_ERROR
    except MemoryError as exc:
        _error(f"mt: error: out of memory; try a smaller --batch-size or --beam-size{_notes(exc, '; ')}")
        return EXIT_USER_ERROR
    except Exception as exc:  # a bug: still one line, and what was done is kept (see mt.files)
        if os.environ.get("NEWSWIRE_DEBUG"):
            raise
        _error(f"mt: internal error: {type(exc).__name__}: {_first_line(exc)}{_notes(exc, '; ')} "
               "(please report it; NEWSWIRE_DEBUG=1 shows the traceback)")
        return EXIT_INTERNAL_ERROR


EXIT_INTERNAL_ERROR = 1


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0]


def _notes(exc: BaseException, sep: str) -> str:
    notes = [n for n in getattr(exc, "__notes__", ()) if n]
    return sep + "; ".join(notes) if notes else ""


def _with_notes(exc: BaseException) -> str:
    return f"{exc}{_notes(exc, '; ')}"


def _error(line: str) -> None:
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):
        pass  # stderr is gone too: the exit status is all that is left


def _silence_stdout() -> None:
    """Point a broken stdout at /dev/null so the interpreter's final flush raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


__all__ = ["main", "build_parser", "UserError", "EXIT_USER_ERROR", "EXIT_INTERRUPTED"]
