"""Issue 10: bad input, bad options, bad models and interrupts end in one line, an exit status, and
nothing already translated lost. Signals and ``-o`` are checked in subprocesses, as users meet them."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mt.document import LINE_BREAK, count_line_breaks, iter_layout
from mt.files import single_line

FAST = ["--backend", "torch", "--beam-size", "1", "--max-new-tokens", "4"]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def run_mt(*args: str, stdin: bytes | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mt.cli", *args], input=stdin, capture_output=True, env=ENV,
                          timeout=300, **kwargs)


def one_clean_line(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if not line.startswith("mt: warning:")]
    assert len(lines) == 1, err
    return lines[0]


# -- 1. output files ------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["missing-dir", "directory", "dev-full", "same-as-input", "input-via-symlink"])
def test_bad_output_is_refused_before_the_model_loads(tmp_path, case):
    src = tmp_path / "in.txt"
    src.write_text("نص عربي.\n", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(src)
    target = {"missing-dir": str(tmp_path / "nope" / "out.txt"), "directory": str(tmp_path), "dev-full": "/dev/full",
              "same-as-input": str(src), "input-via-symlink": str(tmp_path / "link.txt")}[case]
    if case == "dev-full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    # a model that does not exist: the output check must come first
    for command in (["translate", "--model", str(tmp_path / "no-model")], ["preprocess"]):
        proc = run_mt(*command, "-o", target, str(src))
        line = one_clean_line(proc)
        assert line.startswith("mt: error: cannot write ") and target in line
    assert src.read_text(encoding="utf-8") == "نص عربي.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "link.txt"]


def test_output_through_symlink_keeps_link_mode_and_drops_stale_partial(tiny_model, tmp_path):
    src = tmp_path / "in.txt"
    # one line far longer than the model's positions: chunked by the pipeline, so transformers'
    # "Token indices sequence length" warning must not be shown
    src.write_text("جملة أولى.\n" + "كلمة " * 2000 + "\n", encoding="utf-8")
    real = tmp_path / "real.txt"
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "out.txt"
    link.symlink_to(real)
    (tmp_path / "real.txt.partial").write_text("left by a killed run")
    proc = run_mt("translate", "--model", str(tiny_model), *FAST, "-o", str(link), str(src))
    err = proc.stderr.decode()
    assert proc.returncode == 0 and err == "", err
    assert link.is_symlink() and os.stat(real).st_mode & 0o777 == 0o640
    assert count_line_breaks(real.read_text(encoding="utf-8")) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "out.txt", "real.txt"]


def test_stdout_full_or_closed_is_one_line(tiny_model, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("نص.\n", encoding="utf-8")
    if os.path.exists("/dev/full"):
        with open("/dev/full", "w") as full:
            proc = subprocess.run([sys.executable, "-m", "mt.cli", "translate", "--model", str(tiny_model), *FAST,
                                   str(src)], stdout=full, stderr=subprocess.PIPE, env=ENV, timeout=300)
        assert "No space left" in one_clean_line(proc)
    proc = subprocess.run([sys.executable, "-m", "mt.cli", "preprocess", str(src)], stderr=subprocess.PIPE,
                          env=ENV, timeout=300, preexec_fn=lambda: os.close(1))
    assert "stdout" in one_clean_line(proc)


# -- 2. interrupts --------------------------------------------------------------------------------
def _interrupt(tiny_model: Path, tmp_path: Path, sig: int, fmt: str) -> tuple[subprocess.Popen, str, Path]:
    src = tmp_path / "many.txt"
    src.write_text("".join(f"الفقرة رقم {i} من الخبر.\n" for i in range(3000)), encoding="utf-8")
    out = tmp_path / "out.txt"
    proc = subprocess.Popen([sys.executable, "-m", "mt.cli", "translate", "--model", str(tiny_model), *FAST,
                             "--batch-size", "1", "--format", fmt, "-o", str(out), str(src)],
                            stderr=subprocess.PIPE, env=ENV)
    partial = tmp_path / "out.txt.partial"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if partial.exists() and (partial.stat().st_size > 0 or fmt == "json"):
            break
        time.sleep(0.1)
    if fmt == "json":
        time.sleep(3)  # let a few paragraphs finish
    proc.send_signal(sig)
    err = proc.communicate(timeout=120)[1].decode()
    return proc, err, partial


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_keeps_finished_lines_and_says_how_far(tiny_model, tmp_path, sig, code):
    proc, err, partial = _interrupt(tiny_model, tmp_path, sig, "text")
    assert proc.returncode == code, err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert "interrupted" in err and "of 3000 paragraphs" in err and "out.txt.partial" in err
    done = int(err.split("after ")[1].split(" of")[0])
    lines = partial.read_text(encoding="utf-8").split("\n")
    assert done >= 1 and len(lines) == done + 1 and lines[-1] == "" and all(lines[:-1])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.txt", "out.txt.partial"]  # no hidden files


def test_sigterm_keeps_a_valid_json_document(tiny_model, tmp_path):
    proc, err, partial = _interrupt(tiny_model, tmp_path, signal.SIGTERM, "json")
    assert proc.returncode == 143, err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    record = json.loads(partial.read_text(encoding="utf-8"))
    assert record["complete"] is False and record["paragraphs_total"] == 3000
    assert len(record["paragraphs"]) == record["paragraphs_done"]
    assert all(s["translation"] is not None for p in record["paragraphs"] for s in p["sentences"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.txt", "out.txt.partial"]


# -- 3. lines -------------------------------------------------------------------------------------
SEPARATORS = ["\u2028", "\u2029", "\r", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", " ", "\t"]
line_text = st.lists(st.one_of(st.sampled_from(SEPARATORS), st.sampled_from(["نص", "عربي", ".", "a", "،", "1"])),
                     max_size=8).map("".join)
documents = st.tuples(st.lists(line_text, max_size=6), st.sampled_from(["\n", "\r\n"]), st.booleans())


def _document(parts) -> str:
    lines, newline, final = parts
    return newline.join(lines) + (newline if final and lines else "")


def _expected_breaks(text: str, final_newline: bool) -> int:
    n = count_line_breaks(text)
    has_text = bool(text.strip()) if final_newline else False
    last = LINE_BREAK.split(text)[-1]
    return n + (1 if final_newline and has_text and last.strip() else 0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=documents)
def test_translate_layout_one_output_line_per_input_line(parts):
    from mt.preprocess import Preprocessor

    text = _document(parts)
    article = Preprocessor()(text)
    for s in article.sentences:
        s.translation = "translated\u2028text"  # an engine may emit any separator: it must not split lines
    out = "".join(iter_layout(text, article.paragraphs, lambda p: single_line(p.translation), final_newline=True))
    assert count_line_breaks(out) == _expected_breaks(text, True)
    breaks = LINE_BREAK.findall(text)
    assert LINE_BREAK.findall(out)[: len(breaks)] == breaks  # CRLF stays CRLF, LF stays LF
    assert len(out.splitlines()) == _lines(out)  # no stray separator other tools take as a line end


def _lines(text: str) -> int:
    parts = LINE_BREAK.split(text)
    return len(parts) - (1 if parts[-1] == "" else 0)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=documents)
def test_preprocess_no_segment_one_output_line_per_input_line(parts, tmp_path_factory):
    from mt.cli import preprocess

    text = _document(parts)
    d = tmp_path_factory.mktemp("pp")
    (d / "in.txt").write_bytes(text.encode("utf-8"))
    args = argparse.Namespace(file=str(d / "in.txt"), output=str(d / "out.txt"), no_segment=True, explain=False)
    assert preprocess.run(args) == 0
    out = (d / "out.txt").read_bytes().decode("utf-8")
    lines_in = _lines(text)
    assert count_line_breaks(out) == lines_in
    assert len(out.splitlines()) == lines_in  # no stray separator that other tools take as a line end
    breaks = LINE_BREAK.findall(text)
    assert LINE_BREAK.findall(out)[: len(breaks)] == breaks  # CRLF stays CRLF, LF stays LF


def test_separators_inside_lines_and_crlf_end_to_end(tiny_model, tmp_path):
    text = "سطر أول\u2028تابع\rو\x85ثم\x0bكذلك\r\nسطر ثان\x1c\x1e\r\n"
    src = tmp_path / "in.txt"
    src.write_bytes(text.encode("utf-8"))
    proc = run_mt("translate", "--model", str(tiny_model), *FAST, str(src))
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0 and out.count("\r\n") == 2 and len(out.splitlines()) == 2, proc.stderr.decode()
    proc = run_mt("preprocess", "--no-segment", str(src))
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0 and out.count("\r\n") == 2 and len(out.splitlines()) == 2


# -- 4. limits ------------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["torch", "ct2"])
def test_token_limits_past_the_models_positions_are_one_line(tiny_model, tmp_path, backend):
    if backend == "ct2":
        pytest.importorskip("ctranslate2")
    src = tmp_path / "in.txt"
    src.write_text("نص.\n", encoding="utf-8")
    for option, value in (("--max-new-tokens", "600"), ("--max-sentence-tokens", "600")):
        proc = run_mt("translate", "--model", str(tiny_model), "--backend", backend, option, value, str(src))
        line = one_clean_line(proc)
        assert option in line and "512 positions" in line


def test_static_limits_are_one_line_before_loading(tiny_model, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("نص.\n", encoding="utf-8")
    proc = run_mt("translate", "--model", str(tiny_model), "--beam-size", "100000", str(src))
    assert "--beam-size must be at most 32" in one_clean_line(proc)
    proc = run_mt("translate", "--model", str(tiny_model), "--max-sentence-tokens", "100000", str(src))
    assert "--max-sentence-tokens must be at most" in one_clean_line(proc)


# -- 5. models ------------------------------------------------------------------------------------
def test_mistyped_local_model_path_is_no_such_directory(tmp_path):
    (tmp_path / "models" / "tiny").mkdir(parents=True)
    proc = run_mt("translate", "--model", "models/tinyy", stdin="نص".encode(), cwd=tmp_path)
    line = one_clean_line(proc)
    assert "no such directory" in line and "models/tiny?" in line and "hub" not in line


@pytest.mark.parametrize("backend, damage", [
    ("torch", "vocab.json"), ("torch", "model.safetensors"), ("torch", "truncated"), ("torch", "corrupt-spm"),
    ("ct2", "source.spm"), ("ct2", "truncated"),
])
def test_broken_model_directory_names_the_file(tiny_model, tmp_path, backend, damage):
    if backend == "ct2":
        pytest.importorskip("ctranslate2")
    broken = tmp_path / "model"
    broken.mkdir()
    for f in tiny_model.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    if damage == "truncated":
        data = (broken / "model.safetensors").read_bytes()
        (broken / "model.safetensors").write_bytes(data[: len(data) // 3])
    elif damage == "corrupt-spm":
        (broken / "source.spm").write_bytes(b"\x00garbage" * 100)
    else:
        (broken / damage).unlink()
    proc = run_mt("translate", "--model", str(broken), "--backend", backend, stdin="نص".encode())
    line = one_clean_line(proc)
    expected = {"truncated": "corrupt", "corrupt-spm": "source.spm"}.get(damage, damage)
    assert expected in line


# -- 6. progress, terminal hint, warnings ------------------------------------------------------------
def test_progress_bar_follows_the_whole_job(tiny_model):
    from mt.cli.translate import write_translation
    from mt.config import PipelineConfig
    from mt.pipeline import Pipeline

    pipeline = Pipeline.from_config(PipelineConfig(model=str(tiny_model), backend="torch", beam_size=1,
                                                   max_new_tokens=2, batch_size=8))
    text = "".join(f"جملة رقم {i % 7}.\n" for i in range(300))  # more than one group, with repeats
    article = pipeline.preprocess(text)

    class Bar:
        n = 0

        def update(self, k: int) -> None:
            self.n += k

    bar = Bar()
    pieces: list[str] = []

    class Sink:
        write = pieces.append

        def flush(self) -> None:
            pass

    write_translation(pipeline, article, Sink(), bar=bar)
    assert bar.n == sum(len(s.model_inputs) for s in article.sentences) == 300
    assert count_line_breaks("".join(pieces)) == 300


def test_terminal_stdin_gets_a_hint():
    import pty

    main_fd, sub_fd = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "mt.cli", "preprocess"], stdin=sub_fd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    os.close(sub_fd)
    time.sleep(1.5)
    os.write(main_fd, "نص\n".encode() + b"\x04")
    out, err = proc.communicate(timeout=60)
    os.close(main_fd)
    assert proc.returncode == 0
    assert "terminal" in err.decode() and "Ctrl-D" in err.decode()
    assert "نص" in out.decode()


def test_non_arabic_and_markup_input_get_warnings_not_refusals(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("<p>The government said on Monday that troops entered the city.</p>\n", encoding="utf-8")
    proc = run_mt("preprocess", "--no-segment", str(src))
    err = proc.stderr.decode()
    assert proc.returncode == 0 and proc.stdout
    assert err.count("mt: warning:") == 2 and "HTML" in err and "not Arabic" in err
