"""eval.qa: the corruption generators, the QA section for `mt-eval run`, and the dev targets."""

from __future__ import annotations

import random

import pytest

from eval.qa import KINDS, TARGET_KINDS, corrupt, evaluate, load_dev, qa_section

SRC = "وقال الوزير إن 25 شخصا قتلوا في الهجوم على القرية يوم الثلاثاء."
REF = "The minister said 25 people were killed in the attack on the village on Tuesday."


@pytest.mark.parametrize("kind", list(KINDS))
def test_corruptions_deterministic_and_damaging(kind):
    a = corrupt(kind, SRC, REF, random.Random("x"))
    b = corrupt(kind, SRC, REF, random.Random("x"))
    assert a == b and a != REF


def test_corruptions_only_where_meaningful():
    assert corrupt("number_changed", "قال الوزير", "The minister said 2 things", random.Random(1)) is None
    assert corrupt("number_dropped", "قال الوزير", "The minister said", random.Random(1)) is None
    assert corrupt("cut_third", "عاجل", "Breaking", random.Random(1)) is None


def test_qa_section():
    sec = qa_section([SRC, SRC, SRC], [REF, "", "The minister said 24 people were killed."], [60.0, 0.0, 30.0])
    assert sec["lines"] == 3 and sec["flagged"] == 2
    assert sec["per_check"]["empty"] == 1 and sec["per_check"]["number"] == 1
    assert sec["score_unflagged"] == 60.0 and sec["score_flagged"] == 15.0
    assert sec["score_per_check"]["number"] == 30.0 and sec["score_per_check"]["repetition"] is None
    assert sec["flagged_lines"] == [2, 3]
    assert "score_flagged" not in qa_section([SRC], [REF])
    with pytest.raises(ValueError):
        qa_section([SRC], [REF, REF])


def test_dev_targets(ntrex_dir):
    """Issue 12's targets on both halves of NTREX dev (checking half never tuned on)."""
    report = evaluate(load_dev(ntrex_dir))
    assert set(report["halves"]) == {"tuning", "checking"}
    for half in report["halves"].values():
        for ref, ff in half["false_flags"].items():
            assert ff["rate"] <= 0.015, (ref, ff)
        for kind in TARGET_KINDS:
            rc = half["recall"][kind]
            assert rc["n"] > 0 and rc["recall"] >= 0.97, (kind, rc["recall"])
        for kind, rc in half["recall"].items():  # the harder variants: not far off
            assert rc["n"] > 0 and rc["recall"] >= 0.94, (kind, rc["recall"])
