"""mt-eval run end to end, offline, with the tiny random model: every artefact and the manifest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mt.config import PipelineConfig

from eval.run import build_pipeline, one_line, phenomenon_buckets, run_evaluation
from eval.score import EvalError, score_files
from eval.testsets import TestSet, load_parallel

REPO = Path(__file__).resolve().parents[1]

# a synthetic parallel set that exercises every bucket: numbers (ASCII and Arabic-Indic), a repair
# (merged words, decorative tatweel), two sentences in one line, an empty line, a long line
LONG = " ".join(["وقال المتحدث باسم الحكومة إن الاجتماع سيعقد في العاصمة الأسبوع المقبل"] * 6) + "."
SOURCE = [
    "قال الأممالمتحدة إن 25 شخصا قتلوا.",
    "مرحبــــا بكم في الأخبار.",
    "جملة أولى. جملة ثانية.",
    "",
    "ارتفع المؤشر ٣ بالمئة.",
    LONG,
]
REFS = [
    "The United Nations said 25 people were killed.",
    "Welcome to the news.",
    "First sentence. Second sentence.",
    "",
    "The index rose 3 percent.",
    "The government spokesman said the meeting would be held in the capital next week.",
]
DOCIDS = ["doc.a", "doc.a", "doc.b", "doc.b", "doc.c", "doc.c"]


@pytest.fixture
def tiny_set(tmp_path) -> dict[str, Path]:
    files = {"src": tmp_path / "src.ar", "ref": tmp_path / "ref.en", "docids": tmp_path / "docids"}
    for key, lines in (("src", SOURCE), ("ref", REFS), ("docids", DOCIDS)):
        files[key].write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    return files


def _offline_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    return env


def test_run_cli_end_to_end_offline(tiny_model, tiny_set, tmp_path):
    out = tmp_path / "run"
    cmd = [
        sys.executable, "-m", "eval", "run",
        "--src", str(tiny_set["src"]), "--ref", str(tiny_set["ref"]), "--docids", str(tiny_set["docids"]),
        "--model", str(tiny_model), "--backend", "torch", "--device", "cpu",
        "--beam-size", "2", "--max-new-tokens", "8", "--batch-size", "4", "--long-tokens", "40",
        "-o", str(out),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=_offline_env(), timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "BLEU|nrefs:1|" in proc.stdout and "run signature: model:" in proc.stdout

    # every artefact is there
    for name in ("hypotheses.txt", "scores.json", "report.md", "lines.jsonl", "manifest.json"):
        assert (out / name).is_file(), name

    # line alignment: one hypothesis line per source line
    hyp_text = (out / "hypotheses.txt").read_text(encoding="utf-8")
    assert hyp_text.count("\n") == len(SOURCE)
    hyps = hyp_text.split("\n")[:-1]
    assert hyps[3] == ""  # the empty source line stays an empty hypothesis

    # scores.json equals scoring the written files (i.e. the sacrebleu command on them)
    scores = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    again = score_files(out / "hypotheses.txt", [tiny_set["ref"]])
    for name, s in again.scores.items():
        assert scores[name]["score_unrounded"] == s.score
        assert scores[name]["signature"] == s.signature
    assert [d["docid"] for d in scores["documents"]] == ["doc.a", "doc.b", "doc.c"]
    buckets = {b["name"]: b for b in scores["buckets"]}
    assert buckets["all"]["lines"] == 6
    assert buckets["numbers"]["lines"] == 2  # ASCII 25 and Arabic-Indic ٣
    assert buckets["repaired"]["lines"] >= 2  # merged words and tatweel
    assert buckets["multi-sentence"]["lines"] >= 1
    assert buckets["long"]["lines"] >= 1
    assert scores["comet"]["status"] == "skipped"

    # per-line records
    lines = [json.loads(x) for x in (out / "lines.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 6 and [x["translation"] for x in lines] == hyps
    assert lines[0]["edits"] and "repaired" in lines[0]["buckets"] and "numbers" in lines[0]["buckets"]
    # QA: flags per line (a random model's output is flagged), and the section in scores.json
    assert all(isinstance(x["qa"], list) for x in lines) and any(x["qa"] for x in lines)
    assert scores["qa"]["lines"] == 6 and scores["qa"]["flagged"] >= 1 and set(scores["qa"]["per_check"]) >= {
        "number", "untranslated", "repetition", "length", "empty"}

    # the manifest
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["model"]["id"] == str(tiny_model)
    assert m["model"]["revision"]  # a hash of the local model directory
    assert m["backend"] == "torch" and m["device"] == "cpu" and m["compute_type"]
    assert m["decoding"]["beam_size"] == 2 and m["decoding"]["max_new_tokens"] == 8
    assert m["decoding"]["batch_size"] == 4
    assert m["preprocessing"]["settings"] and m["preprocessing"]["model_input"]
    for lib in ("python", "sacrebleu", "torch", "transformers", "newswire-mt", "mt-eval"):
        assert m["versions"][lib], lib
    assert m["hardware"]["cpu"] and m["hardware"]["logical_cpus"] >= 1
    wall = m["wall_time"]
    assert wall["total_s"] >= wall["translate_s"] >= 0 and wall["model_load_s"] >= 0
    assert m["testset"]["lines"] == 6 and len(m["testset"]["sha256"]) == 64
    assert m["metrics"]["BLEU"]["signature"] == scores["BLEU"]["signature"]
    assert m["command"][:2] == ["mt-eval", "run"]
    assert m["run_signature"] == scores["run_signature"]
    sig = m["run_signature"]
    assert sig.startswith("model:") and "|backend:torch|" in sig and "|testset:src.ar|lines:6|" in sig
    assert "mt-eval:" in sig
    import hashlib

    for key, rec in m["outputs"].items():
        assert hashlib.sha256((out / rec["file"]).read_bytes()).hexdigest() == rec["sha256"], key

    # the report
    report = (out / "report.md").read_text(encoding="utf-8")
    for heading in ("## Corpus scores", "## QA flags", "## By phenomenon", "## By document", "## Reproduce"):
        assert heading in report
    assert sig in report and "COMET: skipped" in report


def test_run_is_reproducible_and_signature_tracks_settings(tiny_model, tiny_set, tmp_path):
    ts = load_parallel(tiny_set["src"], [tiny_set["ref"]], tiny_set["docids"])
    opts = PipelineConfig(model=str(tiny_model), backend="torch", device="cpu", max_new_tokens=6)
    pipe = build_pipeline(opts)
    a = run_evaluation(ts.head(3), opts, tmp_path / "a", metrics="bleu,chrf", pipeline=pipe)
    b = run_evaluation(ts.head(3), opts, tmp_path / "b", metrics="bleu,chrf", pipeline=pipe)
    assert a.hypotheses == b.hypotheses and a.run_signature == b.run_signature
    assert list(a.scores) == ["BLEU", "chrF2"]
    opts2 = PipelineConfig(model=str(tiny_model), backend="torch", device="cpu", max_new_tokens=6, beam_size=2)
    c = run_evaluation(ts.head(3), opts2, tmp_path / "c", metrics="bleu", pipeline=build_pipeline(opts2))
    assert c.run_signature != a.run_signature


def test_model_load_failure_is_a_clean_error(tmp_path, tiny_set):
    (tmp_path / "empty-model").mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "eval", "run", "--src", str(tiny_set["src"]), "--ref", str(tiny_set["ref"]),
         "--model", str(tmp_path / "empty-model"), "--backend", "torch", "-o", str(tmp_path / "o")],
        capture_output=True, text=True, cwd=REPO, env=_offline_env(), timeout=300,
    )
    assert proc.returncode == 2 and proc.stderr.startswith("mt-eval: error: ")
    assert "Traceback" not in proc.stderr


def test_run_argument_errors(tmp_path, tiny_set):
    from eval.cli import main

    assert main(["run", "--model", "x", "-o", str(tmp_path)]) == 2  # no test set
    assert main(["run", "--src", str(tiny_set["src"]), "--model", "x", "-o", str(tmp_path)]) == 2  # no --ref
    assert main(["run", "--testset", "nope", "--model", "x", "-o", str(tmp_path)]) == 2


class _FakeSentence:
    def __init__(self, chunked=False):
        self.chunked = chunked


class _FakeArticle:
    def __init__(self, translation, edits=(), n_sent=1, chunked=False):
        self.translation = translation
        self.edits = list(edits)
        self.sentences = [_FakeSentence(chunked) for _ in range(n_sent)]


class _FakePipeline:
    """Stands in for mt.Pipeline: returns multi-line output to prove alignment is kept."""

    def translate_lines(self, lines, progress=False):
        return [_FakeArticle(f"line {i}\nsecond part\u2028third" if i == 1 else f"line {i}") for i, _ in enumerate(lines)]

    def count_tokens(self, texts):
        return [len(t.split()) + 1 for t in texts]

    def describe(self):
        return {"model": "fake", "model_revision": "r0", "backend": "fake", "device": "cpu", "compute_type": "none",
                "decoding": "beam:model|max_new:model", "preprocessing": "v0", "model_input": "none"}

    def signature(self):
        return "model:fake|rev:r0"


def test_alignment_survives_multiline_output(tmp_path):
    ts = TestSet(name="t", source=["a", "b", "c"], references=[["line 0", "line 1", "line 2"]])
    res = run_evaluation(ts, None, tmp_path, pipeline=_FakePipeline(), metrics="bleu")
    assert res.hypotheses == ["line 0", "line 1 second part third", "line 2"]
    assert (tmp_path / "hypotheses.txt").read_text(encoding="utf-8").count("\n") == 3
    assert res.manifest["pipeline_options"] is None and res.manifest["model"]["id"] == "fake"


def test_one_line_and_buckets():
    assert one_line(" a \n\n b\r\nc\u2028d ") == "a b c d"
    arts = [_FakeArticle("x", edits=[1]), _FakeArticle("y", n_sent=2, chunked=True)]
    b = {x.name: x.indices for x in phenomenon_buckets(["رقم ٤٥", "بلا"], arts, [3, 99], long_tokens=50)}
    assert b["numbers"] == [0] and b["no-numbers"] == [1] and b["long"] == [1] and b["repaired"] == [0]
    assert b["multi-sentence"] == [1] and b["chunked"] == [1]


def test_missing_pipeline_and_options():
    ts = TestSet(name="t", source=["a"], references=[["a"]])
    with pytest.raises(EvalError, match="give pipeline options"):
        run_evaluation(ts, None, "/tmp/unused-mt-eval")
