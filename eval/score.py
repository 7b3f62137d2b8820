"""Corpus scores that are sacrebleu's own: BLEU, chrF2, chrF2++ and TER, each with its signature.

Files are read the way the ``sacrebleu`` command reads them (UTF-8, lines ended by ``\n`` only,
trailing whitespace stripped from every line), so a score printed here equals the command's to every digit.
Per-document scores are the same metrics computed on each document's lines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.metrics.base import Metric

from eval.tables import text_table


class EvalError(Exception):
    """A user-facing problem with the inputs (bad file, mismatched lines, unknown name...).

    The message is one line and names the file or option at fault; ``mt-eval`` prints it and
    exits with status 2, without a traceback.
    """


#: metric keys accepted on the command line, in report order, and sacrebleu's name for each
METRIC_KEYS: tuple[str, ...] = ("bleu", "chrf", "chrf++", "ter")
METRIC_NAMES: dict[str, str] = {"bleu": "BLEU", "chrf": "chrF2", "chrf++": "chrF2++", "ter": "TER"}
DEFAULT_METRICS: tuple[str, ...] = METRIC_KEYS


def parse_metrics(spec: str | Sequence[str] | None) -> list[str]:
    """``"bleu,chrf"`` (or a list) -> validated metric keys, order kept, duplicates dropped."""
    if spec is None:
        return list(DEFAULT_METRICS)
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for raw in items:
        key = raw.strip().lower()
        aliases = {"chrf2": "chrf", "chrf2++": "chrf++", "chrfpp": "chrf++"}
        key = aliases.get(key, key)
        if not key:
            continue
        if key not in METRIC_NAMES:
            raise EvalError(f"unknown metric {raw.strip()!r}; choose from {', '.join(METRIC_KEYS)}")
        if key not in out:
            out.append(key)
    if not out:
        raise EvalError("no metric given; choose from " + ", ".join(METRIC_KEYS))
    return out


def make_metric(key: str, *, tokenize: str | None = None, lowercase: bool = False) -> Metric:
    """A fresh sacrebleu metric object with sacrebleu's command-line defaults."""
    if key == "bleu":
        return BLEU(tokenize=tokenize, lowercase=lowercase)
    if key == "chrf":
        return CHRF(lowercase=lowercase)
    if key == "chrf++":
        return CHRF(word_order=2, lowercase=lowercase)
    if key == "ter":
        # sacrebleu's default (and its command's): case-insensitive TER, signature ``case:lc``
        return BoundedTER()
    raise EvalError(f"unknown metric {key!r}; choose from {', '.join(METRIC_KEYS)}")


#: TER's shift search grows much faster than the line: measured on random words, 200 words take
#: 0.08 s, 250 1.4 s, 500 6.7 s, 1000 114 s, and one 200,000-character line took 118 s and 18 GB.
#: A line with more words than TER_MAX_WORDS (in the hypothesis or a reference) is therefore scored
#: in consecutive blocks of at most TER_BLOCK_WORDS words (hypothesis and references cut at the same
#: proportions), edits and reference lengths summed: time and memory grow linearly with the line.
#: Normal sentence-per-line data never reaches the limit (NTREX dev: at most 63 words), so scores
#: stay sacrebleu's to every digit; when it does, the signature says so (``|blocks:N``) and the
#: report prints a note. A 35,000-word (200,000-character) line of random words now takes 5.8 s and
#: ~60 MB (blocks of 100 words: 24 s). BLEU and chrF are linear in the line length (0.7 s / 1.5 s).
TER_MAX_WORDS = 200
TER_BLOCK_WORDS = 50


