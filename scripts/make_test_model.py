#!/usr/bin/env python
"""Build an offline random MarianMT model directory (usable with ``mt translate --model OUTDIR``).

    python scripts/make_test_model.py OUTDIR [--size tiny|opus] [--seed N] [--untied]

``tiny`` builds in seconds (tests); ``opus`` has opus-mt-ar-en's architecture (benchmarks).
See mt/testing.py for the layout. Build under /tmp or the gitignored models/ folder: never commit weights.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mt.testing import SIZES, make_test_model  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--size", choices=SIZES, default="tiny")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--untied", action="store_true", help="separate random output projection (outputs vary)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    out = make_test_model(args.outdir, size=args.size, seed=args.seed, tie_embeddings=not args.untied)
    cfg = json.loads((out / "config.json").read_text(encoding="utf-8"))
    print(
        f"wrote {out} (size={args.size}, seed={args.seed}, tied={not args.untied}, "
        f"vocab={cfg['vocab_size']}, d_model={cfg['d_model']}, "
        f"layers={cfg['encoder_layers']}+{cfg['decoder_layers']}) in {time.perf_counter() - t0:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
