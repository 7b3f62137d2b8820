"""mt.files: outputs appear complete or not at all, keep what was done, and refuse bad targets in one line."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from mt.files import OutputError, check_output_path, open_output, partial_path, single_line
from mt.text.inspect import inspect_text


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_file_respects_umask_and_existing_mode_is_kept(tmp_path):
    old = os.umask(0o022)
    try:
        new = tmp_path / "new.txt"
        with open_output(str(new)) as out:
            out.write("a\n")
        assert new.read_text() == "a\n" and mode(new) == 0o644
        kept = tmp_path / "kept.txt"
        kept.write_text("old")
        os.chmod(kept, 0o640)
        with open_output(str(kept)) as out:
            out.write("b\n")
        assert kept.read_text() == "b\n" and mode(kept) == 0o640
    finally:
        os.umask(old)


@pytest.mark.parametrize("target", ["/dev/full", "/dev/null", "DIR"])
def test_non_regular_targets_are_refused(tmp_path, target):
    path = str(tmp_path) if target == "DIR" else target
    if not os.path.exists(path):
        pytest.skip(f"{path} does not exist here")
    with pytest.raises(OutputError, match="not a regular file") as err:
        check_output_path(path)
    assert path in str(err.value)
    assert os.path.exists(path) and not os.path.isfile(path)  # untouched


def test_missing_directory_names_the_path(tmp_path):
    with pytest.raises(OutputError, match="no such directory") as err:
        check_output_path(str(tmp_path / "nope" / "out.txt"))
    assert str(tmp_path / "nope") in str(err.value)


def test_output_equal_to_input_is_refused_by_any_name(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("نص")
    (tmp_path / "link.txt").symlink_to(src)
    os.link(src, tmp_path / "hard.txt")
    for name in ("in.txt", "link.txt", "hard.txt"):
        with pytest.raises(OutputError, match="input file"):
            check_output_path(str(tmp_path / name), inputs=[str(src)])
    assert src.read_text() == "نص"
    assert check_output_path("-", inputs=[str(src)]) is None


def test_symlink_is_written_through(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with open_output(str(link)) as out:
        out.write("new\n")
    assert link.is_symlink() and real.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]


@pytest.mark.parametrize("exc", [KeyboardInterrupt, RuntimeError])
def test_early_end_keeps_partial_and_leaves_target_alone(tmp_path, exc):
    target = tmp_path / "out.txt"
    target.write_text("previous complete output")
    with pytest.raises(exc) as err:
        with open_output(str(target)) as out:
            out.write("line 1\n")
            raise exc()
    assert target.read_text() == "previous complete output"
    assert (tmp_path / "out.txt.partial").read_text() == "line 1\n"
    assert any("out.txt.partial" in n for n in err.value.__notes__)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt", "out.txt.partial"]


def test_nothing_written_leaves_no_partial(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with open_output(str(tmp_path / "out.txt")):
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_success_removes_stale_partial_and_hidden_temporaries(tmp_path):
    target = tmp_path / "out.txt"
    (tmp_path / "out.txt.partial").write_text("from a killed run")
    (tmp_path / ".out.txt.ab12cd_3").write_text("temp of an older version")
    (tmp_path / ".other.txt.ab12cd_3").write_text("not ours")
    with open_output(str(target)) as out:
        out.write("done\n")
    assert target.read_text() == "done\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.txt.ab12cd_3", "out.txt"]
    assert partial_path(target) == tmp_path / "out.txt.partial"


def test_a_partial_in_use_by_another_run_is_refused(tmp_path):
    target = tmp_path / "out.txt"
    with open_output(str(target)) as first:
        first.write("x")
        with pytest.raises(OutputError, match="another run"):
            with open_output(str(target)):
                pass
    assert target.read_text() == "x"


def test_closed_stdout_is_one_clear_error(monkeypatch):
    monkeypatch.setattr(sys, "stdout", None)
    with pytest.raises(OutputError, match="stdout"):
        check_output_path(None)


def test_single_line_removes_every_separator_but_keeps_text():
    assert single_line("a\u2028b\u2029c\rd\x85e\x0bf\x0cg\x1ch\x1ei\nj") == "a b c d e f g h i j"


def test_inspect_warns_about_english_and_markup_not_arabic():
    assert inspect_text("قالت الحكومة السورية إن القوات دخلت المدينة صباح اليوم.") == []
    english = inspect_text("The government said troops entered the city this morning.")
    assert len(english) == 1 and "not Arabic" in english[0]
    html = inspect_text("<p>قالت الحكومة السورية إن القوات دخلت المدينة</p>&nbsp;<br/>")
    assert len(html) == 1 and "HTML" in html[0]
    assert inspect_text("") == [] and inspect_text("CNN") == []
