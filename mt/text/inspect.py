"""A look at the input before the work starts: things the user would want to know, not refusals.

The model translates Arabic news text. English (or other non-Arabic) text and HTML markup go
through it too, but come out as noise, so the commands print each finding as ``mt: warning: ...``
and carry on.
"""

from __future__ import annotations

import re

from mt.text.charsets import LETTERS

# Below this many letters a language guess means nothing (a headline number, a name).
MIN_LETTERS = 20
# Under this share of Arabic letters the input is "mostly non-Arabic".
MIN_ARABIC_SHARE = 0.5
# At least this many tags or entities before calling it markup (a lone "<" or "&" is just text).
MIN_MARKUP = 2

_ARABIC_LETTER = re.compile(f"[{LETTERS}]")
_LETTER = re.compile(r"[^\W\d_]")
_TAG = re.compile(
    r"</?(?:p|div|span|a|b|i|u|em|strong|br|hr|img|table|tr|td|th|ul|ol|li|h[1-6]|html|head|body|"
    r"script|style|meta|link|title|section|article|header|footer|nav|figure|figcaption|blockquote|font)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")


def inspect_text(text: str) -> list[str]:
    """Warnings about ``text`` as one line each (empty when it looks like Arabic plain text)."""
    warnings: list[str] = []
    tags = _TAG.findall(text)
    entities = _ENTITY.findall(text)
    if len(tags) + len(entities) >= MIN_MARKUP:
        example = (tags or entities)[0]
        if len(example) > 20:
            example = example[:17] + "..."
        warnings.append(
            f"the input holds HTML markup ({len(tags)} tags, {len(entities)} entities, e.g. {example!r}); "
            "it is treated as text: convert it to plain text first"
        )
    letters = len(_LETTER.findall(text))
    if letters >= MIN_LETTERS:
        arabic = len(_ARABIC_LETTER.findall(text))
        share = arabic / letters
        if share < MIN_ARABIC_SHARE:
            warnings.append(
                f"the input is mostly not Arabic ({share:.0%} of its letters are Arabic); "
                "the model translates Arabic to English, other text comes out garbled"
            )
    return warnings
