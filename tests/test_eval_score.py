"""mt-eval score: numbers and signatures are sacrebleu's, inputs are validated with clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sacrebleu
from sacrebleu.metrics import BLEU, CHRF, TER

from eval.cli import main
from eval.score import EvalError, corpus_scores, document_scores, read_lines, score_files

REPO = Path(__file__).resolve().parents[1]


def _api_scores(hyps, refs):
    """sacrebleu's Python API with its command-line defaults."""
    out = {}
    for metric in (BLEU(), CHRF(), CHRF(word_order=2), TER()):
        s = metric.corpus_score(hyps, refs)
        out[s.name] = (s.score, metric.get_signature().format())
    return out


def _lines(p: Path) -> list[str]:
    return [line.rstrip() for line in p.read_text(encoding="utf-8").splitlines()]


def _assert_equal_to_api(report, hyps, refs):
    api = _api_scores(hyps, refs)
    assert list(report.scores) == ["BLEU", "chrF2", "chrF2++", "TER"]
    for name, (score, sig) in api.items():
        assert report.scores[name].score == score  # exact float equality, not approx
        assert report.scores[name].signature == sig


def test_ntrex_dev_one_reference_equals_sacrebleu_api(ntrex_dir):
    hyps, ref = _lines(ntrex_dir / "ntrex.dev.en-gb"), _lines(ntrex_dir / "ntrex.dev.en")
    report = score_files(ntrex_dir / "ntrex.dev.en-gb", [ntrex_dir / "ntrex.dev.en"])
    _assert_equal_to_api(report, hyps, [ref])
    assert report.scores["BLEU"].signature.startswith("nrefs:1|")
    # the legacy functional API agrees too
    assert report.scores["BLEU"].score == sacrebleu.corpus_bleu(hyps, [ref]).score
    assert report.scores["chrF2"].score == sacrebleu.corpus_chrf(hyps, [ref]).score


def test_ntrex_dev_two_references_equals_sacrebleu_api(ntrex_dir):
    hyps = _lines(ntrex_dir / "ntrex.dev.en-gb")
    refs = [_lines(ntrex_dir / "ntrex.dev.en"), _lines(ntrex_dir / "ntrex.dev.en-us")]
    report = score_files(ntrex_dir / "ntrex.dev.en-gb", [ntrex_dir / "ntrex.dev.en", ntrex_dir / "ntrex.dev.en-us"])
    _assert_equal_to_api(report, hyps, refs)
    assert report.scores["BLEU"].signature.startswith("nrefs:2|")


def test_json_output_matches_sacrebleu_command(ntrex_dir, capsys):
    """Every digit the sacrebleu command prints (JSON format) is the same in `mt-eval score --json`."""
    hyp, ref = ntrex_dir / "ntrex.dev.en-gb", ntrex_dir / "ntrex.dev.en"
    rc = main(["score", "--hyp", str(hyp), "--ref", str(ref), "--json"])
    assert rc == 0
    ours = json.loads(capsys.readouterr().out)
    assert set(ours) == {"BLEU", "chrF2", "chrF2++", "TER"}
    theirs = {}
    for args in (["-m", "bleu", "chrf", "ter"], ["-m", "chrf", "--chrf-word-order", "2"]):
        cmd = [sys.executable, "-m", "sacrebleu", str(ref), "-i", str(hyp), *args, "-f", "json"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=120).stdout
        data = json.loads(out)
        for d in data if isinstance(data, list) else [data]:
            theirs[d["name"]] = d
    for name, d in theirs.items():
        assert ours[name]["score"] == d["score"], name
        assert ours[name]["signature"] == d["signature"], name
        if "verbose_score" in d:
            assert ours[name]["verbose_score"] == d["verbose_score"]


