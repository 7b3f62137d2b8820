"""Paired significance tests between systems, with sacrebleu's own code (``sacrebleu.significance``).

``compare_systems`` is what ``sacrebleu --paired-bs`` / ``--paired-ar`` computes: each system's score,
a bootstrap 95 % confidence interval, and a p-value against the first (baseline) system. The random
generator is seeded from ``seed``, so the same inputs and seed always give the same table.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from sacrebleu.significance import PairedTest

from eval.score import EvalError, make_metric, parse_metrics
from eval.tables import text_table

METHODS = {"bootstrap": "bs", "bs": "bs", "ar": "ar", "approximate-randomization": "ar"}
DEFAULT_SEED = 12345  # sacrebleu's default
DEFAULT_SAMPLES = {"bs": 1000, "ar": 10000}  # sacrebleu's defaults
DEFAULT_COMPARE_METRICS = ("bleu", "chrf")


@dataclass
class SystemResult:
    name: str
    scores: dict[str, float]  # metric name -> corpus score
    means: dict[str, float | None]  # bootstrap mean
    cis: dict[str, float | None]  # half-width of the 95 % confidence interval
    p_values: dict[str, float | None]  # None for the baseline

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.name,
            **{
                m: {"score": self.scores[m], "mean": self.means[m], "ci": self.cis[m], "p_value": self.p_values[m]}
                for m in self.scores
            },
        }


@dataclass
class Comparison:
    method: str  # "bs" or "ar"
    n_samples: int
    seed: int
    systems: list[SystemResult]  # the first is the baseline
    signatures: dict[str, str]  # metric name -> signature incl. seed and sample counts
    width: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "bootstrap" if self.method == "bs" else "ar",
            "n_samples": self.n_samples,
            "seed": self.seed,
            "baseline": self.systems[0].name,
            "systems": [s.to_dict() for s in self.systems],
            "signatures": self.signatures,
        }

    def format_text(self, alpha: float = 0.05) -> str:
        w = self.width
        metrics = list(self.signatures)
        head = ["system", *(f"{m} (μ ± 95% CI)" for m in metrics), *(f"p ({m})" for m in metrics)]
        rows = []
        for i, s in enumerate(self.systems):
            cells = [("baseline: " if i == 0 else "") + s.name]
            for m in metrics:
                cell = f"{s.scores[m]:.{w}f}"
                if s.means[m] is not None:
                    cell += f" ({s.means[m]:.{w}f} ± {s.cis[m]:.{w}f})"
                cells.append(cell)
            for m in metrics:
                p = s.p_values[m]
                cells.append("-" if p is None else f"{p:.4f}" + ("*" if p < alpha else ""))
            rows.append(cells)
        name = "paired bootstrap resampling" if self.method == "bs" else "paired approximate randomization"
        unit = "resamples" if self.method == "bs" else "trials"
        lines = [*text_table(head, rows), ""]
        lines.append(f"{name}, {self.n_samples} {unit}, seed {self.seed}; p-values against the baseline, * = p < {alpha}")
        for m, sig in self.signatures.items():
            lines.append(f"{m}|{sig}")
        return "\n".join(lines)


@contextlib.contextmanager
def _sacrebleu_seed(seed: int) -> Iterator[None]:
    """sacrebleu reads the baseline's bootstrap seed from $SACREBLEU_SEED; set it for the call only."""
    old = os.environ.get("SACREBLEU_SEED")
    os.environ["SACREBLEU_SEED"] = str(seed)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SACREBLEU_SEED", None)
        else:
            os.environ["SACREBLEU_SEED"] = old


def compare_systems(
    systems: Sequence[tuple[str, Sequence[str]]],
    references: Sequence[Sequence[str]],
    metrics: str | Sequence[str] | None = DEFAULT_COMPARE_METRICS,
    *,
    method: str = "bootstrap",
    seed: int = DEFAULT_SEED,
    n_samples: int | None = None,
    ar_confidence_samples: int = 1000,
    width: int = 1,
) -> Comparison:
    """Paired test of every system against the first one, via ``sacrebleu.significance.PairedTest``.

    ``method`` is ``bootstrap`` (paired bootstrap resampling, 1000 resamples by default) or ``ar``
    (paired approximate randomisation, 10000 trials by default; confidence intervals then come from
    ``ar_confidence_samples`` bootstrap resamples). Deterministic for a given ``seed``.
    """
    test_type = METHODS.get(method)
    if test_type is None:
        raise EvalError(f"unknown method {method!r}; choose bootstrap or ar")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 1:
        # sacrebleu treats a seed of 0 as "no seed" (entropy from the OS): refuse rather than be random
        raise EvalError(f"seed must be a positive integer, got {seed!r}")
    if len(systems) < 2:
        raise EvalError("compare needs at least two systems (the first is the baseline)")
    names = [n for n, _ in systems]
    if len(set(names)) != len(names):
        raise EvalError(f"system names must be distinct, got {names}")
    n = len(systems[0][1])
    if n == 0:
        raise EvalError(f"system {names[0]} has no lines")
    for name, hyps in systems:
        if len(hyps) != n:
            raise EvalError(f"system {name} has {len(hyps)} lines but {names[0]} has {n}")
    for i, ref in enumerate(references, 1):
        if len(ref) != n:
            raise EvalError(f"reference {i} has {len(ref)} lines but the systems have {n}")
    if not references:
        raise EvalError("at least one reference is needed")
    keys = parse_metrics(metrics)
    samples = n_samples if n_samples else DEFAULT_SAMPLES[test_type]
    metric_objs = {k: make_metric(k) for k in keys}
    with _sacrebleu_seed(seed):
        test = PairedTest(
            [(name, list(h)) for name, h in systems],
            metric_objs,
            references=[list(r) for r in references],
            test_type=test_type,
            n_samples=samples,
            n_ar_confidence=ar_confidence_samples if test_type == "ar" else -1,
            n_jobs=1,
        )
        sigs, table = test()
    metric_names = [m for m in table if m != "System"]
    results = []
    for i, name in enumerate(table["System"]):
        res = {m: table[m][i] for m in metric_names}
        results.append(
            SystemResult(
                name=name,
                scores={m: float(r.score) for m, r in res.items()},
                means={m: None if r.mean is None else float(r.mean) for m, r in res.items()},
                cis={m: None if r.ci is None else float(r.ci) for m, r in res.items()},
                p_values={m: None if r.p_value is None else float(r.p_value) for m, r in res.items()},
            )
        )
    return Comparison(
        method=test_type,
        n_samples=samples,
        seed=seed,
        systems=results,
        signatures={m: s.format() for m, s in sigs.items()},
        width=width,
    )
