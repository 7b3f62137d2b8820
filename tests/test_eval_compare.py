"""mt-eval compare: sacrebleu's paired tests, deterministic for a seed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.cli import main
from eval.score import EvalError, read_lines
from eval.significance import compare_systems

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def systems(ntrex_dir):
    n = 300  # enough lines for stable tests, few enough to stay quick
    ref = read_lines(ntrex_dir / "ntrex.dev.en")[:n]
    gb = read_lines(ntrex_dir / "ntrex.dev.en-gb")[:n]
    us = read_lines(ntrex_dir / "ntrex.dev.en-us")[:n]
    return ref, [("en-gb", gb), ("en-us", us)]


@pytest.mark.parametrize("method", ["bootstrap", "ar"])
def test_same_seed_same_result(systems, method):
    ref, syss = systems
    kw = dict(method=method, seed=7, n_samples=200 if method == "bootstrap" else 500)
    a = compare_systems(syss, [ref], **kw).to_dict()
    b = compare_systems(syss, [ref], **kw).to_dict()
    assert a == b
    base, other = a["systems"]
    assert base["BLEU"]["p_value"] is None and other["BLEU"]["p_value"] is not None
    assert 0 < other["BLEU"]["p_value"] <= 1
    assert other["BLEU"]["ci"] is not None and base["BLEU"]["ci"] is not None  # CIs for AR too
    assert "seed:7" in a["signatures"]["BLEU"]


def test_different_seed_changes_resamples(systems):
    ref, syss = systems
    a = compare_systems(syss, [ref], seed=1, n_samples=200).to_dict()
    b = compare_systems(syss, [ref], seed=2, n_samples=200).to_dict()
    assert a["systems"][0]["BLEU"]["score"] == b["systems"][0]["BLEU"]["score"]  # scores don't depend on the seed
    assert a != b


def test_environment_seed_is_restored(systems, monkeypatch):
    ref, syss = systems
    monkeypatch.setenv("SACREBLEU_SEED", "99")
    compare_systems(syss, [ref], seed=5, n_samples=100)
    import os

    assert os.environ["SACREBLEU_SEED"] == "99"


def test_equals_sacrebleu_command_paired_bs(ntrex_dir, capsys):
    """Same scores, means, CIs and p-values as `sacrebleu --paired-bs` (its text table, 3 decimals)."""
    ref = ntrex_dir / "ntrex.dev.en"
    a, b = ntrex_dir / "ntrex.dev.en-gb", ntrex_dir / "ntrex.dev.en-us"
    # (sacrebleu 2.6's own JSON output of paired tests fails on numpy floats, so read its text table)
    cmd = [sys.executable, "-m", "sacrebleu", str(ref), "-i", str(a), str(b), "--paired-bs", "-m", "bleu", "chrf",
           "-f", "text", "-w", "3", "--paired-bs-n", "300"]
    theirs = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=300).stdout
    assert main(["compare", "--ref", str(ref), "--hyp", str(a), "--hyp", str(b), "--json", "--samples", "300"]) == 0
    ours = json.loads(capsys.readouterr().out)
    assert ours["seed"] == 12345  # sacrebleu's default seed
    for i, system in enumerate(ours["systems"]):
        for metric in ("BLEU", "chrF2"):
            r = system[metric]
            assert f"{r['score']:.3f} ({r['mean']:.3f} ± {r['ci']:.3f})" in theirs, (metric, r)
            if i > 0:
                assert f"(p = {r['p_value']:.4f})" in theirs, (metric, r)


def test_cli_table(ntrex_dir, capsys):
    ref, a, b = (ntrex_dir / f"ntrex.dev.{x}" for x in ("en", "en-gb", "en-us"))
    rc = main(["compare", "--ref", str(ref), "--hyp", str(a), "--hyp", str(b), "--samples", "100", "--seed", "3"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "baseline: ntrex.dev.en-gb" in out and "ntrex.dev.en-us" in out
    assert "BLEU (μ ± 95% CI)" in out and "seed 3" in out
    assert "BLEU|nrefs:1|bs:100|seed:3|" in out


def test_errors(systems, tmp_path):
    ref, syss = systems
    with pytest.raises(EvalError, match="seed must be a positive integer"):
        compare_systems(syss, [ref], seed=0)
    with pytest.raises(EvalError, match="at least two systems"):
        compare_systems(syss[:1], [ref])
    with pytest.raises(EvalError, match="has 299 lines"):
        compare_systems([syss[0], ("short", syss[1][1][:-1])], [ref])
    with pytest.raises(EvalError, match="unknown method"):
        compare_systems(syss, [ref], method="t-test")
    short = tmp_path / "short.txt"
    short.write_text("a\n")
    proc = subprocess.run(
        [sys.executable, "-m", "eval", "compare", "--ref", str(short), "--hyp", str(short), "--hyp", str(tmp_path / "missing")],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert proc.returncode == 2 and "missing: no such file" in proc.stderr and "Traceback" not in proc.stderr
