"""Dev evaluation of the Arabic spacing repair (merged words, punctuation spacing).

    python -m eval.spacing [--ntrex DIR] [--seed 13] [--json]

Four measurements on the NTREX-128 Arabic dev text (``ntrex.dev.ar``, default
``../shared/data/ntrex-dev`` beside the checkout):

(a) synthetic: clean lines are corrupted with a fixed seed (about 10 % of the spaces between words
    deleted, more often after letters that do not join leftward; spaces added before punctuation
    and inside brackets; spaces after punctuation removed) and the repair is scored against them.
    Edits the repair also makes on the uncorrupted line (the file's own errors) are left out.
(b) false splits per 1,000 words of the uncorrupted text: splits of tokens annotated as whole
    words (confirmed) plus splits of tokens nobody annotated (unverified, counted as false).
(c) traps: ``eval/data/spacing_traps.tsv``, each alone and inside a sentence: % changed, per class.
(d) real merges: ``eval/data/ntrex_real_merges.tsv``, hand-checked tokens of the file with their
    expected form; precision/recall of the cuts.

This is a development measure: the targets are checked on held-out scraped news.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mt.text.repair import Repairer, repair_text
from mt.text.unicode import UnicodeCleanup, WhitespaceNormalizer
from mt.text.word_split import NON_JOINING

from eval.tables import prf
from eval.testsets import ntrex_dev_dir

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
DEFAULT_NTREX = ntrex_dev_dir()
MERGE_RULES = {"merged-word", "merged-number", "latin-arabic"}
AFTER_RULES = {"space-after-punct"}
BEFORE_RULES = {"space-before-punct", "space-inside-brackets"}
WORDCHAR = re.compile(r"[\w\u0600-\u06ff]")
PUNCT_AFTER = set("،؛:.!؟?")
PUNCT_BEFORE = set("،؛:.!؟?")
OPENING, CLOSING = "(«[", ")»]"


def clean_base(line: str) -> str:
    """The line after character clean-up and whitespace normalisation (what spacing repair sees)."""
    return Repairer([UnicodeCleanup(), WhitespaceNormalizer()])(line).text


# ----------------------------------------------------------------------------------- corruption
def corrupt(text: str, rng: random.Random, p_nonjoin: float = 0.18, p_join: float = 0.06):
    """Corrupt one clean line. Returns (corrupted, origin, gold) where ``origin[i]`` is the index in
    ``text`` of corrupted char ``i`` (None for an inserted space) and ``gold`` maps an error kind to a
    set of keys: for deleted spaces the index in ``text`` of the char after the space; for added
    spaces, their index in the corrupted text."""
    out: list[str] = []
    origin: list[int | None] = []
    gold: dict[str, set[int]] = {"merge": set(), "after": set(), "before": set()}
    n = len(text)
    for i, ch in enumerate(text):
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == " " and prev and nxt:
            if WORDCHAR.match(prev) and WORDCHAR.match(nxt) and prev.isalnum() and nxt.isalnum():
                p = p_nonjoin if prev in NON_JOINING or prev.isdigit() or nxt.isdigit() else p_join
                if rng.random() < p:
                    gold["merge"].add(i + 1)
                    continue
            elif prev in PUNCT_AFTER and nxt.isalpha() and rng.random() < 0.3:
                if not (i >= 2 and text[i - 2].isdigit()):
                    gold["after"].add(i + 1)
                    continue
        if ch in PUNCT_BEFORE and prev and prev != " " and WORDCHAR.match(prev) and rng.random() < 0.15:
            if not (nxt.isdigit() or (ch == "." and nxt.isalpha())):
                gold["before"].add(len(out))
                out.append(" ")
                origin.append(None)
        if ch in CLOSING and prev and prev != " " and rng.random() < 0.3:
            gold["before"].add(len(out))
            out.append(" ")
            origin.append(None)
        out.append(ch)
        origin.append(i)
        if ch in OPENING and nxt and nxt != " " and rng.random() < 0.3:
            gold["before"].add(len(out))
            out.append(" ")
            origin.append(None)
    return "".join(out), origin, gold


def synthetic(lines: list[str], seed: int) -> dict:
    rng = random.Random(seed)
    counts = {k: Counter() for k in ("merge", "merge-nonjoin", "merge-join", "after", "before")}
    for text in lines:
        natural = repair_text(text).edits
        nat_ins = {(e.start, e.rule in MERGE_RULES) for e in natural if e.start == e.end}
        nat_del = {e.start for e in natural if e.start != e.end}
        bad, origin, gold = corrupt(text, rng)
        edits = repair_text(bad).edits
        seen = {"merge": set(), "after": set(), "before": set()}
        for e in edits:
            if e.start == e.end and e.after == " ":
                kind = "merge" if e.rule in MERGE_RULES else "after" if e.rule in AFTER_RULES else None
                if kind is None or e.start >= len(origin):
                    continue
                key = origin[e.start]
                if key in gold[kind]:
                    seen[kind].add(key)
                elif (key, kind == "merge") not in nat_ins:
                    counts[kind]["fp"] += 1
                    if kind == "merge":
                        sub = "merge-nonjoin" if text[key - 1] in NON_JOINING else "merge-join"
                        counts[sub]["fp"] += 1
            elif e.after == "" and e.before.strip() == "" and e.rule in BEFORE_RULES:
                if e.start in gold["before"]:
                    seen["before"].add(e.start)
                elif origin[e.start] is None or origin[e.start] not in nat_del:
                    counts["before"]["fp"] += 1
        for kind in ("merge", "after", "before"):
            counts[kind]["tp"] += len(seen[kind])
            counts[kind]["fn"] += len(gold[kind] - seen[kind])
        for key in gold["merge"]:
            sub = "merge-nonjoin" if text[key - 2] in NON_JOINING else "merge-join"
            counts[sub]["tp" if key in seen["merge"] else "fn"] += 1
    out = {k: prf(c["tp"], c["fp"], c["fn"]) for k, c in counts.items()}
    out["punctuation"] = prf(
        counts["after"]["tp"] + counts["before"]["tp"],
        counts["after"]["fp"] + counts["before"]["fp"],
        counts["after"]["fn"] + counts["before"]["fn"],
    )
    return out


# ------------------------------------------------------------------------- real merges / clean
def load_annotations(blocks: bool = False) -> list[tuple]:
    """(line, token, expected) rows; with ``blocks``, a 4th field numbers the sample a row belongs to
    (a comment after data rows starts a new one: 1 = tokens drawn independently of the repair)."""
    rows: list[tuple] = []
    block, seen_data = 1, False
    for raw in (DATA / "ntrex_real_merges.tsv").read_text(encoding="utf-8").splitlines():
        if raw.startswith("#"):
            if seen_data:
                block, seen_data = block + 1, False
            continue
        if raw.strip():
            line_no, token, expected = raw.split("\t")
            rows.append((int(line_no), token, expected, block) if blocks else (int(line_no), token, expected))
            seen_data = True
    return rows


def _cuts(token: str, expected: str) -> set[int]:
    """Offsets in ``token`` where ``expected`` has a space."""
    cuts, i = set(), 0
    for ch in expected:
        if ch == " ":
            cuts.add(i)
        else:
            i += 1
    return cuts


def real_merges(lines: list[str], annotations) -> dict:
    tp = fp = fn = 0
    exact = 0
    errors = []
    for line_no, token, expected in annotations:
        text = lines[line_no - 1]
        at = text.find(token)
        if at < 0:
            errors.append(f"line {line_no}: token not found: {token}")
            continue
        edits = repair_text(text).edits
        pred = {e.start - at for e in edits if e.rule in MERGE_RULES and at < e.start < at + len(token)}
        gold = _cuts(token, expected)
        tp += len(pred & gold)
        fp += len(pred - gold)
        fn += len(gold - pred)
        exact += pred == gold
        if pred != gold:
            got = "".join((" " if i in pred else "") + ch for i, ch in enumerate(token))
            errors.append(f"line {line_no}: {token} -> {got} (expected {expected})")
    n_merged = sum(1 for _, t, e in annotations if t != e)
    return {
        **prf(tp, fp, fn),
        "tokens": len(annotations),
        "merged_tokens": n_merged,
        "exact": exact,
        "errors": errors,
    }


def noisy_lines(lines: list[str]) -> set[int]:
    """Line numbers where the text has lost most of its spaces (over a third of the Arabic words are
    not words): not clean text, so left out of the false-split rate."""
    from mt.text.charsets import BASIC_LETTERS, DIACRITICS, strip_diacritics
    from mt.text.lexicon import arabic_lexicon

    lex = arabic_lexicon()
    noisy = set()
    for n, text in enumerate(lines, 1):
        words = [strip_diacritics(w) for w in re.findall(f"[{BASIC_LETTERS}{DIACRITICS}]+", text)]
        unknown = sum(1 for w in words if len(w) > 3 and lex.analysed_cost(w) is None)
        if words and unknown / len(words) > 1 / 3:
            noisy.add(n)
    return noisy


def false_splits(lines: list[str], annotations) -> dict:
    known = {(n, t): e for n, t, e in annotations}
    words = confirmed = unverified = correct = 0
    examples = []
    skip = noisy_lines(lines)
    for n, text in enumerate(lines, 1):
        if n in skip:
            continue
        words += len(text.split())
        for e in repair_text(text).edits:
            if e.rule not in MERGE_RULES:
                continue
            s = text.rfind(" ", 0, e.start) + 1
            t = text.find(" ", e.end)
            tok = text[s : len(text) if t < 0 else t]
            match = [(tk, ex) for (ln, tk), ex in known.items() if ln == n and tk in tok]
            if match and any(tk != ex for tk, ex in match):
                correct += 1
            elif match:
                confirmed += 1
                examples.append(f"line {n}: {tok} (annotated whole)")
            else:
                unverified += 1
                examples.append(f"line {n}: {tok} (unannotated)")
    return {
        "words": words,
        "noisy_lines_left_out": sorted(skip),
        "splits_confirmed_correct": correct,
        "false_confirmed": confirmed,
        "unverified": unverified,
        "false_per_1000_words_upper_bound": round(1000 * (confirmed + unverified) / max(words, 1), 3),
        "false_per_1000_words_confirmed": round(1000 * confirmed / max(words, 1), 3),
        "examples": examples,
    }


# ------------------------------------------------------------------------------------------ traps
def load_traps() -> list[tuple[str, str]]:
    rows = []
    for raw in (DATA / "spacing_traps.tsv").read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            text, cls = raw.rsplit("\t", 1)
            rows.append((text, cls))
    return rows


def traps(rows) -> dict:
    per_class: dict[str, Counter] = defaultdict(Counter)
    broken = []
    for text, cls in rows:
        sentence = f"وقال المتحدث إن {text} جديد"
        ok = repair_text(text).text == text and repair_text(sentence).text == sentence
        per_class[cls]["n"] += 1
        if not ok:
            per_class[cls]["broken"] += 1
            broken.append(f"{cls}: {text} -> {repair_text(text).text}")
    total = sum(c["n"] for c in per_class.values())
    nbroken = sum(c["broken"] for c in per_class.values())
    return {
        "n": total,
        "broken": nbroken,
        "broken_pct": round(100 * nbroken / max(total, 1), 2),
        "per_class": {k: f"{c['broken']}/{c['n']}" for k, c in sorted(per_class.items())},
        "examples": broken,
    }


# ------------------------------------------------------------------------------------------- main
REALISTIC = (0.045, 0.015)  # lost spaces: about 3 per 100 words (after non-joining / joining letters)
HEAVY = (0.18, 0.06)  # about 10 % of the spaces
DENSE = (0.8, 0.6)  # lines that lost most of their spaces (whole-line mode)


def half_of(docid: str) -> str:
    """The fixed dev split by document: ``tune`` when the first byte of md5(docid) is even, else
    ``check`` (35 documents / 560 lines vs 27 / 447 on NTREX dev)."""
    return "tune" if hashlib.md5(docid.encode("utf-8")).digest()[0] % 2 == 0 else "check"


def _synthetic_at(lines: list[str], seed: int, rates: tuple[float, float]) -> dict:
    rng_rates = {"p_nonjoin": rates[0], "p_join": rates[1]}
    global corrupt
    base = corrupt
    try:
        corrupt = lambda text, rng: base(text, rng, **rng_rates)  # noqa: E731
        out = synthetic(lines, seed)
    finally:
        corrupt = base
    words = sum(len(t.split()) for t in lines)
    out["lost_per_100_words"] = round(100 * (out["merge"]["tp"] + out["merge"]["fn"]) / max(words, 1), 2)
    return out


def _articles(lines: list[str], docids: list[str], keep: set[int]) -> list[str]:
    """Each document of the half as one paragraph (the context a whole article gives)."""
    docs: dict[str, list[str]] = {}
    for n, (line, d) in enumerate(zip(lines, docids), 1):
        if n in keep and line:
            docs.setdefault(d.strip(), []).append(line)
    return [" ".join(ls) for ls in docs.values()]


def evaluate_half(ntrex: Path, seed: int, half: str, lex=None) -> dict:
    """All measurements on one half (``tune``, ``check`` or ``all``) of NTREX dev."""
    from mt.text.lexicon import arabic_lexicon

    from eval import spacing_traps

    lex = lex or arabic_lexicon()
    raw = (ntrex / "ntrex.dev.ar").read_text(encoding="utf-8").split("\n")
    en = (ntrex / "ntrex.dev.en").read_text(encoding="utf-8").split("\n")
    docids = (ntrex / "ntrex.dev.docids").read_text(encoding="utf-8").split("\n")
    keep = {n for n, d in enumerate(docids, 1) if d.strip() and (half == "all" or half_of(d.strip()) == half)}
    lines = [clean_base(line) if n in keep else "" for n, line in enumerate(raw, 1)]
    nonempty = [line for line in lines if line]
    annotations = [a for a in load_annotations() if a[0] in keep]
    independent = [(n, t, e) for n, t, e, b in load_annotations(blocks=True) if b == 1 and n in keep]
    merged = {t for _, t, e in load_annotations() if t != e}
    noisy = noisy_lines(lines)
    clean_lines = [ln for n, ln in enumerate(lines, 1) if ln and n not in noisy]
    en_half = [e if n in keep else "" for n, e in enumerate(en, 1)]
    translit = spacing_traps.transliterated_name_traps(en_half, lex, n=1000)
    generated = (
        [(t, "name-ref") for t in spacing_traps.name_traps(lines, en_half, lex, merged)]
        + [(t, "inflected") for t in spacing_traps.inflected_traps(lex, seed=seed + (0 if half == "tune" else 1))]
        + [(t, "rare") for t in spacing_traps.rare_traps(clean_lines, lex, merged)]
        + [(t, "name-translit") for t in translit]
        + [(t, "name-pair") for t in spacing_traps.name_pair_traps(translit)]
    )
    return {
        "half": half,
        "seed": seed,
        "lines": len(nonempty),
        "synthetic_realistic": _synthetic_at(nonempty, seed, REALISTIC),
        "synthetic_10pct": _synthetic_at(nonempty, seed, HEAVY),
        "synthetic_dense": _synthetic_at(nonempty[::4], seed, DENSE),
        "synthetic_articles": _synthetic_at(_articles(lines, docids, keep), seed, REALISTIC),
        "clean": false_splits(lines, annotations),
        "traps_hand": traps(load_traps()),
        "traps_generated": traps(generated),
        "real": real_merges(lines, annotations),
        "real_independent_sample": real_merges(lines, independent),
    }


def evaluate(ntrex: Path, seed: int) -> dict:
    return {half: evaluate_half(ntrex, seed, half) for half in ("tune", "check")}


def _print(report: dict) -> None:
    halves = list(report)
    rows: list[tuple[str, ...]] = []

    def row(label: str, get) -> None:
        rows.append((label, *(get(report[h]) for h in halves)))

    def fmt_prf(s: dict) -> str:
        return f"P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}"

    row("lines", lambda r: str(r["lines"]))
    for key, name in (("synthetic_realistic", "realistic"), ("synthetic_10pct", "10 %"),
                      ("synthetic_articles", "realistic, articles as one paragraph"),
                      ("synthetic_dense", "most spaces lost (every 4th line)")):
        row(f"synthetic {name}: lost/100 words", lambda r, k=key: str(r[k]["lost_per_100_words"]))
        for sub in ("merge", "merge-nonjoin", "merge-join") if key in ("synthetic_realistic", "synthetic_10pct") else ("merge",):
            row(f"  {sub}", lambda r, k=key, s=sub: fmt_prf(r[k][s]))
        if key == "synthetic_10pct":
            row("  punctuation", lambda r, k=key: fmt_prf(r[k]["punctuation"]))
    row("clean: words", lambda r: str(r["clean"]["words"]))
    row("clean: false splits / 1,000 words", lambda r: f"<= {r['clean']['false_per_1000_words_upper_bound']:.3f}")
    for key, name in (("traps_hand", "hand"), ("traps_generated", "generated")):
        row(f"traps {name}: broken", lambda r, k=key: f"{r[k]['broken']}/{r[k]['n']} ({r[k]['broken_pct']} %)")
    classes = sorted({c for h in halves for k in ("traps_hand", "traps_generated") for c in report[h][k]["per_class"]})
    for c in classes:
        row(f"  {c}", lambda r, c=c: r["traps_generated"]["per_class"].get(c) or r["traps_hand"]["per_class"].get(c, "-"))
    row("real merges (independent sample)", lambda r: fmt_prf(r["real_independent_sample"]) + f" ({r['real_independent_sample']['tokens']} tok)")
    row("real merges (all annotations)", lambda r: fmt_prf(r["real"]) + f" ({r['real']['tokens']} tok)")
    width = max(len(r[0]) for r in rows)
    colw = max(len(c) for r in rows for c in r[1:])
    print(f"NTREX dev spacing repair, seed {report[halves[0]]['seed']}, split by document (md5 of docid)")
    print(f"{'':{width}}  " + "  ".join(f"{h:{colw}}" for h in halves))
    for r in rows:
        print(f"{r[0]:{width}}  " + "  ".join(f"{c:{colw}}" for c in r[1:]))
    for h in halves:
        rep = report[h]
        print(f"\n[{h}] errors")
        for ex in rep["clean"]["examples"]:
            print(f"  false split: {ex}")
        for k in ("traps_hand", "traps_generated"):
            for ex in rep[k]["examples"]:
                print(f"  trap: {ex}")
        for ex in rep["real"]["errors"]:
            print(f"  real: {ex}")


def _parse(value: str):
    if value in ("True", "False"):
        return value == "True"
    try:
        return int(value)
    except ValueError:
        return float(value)


def use_model(**fields) -> None:
    """Make the default repair use a SplitModel with ``fields`` changed (ablation, tuning)."""
    import dataclasses

    from mt.text import repair, word_split

    word_split._DEFAULT = word_split.WordSplitter(model=dataclasses.replace(word_split.SplitModel(), **fields))
    repair._default = None


def _ranges(numbers: list[int]) -> str:
    out: list[str] = []
    for n in numbers:
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.spacing", description=__doc__.split("\n\n")[0])
    ap.add_argument("--ntrex", type=Path, default=DEFAULT_NTREX, help="folder with ntrex.dev.ar")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--half", choices=("tune", "check", "both", "all"), default="both",
                    help="which documents: the tuning half, the checking half, both side by side, or all")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                    help="override a SplitModel field (tuning, ablation), e.g. --set split_prior=5")
    args = ap.parse_args(argv)
    if args.set:
        use_model(**{k: _parse(v) for k, v in (kv.split("=", 1) for kv in args.set)})
    if not (args.ntrex / "ntrex.dev.ar").is_file():
        print(f"error: {args.ntrex / 'ntrex.dev.ar'} not found; pass --ntrex DIR (NTREX-128 dev, Arabic side)",
              file=sys.stderr)
        return 2
    halves = ("tune", "check") if args.half == "both" else (args.half,)
    report = {h: evaluate_half(args.ntrex, args.seed, h) for h in halves}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        _print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
