"""The small shared pieces of every report: precision/recall/F1 from counts, and aligned text tables."""

from __future__ import annotations

from typing import Any, Sequence


def prf(tp: int, fp: int, fn: int, digits: int = 4) -> dict[str, float | int]:
    """Precision, recall and F1 (1.0 when there is nothing to find or nothing was claimed), with the counts."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, digits), "recall": round(r, digits), "f1": round(f, digits), "tp": tp, "fp": fp, "fn": fn}


def text_table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """Plain-text lines: the first column left-aligned, the others right-aligned, a rule under the head."""
    cells = [[str(c) for c in r] for r in [head, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]

    def fmt(r: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))

    return [fmt(cells[0]), fmt(["-" * w for w in widths]), *(fmt(r) for r in cells[1:])]