def _blocks(words: list[str], k: int) -> list[list[str]]:
    """``words`` cut into ``k`` consecutive blocks of near-equal size."""
    n = len(words)
    return [words[n * j // k : n * (j + 1) // k] for j in range(k)]


class BoundedTER(TER):
    """sacrebleu's TER, bounded in time and memory on pathological lines (see TER_MAX_WORDS).

    ``long_lines`` counts the segments scored in blocks since the object was made.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.long_lines = 0

    def _compute_segment_statistics(self, hypothesis: str, ref_kwargs: dict) -> list[float]:
        words_hyp = hypothesis.split()
        ref_words = ref_kwargs["ref_words"]
        longest = max([len(words_hyp), *(len(r) for r in ref_words)])
        if longest <= TER_MAX_WORDS:
            return super()._compute_segment_statistics(hypothesis, ref_kwargs)
        self.long_lines += 1
        k = -(-longest // TER_BLOCK_WORDS)
        hyp_blocks = _blocks(words_hyp, k)
        ref_blocks = [_blocks(r, k) for r in ref_words]
        edits = length = 0.0
        for j in range(k):
            e, n = super()._compute_segment_statistics(" ".join(hyp_blocks[j]), {"ref_words": [r[j] for r in ref_blocks]})
            edits += e
            length += n
        return [edits, length]


# --------------------------------------------------------------------------------------- reading


def read_lines(path: str | os.PathLike[str], *, what: str = "file", allow_empty: bool = False) -> list[str]:
    """Lines of a UTF-8 text file exactly as the ``sacrebleu`` command sees them.

    Raises :class:`EvalError` naming the file when it is missing, not valid UTF-8 (with the line
    and byte offset of the first bad byte) or empty.
    """
    p = os.fspath(path)
    try:
        if p.endswith(".gz"):  # sacrebleu reads gzipped files too
            import gzip

            with gzip.open(p, "rb") as fh:
                data = fh.read()
        else:
            with open(p, "rb") as fh:
                data = fh.read()
    except FileNotFoundError:
        raise EvalError(f"{what} {p}: no such file") from None
    except IsADirectoryError:
        raise EvalError(f"{what} {p}: is a directory, expected a text file") from None
    except (OSError, EOFError) as e:
        raise EvalError(f"{what} {p}: cannot read ({getattr(e, 'strerror', None) or e})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line_no = data.count(b"\n", 0, e.start) + 1
        raise EvalError(
            f"{what} {p}: not valid UTF-8 (line {line_no}, byte offset {e.start}: {e.reason})"
        ) from None
    if not text and not allow_empty:
        raise EvalError(f"{what} {p}: file is empty")
    # sacrebleu's smart_open opens with newline="\n": only "\n" ends a line (a lone "\r" stays inside
    # it, "\r\n" leaves a "\r" that rstrip removes); its command then rstrips every line
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip() for line in lines]


def check_same_length(streams: Iterable[tuple[str, Sequence[str]]]) -> int:
    """All named streams must have the same number of lines; returns it, or raises naming the file."""
    streams = list(streams)
    if not streams:
        raise EvalError("nothing to compare")
    first_name, first = streams[0]
    for name, lines in streams[1:]:
        if len(lines) != len(first):
            raise EvalError(
                f"{name} has {len(lines)} lines but {first_name} has {len(first)}; "
                "hypotheses, references and doc ids must be line-aligned"
            )
    return len(first)


# --------------------------------------------------------------------------------------- scoring


@dataclass
class MetricScore:
    """One corpus-level score as sacrebleu reports it."""

    name: str  # sacrebleu's name: BLEU, chrF2, chrF2++, TER
    score: float  # unrounded
    signature: str  # sacrebleu's signature, e.g. nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0
    verbose: str = ""  # BLEU's n-gram precisions and brevity penalty, as sacrebleu prints them
    width: int = 1
    note: str = ""  # what was done differently from sacrebleu (TER on pathological lines), if anything

    @property
    def rounded(self) -> float:
        return float(f"{self.score:.{self.width}f}")

    def format(self) -> str:
        """The line ``sacrebleu -f text`` prints: ``NAME|SIGNATURE = SCORE [VERBOSE]``."""
        line = f"{self.name}|{self.signature} = {self.score:.{self.width}f}"
        return f"{line} {self.verbose}" if self.verbose else line

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"score": self.rounded, "signature": self.signature, "score_unrounded": self.score}
        if self.verbose:
            d["verbose_score"] = self.verbose
        if self.note:
            d["note"] = self.note
        return d


@dataclass
class DocumentScore:
    docid: str
    lines: int
    scores: dict[str, float]  # metric name -> unrounded score

    def to_dict(self, width: int) -> dict[str, Any]:
        return {
            "docid": self.docid,
            "lines": self.lines,
            **{k: float(f"{v:.{width}f}") for k, v in self.scores.items()},
        }


@dataclass
class ScoreReport:
    scores: dict[str, MetricScore]  # keyed by sacrebleu name, in request order
    n_lines: int
    n_refs: int
    documents: list[DocumentScore] | None = None
    width: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {name: s.to_dict() for name, s in self.scores.items()}
        if self.documents is not None:
            d["documents"] = [doc.to_dict(self.width) for doc in self.documents]
        return d

    def format_text(self) -> str:
        out = [s.format() for s in self.scores.values()]
        out += [f"note: {s.name}: {s.note}" for s in self.scores.values() if s.note]
        if self.documents is not None:
            out.append("")
            out.append(format_document_table(self.documents, list(self.scores), self.width))
        return "\n".join(out)


def corpus_scores(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str]],
    metrics: str | Sequence[str] | None = None,
    *,
    tokenize: str | None = None,
    lowercase: bool = False,
    width: int = 1,
) -> dict[str, MetricScore]:
    """Corpus-level scores of ``hypotheses`` against one or more reference streams.

    ``references`` is a list of streams (``[ref1_lines, ref2_lines, ...]``), as in sacrebleu's API.
    """
    keys = parse_metrics(metrics)
    _check_streams(hypotheses, references)
    out: dict[str, MetricScore] = {}
    for key in keys:
        metric = make_metric(key, tokenize=tokenize, lowercase=lowercase)
        s = metric.corpus_score(list(hypotheses), [list(r) for r in references])
        signature, note = metric.get_signature().format(), ""
        long_lines = getattr(metric, "long_lines", 0)
        if long_lines:
            signature += f"|blocks:{TER_BLOCK_WORDS}"
            note = (f"{long_lines} line(s) of more than {TER_MAX_WORDS} words scored in blocks of at most "
                    f"{TER_BLOCK_WORDS} words (TER on such lines would take minutes and gigabytes)")
        out[s.name] = MetricScore(
            name=s.name,
            score=float(s.score),
            signature=signature,
            verbose=getattr(s, "_verbose", "") or "",
            width=width,
            note=note,
        )
    return out


def document_scores(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str]],
    docids: Sequence[str],
    metrics: str | Sequence[str] | None = None,
    *,
    tokenize: str | None = None,
    lowercase: bool = False,
) -> list[DocumentScore]:
    """Each document's scores (its lines scored as a corpus), documents in order of first appearance."""
    keys = parse_metrics(metrics)
    _check_streams(hypotheses, references)
    if len(docids) != len(hypotheses):
        raise EvalError(f"doc ids have {len(docids)} lines but hypotheses have {len(hypotheses)}")
    groups = group_by_document(docids)
    metric_objs = {key: make_metric(key, tokenize=tokenize, lowercase=lowercase) for key in keys}
    out: list[DocumentScore] = []
    for docid, idx in groups.items():
        hyp = [hypotheses[i] for i in idx]
        refs = [[r[i] for i in idx] for r in references]
        scores = {}
        for metric in metric_objs.values():
            s = metric.corpus_score(hyp, refs)
            scores[s.name] = float(s.score)
        out.append(DocumentScore(docid=docid, lines=len(idx), scores=scores))
    return out


def subset_scores(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str]],
    indices: Sequence[int],
    metrics: str | Sequence[str] | None = None,
) -> dict[str, float]:
    """Scores of the lines at ``indices`` scored as one corpus (empty dict for no lines)."""
    if not indices:
        return {}
    hyp = [hypotheses[i] for i in indices]
    refs = [[r[i] for i in indices] for r in references]
    return {name: s.score for name, s in corpus_scores(hyp, refs, metrics).items()}


