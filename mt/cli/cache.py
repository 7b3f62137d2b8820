"""`mt cache stats|clear`: look after the persistent sentence cache."""

from __future__ import annotations

import argparse
import json
import time


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cache", help="show or clear the persistent sentence cache")
    p.add_argument("action", choices=["stats", "clear"])
    p.add_argument("--cache", metavar="PATH", help="cache file (default <cache root>/sentences.sqlite3)")
    p.add_argument("--json", action="store_true", help="stats as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mt.sentence_cache import SqliteSentenceCache

    with SqliteSentenceCache(args.cache) as cache:
        if args.action == "clear":
            n = cache.clear()
            print(f"cleared {n} entries from {cache.path}")
            return 0
        st = cache.stats()
    if args.json:
        print(json.dumps(st.to_dict(), indent=1))
        return 0

    def when(t: float | None) -> str:
        return "-" if t is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))

    print(f"cache:        {st.path}")
    print(f"entries:      {st.entries} (cap {st.max_entries})")
    print(f"models/keys:  {st.keys}")
    print(f"size:         {st.bytes / 1e6:.1f} MB")
    print(f"last used:    {when(st.newest_use)} (oldest entry {when(st.oldest_use)})")
    return 0
