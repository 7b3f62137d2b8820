"""Spacing repair: merged words and punctuation spacing. (First version: punctuation only.)"""

from __future__ import annotations

import re

from mt.document import Edit

_SPACE_BEFORE = re.compile(r" +(?=[،؛:.!?؟,;)\]»])")


class SpacingRepair:
    """Repair step: spaces before punctuation. Merged-word splitting comes with the spacing issue."""

    name = "spacing"

    def find_edits(self, text: str) -> list[Edit]:
        return [Edit(m.start(), m.end(), m.group(), "", "space-before-punct") for m in _SPACE_BEFORE.finditer(text)]
