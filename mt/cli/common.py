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
    from mt.files import InputError

    return (UserError, InputError, ModelLoadError, ConfigError, ValueError)


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
    """Turn SIGTERM into :class:`Terminated` in the main thread (call once, from the command's main)."""

    def handler(signum, frame):  # noqa: ANN001, ARG001 - signal handler signature
        raise Terminated(signum)

    signal.signal(signal.SIGTERM, handler)


def exit_code(exc: KeyboardInterrupt) -> int:
    """130 for Ctrl-C, 143 for SIGTERM."""
    return exc.exit_code if isinstance(exc, Terminated) else EXIT_INTERRUPTED
