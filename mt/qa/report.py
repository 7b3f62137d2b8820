"""Readable QA reports: one JSON object per line (``mt qa``'s default) or flagged lines in words."""

from __future__ import annotations

import json

from mt.qa.base import CHECK_NAMES, Flag, summarize


def describe(flag: Flag) -> str:
    """One flag in words an editor reads: what is wrong and which number or word."""
    d = flag.detail
    if flag.check == "number":
        parts = []
        if d.get("missing"):
            parts.append("missing " + ", ".join(f"{v} ({f})" if f != v else v
                                                for v, f in zip(d["missing"], d.get("missing_forms", d["missing"]))))
        if d.get("extra"):
            parts.append("not in source " + ", ".join(f"{v} ({f})" if f != v else v
                                                      for v, f in zip(d["extra"], d.get("extra_forms", d["extra"]))))
        return "number: " + "; ".join(parts)
    if flag.check == "untranslated":
        what = "source copied" if d.get("copied") else "Arabic left"
        return f"untranslated: {what}: " + " ".join(d.get("arabic", []))
    if flag.check == "repetition":
        return f"repetition: \"{d.get('ngram')}\" x{d.get('count')}"
    if flag.check == "length":
        lo, hi = d.get("expected", [None, None])
        return f"length: too {d.get('direction')}, ratio {d.get('ratio')} (expected {lo}-{hi})"
    if flag.check == "empty":
        return "empty: no translation"
    return f"{flag.check}: {json.dumps(d, ensure_ascii=False)}"


def format_text(flags_per_line: list[list[Flag]]) -> str:
    """Flagged lines only, then a summary line."""
    out = []
    for n, flags in enumerate(flags_per_line, 1):
        for f in flags:
            out.append(f"line {n}: {describe(f)}")
    s = summarize(flags_per_line)
    share = s["flagged"] / s["lines"] if s["lines"] else 0.0
    per = ", ".join(f"{c} {s['per_check'][c]}" for c in CHECK_NAMES)
    out.append(f"{s['lines']} lines, {s['flagged']} flagged ({share:.1%}): {per}")
    return "\n".join(out) + "\n"


def format_jsonl(flags_per_line: list[list[Flag]]) -> str:
    """Exactly one ``{"line": n, "flags": [...]}`` object per input line."""
    return "".join(
        json.dumps({"line": n, "flags": [f.to_dict() for f in flags]}, ensure_ascii=False) + "\n"
        for n, flags in enumerate(flags_per_line, 1)
    )
