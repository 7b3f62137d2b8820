"""`mt`: translate, preprocess and check Arabic news text. A thin layer over the library API.

Each command lives in its own module with ``add_parser(subparsers)`` (which sets ``func``); this
module only routes and turns user errors into one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys

from mt.cli.common import EXIT_INTERRUPTED, EXIT_USER_ERROR, UserError, exit_code, raise_on_sigterm, user_errors

COMMANDS = ("mt.cli.translate", "mt.cli.preprocess")


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
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    args = build_parser().parse_args(argv)
    raise_on_sigterm()
    try:
        return int(args.func(args) or 0)
    except user_errors() as exc:
        print(f"mt: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt as exc:
        print("mt: interrupted", file=sys.stderr)
        return exit_code(exc)
    except BrokenPipeError:
        # the reader went away (e.g. `| head`); nothing more to say
        sys.stderr.close()
        return 0


__all__ = ["main", "build_parser", "UserError", "EXIT_USER_ERROR", "EXIT_INTERRUPTED"]
