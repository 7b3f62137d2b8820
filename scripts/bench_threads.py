"""One Pipeline shared by 1 vs 4 threads: target tokens/s of each, and their ratio (issue 9).

    python scripts/bench_threads.py --model models/opus-bench [--backend ct2|torch] [--docs 30]

Each NTREX dev document is one article (translate_article); the threads share one Pipeline. Outputs
are bounded with --max-new-tokens (random test models do not stop by themselves) and compared: the
threaded outputs must equal the sequential ones. Prints one line per setting and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from eval.testsets import ntrex_documents  # noqa: E402
from mt import Pipeline  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(REPO / "models" / "opus-bench"))
    ap.add_argument("--backend", default="ct2", choices=["ct2", "torch"])
    ap.add_argument("--docs", type=int, default=30)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    texts = [text for _, text in ntrex_documents(args.docs)]
    pipe = Pipeline(args.model, backend=args.backend, beam_size=1, max_new_tokens=args.max_new_tokens)
    tokens = pipe.translator.backend.tokens
    pipe.translate_article(texts[0])  # warm-up

    def run(threads: int) -> tuple[float, list[str]]:
        t0 = time.perf_counter()
        if threads == 1:
            out = [pipe.translate_article(t).translation for t in texts]
        else:
            with ThreadPoolExecutor(threads) as pool:
                out = list(pool.map(lambda t: pipe.translate_article(t).translation, texts))
        return time.perf_counter() - t0, out

    t1, seq = run(1)
    tn, par = run(args.threads)
    n_tokens = sum(len(r) - 1 for r in tokens.encode_target([line for a in seq for line in a.splitlines() if line]))
    print(f"{args.backend}: {len(texts)} articles, {n_tokens} target tokens")
    print(f"  1 thread : {n_tokens / t1:8.1f} tok/s ({t1:.1f} s)")
    print(f"  {args.threads} threads: {n_tokens / tn:8.1f} tok/s ({tn:.1f} s)")
    print(f"  ratio {args.threads} threads / 1 thread: {t1 / tn:.2f}x; outputs identical: {par == seq}")
    return 0 if par == seq else 1


if __name__ == "__main__":
    sys.exit(main())
