"""``mt-eval run``: translate a test set with the full pipeline, score it, and write every artefact.

Each source line is translated as one unit (``Pipeline.translate_lines``), so hypothesis line i
always answers source line i, however the pipeline splits the line internally. Written to ``-o DIR``:

- ``hypotheses.txt``: one translation per source line;
- ``scores.json``: corpus scores with sacrebleu signatures, per-document and per-bucket scores, COMET;
- ``report.md``: the same as a readable report;
- ``lines.jsonl``: per line: source, repaired text, model inputs, translation, token count, buckets;
- ``manifest.json``: model and revision, preprocessing, decoding, backend, device, versions, hardware,
  timings, data fingerprint, output hashes, and the run signature.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from eval.comet import comet_score
from eval.manifest import code_revision, hardware_info, library_versions, utc_now
from eval.report import render_report
from eval.score import (
    DocumentScore,
    EvalError,
    MetricScore,
    corpus_scores,
    document_scores,
    parse_metrics,
    subset_scores,
)
from eval.testsets import TestSet
from mt.config import ConfigError, PipelineConfig

MANIFEST_VERSION = 1
_DIGIT = re.compile(r"\d")  # Unicode digits: ASCII, Arabic-Indic (٠-٩) and extended (۰-۹)


@dataclass
class Bucket:
    name: str
    description: str
    indices: list[int]
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self, n_total: int) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "lines": len(self.indices),
            "share": round(len(self.indices) / n_total, 4) if n_total else 0.0,
            "scores": self.scores,
        }


@dataclass
class RunResult:
    output_dir: Path
    hypotheses: list[str]
    scores: dict[str, MetricScore]
    documents: list[DocumentScore] | None
    buckets: list[Bucket]
    comet: dict[str, Any]
    manifest: dict[str, Any]
    run_signature: str
    files: dict[str, Path]


def build_pipeline(config: PipelineConfig):  # noqa: ANN201 - mt.Pipeline
    """``mt.Pipeline`` from a config; model problems become an :class:`EvalError` with mt's message."""
    from mt import ModelLoadError, Pipeline

    try:
        return Pipeline.from_config(config)
    except (ModelLoadError, ConfigError) as e:
        raise EvalError(str(e)) from None


