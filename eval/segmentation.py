"""Sentence-boundary evaluation on NTREX-128 dev Arabic.

    python -m eval.segmentation [--ntrex DIR] [--json] [--errors]

(default DIR: ``$NEWSWIRE_NTREX_DIR``, else ``../shared/data/ntrex-dev`` beside the repository)

NTREX-128 is line-aligned: one sentence per line, grouped into documents by ``ntrex.dev.docids``.
Each document's lines are joined with a space into one paragraph (what the pipeline sees after the
repair step), the paragraph is segmented, and predicted sentence ends are compared with the
original line breaks.

Scoring (boundary precision / recall / F1, "after sentence-final punctuation"):

* A line break counts as a reference boundary when the line ends with sentence-final punctuation
  (``. ! ? ؟ …``, possibly followed by closing quotes/brackets). Lines without it (headlines, a few
  lines whose final full stop the translator left out) give no reference boundary: the splitter
  cannot and should not guess a sentence end there (in real input a headline arrives on its own
  line, and a line break always ends a segment). They are counted and reported as ``unscored``;
  a prediction at such a line break would be left out of precision too.
* A few lines hold two sentences. Their inner boundaries were checked by hand and are listed,
  by line number and character offset only (no NTREX text), in
  ``eval/data/segment-ntrex-dev-inline.tsv``; they count as reference boundaries like line breaks.
* Every other predicted boundary is a false positive.

Two modes: ``raw`` segments the joined paragraph as is; ``repaired`` runs
:func:`mt.text.repair.repair_text` first (as the pipeline does), segments the repaired text and maps
the sentence ends back to the original through the repair alignment.

Also reported (the targets say these should be zero): splits at ``،``/``؛``, splits after an
abbreviation, splits after a mid-sentence ellipsis, splits between a closing quote and its
attribution. These are counted with simple checks written here, independent of the splitter's rules.

NTREX-128 (Federmann, Kocmi and Xin, 2022) is CC BY-SA 4.0; it is read from ``../shared`` and
never copied into the project.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from mt.text.charsets import bare as bare_form
from mt.text.segment import split_sentences

from eval.testsets import ntrex_dev_dir
from eval.tables import prf

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NTREX_DIR = ntrex_dev_dir()
INLINE_FILE = Path(__file__).resolve().parent / "data" / "segment-ntrex-dev-inline.tsv"

_FINAL = re.compile(r"[.!?؟…]+[\"'»”“’‘)\]]*$")
_CLOSING_QUOTE_AFTER_FINAL = re.compile(r"[.!?؟…][\"'»”“’‘]+$")
_ELLIPSIS_END = re.compile(r"(?:\.\.|…)[\"'»”“’‘)\]]*$")
# Independent checks for the "should be zero" counts.
_ABBREV_TOKEN = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]\.$")  # د. ق.م. U.S. J.
_LATIN_ABBREVIATIONS = {"Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "St.", "Jr.", "Sr.", "Inc.", "Ltd.", "Co.", "vs.", "v.",
                        "Gen.", "Sen.", "Rep.", "Rev.", "Gov.", "No.", "Corp.", "Lt.", "Col.", "Capt."}
_ATTRIBUTION_WORDS = set(
    """قال قالت قالوا يقول تقول أضاف أضافت يضيف تضيف تساءل تساءلت سأل سألت أوضح أوضحت أكد أكدت صرح صرحت
    ذكر ذكرت أشار أشارت تابع تابعت أردف أردفت أفاد أفادت كما حسبما حسب بحسب وفقا وفقًا وفقاً قائلا قائلًا
    قائلاً قائلة مضيفا مضيفًا مضيفاً مضيفة""".split()
)


class MissingData(RuntimeError):
    pass


@dataclass
class Document:
    docid: str
    text: str  # the lines joined with single spaces
    line_numbers: list[int]  # 1-based line numbers in ntrex.dev.ar
    line_ends: list[int]  # offset in ``text`` of each line's end
    reference: set[int] = field(default_factory=set)  # scored boundaries
    unscored: set[int] = field(default_factory=set)  # line breaks not after final punctuation


def load_documents(ntrex_dir: Path) -> list[Document]:
    src, ids = ntrex_dir / "ntrex.dev.ar", ntrex_dir / "ntrex.dev.docids"
    if not src.is_file() or not ids.is_file():
        raise MissingData(
            f"NTREX-128 dev data not found in {ntrex_dir} (need ntrex.dev.ar and ntrex.dev.docids); "
            "pass --ntrex DIR pointing at the folder that holds them."
        )
    lines = src.read_text(encoding="utf-8").split("\n")
    docids = ids.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if docids and docids[-1] == "":
        docids.pop()
    if len(lines) != len(docids):
        raise MissingData(f"{src} has {len(lines)} lines but {ids} has {len(docids)}")
    inline = _load_inline()
    docs: list[Document] = []
    for number, (line, docid) in enumerate(zip(lines, docids), start=1):
        line = " ".join(line.split())
        if not docs or docs[-1].docid != docid:
            docs.append(Document(docid, "", [], []))
        doc = docs[-1]
        base = len(doc.text) + (1 if doc.text else 0)
        if line:
            doc.text = f"{doc.text} {line}" if doc.text else line
        for offset in inline.get(number, []):
            if not _FINAL.search(line[:offset]):
                raise MissingData(f"{INLINE_FILE}: line {number} offset {offset} is not after final punctuation")
            doc.reference.add(base + offset)
        doc.line_numbers.append(number)
        doc.line_ends.append(len(doc.text))
    for doc in docs:
        for number, end in zip(doc.line_numbers[:-1], doc.line_ends[:-1]):
            (doc.reference if _FINAL.search(doc.text[:end]) else doc.unscored).add(end)
    return docs


def _load_inline() -> dict[int, list[int]]:
    inline: dict[int, list[int]] = {}
    if not INLINE_FILE.is_file():
        return inline
    for row in INLINE_FILE.read_text(encoding="utf-8").splitlines():
        if not row or row.startswith("#") or row.startswith("line\t"):
            continue
        number, offset, kind, *_ = row.split("\t")
        if kind == "boundary":
            inline.setdefault(int(number), []).append(int(offset))
    return inline


def raw_boundaries(text: str) -> list[int]:
    """Sentence ends (except the last) predicted on ``text`` as is."""
    return [end for _, end in split_sentences(text)[:-1]]


def repaired_boundaries(text: str) -> list[int]:
    """Sentence ends predicted after the repair step, mapped back to offsets in ``text``."""
    from mt.text.repair import repair_text

    result = repair_text(text)
    bounds = result.alignment.bounds
    ends = []
    for _, end in split_sentences(result.text)[:-1]:
        pos = bounds[end]
        while pos > 0 and text[pos - 1].isspace():
            pos -= 1
        ends.append(pos)
    return ends


def _next_word(text: str, pos: int) -> str:
    m = re.compile(r"\s*([^\s.،,:؛]*)").match(text, pos)
    return bare_form(m.group(1)) if m else ""


def evaluate(docs: list[Document], segment: Callable[[str], list[int]], errors: list | None = None) -> dict:
    tp = fp = fn = 0
    unscored_hits = 0
    counts = {"comma": 0, "abbreviation": 0, "abbreviation_at_reference": 0, "ellipsis_mid_sentence": 0,
              "quote_attribution": 0}
    for doc in docs:
        predicted = set(segment(doc.text))
        for pos in sorted(predicted):
            before = doc.text[:pos]
            token = before.rsplit(None, 1)[-1] if before.strip() else ""
            if before.rstrip()[-1:] in "،؛,":
                counts["comma"] += 1
            bare = token.lstrip("\"'«“‘(").rstrip("\"'»”“’‘)")
            dotted = _ABBREV_TOKEN.fullmatch(bare_form(bare)) and not bare[:1].islower()
            if dotted or bare in _LATIN_ABBREVIATIONS:
                counts["abbreviation"] += 1
                counts["abbreviation_at_reference"] += pos in doc.reference
            if pos in doc.reference:
                tp += 1
                continue
            if pos in doc.unscored:
                unscored_hits += 1
                continue
            fp += 1
            if _ELLIPSIS_END.search(token):
                counts["ellipsis_mid_sentence"] += 1
            if _CLOSING_QUOTE_AFTER_FINAL.search(token) and _next_word(doc.text, pos) in _ATTRIBUTION_WORDS:
                counts["quote_attribution"] += 1
            if errors is not None:
                errors.append(("FP", doc.docid, doc.text[max(0, pos - 60) : pos] + " ‖ " + doc.text[pos : pos + 40]))
        for pos in sorted(doc.reference - predicted):
            fn += 1
            if errors is not None:
                errors.append(("FN", doc.docid, doc.text[max(0, pos - 60) : pos] + " ‖ " + doc.text[pos : pos + 40]))
    scores = prf(tp, fp, fn)
    precision, recall, f1 = scores["precision"], scores["recall"], scores["f1"]
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "predicted_at_unscored_line_breaks": unscored_hits,
        "splits_at_comma": counts["comma"],
        "splits_after_abbreviation": counts["abbreviation"],
        "splits_after_abbreviation_that_are_true_boundaries": counts["abbreviation_at_reference"],
        "splits_at_mid_sentence_ellipsis": counts["ellipsis_mid_sentence"],
        "splits_between_quote_and_attribution": counts["quote_attribution"],
    }


def run(ntrex_dir: Path, show_errors: bool = False) -> dict:
    docs = load_documents(ntrex_dir)
    inline = sum(len(v) for v in _load_inline().values())
    report = {
        "data": str(ntrex_dir),
        "documents": len(docs),
        "lines": sum(len(d.line_numbers) for d in docs),
        "words": sum(len(d.text.split()) for d in docs),
        "reference_boundaries": sum(len(d.reference) for d in docs),
        "of_which_inside_lines": inline,
        "unscored_line_breaks": sum(len(d.unscored) for d in docs),
        "modes": {},
    }
    errs: dict[str, list] = {}
    for mode, fn in (("raw", raw_boundaries), ("repaired", repaired_boundaries)):
        errs[mode] = []
        t0 = time.perf_counter()
        report["modes"][mode] = evaluate(docs, fn, errs[mode] if show_errors else None)
        report["modes"][mode]["seconds"] = round(time.perf_counter() - t0, 3)
    if show_errors:
        report["errors"] = errs
    return report


def _print_text(report: dict) -> None:
    print(f"NTREX-128 dev Arabic: {report['documents']} documents, {report['lines']} lines, {report['words']} words "
          f"({report['data']})")
    print(f"reference boundaries (after sentence-final punctuation): {report['reference_boundaries']} "
          f"(line breaks, plus {report['of_which_inside_lines']} hand-checked boundaries inside lines)")
    print(f"unscored line breaks (line does not end with final punctuation: headlines etc.): "
          f"{report['unscored_line_breaks']}")
    for mode, r in report["modes"].items():
        print(f"\n[{mode}] precision {r['precision']:.4f}  recall {r['recall']:.4f}  F1 {r['f1']:.4f}  "
              f"(TP {r['true_positives']}, FP {r['false_positives']}, FN {r['false_negatives']})")
        print(f"  splits at ،/؛: {r['splits_at_comma']}   after abbreviation: {r['splits_after_abbreviation']}"
              f" (true boundaries among them: {r['splits_after_abbreviation_that_are_true_boundaries']})"
              f"   mid-sentence ellipsis: {r['splits_at_mid_sentence_ellipsis']}"
              f"   quote|attribution: {r['splits_between_quote_and_attribution']}")
        print(f"  predictions at unscored line breaks: {r['predicted_at_unscored_line_breaks']}")
        for kind, docid, context in report.get("errors", {}).get(mode, []):
            print(f"  {kind} {docid}: {context}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.segmentation", description=__doc__.split("\n")[0])
    parser.add_argument("--ntrex", type=Path, default=DEFAULT_NTREX_DIR,
                        help=f"folder with ntrex.dev.ar and ntrex.dev.docids (default: {DEFAULT_NTREX_DIR})")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--errors", action="store_true", help="list false positives and false negatives in context")
    args = parser.parse_args(argv)
    try:
        report = run(args.ntrex, args.errors)
    except MissingData as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
