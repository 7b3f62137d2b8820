"""Throughput of ``split_sentences`` in words per second.

    python scripts/bench_segment.py [--ntrex DIR] [--seconds 3]

Joins the NTREX-128 dev Arabic lines of each document into one paragraph (as in
``python -m eval.segmentation``) and segments all documents repeatedly for about ``--seconds``
seconds in one process; reports words/s over all repetitions (words = whitespace-separated tokens).
Falls back to the sample article when the NTREX data is absent. Target: >= 50,000 words/s.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from mt.text.segment import split_sentences  # noqa: E402

from eval.testsets import ntrex_dev_dir  # noqa: E402

DEFAULT_NTREX_DIR = ntrex_dev_dir()
TARGET_WORDS_PER_SECOND = 50_000


def load_paragraphs(ntrex_dir: Path) -> tuple[list[str], str]:
    src, ids = ntrex_dir / "ntrex.dev.ar", ntrex_dir / "ntrex.dev.docids"
    if src.is_file() and ids.is_file():
        docs: dict[str, list[str]] = {}
        for line, docid in zip(src.read_text(encoding="utf-8").splitlines(), ids.read_text().splitlines()):
            docs.setdefault(docid, []).append(line.strip())
        return [" ".join(lines) for lines in docs.values()], f"NTREX-128 dev Arabic ({src})"
    sample = REPO_ROOT / "examples" / "aleppo-2016.ar.txt"
    print(f"note: {src} not found; benchmarking the sample article instead", file=sys.stderr)
    return [sample.read_text(encoding="utf-8").strip()], str(sample)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ntrex", type=Path, default=DEFAULT_NTREX_DIR)
    parser.add_argument("--seconds", type=float, default=3.0, help="approximate run time (default 3)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    paragraphs, source = load_paragraphs(args.ntrex)
    words_per_pass = sum(len(p.split()) for p in paragraphs)
    for p in paragraphs:  # warm-up
        split_sentences(p)
    passes = 0
    sentences = 0
    t0 = time.perf_counter()
    elapsed = 0.0
    while elapsed < args.seconds:
        for p in paragraphs:
            sentences += len(split_sentences(p))
        passes += 1
        elapsed = time.perf_counter() - t0
    wps = words_per_pass * passes / elapsed
    result = {
        "source": source,
        "documents": len(paragraphs),
        "words_per_pass": words_per_pass,
        "passes": passes,
        "seconds": round(elapsed, 3),
        "sentences_per_pass": sentences // passes,
        "words_per_second": round(wps),
        "target_words_per_second": TARGET_WORDS_PER_SECOND,
        "meets_target": wps >= TARGET_WORDS_PER_SECOND,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{source}: {len(paragraphs)} documents, {words_per_pass} words, {result['sentences_per_pass']} sentences")
        print(f"{passes} passes in {elapsed:.2f} s: {wps:,.0f} words/s "
              f"(target {TARGET_WORDS_PER_SECOND:,}: {'met' if result['meets_target'] else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
