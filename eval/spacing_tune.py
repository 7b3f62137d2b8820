"""Grid over the spacing model's scored-decision parameters, on the TUNING half only.

    python -m eval.spacing_tune [--grid unknown_word_cost=1,2.5,3.5 --grid split_prior=4,5]

Prints, per setting, the tuning half's merge precision/recall/F1 at the realistic corruption rate
and at 10 %, false splits per 1,000 words of clean text (upper bound) and generated traps broken.
The checking half is never read here.
"""

from __future__ import annotations

import argparse
import itertools
import sys

from eval.spacing import DEFAULT_NTREX, _parse, evaluate_half, use_model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.spacing_tune")
    ap.add_argument("--grid", action="append", default=[], metavar="FIELD=V1,V2")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    axes = [(k, [_parse(v) for v in vs.split(",")]) for k, vs in (g.split("=", 1) for g in args.grid)]
    for values in itertools.product(*[vs for _, vs in axes]):
        fields = dict(zip([k for k, _ in axes], values))
        use_model(**fields)
        r = evaluate_half(DEFAULT_NTREX, args.seed, "tune")
        real, heavy = r["synthetic_realistic"]["merge"], r["synthetic_10pct"]["merge"]
        t = r["traps_generated"]
        per = t["per_class"]
        print(f"{fields}: realistic P {real['precision']:.3f} R {real['recall']:.3f} F1 {real['f1']:.3f} | "
              f"10% P {heavy['precision']:.3f} R {heavy['recall']:.3f} F1 {heavy['f1']:.3f} | "
              f"dense F1 {r['synthetic_dense']['merge']['f1']:.3f} articles F1 {r['synthetic_articles']['merge']['f1']:.3f} | "
              f"clean FS/1k {r['clean']['false_per_1000_words_upper_bound']:.2f} | traps {t['broken_pct']} % "
              f"(translit {per.get('name-translit')}, ref {per.get('name-ref')}, infl {per.get('inflected')}, "
              f"rare {per.get('rare')}) | real F1 {r['real_independent_sample']['f1']:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
