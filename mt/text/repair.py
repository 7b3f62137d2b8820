"""The repair pipeline: small, swappable steps that each propose edits to the text.

Like a tokenizers normalizer chain, steps run in order and each sees the previous step's output.
Their edits are lifted back to the original text, so the result says exactly what changed where.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, Sequence

from mt.document import Edit
from mt.text.alignment import Alignment, apply_edits, lift_edits


class RepairStep(Protocol):
    """One rule family. ``find_edits`` returns non-overlapping edits on the text it is given."""

    name: str

    def find_edits(self, text: str) -> list[Edit]: ...


@dataclass(frozen=True)
class RepairResult:
    original: str
    text: str
    edits: list[Edit]  # in original coordinates, sorted, non-overlapping
    alignment: Alignment  # maps ``text`` back to ``original``


class Repairer:
    """Runs repair steps in order on one paragraph (a single line of text)."""

    def __init__(self, steps: Sequence[RepairStep] | None = None):
        self.steps = list(default_steps() if steps is None else steps)

    @property
    def settings(self) -> str:
        """Names of the steps, in order: part of a run's signature."""
        return "+".join(step.name for step in self.steps)

    def __call__(self, text: str) -> RepairResult:
        current = text
        alignment = Alignment.identity(len(text))
        edits: list[Edit] = []
        for step in self.steps:
            step_edits = step.find_edits(current)
            if not step_edits:
                continue
            new_text, step_alignment = apply_edits(current, step_edits)
            edits = lift_edits(text, edits, current, alignment, step_edits)
            current = new_text
            alignment = alignment.then(step_alignment)
        return RepairResult(text, current, edits, alignment)


def default_steps() -> list[RepairStep]:
    """Character clean-up, whitespace normalisation, then spacing repair."""
    from mt.text.spacing import SpacingRepair
    from mt.text.unicode import UnicodeCleanup, WhitespaceNormalizer

    return [UnicodeCleanup(), WhitespaceNormalizer(), SpacingRepair()]


@lru_cache(maxsize=1)
def default_repairer() -> Repairer:
    """The default steps, built once per process (thread-safe: steps hold no per-call state)."""
    return Repairer()


def repair_text(text: str) -> RepairResult:
    """Repair one line of text with the default steps (built once, then reused)."""
    return default_repairer()(text)
