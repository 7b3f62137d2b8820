"""The persistent sentence cache: verified hits, misses, eviction, threads and processes."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from mt.backends.base import Hypothesis
from mt.sentence_cache import CacheError, SqliteSentenceCache, default_cache_path, entry_id


def test_hits_misses_and_keys(tmp_path):
    cache = SqliteSentenceCache(tmp_path / "c.sqlite3")
    assert cache.get_many("k1", ["a", "b"]) == {}
    cache.put_many("k1", [("a", Hypothesis("A", -0.5, False)), ("b", Hypothesis("B", None, True))])
    assert cache.get_many("k1", ["a", "b", "c"]) == {"a": Hypothesis("A", -0.5, False), "b": Hypothesis("B", None, True)}
    assert cache.get_many("k2", ["a"]) == {}  # another model/decoding: another key, no hit
    assert len(cache) == 2
    # persisted: a new instance (another process) sees the entries
    assert SqliteSentenceCache(tmp_path / "c.sqlite3").get_many("k1", ["a"])["a"].text == "A"


def test_hit_is_verified_against_the_stored_input(tmp_path):
    cache = SqliteSentenceCache(tmp_path / "c.sqlite3")
    cache.put_many("k", [("a", Hypothesis("A"))])
    conn = cache._connect()
    # simulate a hash collision: the id of "b" now points at the entry for "a"
    conn.execute("UPDATE entries SET id = ? WHERE id = ?", (entry_id("k", "b"), entry_id("k", "a")))
    assert cache.get_many("k", ["b"]) == {}


def test_overwrite_keeps_count(tmp_path):
    cache = SqliteSentenceCache(tmp_path / "c.sqlite3")
    cache.put_many("k", [("a", Hypothesis("A"))])
    cache.put_many("k", [("a", Hypothesis("A2"))])
    assert len(cache) == 1 and cache.get_many("k", ["a"])["a"].text == "A2"


def test_eviction_drops_least_recently_used(tmp_path, monkeypatch):
    import mt.sentence_cache as sc

    clock = iter(range(1_000_000, 2_000_000, 10_000))
    monkeypatch.setattr(sc.time, "time", lambda: float(next(clock)))
    cache = SqliteSentenceCache(tmp_path / "c.sqlite3", max_entries=10)
    for i in range(10):
        cache.put_many("k", [(f"s{i}", Hypothesis(str(i)))])
    cache.get_many("k", ["s0"])  # s0 is used again: it survives
    cache.put_many("k", [("new", Hypothesis("n"))])
    assert len(cache) <= 10
    assert "s0" in cache.get_many("k", ["s0"]) and "new" in cache.get_many("k", ["new"])
    assert cache.get_many("k", ["s1"]) == {}


def test_stats_and_clear(tmp_path):
    cache = SqliteSentenceCache(tmp_path / "c.sqlite3")
    cache.put_many("k1", [("a", Hypothesis("A"))])
    cache.put_many("k2", [("a", Hypothesis("A"))])
    st = cache.stats()
    assert (st.entries, st.keys) == (2, 2) and st.bytes > 0
    assert cache.clear() == 2 and len(cache) == 0


def test_threads_share_one_cache(tmp_path):
    cache = SqliteSentenceCache(tmp_path / "c.sqlite3")
    errors = []

    def work(n):
        try:
            for i in range(20):
                cache.put_many("k", [(f"{n}-{i}", Hypothesis(f"t{n}-{i}"))])
                assert cache.get_many("k", [f"{n}-{i}"])[f"{n}-{i}"].text == f"t{n}-{i}"
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(cache) == 80
    cache.close()


WRITER = """
import sys
from mt.backends.base import Hypothesis
from mt.sentence_cache import SqliteSentenceCache
cache = SqliteSentenceCache(sys.argv[1])
for i in range(200):
    cache.put_many("k", [(f"{sys.argv[2]}-{i}-{j}", Hypothesis("x")) for j in range(5)])
    cache.get_many("k", [f"{sys.argv[2]}-{i}-0"])
"""


def test_two_processes_on_one_cache(tmp_path):
    path = tmp_path / "c.sqlite3"
    root = Path(__file__).resolve().parents[1]
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag], cwd=root) for tag in "ab"]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert len(SqliteSentenceCache(path)) == 2000


def test_bad_path_is_one_clear_error(tmp_path):
    with pytest.raises(CacheError, match="directory"):
        SqliteSentenceCache(tmp_path)
    bad = tmp_path / "junk.sqlite3"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CacheError, match="junk.sqlite3"):
        SqliteSentenceCache(bad)


def test_default_path_under_cache_root(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSWIRE_CACHE", str(tmp_path))
    assert default_cache_path() == tmp_path / "sentences.sqlite3"
