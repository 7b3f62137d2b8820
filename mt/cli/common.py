"""What every `mt` command shares: exit codes and the errors that are the user's to fix."""

from __future__ import annotations

import signal

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class UserError(Exception):
    """Bad input, options or paths; the message names the file, line or option."""


def user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions printed as one line (no traceback) with exit status 2."""
    from mt.backends.base import ModelLoadError
    from mt.config import ConfigError
    from mt.files import InputError, OutputError

    return (UserError, InputError, OutputError, ModelLoadError, ConfigError, ValueError)


class Terminated(KeyboardInterrupt):
    """SIGTERM (docker stop, systemd, cron time-outs), raised in the main thread like Ctrl-C so the
    same clean-up keeps what was done; ``exit_code`` is 143 (130 for SIGINT)."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def raise_on_sigterm() -> None:
    """Turn SIGTERM (and SIGHUP: the terminal went away) into :class:`Terminated` in the main thread
    (call once, from the command's main). A SIGHUP that is ignored (``nohup``) stays ignored."""

    def handler(signum, frame):  # noqa: ANN001, ARG001 - signal handler signature
        raise Terminated(signum)

    signal.signal(signal.SIGTERM, handler)
    hup = getattr(signal, "SIGHUP", None)
    if hup is not None and signal.getsignal(hup) is not signal.SIG_IGN:
        signal.signal(hup, handler)


def warn(message: str) -> None:
    """``mt: warning: ...`` on stderr: something the user should know, not a refusal."""
    import sys

    print(f"mt: warning: {message}", file=sys.stderr)


def stdin_hint(path: str) -> None:
    """Say so when a command is about to wait for text typed at a terminal."""
    import sys

    if path == "-" and sys.stdin is not None and sys.stdin.isatty():
        print("mt: reading Arabic text from the terminal; end with Ctrl-D (or give a file name)", file=sys.stderr)


def progress_note(done: int, total: int, unit: str) -> str:
    """How far a run got, e.g. ``after 3 of 10 lines``."""
    return f"after {done} of {total} {unit}"


def exit_code(exc: KeyboardInterrupt) -> int:
    """130 for Ctrl-C, 143 for SIGTERM."""
    return exc.exit_code if isinstance(exc, Terminated) else EXIT_INTERRUPTED


def signal_name(exc: KeyboardInterrupt) -> str:
    """``SIGTERM``, ``SIGHUP``... for :class:`Terminated`, ``Ctrl-C`` otherwise."""
    if isinstance(exc, Terminated):
        try:
            return signal.Signals(exc.signum).name
        except ValueError:
            return f"signal {exc.signum}"
    return "Ctrl-C"


def add_cache_arguments(parser) -> None:  # noqa: ANN001 - an argparse parser or group
    """``--cache PATH`` / ``--no-cache``: the sentence cache `mt translate`, `mt batch` and `mt serve` share."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--cache", metavar="PATH",
                       help="sentence cache file, shared by mt translate/batch/serve (default <cache root>/sentences.sqlite3)")
    group.add_argument("--no-cache", action="store_true", help="translate every sentence, keep nothing")


def open_cache(args):  # noqa: ANN001, ANN201 - argparse namespace -> SqliteSentenceCache | None
    """The sentence cache the options of :func:`add_cache_arguments` ask for, or None."""
    if getattr(args, "no_cache", False):
        return None
    from mt.sentence_cache import SqliteSentenceCache

    return SqliteSentenceCache(args.cache)
