"""Which resource each gain comes from: the spacing evaluation with one part switched off at a time.

    python -m eval.spacing_ablation [--seed 13]

Rows: the full model, then the full model without the character model (no unknown-word cost, no
unknown parts), without the whole-line mode, without the paragraph context, without the hamza-less
part cost, and without the guard beside unknown words. Both NTREX halves side by side (tune | check).
The rules without a lexicon (Latin/Arabic, quotes, acronyms, عبد/أبو, الا, numbers) cannot be
switched off here; their effect shows in the hand traps and the annotated natural merges.
"""

from __future__ import annotations

import argparse
import sys

from eval.spacing import DEFAULT_NTREX, evaluate_half, use_model

SETTINGS = [
    ("full model", {}),
    ("- character model", {"use_char_model": False}),
    ("- whole-line mode", {"whole_line_mode": False}),
    ("- paragraph context", {"use_context": False}),
    ("- hamza-less part cost", {"hamzaless_part_cost": 0.0}),
    ("- listed particle merges", {"listed_merge_margin": 99.0}),
    ("- لنا/لها + rare word rule", {"clitic_compound_partner_cost": 99.0}),
    ("- guard beside unknown words", {"guard_beside_unknown": False}),
]


def summary(r: dict) -> str:
    real, heavy = r["synthetic_realistic"]["merge"], r["synthetic_10pct"]["merge"]
    gen, hand = r["traps_generated"], r["traps_hand"]
    return (f"R {real['recall']:.3f} P {real['precision']:.3f} F {real['f1']:.3f}, 10% F {heavy['f1']:.3f}, "
            f"dense F {r['synthetic_dense']['merge']['f1']:.3f}, art F {r['synthetic_articles']['merge']['f1']:.3f}, "
            f"FS {r['clean']['false_per_1000_words_upper_bound']:.2f}, traps {gen['broken'] + hand['broken']}"
            f"/{gen['n'] + hand['n']} (translit {gen['per_class'].get('name-translit')}, "
            f"pairs {gen['per_class'].get('name-pair')}), "
            f"real F {r['real']['f1']:.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.spacing_ablation")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    for label, fields in SETTINGS:
        use_model(**fields)
        for half in ("tune", "check"):
            r = evaluate_half(DEFAULT_NTREX, args.seed, half)
            print(f"{label:30s} {half:5s}  {summary(r)}", flush=True)
    use_model()
    return 0


if __name__ == "__main__":
    sys.exit(main())
