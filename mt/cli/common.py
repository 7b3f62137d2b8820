"""What every `mt` command shares: exit codes and the errors that are the user's to fix."""

from __future__ import annotations

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


class UserError(Exception):
    """Bad input, options or paths; the message names the file, line or option."""


def user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions printed as one line (no traceback) with exit status 2."""
    from mt.backends.base import ModelLoadError
    from mt.config import ConfigError
    from mt.files import InputError

    return (UserError, InputError, ModelLoadError, ConfigError, ValueError)
