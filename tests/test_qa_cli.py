"""`mt qa` end to end (in process through mt.cli.qa, and as a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mt.cli import build_parser
from mt.cli.common import UserError
from mt.cli.qa import run
from mt.files import InputError

REPO = Path(__file__).resolve().parents[1]
SRC = ["وقال الوزير إن الحكومة ستعمل على تحسين الخدمات الصحية.", "قتل 25 شخصا في الهجوم.", "عاجل"]
HYP = ["The minister said the government would work to improve health services.", "24 people were killed in the attack.", ""]


def parse(*argv):
    return build_parser().parse_args(["qa", *argv])


@pytest.fixture
def files(tmp_path):
    s, h = tmp_path / "src.ar", tmp_path / "hyp.en"
    s.write_text("\n".join(SRC) + "\n", encoding="utf-8")
    h.write_text("\n".join(HYP) + "\n", encoding="utf-8")
    return s, h


def test_jsonl_one_object_per_line(files, capsys):
    s, h = files
    assert run(parse("--src", str(s), "--hyp", str(h))) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3]
    assert rows[0]["flags"] == []
    assert rows[1]["flags"][0]["check"] == "number"
    assert rows[1]["flags"][0]["detail"]["missing"] == ["25"]
    assert rows[2]["flags"] == [{"check": "empty", "detail": {}}]


def test_text_format_and_output_file(files, tmp_path):
    s, h = files
    out = tmp_path / "qa.txt"
    assert run(parse("--src", str(s), "--hyp", str(h), "--format", "text", "-o", str(out))) == 0
    text = out.read_text(encoding="utf-8")
    assert "line 1" not in text
    assert "line 2: number: missing 25" in text and "not in source 24" in text
    assert "line 3: empty" in text
    assert text.rstrip().splitlines()[-1].startswith("3 lines, 2 flagged")


def test_crlf_and_unicode_line_separators(tmp_path, capsys):
    s, h = tmp_path / "s", tmp_path / "h"
    s.write_bytes("قال\u2028الوزير\r\nقتل 25 شخصا\r\n".encode())
    h.write_bytes("He\u2028said\r\n25 were killed".encode())
    run(parse("--src", str(s), "--hyp", str(h)))
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(rows) == 2 and all(r["flags"] == [] or r["flags"][0]["check"] != "number" for r in rows)


def test_different_line_counts(files, tmp_path):
    s, _ = files
    h = tmp_path / "short.en"
    h.write_text("one line\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"has 3 lines .* has 1"):
        run(parse("--src", str(s), "--hyp", str(h)))


def test_missing_file(files):
    s, _ = files
    with pytest.raises(InputError, match="translation: cannot read no-such.en: No such file"):
        run(parse("--src", str(s), "--hyp", "no-such.en"))


def test_not_utf8_names_file_and_line(files, tmp_path):
    s, _ = files
    h = tmp_path / "latin1.en"
    h.write_bytes(b"ok\nok\ncaf\xe9\n")
    with pytest.raises(InputError, match=r"latin1.en: line 3: invalid UTF-8"):
        run(parse("--src", str(s), "--hyp", str(h)))


def test_mt_qa_subprocess(files):
    s, h = files
    env = dict(os.environ, PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, "-m", "mt.cli", "qa", "--src", str(s), "--hyp", str(h)],
                       capture_output=True, text=True, env=env, encoding="utf-8")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 3
    r = subprocess.run([sys.executable, "-m", "mt.cli", "qa", "--src", str(s), "--hyp", "nope"],
                       capture_output=True, text=True, env=env, encoding="utf-8")
    assert r.returncode == 2 and r.stderr.startswith("mt: error: translation: cannot read nope") and "Traceback" not in r.stderr