def test_text_output_is_sacrebleu_text_line(ntrex_dir, capsys):
    hyp, ref = ntrex_dir / "ntrex.dev.en-gb", ntrex_dir / "ntrex.dev.en"
    assert main(["score", "--hyp", str(hyp), "--ref", str(ref), "--metrics", "bleu"]) == 0
    ours = capsys.readouterr().out.strip()
    hyps, refs = _lines(hyp), [_lines(ref)]
    bleu = BLEU()
    s = bleu.corpus_score(hyps, refs)
    sig = bleu.get_signature().format()
    assert ours == s.format(width=1, signature=sig)  # sacrebleu's own text rendering
    assert ours == f"BLEU|{sig} = {s.score:.1f} {s._verbose}"


def test_per_document_scores(ntrex_dir, capsys):
    hyp, ref, ids = ntrex_dir / "ntrex.dev.en-gb", ntrex_dir / "ntrex.dev.en", ntrex_dir / "ntrex.dev.docids"
    rc = main(["score", "--hyp", str(hyp), "--ref", str(ref), "--docids", str(ids), "--json", "--metrics", "bleu,chrf"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    docs = out["documents"]
    docids = _lines(ids)
    assert [d["docid"] for d in docs] == list(dict.fromkeys(docids))
    assert sum(d["lines"] for d in docs) == len(docids)
    first = docs[0]["docid"]
    idx = [i for i, d in enumerate(docids) if d == first]
    hyps, refs = _lines(hyp), _lines(ref)
    expected = BLEU().corpus_score([hyps[i] for i in idx], [[refs[i] for i in idx]]).score
    assert docs[0]["BLEU"] == float(f"{expected:.1f}")


# ------------------------------------------------------------------------------ edge cases


@pytest.mark.parametrize(
    "hyps,refs",
    [
        (["a cat sat on the mat"], ["the cat sat on the mat"]),  # one line
        (["", "the cat", ""], ["", "the cat sat", "something"]),  # empty lines
        (["", ""], ["", ""]),  # nothing but empty lines
        (["Café — naïve résumé 😀 «quoted»", "中文 测试"], ["Cafe - naive resume «quoted»", "中文 测试 句子"]),  # Unicode
        (["اللغة العربية جميلة"], ["العربية لغة جميلة"]),  # RTL script
    ],
)
def test_edge_cases_equal_api(tmp_path, hyps, refs):
    report = corpus_scores(hyps, [refs])
    api = _api_scores(hyps, [refs])
    for name, (score, sig) in api.items():
        assert report[name].score == score
        assert report[name].signature == sig
    # and through files, which is how the command reads them
    (tmp_path / "h").write_text("".join(h + "\n" for h in hyps), encoding="utf-8")
    (tmp_path / "r").write_text("".join(r + "\n" for r in refs), encoding="utf-8")
    from_files = score_files(tmp_path / "h", [tmp_path / "r"])
    assert {k: v.score for k, v in from_files.scores.items()} == {k: v[0] for k, v in api.items()}


@pytest.mark.parametrize(
    "data",
    [
        "a  \r\nb\rc\t\n\nlast",  # CRLF, a lone CR inside a line, trailing tab, no final newline
        "x\u2028y\x0cz \n\u00a0\n",  # separators that str.splitlines would break on, NBSP-only line
        "\ufeffbom first\n",  # a BOM is kept, as sacrebleu (utf-8, not utf-8-sig) keeps it
    ],
)
def test_read_lines_like_sacrebleu_command(tmp_path, data):
    from sacrebleu.utils import smart_open

    p = tmp_path / "f.txt"
    p.write_bytes(data.encode("utf-8"))
    with smart_open(str(p)) as fh:
        expected = [line.rstrip() for line in fh]
    assert read_lines(p) == expected


def test_gzipped_input(tmp_path):
    import gzip

    p = tmp_path / "h.txt.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        fh.write("one\ntwo\n")
    assert read_lines(p) == ["one", "two"]


def test_document_scores_needs_aligned_ids():
    with pytest.raises(EvalError, match="doc ids have 1 lines"):
        document_scores(["a", "b"], [["a", "b"]], ["d1"])


# ------------------------------------------------------------------------------ errors


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_mismatched_line_counts_name_the_file(tmp_path):
    h = _write(tmp_path, "hyp.txt", b"a\nb\nc\n")
    r = _write(tmp_path, "ref.txt", b"a\nb\n")
    with pytest.raises(EvalError) as e:
        score_files(h, [r])
    assert "ref.txt has 2 lines" in str(e.value) and "hyp.txt has 3" in str(e.value)


def test_empty_file_is_an_error(tmp_path):
    h = _write(tmp_path, "hyp.txt", b"")
    r = _write(tmp_path, "ref.txt", b"a\n")
    with pytest.raises(EvalError, match=r"hyp\.txt: file is empty"):
        score_files(h, [r])


def test_invalid_utf8_names_file_and_line(tmp_path):
    h = _write(tmp_path, "hyp.txt", b"fine\nbad \xff byte\n")
    r = _write(tmp_path, "ref.txt", b"a\nb\n")
    with pytest.raises(EvalError, match=r"hyp\.txt: not valid UTF-8 \(line 2"):
        score_files(h, [r])


def test_missing_file_and_unknown_metric(tmp_path):
    r = _write(tmp_path, "ref.txt", b"a\n")
    with pytest.raises(EvalError, match="no such file"):
        score_files(tmp_path / "nope.txt", [r])
    with pytest.raises(EvalError, match="unknown metric 'meteor'"):
        score_files(r, [r], "bleu,meteor")


@pytest.mark.parametrize(
    "hyp,ref,needle",
    [
        (b"a\nb\n", b"a\n", "ref.txt has 1 lines"),
        (b"", b"a\n", "hyp.txt: file is empty"),
        (b"\xc3\x28\n", b"a\n", "hyp.txt: not valid UTF-8"),
    ],
)
def test_cli_errors_exit_2_without_traceback(tmp_path, hyp, ref, needle):
    h, r = _write(tmp_path, "hyp.txt", hyp), _write(tmp_path, "ref.txt", ref)
    proc = subprocess.run(
        [sys.executable, "-m", "eval", "score", "--hyp", str(h), "--ref", str(r)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("mt-eval: error: ") and proc.stderr.count("\n") == 1


def test_ter_on_a_pathological_line_is_bounded_and_says_so():
    """One line of thousands of words (a file that lost its newlines) is scored in blocks: TER's
    shift search on it would take minutes and gigabytes. The signature and a note say what was done."""
    import random

    from eval.score import TER_BLOCK_WORDS, TER_MAX_WORDS, ScoreReport, corpus_scores

    rng = random.Random(0)
    words = [f"w{i}" for i in range(500)]
    hyp = " ".join(rng.choice(words) for _ in range(3000))
    ref = " ".join(hyp.split()[:2500] + ["x"] * 500)
    scores = corpus_scores([hyp, "a b c"], [[ref, "a b d"]], "ter,bleu,chrf")
    ter = scores["TER"]
    assert ter.signature.endswith(f"|blocks:{TER_BLOCK_WORDS}") and str(TER_MAX_WORDS) in ter.note
    assert 10 < ter.score < 30  # 500 substitutions + 1 over 3003 words, give or take block edges
    assert not scores["BLEU"].note and "blocks" not in scores["BLEU"].signature
    report = ScoreReport(scores=scores, n_lines=2, n_refs=1)
    assert "note: TER: 1 line(s)" in report.format_text() and report.to_dict()["TER"]["note"]
    # normal lines: sacrebleu's TER exactly, signature unchanged
    from sacrebleu.metrics import TER

    normal = corpus_scores(["the cat sat on the mat"], [["a cat sat on a mat"]], "ter")["TER"]
    assert normal.score == TER().corpus_score(["the cat sat on the mat"], [["a cat sat on a mat"]]).score
    assert "blocks" not in normal.signature and not normal.note
