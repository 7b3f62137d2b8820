"""Apply edits to a text while keeping a map from the new text back to the old one.

Every repair step returns :class:`~mt.document.Edit` records; this module turns them into a new text
plus an :class:`Alignment`, and composes alignments across steps so that any span of the final
repaired text can be traced to the exact span of the original input.
"""

from __future__ import annotations

from dataclasses import dataclass

from mt.document import Edit, Span


@dataclass(frozen=True)
class Alignment:
    """``bounds[i]`` is the offset in the old text of boundary ``i`` of the new text.

    Boundary ``i`` is the position just before new character ``i``; ``bounds`` has
    ``len(new) + 1`` entries and never decreases. Characters an edit inserted map to the edit's
    start; the boundary after an edit maps to the edit's end.
    """

    bounds: tuple[int, ...]

    @classmethod
    def identity(cls, length: int) -> "Alignment":
        return cls(tuple(range(length + 1)))

    def span_to_old(self, span: Span) -> Span:
        """Map a ``[start, end)`` span of the new text to the old text."""
        return self.bounds[span[0]], self.bounds[span[1]]

    def then(self, later: "Alignment") -> "Alignment":
        """Compose: ``self`` maps t1 -> t0, ``later`` maps t2 -> t1; the result maps t2 -> t0."""
        return Alignment(tuple(self.bounds[b] for b in later.bounds))


def check_edits(text: str, edits: list[Edit]) -> list[Edit]:
    """Sort edits and check they fit ``text``: in range, ``before`` matches, no overlaps."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    prev_end = 0
    for e in ordered:
        if not (0 <= e.start <= e.end <= len(text)):
            raise ValueError(f"edit out of range: {e}")
        if text[e.start : e.end] != e.before:
            raise ValueError(f"edit does not match text at {e.start}: {e}")
        if e.start < prev_end:
            raise ValueError(f"overlapping edit at {e.start}: {e}")
        prev_end = e.end
    return ordered


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, Alignment]:
    """Apply non-overlapping edits to ``text``; return the new text and its alignment to ``text``."""
    pieces: list[str] = []
    bounds: list[int] = []
    pos = 0
    for e in check_edits(text, edits):
        pieces.append(text[pos : e.start])
        bounds.extend(range(pos, e.start))
        pieces.append(e.after)
        bounds.extend([e.start] * len(e.after))
        pos = e.end
    pieces.append(text[pos:])
    bounds.extend(range(pos, len(text) + 1))
    return "".join(pieces), Alignment(tuple(bounds))


def lift_edits(
    original: str, earlier: list[Edit], intermediate: str, alignment: Alignment, later: list[Edit]
) -> list[Edit]:
    """Express ``later`` edits (made on ``intermediate``) in ``original`` coordinates.

    ``earlier`` are non-overlapping edits in original coordinates with
    ``apply_edits(original, earlier) == (intermediate, alignment)``. A later edit that touches the
    output of earlier ones is merged with them into one edit whose ``after`` is the final text, so
    the result stays non-overlapping and ``apply_edits(original, result)`` yields the final text.
    """
    earlier = sorted(earlier, key=lambda e: (e.start, e.end))
    ranges = _output_ranges(earlier)  # where each earlier edit's ``after`` sits in ``intermediate``
    untouched = set(range(len(earlier)))
    merged: list[Edit] = []
    insertions = [e.start == e.end for e in earlier]
    for group, covered in _groups(sorted(later, key=lambda e: (e.start, e.end)), ranges, insertions):
        untouched -= covered
        g0 = min([group[0].start] + [ranges[k][0] for k in covered])
        g1 = max([group[-1].end] + [ranges[k][1] for k in covered])
        o0 = min([alignment.bounds[group[0].start]] + [earlier[k].start for k in covered])
        o1 = max([alignment.bounds[group[-1].end]] + [earlier[k].end for k in covered])
        after, _ = apply_edits(intermediate[g0:g1], [e.shifted(-g0) for e in group])
        merged.append(Edit(o0, o1, original[o0:o1], after, "+".join(dict.fromkeys(e.rule for e in group))))
    kept = [earlier[k] for k in sorted(untouched)]
    return sorted(kept + merged, key=lambda x: (x.start, x.end))


def _output_ranges(edits: list[Edit]) -> list[Span]:
    ranges, shift = [], 0
    for e in edits:
        start = e.start + shift
        ranges.append((start, start + len(e.after)))
        shift += len(e.after) - (e.end - e.start)
    return ranges


def _touches(e: Edit, r: Span, insertion: bool) -> bool:
    """Whether later edit ``e`` overlaps the output range ``r`` of an earlier edit.

    Two insertions at one original point are merged too, so their order is never ambiguous.
    """
    (s, t), (a, b) = (e.start, e.end), r
    if s == t:
        return a <= s <= b if insertion else a < s < b
    if a == b:  # an earlier deletion: a later edit ending there swallows it (bounds map past it)
        return s < a <= t
    return a < t and s < b


def _groups(later: list[Edit], ranges: list[Span], insertions: list[bool]):
    """Later edits grouped when they share an earlier edit, with the earlier edits each group covers."""
    group: list[Edit] = []
    covered: set[int] = set()
    for e in later:
        mine = {k for k, r in enumerate(ranges) if _touches(e, r, insertions[k])}
        if group and not (mine & covered):
            yield group, covered
            group, covered = [], set()
        group.append(e)
        covered |= mine
    if group:
        yield group, covered
