#!/usr/bin/env python
"""Write a synthetic wire feed (JSONL, ninjs field names) for `mt batch` benchmarks.

    python scripts/make_feed.py OUT.jsonl [--articles 100000] [--sentences 6] [--bad-every 0] [--seed 0]
    python scripts/make_feed.py OUT.jsonl --ntrex   # the NTREX dev documents, one article per docid

Synthetic articles are drawn (deterministically) from the NTREX dev lines that end a sentence: a
headline and paragraphs of 1-3 of them, so sentences repeat across the feed as they do on a wire. The
data stays beside the checkout (CC BY-SA 4.0); only the generated feed is written, where you say.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from eval.testsets import ntrex_dev_dir  # noqa: E402


ENDS = (".", "!", "?", "\u061f", '"', "\u201d", "\u00bb")


def ntrex_documents(folder: Path | None = None) -> list[tuple[str, list[str]]]:
    """(docid, lines) for each NTREX dev document, in file order."""
    folder = folder or ntrex_dev_dir()
    lines = (folder / "ntrex.dev.ar").read_text(encoding="utf-8").splitlines()
    ids = (folder / "ntrex.dev.docids").read_text(encoding="utf-8").splitlines()
    docs: dict[str, list[str]] = {}
    for docid, line in zip(ids, lines):
        docs.setdefault(docid, []).append(line)
    return list(docs.items())


def ntrex_feed(out: Path) -> int:
    """One record per NTREX document: the first line is the headline, the rest the body."""
    with open(out, "w", encoding="utf-8") as fh:
        for docid, lines in ntrex_documents():
            record = {"uri": f"ntrex:{docid}", "version": 1, "headline": lines[0], "body": "\n".join(lines[1:])}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(ntrex_documents())


def synthetic_feed(out: Path, articles: int, sentences: int, bad_every: int, seed: int) -> int:
    # lines that end a sentence, so joining them into paragraphs makes no new sentences: the feed
    # repeats a bounded set of sentences, as a wire re-sends stories (memory must not follow the feed)
    pool = [line for _, lines in ntrex_documents() for line in lines if line.rstrip().endswith(ENDS)]
    rng = random.Random(seed)
    with open(out, "w", encoding="utf-8") as fh:
        for i in range(articles):
            picked = rng.sample(pool, sentences + 1)
            paragraphs, k = [], 1
            while k < len(picked):
                n = rng.randint(1, 3)
                paragraphs.append(" ".join(picked[k : k + n]))
                k += n
            record = {"uri": f"urn:synthetic:{i}", "version": 1, "headline": picked[0], "body": "\n".join(paragraphs),
                      "language": "ar", "slugline": f"wire-{i % 97}"}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            if bad_every and i % bad_every == bad_every - 1:
                fh.write(rng.choice(['{"uri": "broken", "body": ', '[1, 2]', '{"body": "x"}', '{"uri": "n", "body": 5}']) + "\n")
    return articles


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--ntrex", action="store_true", help="the NTREX dev documents, one article each")
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--sentences", type=int, default=6, help="body sentences per synthetic article")
    ap.add_argument("--bad-every", type=int, default=0, help="a malformed line after every N articles")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if not (ntrex_dev_dir() / "ntrex.dev.ar").is_file():
        print(f"NTREX dev data not found in {ntrex_dev_dir()}", file=sys.stderr)
        return 2
    n = ntrex_feed(args.out) if args.ntrex else synthetic_feed(args.out, args.articles, args.sentences, args.bad_every, args.seed)
    print(f"wrote {n} articles to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
