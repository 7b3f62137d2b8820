"""Throughput of the QA checks (``mt.qa.QAChecker.check_many``) in one process.

    python scripts/bench_qa.py [--ntrex DIR] [--runs 5]

The pairs are NTREX dev's Arabic against each of its three human translations and against damaged
copies of them (the corruptions of ``eval.qa``: changed and dropped numbers, Arabic left in, loops,
cuts, empty lines), so the flagging paths are timed too, not only the clean ones. Thresholds are
loaded before timing. Prints lines/s of each run, by wall clock and by this process's CPU time, and
the best (on a shared machine the best run is the one least disturbed by other work; CPU time shows
what the checks cost when the machine is busy). Target (issue 12): >= 5,000 lines/s.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from eval.qa import KINDS, corrupt, load_dev  # noqa: E402
from mt.qa import QAChecker  # noqa: E402

TARGET = 5000


def build_pairs(ntrex: Path | None) -> list[tuple[str, str]]:
    dev = load_dev(ntrex)
    src = dev["src"]
    pairs = []
    for r, lines in dev["refs"].items():
        pairs.extend(zip(src, lines))
    ref = dev["refs"]["en"]
    for kind in KINDS:
        for i, (s, e) in enumerate(zip(src, ref)):
            bad = corrupt(kind, s, e, random.Random(f"bench:{kind}:{i}"))
            if bad is not None and i % 4 == 0:  # a quarter of the lines per kind: ~1 in 5 pairs damaged
                pairs.append((s, bad))
    random.Random(0).shuffle(pairs)
    return pairs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ntrex", type=Path, help="NTREX dev folder (default: eval.testsets.ntrex_dev_dir())")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    try:
        pairs = build_pairs(args.ntrex)
    except FileNotFoundError as e:
        print(f"bench_qa: NTREX dev not found ({e}); set NEWSWIRE_NTREX_DIR", file=sys.stderr)
        return 2
    checker = QAChecker()
    checker.check_many(pairs[:200])  # warm-up: regex caches, first-call costs
    rates, cpu_rates = [], []
    flagged = 0
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        out = checker.check_many(pairs)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        rates.append(len(pairs) / dt)
        cpu_rates.append(len(pairs) / max(dc, 1e-9))
        flagged = sum(1 for f in out if f)
    print(f"{len(pairs)} pairs ({flagged} flagged), python {platform.python_version()}, one process")
    print("runs (wall): " + ", ".join(f"{r:,.0f}" for r in rates) + " lines/s")
    print("runs (CPU time of this process): " + ", ".join(f"{r:,.0f}" for r in cpu_rates) + " lines/s")
    best = max(rates)
    print(f"best: {best:,.0f} lines/s wall, {max(cpu_rates):,.0f} lines/s CPU "
          f"(target {TARGET:,}: {'met' if best >= TARGET else 'NOT met'} on wall time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
