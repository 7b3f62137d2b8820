"""``ServeSettings``: how the HTTP service listens, batches and limits requests, fixed at start-up.

The model and decoding are not here: they come from a :class:`~mt.config.PipelineConfig` and no
request can change them. Every limit is checked in :meth:`ServeSettings.validate`, naming the option.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from mt.config import ConfigError

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class ServeSettings:
    """Listening address, limits and micro-batching settings of ``mt serve`` (defaults are safe)."""

    host: str = "127.0.0.1"  # loopback only unless asked otherwise
    port: int = 8000
    max_chars: int = 10_000  # characters per text
    max_texts: int = 128  # texts per /translate request
    max_body_bytes: int = 1 << 20  # request body (bytes)
    queue_size: int = 256  # requests waiting for the model; one more gets 503 + Retry-After
    request_timeout: float = 120.0  # seconds a request may wait for its translation (then 503)
    max_wait_ms: float = 5.0  # a lone request waits at most this long for others to share its batch
    batch_tokens: int = 2048  # source tokens pooled into one batch (an over-budget request goes alone)
    inflight_batches: int | None = None  # pooled batches on the engine at once (None: its replicas)
    rate_limit: float = 0.0  # requests per minute per API key (or client address); 0: no limit
    api_keys_file: str | None = None  # one key per line; when set, every translation request needs one
    retry_after: int = 1  # seconds, in 503 and 429 answers
    drain_timeout: float | None = None  # SIGTERM: seconds to finish in-flight requests (None: request_timeout + 5)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise :class:`~mt.config.ConfigError` naming the first invalid option."""
        whole = {
            "port": (0, 65535),
            "max_chars": (1, 10_000_000),
            "max_texts": (1, 100_000),
            "max_body_bytes": (1, 1 << 30),
            "queue_size": (1, 1_000_000),
            "batch_tokens": (1, 1 << 20),
            "retry_after": (0, 3600),
        }
        for name, (low, high) in whole.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(f"{_option(name)} must be a whole number from {low} to {high}, got {value!r}")
        if self.inflight_batches is not None and (
            isinstance(self.inflight_batches, bool) or not isinstance(self.inflight_batches, int) or self.inflight_batches < 1
        ):
            raise ConfigError(f"--inflight-batches must be a whole number >= 1, got {self.inflight_batches!r}")
        for name in ("request_timeout", "max_wait_ms", "rate_limit", "drain_timeout"):
            value = getattr(self, name)
            if value is None and name == "drain_timeout":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value != value:
                raise ConfigError(f"{_option(name)} must be a number >= 0, got {value!r}")
        if self.request_timeout <= 0:
            raise ConfigError(f"--request-timeout must be more than 0 seconds, got {self.request_timeout!r}")
        if not isinstance(self.host, str) or not self.host:
            raise ConfigError("--host must be an address to listen on")

    @property
    def graceful_timeout(self) -> float:
        """Seconds SIGTERM waits for in-flight requests before closing connections."""
        return self.drain_timeout if self.drain_timeout is not None else self.request_timeout + 5.0

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS

    def limits(self) -> dict[str, Any]:
        """The limits a client must respect (served at ``GET /v1/info``)."""
        return {
            "max_chars": self.max_chars,
            "max_texts": self.max_texts,
            "max_body_bytes": self.max_body_bytes,
            "queue_size": self.queue_size,
            "request_timeout": self.request_timeout,
            "rate_limit_per_minute": self.rate_limit or None,
            "api_key_required": self.api_keys_file is not None,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def replace(self, **changes: Any) -> "ServeSettings":
        return replace(self, **changes)


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")
