"""Bounded, thread-safe LRU caches for the spacing repair's per-token decisions.

Every decision the spacing stage caches is a pure function of a string (for one fixed model), so a
cache may be shared by every thread and every :class:`~mt.text.spacing.SpacingRepair`. A cache never
grows past its size and is never wiped whole when full: the least recently used entry goes.
:func:`clear_all` empties every cache made here (benchmarks that want a cold start).
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_ALL: "weakref.WeakSet[LRUCache]" = weakref.WeakSet()
_FUNCS: "weakref.WeakSet" = weakref.WeakSet()
_ALL_LOCK = threading.Lock()
_MISSING = object()


class LRUCache(Generic[K, V]):
    """A dict-like cache bounded to ``maxsize`` entries, least recently used evicted first.

    ``get_or_compute(key, fn)`` computes outside the lock: two threads may compute the same value at
    the same time (both results are equal: the functions cached are pure), never a torn entry.
    """

    def __init__(self, maxsize: int):
        if maxsize <= 0:
            raise ValueError("maxsize must be positive")
        self.maxsize = maxsize
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        with _ALL_LOCK:
            _ALL.add(self)

    def get_or_compute(self, key: K, compute: Callable[[K], V]) -> V:
        with self._lock:
            hit = self._data.get(key, _MISSING)
            if hit is not _MISSING:
                self._data.move_to_end(key)
                return hit  # type: ignore[return-value]
        value = compute(key)
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def lru(maxsize: int):
    """``functools.lru_cache(maxsize)`` (bounded, least recently used first out, thread-safe, in C),
    registered so that :func:`clear_all` empties it too."""

    def wrap(fn):
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        with _ALL_LOCK:
            _FUNCS.add(cached)
        return cached

    return wrap


def clear_all() -> None:
    """Empty every LRU cache made by this module."""
    with _ALL_LOCK:
        caches = list(_ALL)
        funcs = list(_FUNCS)
    for cache in caches:
        cache.clear()
    for fn in funcs:
        fn.cache_clear()