def one_line(text: str) -> str:
    """A translation as exactly one line (line breaks of any kind become spaces)."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip()).strip()


def translate_lines(pipe, source: Sequence[str], *, progress: bool = False) -> tuple[list[str], list[Any]]:
    """Translate each source line as one unit; returns (one-line hypotheses, Article records)."""
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(source), unit="line", desc="translating", file=sys.stderr, leave=False)
    articles = []
    for article in pipe.translate_lines(list(source)):
        articles.append(article)
    if bar is not None:
        bar.update(len(source))
        bar.close()
    if len(articles) != len(source):
        raise EvalError(f"pipeline returned {len(articles)} articles for {len(source)} lines")
    return [one_line(a.translation or "") for a in articles], articles


def _token_counts(pipe, source: Sequence[str]) -> tuple[list[int], str]:
    try:
        counts = list(pipe.count_tokens(list(source)))
        if len(counts) == len(source):
            return [int(c) for c in counts], "model tokens"
    except Exception:  # noqa: BLE001 - fall back to words rather than fail a finished run
        pass
    return [len(s.split()) for s in source], "whitespace tokens"


def phenomenon_buckets(
    source: Sequence[str], articles: Sequence[Any], token_counts: Sequence[int], long_tokens: int
) -> list[Bucket]:
    """Line buckets computed from the source side (and what the pipeline did to it)."""
    n = len(source)
    has_num = [bool(_DIGIT.search(s)) for s in source]
    long = [c > long_tokens for c in token_counts]
    repaired = [bool(getattr(a, "edits", [])) for a in articles]
    chunked = [any(getattr(s, "chunked", False) for s in getattr(a, "sentences", [])) for a in articles]
    multi = [len(getattr(a, "sentences", [])) > 1 for a in articles]
    idx = lambda flags, want=True: [i for i in range(n) if flags[i] == want]  # noqa: E731
    return [
        Bucket("all", "every line", list(range(n))),
        Bucket("numbers", "source has a digit (ASCII or Arabic-Indic)", idx(has_num)),
        Bucket("no-numbers", "source has no digit", idx(has_num, False)),
        Bucket("long", f"source longer than {long_tokens} tokens", idx(long)),
        Bucket("not-long", f"source of at most {long_tokens} tokens", idx(long, False)),
        Bucket("repaired", "the repair step changed the source", idx(repaired)),
        Bucket("unrepaired", "the repair step left the source as it was", idx(repaired, False)),
        Bucket("multi-sentence", "the pipeline split the line into several sentences", idx(multi)),
        Bucket("chunked", "a sentence was over the model's length and was chunked", idx(chunked)),
    ]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def qa_report(testset: TestSet, hyps: Sequence[str]) -> dict[str, Any]:
    """QA flags of each line (mt.qa) and the mean sentence chrF of flagged vs unflagged lines."""
    from sacrebleu.metrics import CHRF

    from eval.qa import qa_section

    chrf = CHRF()
    per_line = [chrf.sentence_score(h, [r[i] for r in testset.references]).score for i, h in enumerate(hyps)]
    section = qa_section(testset.source, hyps, per_line)
    section["score"] = "sentence chrF2 (mean over lines)"
    return section


def run_signature(pipe_signature: str, testset: TestSet) -> str:
    from eval import __version__

    return f"{pipe_signature}|testset:{testset.name}|lines:{len(testset)}|nrefs:{len(testset.references)}|data:{testset.fingerprint()[:12]}|mt-eval:{__version__}"


def run_evaluation(
    testset: TestSet,
    options: PipelineConfig | None,
    output_dir: str | Path,
    *,
    metrics: str | Sequence[str] | None = None,
    long_tokens: int = 50,
    comet_model: str | None = None,
    progress: bool = False,
    pipeline: Any = None,
    argv: Sequence[str] | None = None,
) -> RunResult:
    """Translate ``testset`` (building ``mt.Pipeline`` from the config ``options`` unless ``pipeline`` is given),
    score it and write hypotheses, scores, report, per-line records and manifest into ``output_dir``."""
    keys = parse_metrics(metrics)
    if pipeline is None and options is None:
        raise EvalError("give pipeline options (a model) or a pipeline")
    out = Path(output_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise EvalError(f"output directory {out}: cannot create ({e.strerror or e})") from None
    started = utc_now()
    t0 = time.perf_counter()
    pipe = pipeline if pipeline is not None else build_pipeline(options)
    t_loaded = time.perf_counter()
    hyps, articles = translate_lines(pipe, testset.source, progress=progress)
    t_translated = time.perf_counter()

    token_counts, token_unit = _token_counts(pipe, testset.source)
    scores = corpus_scores(hyps, testset.references, keys)
    documents = document_scores(hyps, testset.references, testset.docids, keys) if testset.docids else None
    buckets = phenomenon_buckets(testset.source, articles, token_counts, long_tokens)
    for b in buckets:
        b.scores = subset_scores(hyps, testset.references, b.indices, keys)
    comet = comet_score(testset.source, hyps, testset.references[0], comet_model)
    qa = qa_report(testset, hyps)
    t_scored = time.perf_counter()

    describe = dict(pipe.describe())
    signature = run_signature(pipe.signature(), testset)
    files = {
        "hypotheses": out / "hypotheses.txt",
        "scores": out / "scores.json",
        "report": out / "report.md",
        "lines": out / "lines.jsonl",
        "manifest": out / "manifest.json",
    }
    files["hypotheses"].write_text("".join(h + "\n" for h in hyps), encoding="utf-8")
    with files["lines"].open("w", encoding="utf-8") as fh:
        flags = {b.name: set(b.indices) for b in buckets[1:]}
        for i, (src, hyp, art) in enumerate(zip(testset.source, hyps, articles)):
            sentences = getattr(art, "sentences", [])
            rec = {
                "line": i + 1,
                "docid": testset.docids[i] if testset.docids else None,
                "source": src,
                "repaired": [getattr(s, "repaired", None) for s in sentences],
                "model_inputs": [m for s in sentences for m in getattr(s, "model_inputs", [])],
                "edits": [e.to_dict() if hasattr(e, "to_dict") else str(e) for e in getattr(art, "edits", [])],
                "translation": hyp,
                "qa": [f.to_dict() for s in sentences for f in getattr(s, "qa", [])],
                "references": [r[i] for r in testset.references],
                "tokens": token_counts[i],
                "buckets": [name for name, members in flags.items() if i in members],
            }
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")

    n = len(testset)
    scores_doc: dict[str, Any] = {
        "testset": testset.name,
        "lines": n,
        "run_signature": signature,
        **{name: s.to_dict() for name, s in scores.items()},
        "comet": {k: v for k, v in comet.items() if k != "segments"},
        "buckets": [b.to_dict(n) for b in buckets],
        "qa": qa,
        "token_unit": token_unit,
    }
    if documents is not None:
        scores_doc["documents"] = [d.to_dict(width=4) for d in documents]
    files["scores"].write_text(json.dumps(scores_doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    wall = {
        "model_load_s": round(t_loaded - t0, 3),
        "translate_s": round(t_translated - t_loaded, 3),
        "score_s": round(t_scored - t_translated, 3),
        "total_s": round(time.perf_counter() - t0, 3),
        "lines_per_s": round(n / (t_translated - t_loaded), 3) if t_translated > t_loaded else None,
    }
    manifest: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "run_signature": signature,
        "created_utc": started,
        "command": list(argv) if argv else None,
        "model": {
            "id": describe.get("model"),
            "revision": describe.get("model_revision"),
        },
        "backend": describe.get("backend"),
        "device": describe.get("device"),
        "compute_type": describe.get("compute_type"),
        "decoding": {
            "summary": describe.get("decoding"),
            "beam_size": options.beam_size if options else None,
            "max_new_tokens": options.max_new_tokens if options else None,
            "batch_size": describe.get("batch_size", options.batch_size if options else None),
            "max_batch_tokens": describe.get("max_batch_tokens", options.max_batch_tokens if options else None),
        },
        "preprocessing": {
            "settings": describe.get("preprocessing"),
            "model_input": describe.get("model_input"),
            "max_sentence_tokens": describe.get("max_sentence_tokens"),
        },
        "pipeline_options": options.to_dict() if options else None,
        "pipeline": describe,
        "pipeline_signature": pipe.signature(),
        "testset": testset.describe(),
        "metrics": {name: {"score": s.score, "signature": s.signature} for name, s in scores.items()},
        "comet": {k: v for k, v in comet.items() if k != "segments"},
        "analysis": {"long_tokens": long_tokens, "token_unit": token_unit},
        "versions": library_versions(),
        "hardware": hardware_info(),
        "code": code_revision(),
        "wall_time": wall,
    }
    report = render_report(
        testset=testset, scores=scores, documents=documents, buckets=buckets, comet=comet,
        manifest=manifest, hypotheses=hyps, qa=qa,
    )
    files["report"].write_text(report, encoding="utf-8")
    manifest["outputs"] = {k: {"file": p.name, "sha256": _sha256(p)} for k, p in files.items() if k != "manifest"}
    files["manifest"].write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return RunResult(
        output_dir=out, hypotheses=hyps, scores=scores, documents=documents, buckets=buckets,
        comet=comet, manifest=manifest, run_signature=signature, files=files,
    )
