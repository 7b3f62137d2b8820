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


def lift_edits(original: str, earlier: list[Edit], alignment: Alignment, later: list[Edit]) -> list[Edit]:
    """Express ``later`` edits (made on an intermediate text) in ``original`` coordinates.

    ``earlier`` are edits already in original coordinates that produced the intermediate text, and
    ``alignment`` maps the intermediate text to ``original``. A later edit that covers earlier ones
    absorbs them (its ``after`` is final for that region), so the result stays non-overlapping and
    ``apply_edits(original, result)`` yields the final text.
    """
    result = list(earlier)
    for e in later:
        start, end = alignment.span_to_old((e.start, e.end))
        covered = [x for x in result if _overlaps(x, start, end)]
        if covered:
            start = min(start, *(x.start for x in covered))
            end = max(end, *(x.end for x in covered))
            result = [x for x in result if x not in covered]
            after = _rebuild_after(original, covered, e, start, end, alignment)
        else:
            after = e.after
        result.append(Edit(start, end, original[start:end], after, e.rule))
    return sorted(result, key=lambda x: (x.start, x.end))


def _overlaps(x: Edit, start: int, end: int) -> bool:
    if start == end:  # a pure insertion overlaps only an edit that strictly contains its point
        return x.start < start < x.end
    if x.start == x.end:
        return start < x.start < end
    return x.start < end and start < x.end


def _rebuild_after(original: str, covered: list[Edit], e: Edit, start: int, end: int, alignment: Alignment) -> str:
    """The final text for original[start:end] when a later edit ``e`` overlaps earlier ones."""
    inter_start, inter_end = alignment.span_to_old((e.start, e.end))
    # text before and after the later edit's own region, as the earlier edits left it
    left = _apply_within(original, covered, start, inter_start)
    right = _apply_within(original, covered, inter_end, end)
    return left + e.after + right


def _apply_within(original: str, edits: list[Edit], start: int, end: int) -> str:
    inside = [x for x in edits if start <= x.start and x.end <= end]
    text, _ = apply_edits(original[start:end], [x.shifted(-start) for x in inside])
    return text
