"""One input record: ninjs field names (IPTC's JSON for news), validated with a reason.

``uri`` is required (aliases ``id``, ``guid``), ``version`` optional, ``headline`` optional,
``body`` required (aliases ``body_text``, ``text``; paragraphs separated by newlines). Every field
is kept, untouched and in order, for the output record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

URI_FIELDS = ("uri", "id", "guid")
BODY_FIELDS = ("body", "body_text", "text")
# the output record adds these; an input field of the same name would be overwritten
RESERVED_FIELDS = ("translation", "signature")


class RecordError(ValueError):
    """A record that cannot be translated; ``reason`` says why, in one line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FeedRecord:
    """A valid input record: its identity, the text to translate and every original field."""

    uri: str
    version: str | None
    headline: str | None
    body: str
    fields: dict[str, Any] = field(repr=False)
    input_hash: str = ""  # sha256 of the canonical JSON of ``fields``: changes when anything does

    @property
    def identity(self) -> tuple[str, str | None, str]:
        return (self.uri, self.version, self.input_hash)


def canonical_json(obj: Any) -> str:
    """Deterministic compact JSON (UTF-8 text, insertion order kept): the bytes OUT is made of."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def input_hash(fields: dict[str, Any]) -> str:
    data = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    try:
        raw = data.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RecordError(f"invalid Unicode in the record: lone surrogate {data[exc.start]!r}") from None
    return hashlib.sha256(raw).hexdigest()[:32]


def _identifier(value: Any, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RecordError(f"{name} must be a string, got {type(value).__name__}")
    text = str(value)
    if not text.strip():
        raise RecordError(f"{name} is empty")
    return text


def parse_record(obj: Any) -> FeedRecord:
    """Validate one decoded JSON value as an input record, or raise :class:`RecordError`."""
    if not isinstance(obj, dict):
        raise RecordError(f"not a JSON object (got {type(obj).__name__ if obj is not None else 'null'})")
    uri_field = next((f for f in URI_FIELDS if obj.get(f) is not None), None)
    if uri_field is None:
        raise RecordError("missing uri (or id/guid)")
    uri = _identifier(obj[uri_field], uri_field)
    version = None
    if obj.get("version") is not None:
        version = _identifier(obj["version"], "version")
    body_field = next((f for f in BODY_FIELDS if f in obj), None)
    if body_field is None:
        raise RecordError("missing body (or body_text/text)")
    body = obj[body_field]
    if not isinstance(body, str):
        raise RecordError(f"{body_field} must be a string, got {type(body).__name__ if body is not None else 'null'}")
    headline = obj.get("headline")
    if headline is not None and not isinstance(headline, str):
        raise RecordError(f"headline must be a string, got {type(headline).__name__}")
    for name in RESERVED_FIELDS:
        if name in obj:
            raise RecordError(f"field {name!r} is reserved for the output record; rename it")
    return FeedRecord(uri, version, headline, body, obj, input_hash(obj))
