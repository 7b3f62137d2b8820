"""``empty``: the source has content (a letter or a digit) and the translation has none."""

from __future__ import annotations

import re
from typing import Any

_CONTENT = re.compile(r"[^\W_]")


def has_content(text: str) -> bool:
    return _CONTENT.search(text) is not None


class EmptyCheck:
    name = "empty"

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.params = params or {}

    def __call__(self, source: str, translation: str) -> dict[str, Any] | None:
        if has_content(translation) or not has_content(source):
            return None
        return {}
