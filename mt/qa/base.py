"""The flag record, the check protocol, and :class:`QAChecker`, which runs every check on a pair.

A check is a callable object with a ``name``; called on ``(source, translation)`` it returns ``None``
(nothing to see) or the detail dict of its flag. Checks hold only their calibrated parameters, so
one :class:`QAChecker` can be shared by threads.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Protocol

CHECK_NAMES = ("number", "untranslated", "repetition", "length", "empty")
THRESHOLDS_PATH = Path(__file__).resolve().parent / "data" / "thresholds.json"


@dataclass(frozen=True)
class Flag:
    """One reason an editor must look at a translation: the check's name and what it saw."""

    check: str
    detail: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Flag":
        """The inverse of :meth:`to_dict` (records read back from JSON)."""
        return cls(str(data["check"]), dict(data.get("detail") or {}))


class Check(Protocol):
    name: str

    def __call__(self, source: str, translation: str) -> dict[str, Any] | None: ...


def load_thresholds(path: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Per-check parameters learnt on human translations (empty dicts: the built-in defaults)."""
    p = Path(path) if path is not None else THRESHOLDS_PATH
    if not p.is_file():
        return {}
    data = json.loads(p.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k in CHECK_NAMES and isinstance(v, dict)}


class QAChecker:
    """Runs the checks of :data:`CHECK_NAMES` (or ``checks``) over (source, translation) pairs.

    ``thresholds``: a mapping check name -> parameters, or a path to a JSON file of them; default
    ``mt/qa/data/thresholds.json``. An empty translation of a non-empty source is flagged ``empty``
    and nothing else.
    """

    def __init__(self, thresholds: Mapping[str, Mapping[str, Any]] | str | Path | None = None,
                 checks: Iterable[str] | None = None) -> None:
        from mt.qa.empty import EmptyCheck
        from mt.qa.length import LengthCheck
        from mt.qa.number import NumberCheck
        from mt.qa.repetition import RepetitionCheck
        from mt.qa.untranslated import UntranslatedCheck

        if thresholds is None or isinstance(thresholds, (str, Path)):
            params = load_thresholds(thresholds)
        else:
            params = {k: dict(v) for k, v in thresholds.items()}
        classes = {"number": NumberCheck, "untranslated": UntranslatedCheck, "repetition": RepetitionCheck,
                   "length": LengthCheck, "empty": EmptyCheck}
        names = tuple(checks) if checks is not None else CHECK_NAMES
        unknown = [n for n in names if n not in classes]
        if unknown:
            raise ValueError(f"unknown QA check(s): {', '.join(unknown)}; known: {', '.join(CHECK_NAMES)}")
        self.params = params
        self._empty = EmptyCheck(params.get("empty")) if "empty" in names else None
        self.checks: tuple[Check, ...] = tuple(classes[n](params.get(n)) for n in names if n != "empty")

    def check(self, source: str, translation: str) -> list[Flag]:
        """The flags of one pair, in the order of :data:`CHECK_NAMES`; ``[]`` when nothing is wrong."""
        if self._empty is not None and self._empty(source, translation) is not None:
            return [Flag("empty", {})]
        flags = []
        for c in self.checks:
            detail = c(source, translation)
            if detail is not None:
                flags.append(Flag(c.name, detail))
        return flags

    def check_many(self, pairs: Iterable[tuple[str, str]]) -> list[list[Flag]]:
        check = self.check
        return [check(s, t) for s, t in pairs]


_default: QAChecker | None = None
_default_lock = threading.Lock()


def default_checker() -> QAChecker:
    """The shared checker with the calibrated thresholds, built on first use."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = QAChecker()
    return _default


def check_pair(source: str, translation: str) -> list[Flag]:
    """Flags of one (source, translation) pair with the shared default checker."""
    return default_checker().check(source, translation)


def summarize(flags_per_line: list[list[Flag]]) -> dict[str, Any]:
    """Counts for a document or a test set: lines, flagged lines, and lines flagged per check."""
    per_check = {name: 0 for name in CHECK_NAMES}
    flagged = 0
    for flags in flags_per_line:
        if flags:
            flagged += 1
        for name in {f.check for f in flags}:
            per_check[name] = per_check.get(name, 0) + 1
    return {"lines": len(flags_per_line), "flagged": flagged, "per_check": per_check}
