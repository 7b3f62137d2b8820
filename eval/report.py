"""The Markdown report of a run: corpus scores with signatures, buckets, documents, provenance."""

from __future__ import annotations

from typing import Any, Sequence

from eval.score import DocumentScore, MetricScore


def _md_escape(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]], align: Sequence[str] | None = None) -> list[str]:
    align = align or ["l"] + ["r"] * (len(head) - 1)
    sep = ["---:" if a == "r" else ":---" for a in align]
    out = ["| " + " | ".join(_md_escape(h) for h in head) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(_md_escape(c) for c in r) + " |" for r in rows]
    return out


def _fmt(x: float | None, width: int = 1) -> str:
    return "–" if x is None else f"{x:.{width}f}"


def render_report(
    *,
    testset: Any,
    scores: dict[str, MetricScore],
    documents: Sequence[DocumentScore] | None,
    buckets: Sequence[Any],
    comet: dict[str, Any],
    manifest: dict[str, Any],
    hypotheses: Sequence[str],
    qa: dict[str, Any] | None = None,
    worst_documents: int = 10,
) -> str:
    names = list(scores)
    m = manifest
    lines: list[str] = [f"# mt-eval run: {testset.name}", ""]
    prov = testset.info
    lines += [
        f"- **Model**: `{m['model']['id']}` (revision `{m['model']['revision'] or 'unknown'}`)",
        f"- **Backend / device / compute**: {m.get('backend')} / {m.get('device')} / {m.get('compute_type')}",
        f"- **Decoding**: {m['decoding'].get('summary')}, batch size {m['decoding'].get('batch_size')}, "
        f"max batch tokens {m['decoding'].get('max_batch_tokens')}",
        f"- **Test set**: {testset.name}, {len(testset)} lines, {len(testset.references)} reference(s)"
        + (f", {len(set(testset.docids))} document(s)" if testset.docids else "")
        + f", data sha256 `{testset.fingerprint()[:12]}`",
    ]
    if prov is not None:
        lines.append(
            f"- **Provenance**: {prov.description}; original language {prov.original_lang} "
            f"({prov.direction_note}); domain {prov.domain}; license {prov.license}"
        )
    wall = m.get("wall_time", {})
    lines += [
        f"- **Wall time**: load {wall.get('model_load_s')} s, translate {wall.get('translate_s')} s "
        f"({wall.get('lines_per_s')} lines/s), score {wall.get('score_s')} s",
        f"- **Created**: {m.get('created_utc')}",
        "",
        "Run signature:",
        "",
        f"    {m['run_signature']}",
        "",
        "## Corpus scores",
        "",
    ]
    lines += _table(["metric", "score", "sacrebleu signature"],
                    [[n, f"{s.score:.{s.width}f}", f"`{s.signature}`"] for n, s in scores.items()],
                    ["l", "r", "l"])
    bleu = scores.get("BLEU")
    if bleu is not None and bleu.verbose:
        lines += ["", f"BLEU details: {bleu.verbose}"]
    lines += ["", f"COMET: {comet['score']:.4f} ({comet.get('model')})" if comet.get("status") == "ok"
              else f"COMET: skipped ({comet.get('reason')})"]

    if qa:
        lines += ["", "## QA flags", "",
                  f"{qa['flagged']} of {qa['lines']} lines flagged ({qa['flagged_rate']:.1%}) by `mt.qa`; "
                  f"mean {qa.get('score', 'score')}: flagged {_fmt(qa.get('score_flagged'))}, "
                  f"unflagged {_fmt(qa.get('score_unflagged'))}.", ""]
        per_score = qa.get("score_per_check", {})
        lines += _table(["check", "lines flagged", "mean score of those lines"],
                        [[c, str(k), _fmt(per_score.get(c))] for c, k in qa["per_check"].items()])
    lines += ["", "## By phenomenon", "",
              "Buckets are computed from the source side and from what the pipeline did to each line. "
              "Each bucket's lines are scored as one corpus.", ""]
    n = len(testset)
    rows = []
    for b in buckets:
        share = f"{100 * len(b.indices) / n:.1f}%" if n else "–"
        rows.append([b.name, b.description, len(b.indices), share, *(_fmt(b.scores.get(k)) for k in names)])
    lines += _table(["bucket", "what", "lines", "share", *names], rows, ["l", "l", "r", "r", *["r"] * len(names)])

    if documents:
        key = names[0]
        corpus = scores[key].score
        lines += ["", "## By document", "",
                  f"{len(documents)} document(s), in test-set order; Δ is the document's {key} minus the corpus {key}.", ""]
        lower_is_better = key == "TER"
        worst = sorted(documents, key=lambda d: d.scores[key], reverse=lower_is_better)[:worst_documents]
        lines += [f"Weakest {len(worst)} by {key}: " + ", ".join(f"`{d.docid}` ({d.scores[key]:.1f})" for d in worst), ""]
        rows = [[d.docid, d.lines, *(_fmt(d.scores[k]) for k in names), f"{d.scores[key] - corpus:+.1f}"] for d in documents]
        lines += _table(["document", "lines", *names, "Δ"], rows)

    lines += ["", "## Reproduce", "", "```", " ".join(m.get("command") or ["mt-eval", "run", "..."]), "```", "",
              f"Versions: " + ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items() if v), "",
              f"Hardware: {m.get('hardware', {}).get('cpu')}, {m.get('hardware', {}).get('usable_cpus')} usable CPUs"
              + (f", GPUs {m['hardware']['gpus']}" if m.get("hardware", {}).get("gpus") else ""), ""]
    code = m.get("code") or {}
    if code.get("commit"):
        lines += [f"Code: commit `{code['commit'][:12]}`" + (" (with local changes)" if code.get("dirty") else ""), ""]
    return "\n".join(lines)
