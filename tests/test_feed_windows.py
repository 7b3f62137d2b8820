"""Windows: planned and read one by one (as Ray Data reads them) they are the windows read in one pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mt.feed.reader import read_feed
from mt.feed.windows import Feed, iter_windows, plan_windows, read_window

GOOD = [
    json.dumps({"uri": "urn:a", "body": "قال الوزير إن المحادثات ستستأنف."}, ensure_ascii=False),
    json.dumps({"uri": "urn:b", "headline": "عنوان", "body": "سطر\nسطر آخر"}),  # \\uXXXX escapes: 6 bytes a letter
    json.dumps({"id": 7, "text": "نص " * 200}, ensure_ascii=False),  # a line longer than a small window
]
BAD = ['{"uri": "broken", "body": ', "[1]", '{"uri": "x", "body": 5}', "\xff\xfe not utf-8"]
LINES = st.lists(st.sampled_from(GOOD + BAD + ["", "   ", "\r"]), max_size=40)


def write(path: Path, lines: list[str], *, bom: bool = False, crlf: bool = False, final_newline: bool = True) -> Path:
    end = "\r\n" if crlf else "\n"
    data = end.join(lines) + (end if final_newline and lines else "")
    raw = data.encode("utf-8", "surrogateescape").replace("\xff\xfe".encode(), b"\xff\xfe")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + raw)
    return path


def summary(windows) -> list[tuple]:
    return [(w.key, [(i.source, i.line, i.offset, i.record, i.error) for i in w.items]) for w in windows]


def planned(feed: Feed, start=(0, 0)) -> list:
    return [w for w in (read_window(spec) for spec in feed.plan(start)) if w.items]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=LINES, window=st.sampled_from([1, 40, 200, 1000, 1 << 16]), bom=st.booleans(), crlf=st.booleans(),
       final_newline=st.booleans())
def test_planned_windows_are_the_windows_read_in_one_pass(tmp_path, lines, window, bom, crlf, final_newline):
    path = write(tmp_path / "feed.jsonl", lines, bom=bom, crlf=crlf, final_newline=final_newline)
    feed = Feed((str(path),), window)
    one_pass = list(feed.windows())
    assert summary(planned(feed)) == summary(one_pass)
    # the items are those of the plain reader, line numbers included
    assert [(i.line, i.record, i.error) for w in one_pass for i in w.items] == [
        (i.line, i.record, i.error) for i in read_feed([str(path)])
    ]
    # planning from any window on gives the rest of the feed (how a resumed Ray run starts)
    for k, w in enumerate(one_pass):
        assert summary(planned(feed, w.key)) == summary(one_pass[k:])


def test_a_window_is_the_records_starting_in_its_bytes(tmp_path):
    path = write(tmp_path / "feed.jsonl", [GOOD[0]] * 10)
    size = len(GOOD[0].encode()) + 1
    windows = list(iter_windows([str(path)], window_bytes=3 * size))
    assert [len(w.items) for w in windows] == [3, 3, 3, 1]
    assert [w.key for w in windows] == [(0, 0), (0, 1), (0, 2), (0, 3)]
    # the same in every run: a window never depends on what came before it in this run
    assert [i.line for i in read_window(next(plan_windows([str(path)], 3 * size, start=(0, 2)))).items] == [7, 8, 9]


def test_folders_and_several_inputs(tmp_path):
    folder = tmp_path / "wire"
    (folder / "b").mkdir(parents=True)
    for name, text in [("a.txt", "خبر أول"), ("b/c.txt", "خبر ثان " * 50), ("b/d.txt", "\xff"), ("e.txt", "")]:
        (folder / name).write_bytes(text.encode("utf-8", "surrogateescape") if text != "\xff" else b"\xff\xfe")
    jsonl = write(tmp_path / "feed.jsonl", GOOD + BAD)
    feed = Feed((str(folder), str(jsonl)), 100, names=(str(folder), "wire-feed"))
    one_pass = list(feed.windows())
    assert {w.key[0] for w in one_pass} == {0, 1}  # windows never span two inputs
    assert summary(planned(feed)) == summary(one_pass)
    assert [i.record.uri for w in one_pass if w.key[0] == 0 for i in w.items if i.record] == ["a.txt", "b/c.txt", "e.txt"]
    bad = [i.error for w in one_pass for i in w.items if i.error]
    assert bad[0].source == str(folder / "b" / "d.txt") and bad[1].source == "wire-feed"
    assert summary(planned(feed, one_pass[2].key)) == summary(one_pass[2:])


def test_stdin_cannot_be_planned(tmp_path):
    with pytest.raises(ValueError, match="stdin"):
        list(plan_windows(["-"]))
