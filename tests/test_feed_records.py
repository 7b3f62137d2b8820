"""Feed input: record validation (ninjs names and aliases), JSONL and folder reading, bad records."""

from __future__ import annotations

import io
import json

import pytest

from mt.feed.reader import check_inputs, read_feed, read_jsonl
from mt.feed.records import RecordError, parse_record
from mt.files import InputError


def test_ninjs_fields_and_aliases():
    r = parse_record({"guid": "urn:1", "version": 3, "headline": "ع", "body_text": "نص", "extra": [1]})
    assert (r.uri, r.version, r.headline, r.body) == ("urn:1", "3", "ع", "نص")
    assert list(r.fields) == ["guid", "version", "headline", "body_text", "extra"]  # untouched, in order
    assert parse_record({"id": 7, "text": ""}).uri == "7"
    assert parse_record({"uri": "a", "body": ""}).body == ""  # empty body: an empty translation


def test_input_hash_changes_with_any_field():
    a = parse_record({"uri": "a", "body": "x", "tag": 1})
    b = parse_record({"uri": "a", "body": "x", "tag": 2})
    c = parse_record({"tag": 1, "body": "x", "uri": "a"})
    assert a.input_hash != b.input_hash and a.input_hash == c.input_hash


@pytest.mark.parametrize(
    "obj, reason",
    [
        ([1, 2], "not a JSON object"),
        ("text", "not a JSON object"),
        (None, "not a JSON object"),
        ({"body": "x"}, "missing uri"),
        ({"uri": "", "body": "x"}, "uri is empty"),
        ({"uri": ["a"], "body": "x"}, "uri must be a string"),
        ({"uri": "a"}, "missing body"),
        ({"uri": "a", "body": None}, "body must be a string"),
        ({"uri": "a", "body": 5}, "body must be a string"),
        ({"uri": "a", "body": "x", "headline": 3}, "headline must be a string"),
        ({"uri": "a", "body": "x", "translation": "old"}, "reserved"),
        ({"uri": "a", "body": "\ud800"}, "lone surrogate"),
    ],
)
def test_bad_records_have_a_reason(obj, reason):
    with pytest.raises(RecordError, match=reason):
        parse_record(obj)


def test_jsonl_every_bad_kind_gets_file_line_and_reason():
    lines = [
        b'\xef\xbb\xbf{"uri": "a", "body": "\xd9\x86\xd8\xb5"}',  # BOM on line 1 is fine
        b"",  # blank lines are skipped, not errors
        b'{"uri": "b", "body": ',  # invalid JSON
        b"[1, 2]",  # not an object
        b'{"body": "x"}',  # missing uri
        b'{"uri": "c"}',  # missing body
        b'{"uri": "d", "body": 3}',  # non-string body
        b'{"uri": "e", "body": "\xff"}',  # invalid UTF-8
        b'{"uri": "f", "body": ""}',
    ]
    items = list(read_jsonl(io.BytesIO(b"\n".join(lines) + b"\n"), "feed.jsonl"))
    good = [(i.line, i.record.uri) for i in items if i.record]
    bad = [(i.error.line, i.error.reason.split(":")[0].split(" (")[0]) for i in items if i.error]
    assert good == [(1, "a"), (9, "f")]
    assert bad == [
        (3, "invalid JSON"),
        (4, "not a JSON object"),
        (5, "missing uri"),
        (6, "missing body"),
        (7, "body must be a string, got int"),
        (8, "invalid UTF-8 at byte 22 of the line"),
    ]
    assert all(i.error.source == "feed.jsonl" for i in items if i.error)
    assert [i.error.uri for i in items if i.error][-2:] == ["d", None]


def test_folder_articles_sorted_with_relative_ids(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("نص ثان\nفقرة", encoding="utf-8")
    (tmp_path / "a.txt").write_text("\ufeffنص أول", encoding="utf-8")
    (tmp_path / "b" / "bad.txt").write_bytes(b"ok\n\xff")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    items = list(read_feed([str(tmp_path)]))
    assert [(i.record.uri, i.record.body) for i in items if i.record] == [("a.txt", "نص أول"), ("b/2.txt", "نص ثان\nفقرة")]
    (bad,) = [i.error for i in items if i.error]
    assert bad.uri == "b/bad.txt" and bad.line == 2 and "UTF-8" in bad.reason


def test_missing_input_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="nope.jsonl: no such file"):
        check_inputs([str(tmp_path / "nope.jsonl")])
    with pytest.raises(InputError, match="stdin"):
        check_inputs(["-", "-"])


def test_records_pass_through_json_values():
    obj = {"uri": "a", "body": "x", "n": 1.5, "flags": {"k": [True, None]}}
    assert json.dumps(parse_record(obj).fields) == json.dumps(obj)
