"""Test set registry, user files, and clean offline failures."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eval.cli import main
from eval.score import EvalError
from eval.testsets import REGISTRY, list_testsets, load_parallel, load_testset, load_user_file

REPO = Path(__file__).resolve().parents[1]


def test_registry_has_provenance():
    names = {i.name for i in list_testsets()}
    assert {"ntrex128-dev", "ntrex128", "flores200-devtest", "tico19-test", "iwslt17"} <= names
    for info in list_testsets():
        assert info.source_lang == "ar" and info.target_lang == "en"
        assert info.original_lang and info.license and info.domain and info.size and info.url
        d = info.to_dict()
        assert "translated" in d["direction"] or "original" in d["direction"]


def test_ntrex_dev_local(ntrex_dir, monkeypatch):
    monkeypatch.setenv("NEWSWIRE_NTREX_DIR", str(ntrex_dir))
    ts = load_testset("ntrex128-dev")
    assert len(ts) == 1007 and len(ts.references) == 1 and ts.docids is not None
    assert len(set(ts.docids)) == 62
    assert ts.info.original_lang == "en" and ts.info.source_lang == "ar"
    three = load_testset("ntrex128-dev", refs=["en", "en-gb", "en-us"])
    assert len(three.references) == 3 and three.ref_names == ["en", "en-gb", "en-us"]
    assert three.fingerprint() != ts.fingerprint()
    small = ts.head(5)
    assert len(small) == 5 and len(small.docids) == 5


def test_ntrex_dev_split_table_matches_local_copy(ntrex_dir, monkeypatch):
    from eval.score import group_by_document
    from eval.testsets import _NTREX_DEV_DOCS

    monkeypatch.setenv("NEWSWIRE_NTREX_DIR", str(ntrex_dir))
    ts = load_testset("ntrex128-dev")
    assert [(d, len(ix)) for d, ix in group_by_document(ts.docids).items()] == list(_NTREX_DEV_DOCS)


def test_ntrex_dev_missing_dir_is_clear_offline(offline, monkeypatch):
    monkeypatch.setenv("NEWSWIRE_NTREX_DIR", str(offline / "nowhere"))
    with pytest.raises(EvalError, match="NTREX-128 dev not found in .*nowhere.*could not be fetched"):
        load_testset("ntrex128-dev")


def test_ntrex_dev_cut_from_cached_full_set(offline, monkeypatch):
    """Without the local copy, the dev documents are selected from the (cached) full NTREX-128."""
    from eval.testsets import _NTREX_DEV_DOCS

    monkeypatch.setenv("NEWSWIRE_NTREX_DIR", str(offline / "nowhere"))
    docs = [("other.1", 3), *_NTREX_DEV_DOCS[:30], ("other.2", 2), *_NTREX_DEV_DOCS[30:]]
    ids = [d for d, n in docs for _ in range(n)]
    d = offline / "cache" / "ntrex128"
    d.mkdir(parents=True)
    (d / "DOCUMENT_IDS.tsv").write_text("".join(i + "\n" for i in ids), encoding="utf-8")
    (d / "newstest2019-ref.arb.txt").write_text("".join(f"ar {k}\n" for k in range(len(ids))), encoding="utf-8")
    (d / "newstest2019-src.eng.txt").write_text("".join(f"en {k}\n" for k in range(len(ids))), encoding="utf-8")
    ts = load_testset("ntrex128-dev")
    assert len(ts) == 1007 and "other.1" not in ts.docids and "other.2" not in ts.docids
    assert ts.source[0] == "ar 3" and ts.references[0][0] == "en 3"  # line alignment kept
    # a full set that lacks part of the split is refused, not silently cut short
    (d / "DOCUMENT_IDS.tsv").write_text("".join(("x\n" if k == 10 else i + "\n") for k, i in enumerate(ids)),
                                        encoding="utf-8")
    with pytest.raises(EvalError, match="do not contain this project's dev split"):
        load_testset("ntrex128-dev")


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No network: every connection attempt fails at once, like a machine without a route out."""
    monkeypatch.setenv("NEWSWIRE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SACREBLEU", str(tmp_path / "sacrebleu"))

    def refuse(*args, **kwargs):
        raise OSError(101, "Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return tmp_path


@pytest.mark.parametrize("name", ["ntrex128", "flores200-devtest", "tico19-test"])
def test_download_fails_cleanly_and_fast_offline(offline, name):
    t0 = time.perf_counter()
    with pytest.raises(EvalError) as e:
        load_testset(name)
    assert time.perf_counter() - t0 < 5
    msg = str(e.value)
    assert msg.startswith("cannot download https://") and "offline" in msg
    # nothing half-written is left in the cache
    cache = offline / "cache"
    assert not [p for p in cache.rglob("*") if p.is_file()]


def test_iwslt17_via_sacrebleu_fails_cleanly_offline(offline, monkeypatch):
    import sacrebleu.dataset.base as base

    # sacrebleu resolves its cache dir at import; point the dataset at the temporary one
    ds = __import__("sacrebleu.dataset", fromlist=["DATASETS"]).DATASETS["iwslt17"]
    monkeypatch.setattr(ds, "_outdir", str(offline / "sacrebleu" / "iwslt17"))
    monkeypatch.setattr(ds, "_rawdir", str(offline / "sacrebleu" / "iwslt17" / "raw"))
    assert base  # imported for the monkeypatch target's module to exist
    t0 = time.perf_counter()
    with pytest.raises(EvalError, match="cannot get iwslt17 ar-en through sacrebleu"):
        load_testset("iwslt17")
    assert time.perf_counter() - t0 < 5


def test_download_timeout_is_short(monkeypatch, tmp_path):
    """A server that accepts and never answers costs the timeout, not forever."""
    import eval.testsets as ts

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    try:
        t0 = time.perf_counter()
        with pytest.raises(EvalError, match="cannot download"):
            ts.download(f"http://127.0.0.1:{port}/x", tmp_path / "x", timeout=0.5)
        assert time.perf_counter() - t0 < 5
    finally:
        srv.close()


def test_cached_download_is_used_without_network(offline):
    import eval.testsets as ts

    d = offline / "cache" / "ntrex128"
    d.mkdir(parents=True)
    (d / "newstest2019-ref.arb.txt").write_text("مرحبا\nعالم\n", encoding="utf-8")
    (d / "newstest2019-src.eng.txt").write_text("hello\nworld\n", encoding="utf-8")
    (d / "DOCUMENT_IDS.tsv").write_text("doc.1\ndoc.1\n", encoding="utf-8")
    got = ts.load_testset("ntrex128")
    assert got.source == ["مرحبا", "عالم"] and got.references == [["hello", "world"]] and got.docids == ["doc.1"] * 2


def test_user_plain_files(tmp_path):
    (tmp_path / "s").write_text("a\nb\n", encoding="utf-8")
    (tmp_path / "r1").write_text("A\nB\n", encoding="utf-8")
    (tmp_path / "r2").write_text("AA\nBB\n", encoding="utf-8")
    (tmp_path / "d").write_text("x\ny\n", encoding="utf-8")
    ts = load_parallel(tmp_path / "s", [tmp_path / "r1", tmp_path / "r2"], tmp_path / "d")
    assert ts.references == [["A", "B"], ["AA", "BB"]] and ts.docids == ["x", "y"]
    (tmp_path / "r3").write_text("A\n", encoding="utf-8")
    with pytest.raises(EvalError, match="r3 has 1 lines"):
        load_parallel(tmp_path / "s", [tmp_path / "r3"])


def test_user_tsv_with_and_without_header(tmp_path):
    p = tmp_path / "set.tsv"
    p.write_text("مرحبا\thello\thi\nعالم\tworld\tearth\n", encoding="utf-8")
    ts = load_user_file(p)
    assert ts.source == ["مرحبا", "عالم"] and ts.references == [["hello", "world"], ["hi", "earth"]]
    p.write_text("docid\tref\tsrc\nd1\thello\tمرحبا\nd2\tworld\tعالم\n", encoding="utf-8")
    ts = load_user_file(p)
    assert ts.source == ["مرحبا", "عالم"] and ts.references == [["hello", "world"]] and ts.docids == ["d1", "d2"]
    p.write_text("only-one-column\n", encoding="utf-8")
    with pytest.raises(EvalError, match="no reference column"):
        load_user_file(p)


def test_user_jsonl(tmp_path):
    p = tmp_path / "set.jsonl"
    rows = [{"src": "مرحبا", "ref": "hello", "docid": "d1"}, {"src": "عالم", "ref": "world", "docid": "d1"}]
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    ts = load_testset(str(p))
    assert ts.source == ["مرحبا", "عالم"] and ts.references == [["hello", "world"]] and ts.docids == ["d1", "d1"]
    p.write_text('{"src": "a", "ref": ["x", "y"]}\n{"src": "b", "ref": ["z"]}\n', encoding="utf-8")
    with pytest.raises(EvalError, match="line 2 has 1 references"):
        load_user_file(p)
    p.write_text('{"src": "a", "ref": "x"}\nnot json\n', encoding="utf-8")
    with pytest.raises(EvalError, match="line 2 is not valid JSON"):
        load_user_file(p)


def test_unknown_testset():
    with pytest.raises(EvalError, match="unknown test set 'wmt99'"):
        load_testset("wmt99")


def test_cli_lists_testsets(capsys):
    assert main(["testsets"]) == 0
    out = capsys.readouterr().out
    for name in REGISTRY:
        assert name in out
    assert main(["testsets", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {d["name"] for d in data} == set(REGISTRY)


def test_bench_subcommand_is_lazy(capsys):
    """`bench` is registered without importing eval.bench (torch etc.); using it imports it."""
    code = "import sys; from eval.cli import build_parser; build_parser(); print('eval.bench' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60).stdout
    assert out.strip() == "False"
    proc = subprocess.run([sys.executable, "-m", "eval", "bench", "--help"], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 0 and "usage: mt-eval bench" in proc.stdout
