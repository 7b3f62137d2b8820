"""Who may call the service and how much: API keys from a file, a per-key rate limit, and the
size limits on one request (characters per text, texts per request)."""

from __future__ import annotations

import hmac
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from mt.config import ConfigError

# Rate-limit buckets kept at most (least recently used dropped first): bounds memory whatever the
# number of distinct keys or client addresses.
MAX_BUCKETS = 10_000


class RequestError(Exception):
    """A request the service refuses; ``status`` is its HTTP status, the message says why."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class ApiKeys:
    """The keys allowed to call the service, read from a file: one key per line, an optional rate
    (requests per minute) after it, ``#`` comments and blank lines ignored."""

    rates: dict[str, float | None]

    @classmethod
    def load(cls, path: str | Path) -> "ApiKeys":
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"--api-keys: cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
        rates: dict[str, float | None] = {}
        for number, line in enumerate(lines, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) > 2:
                raise ConfigError(f"--api-keys: {path}: line {number}: expected 'KEY [REQUESTS_PER_MINUTE]'")
            rate = None
            if len(parts) == 2:
                try:
                    rate = float(parts[1])
                except ValueError:
                    rate = -1.0
                if not rate >= 0:
                    raise ConfigError(f"--api-keys: {path}: line {number}: rate must be a number >= 0, got {parts[1]!r}")
            rates[parts[0]] = rate
        if not rates:
            raise ConfigError(f"--api-keys: {path} holds no keys")
        return cls(rates)

    def check(self, key: str | None) -> str:
        """The key itself when it is allowed; otherwise :class:`RequestError` 403."""
        if not key:
            raise RequestError(403, "an API key is required (api_key field or the X-API-Key header)")
        for known in self.rates:  # constant-time comparison of every key
            if hmac.compare_digest(known.encode(), key.encode()):
                return known
        raise RequestError(403, "invalid API key")

    def rate(self, key: str) -> float | None:
        return self.rates.get(key)


class RateLimiter:
    """Token buckets per key: ``per_minute`` requests a minute, bursts up to the same number.

    Bounded (``MAX_BUCKETS``, least recently used dropped) and thread-safe.
    """

    def __init__(self, per_minute: float, *, max_buckets: int = MAX_BUCKETS, clock=time.monotonic):
        self.per_minute = per_minute
        self.max_buckets = max_buckets
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, time)
        self._lock = threading.Lock()

    def allow(self, key: str, per_minute: float | None = None) -> float:
        """0.0 when the request may go ahead (and is counted), else the seconds until it may."""
        rate = self.per_minute if per_minute is None else per_minute
        if rate <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.pop(key, (rate, now))
            tokens = min(rate, tokens + (now - then) * rate / 60.0)
            if tokens >= 1.0:
                tokens -= 1.0
                wait = 0.0
            else:
                wait = (1.0 - tokens) * 60.0 / rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_buckets:
                self._buckets.popitem(last=False)
        return wait

    def __len__(self) -> int:
        return len(self._buckets)


def check_texts(
    texts: Sequence[str], *, max_chars: int, max_texts: int, names: Sequence[str] | None = None
) -> None:
    """:class:`RequestError` 400 when a request holds too many texts or one text is too long
    (``names``: what to call each text in the message; default ``q`` / ``q[i]``)."""
    if len(texts) > max_texts:
        raise RequestError(400, f"too many texts: {len(texts)} (at most {max_texts} per request)")
    for i, text in enumerate(texts):
        where = names[i] if names else (f"q[{i}]" if len(texts) > 1 else "q")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RequestError(400, f"{where}: invalid Unicode (lone surrogate at character {exc.start})") from None
        if len(text) > max_chars:
            raise RequestError(400, f"{where}: text of {len(text)} characters is over the limit of {max_chars}")
