"""newswire-mt evaluation harness: sacrebleu-exact scores, significance tests, test sets, runs.

The command line ``mt-eval`` is a thin layer over these functions. Importing this package is
cheap: the pipeline (and torch) is imported only by :func:`run_evaluation`.
"""

from __future__ import annotations

from typing import Any

from eval.score import (
    EvalError,
    MetricScore,
    ScoreReport,
    corpus_scores,
    document_scores,
    read_lines,
    score_files,
)
from eval.significance import Comparison, compare_systems
from eval.testsets import TestSet, TestSetInfo, list_testsets, load_parallel, load_testset, load_user_file

__version__ = "0.1.0"

__all__ = [
    "Comparison",
    "EvalError",
    "MetricScore",
    "ScoreReport",
    "TestSet",
    "TestSetInfo",
    "compare_systems",
    "corpus_scores",
    "document_scores",
    "list_testsets",
    "load_parallel",
    "load_testset",
    "load_user_file",
    "read_lines",
    "run_evaluation",
    "score_files",
]


def run_evaluation(*args: Any, **kwargs: Any):  # noqa: ANN201 - lazy re-export
    """See :func:`eval.run.run_evaluation` (imported lazily: it loads the pipeline)."""
    from eval.run import run_evaluation as _run

    return _run(*args, **kwargs)
