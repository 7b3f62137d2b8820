"""Spacing repair shared between threads: bounded caches, no per-call state on shared objects."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from mt.text.repair import Repairer
from mt.text.spacing import SpacingRepair, clear_caches
from mt.text.spacing_cache import LRUCache


def _lines(ntrex_dir) -> list[str]:
    lines = [ln for ln in (ntrex_dir / "ntrex.dev.ar").read_text(encoding="utf-8").splitlines() if ln.strip()]
    # damaged copies too, so the threads race on real split decisions (lost spaces, glued punctuation)
    damaged = [ln.replace("ة ", "ة").replace("ا ال", "اال").replace("، ", "،") for ln in lines[:300]]
    return lines[:300] + damaged


def test_one_repairer_from_8_threads_gives_the_sequential_result(ntrex_dir):
    lines = _lines(ntrex_dir)
    clear_caches()
    sequential = [(r.text, r.edits) for r in map(Repairer(), lines)]
    clear_caches()  # cold again: the threads fill the shared caches while racing
    shared = Repairer()
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda ln: (lambda r: (r.text, r.edits))(shared(ln)), lines * 2))
    assert threaded == sequential * 2


def test_spacing_steps_share_nothing_per_call():
    step = SpacingRepair()
    before = dict(vars(step))
    step.find_edits("الأممالمتحدة و روسياوإيران")
    assert vars(step) == before  # no state left on the step by a call
    assert not any(k.startswith("_marks") for k in vars(step.splitter))


def test_lru_cache_is_bounded_and_evicts_least_recently_used():
    cache: LRUCache[str, int] = LRUCache(3)
    calls = []

    def compute(key: str) -> int:
        calls.append(key)
        return len(key)

    for key in ("a", "bb", "ccc"):
        cache.get_or_compute(key, compute)
    cache.get_or_compute("a", compute)  # a is now the most recent
    cache.get_or_compute("dddd", compute)  # evicts bb, not everything
    assert len(cache) == 3
    cache.get_or_compute("a", compute)
    cache.get_or_compute("ccc", compute)
    assert calls == ["a", "bb", "ccc", "dddd"]
    cache.get_or_compute("bb", compute)
    assert calls[-1] == "bb"


def test_lru_helper_is_bounded_and_cleared_by_clear_caches():
    from mt.text.spacing_cache import lru

    calls = []

    @lru(2)
    def square(x: int) -> int:
        calls.append(x)
        return x * x

    for x in (1, 2, 1, 3, 2):
        square(x)
    assert square.cache_info().currsize == 2 and calls == [1, 2, 3, 2]  # 2 was evicted, not all
    clear_caches()
    assert square.cache_info().currsize == 0