def group_by_document(docids: Sequence[str]) -> dict[str, list[int]]:
    """docid -> line indices, in order of first appearance."""
    groups: dict[str, list[int]] = {}
    for i, d in enumerate(docids):
        groups.setdefault(d.strip(), []).append(i)
    return groups


def score_files(
    hyp_path: str | os.PathLike[str],
    ref_paths: Sequence[str | os.PathLike[str]],
    metrics: str | Sequence[str] | None = None,
    *,
    docids_path: str | os.PathLike[str] | None = None,
    tokenize: str | None = None,
    lowercase: bool = False,
    width: int = 1,
) -> ScoreReport:
    """``mt-eval score`` as a function: read, validate, score, and optionally score per document."""
    if not ref_paths:
        raise EvalError("at least one reference file is needed (--ref)")
    keys = parse_metrics(metrics)
    hyps = read_lines(hyp_path, what="hypothesis file")
    refs = [read_lines(p, what="reference file") for p in ref_paths]
    named = [(f"hypothesis file {os.fspath(hyp_path)}", hyps)]
    named += [(f"reference file {os.fspath(p)}", r) for p, r in zip(ref_paths, refs)]
    docids = None
    if docids_path is not None:
        docids = read_lines(docids_path, what="doc ids file")
        named.append((f"doc ids file {os.fspath(docids_path)}", docids))
    check_same_length(named)
    scores = corpus_scores(hyps, refs, keys, tokenize=tokenize, lowercase=lowercase, width=width)
    docs = None
    if docids is not None:
        docs = document_scores(hyps, refs, docids, keys, tokenize=tokenize, lowercase=lowercase)
    return ScoreReport(scores=scores, n_lines=len(hyps), n_refs=len(refs), documents=docs, width=width)


def format_document_table(docs: Sequence[DocumentScore], names: Sequence[str], width: int = 1) -> str:
    """A plain-text table of per-document scores."""
    head = ["docid", "lines", *names]
    rows = [[d.docid, str(d.lines), *(f"{d.scores[n]:.{width}f}" for n in names)] for d in docs]
    return "\n".join(text_table(head, rows))


def _check_streams(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> None:
    if not references:
        raise EvalError("at least one reference stream is needed")
    for i, ref in enumerate(references, 1):
        if isinstance(ref, str):
            raise EvalError("references must be a list of streams (a list of lists of lines)")
        if len(ref) != len(hypotheses):
            raise EvalError(f"reference {i} has {len(ref)} lines but the hypotheses have {len(hypotheses)}")
    if not hypotheses:
        raise EvalError("no hypotheses to score")
