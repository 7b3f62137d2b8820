"""The `mt` command end to end, in a subprocess, offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

FAST = ["--backend", "torch", "--beam-size", "1", "--max-new-tokens", "4"]


def run_mt(*args: str, stdin: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mt.cli", *args], input=stdin, capture_output=True, env=full_env, timeout=300
    )


def test_translate_text_keeps_paragraphs(tiny_model, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("الفقرة الأولى. جملة ثانية.\n\nالفقرة الثانية\n", encoding="utf-8")
    proc = run_mt("translate", "--model", str(tiny_model), *FAST, str(src))
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode().split("\n")
    assert len(lines) == 4 and lines[1] == "" and lines[0] and lines[2] and lines[3] == ""
    assert b"Traceback" not in proc.stderr


def test_translate_json_accounts_for_every_character(tiny_model, example_text, tmp_path):
    out = tmp_path / "out.json"
    proc = run_mt("translate", "--model", str(tiny_model), *FAST, "--format", "json", "-o", str(out), "-",
                  stdin=example_text.encode())
    assert proc.returncode == 0, proc.stderr.decode()
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["text"] == example_text
    assert "signature" in record
    # QA flags on every sentence (a random model's output gets some) and counted per article
    flags = [f for p in record["paragraphs"] for s in p["sentences"] for f in s["qa"]]
    assert flags and all(f["check"] in {"number", "untranslated", "repetition", "length", "empty"} for f in flags)
    assert sum(record["qa"].values()) >= 1
    assert all({"score", "truncated", "cached"} <= set(s) for p in record["paragraphs"] for s in p["sentences"])
    covered = 0
    pos = 0
    for paragraph in record["paragraphs"]:
        for s in paragraph["sentences"]:
            start, end = s["span"]
            assert not example_text[pos:start].strip()
            assert example_text[start:end] == s["source"]
            assert s["repaired"] and s["translation"] is not None and s["chunked"] is False
            covered += end - start
            pos = end
    assert not example_text[pos:].strip()
    assert covered >= len(example_text.strip()) - 20  # only the spaces between sentences are outside


def test_missing_default_model_is_a_clear_error_not_a_traceback(example_text):
    proc = run_mt("translate", stdin=example_text.encode())
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert "Helsinki-NLP/opus-mt-ar-en" in err and "--model PATH" in err
    assert "Traceback" not in err


def test_bad_model_path_exit_2(tmp_path):
    proc = run_mt("translate", "--model", str(tmp_path / "nope"), stdin="نص".encode())
    assert proc.returncode == 2
    assert "no such directory" in proc.stderr.decode()


def test_invalid_utf8_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("سطر أول\n".encode() + b"\xff\xfe broken\n")
    for command in (["preprocess"], ["translate", "--model", str(tmp_path)]):
        proc = run_mt(*command, str(bad))
        err = proc.stderr.decode()
        assert proc.returncode == 2
        assert "bad.txt" in err and "line 2" in err and "UTF-8" in err
        assert "Traceback" not in err


def test_empty_input_empty_output(tiny_model):
    proc = run_mt("translate", "--model", str(tiny_model), *FAST, stdin=b"")
    assert proc.returncode == 0 and proc.stdout == b""
    proc = run_mt("preprocess", "--no-segment", stdin=b"")
    assert proc.returncode == 0 and proc.stdout == b""


def test_preprocess_no_segment_one_line_per_line():
    lines = ["روسياوإيران والأممالمتحدة", "", "  سطر   ثالث  ", "جملة. وجملة أخرى."]
    proc = run_mt("preprocess", "--no-segment", stdin=("\n".join(lines) + "\n").encode())
    out = proc.stdout.decode().split("\n")
    assert proc.returncode == 0
    assert out[:-1] == ["روسيا وإيران والأمم المتحدة", "", "سطر ثالث", "جملة. وجملة أخرى."]


def test_preprocess_segments_one_sentence_per_line_blank_after_paragraph():
    proc = run_mt("preprocess", stdin="جملة أولى. جملة ثانية؟\nفقرة ثانية\n".encode())
    assert proc.stdout.decode() == "جملة أولى.\nجملة ثانية؟\n\nفقرة ثانية\n\n"


def test_preprocess_explain_prints_edits_as_json_lines():
    text = "سطر\nروسياوإيران ،هنا\n"
    proc = run_mt("preprocess", "--explain", stdin=text.encode())
    edits = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert edits and all(e["line"] == 2 for e in edits)
    for e in edits:
        assert text[e["start"] : e["end"]] == e["before"]
        assert {"rule", "after", "offset"} <= e.keys()


@pytest.mark.parametrize("command", ["translate", "preprocess"])
def test_help_lists_options(command):
    proc = run_mt(command, "--help")
    assert proc.returncode == 0 and b"FILE" in proc.stdout.upper()
