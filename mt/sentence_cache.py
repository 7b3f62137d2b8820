"""A persistent sentence cache: finished translations in SQLite, shared by processes and threads.

Implements :class:`mt.pipeline.SentenceCache`. An entry is keyed by the pipeline's translation key
(model, revision or directory hash, backend, device, compute type, decoding options, model-side
normalisation) plus the exact model input; it stores both in full, so a hit is verified, never
trusted on a hash alone. The database runs in WAL mode with a busy timeout and short
transactions, so several ``mt batch`` processes (and the service's threads) can share one file.
Size is capped by ``max_entries``; the least recently used entries go first.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence, TypeVar

from mt.backends.base import Hypothesis
from mt.cache import cache_root

log = logging.getLogger(__name__)

DEFAULT_MAX_ENTRIES = 1_000_000  # ~0.5-1 GB of Arabic news sentences with their translations
BUSY_TIMEOUT_S = 30.0  # how long a writer waits for another process's transaction
TOUCH_INTERVAL_S = 3600.0  # a hit rewrites its last-used time at most once an hour (reads stay reads)
QUERY_CHUNK = 500  # ids per SELECT (SQLite's variable limit is 32766; smaller keeps statements cheap)
RETRIES = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id BLOB PRIMARY KEY,          -- sha256(key NUL input)[:16]
    key TEXT NOT NULL,            -- the pipeline's translation key
    input TEXT NOT NULL,          -- the exact model input, compared on every hit
    text TEXT NOT NULL,
    score REAL,
    truncated INTEGER NOT NULL,
    created REAL NOT NULL,
    used REAL NOT NULL            -- last use (unix time), for eviction
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_used ON entries(used);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(name, value) VALUES ('entries', 0);
CREATE TRIGGER IF NOT EXISTS entries_add AFTER INSERT ON entries
    BEGIN UPDATE meta SET value = value + 1 WHERE name = 'entries'; END;
CREATE TRIGGER IF NOT EXISTS entries_del AFTER DELETE ON entries
    BEGIN UPDATE meta SET value = value - 1 WHERE name = 'entries'; END;
"""

T = TypeVar("T")


class CacheError(ValueError):
    """The cache file cannot be opened or is not a sentence cache; the message names the path."""


def default_cache_path() -> Path:
    """``<cache root>/sentences.sqlite3`` (the root is ``$NEWSWIRE_CACHE`` or ~/.cache/newswire-mt)."""
    return cache_root() / "sentences.sqlite3"


def entry_id(key: str, model_input: str) -> bytes:
    return hashlib.sha256(f"{key}\0{model_input}".encode("utf-8", "surrogatepass")).digest()[:16]


@dataclass(frozen=True)
class CacheStats:
    """What ``mt cache stats`` prints."""

    path: str
    entries: int
    keys: int
    bytes: int
    max_entries: int
    oldest_use: float | None
    newest_use: float | None

    def to_dict(self) -> dict:
        return asdict(self)


class SqliteSentenceCache:
    """Translations of model inputs, persisted in one SQLite file (see the module doc).

    ``path`` defaults to :func:`default_cache_path`. Safe to share between threads (one connection
    per thread) and between processes (WAL, busy timeout, retries on a locked database).
    """

    def __init__(self, path: str | Path | None = None, *, max_entries: int = DEFAULT_MAX_ENTRIES):
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise CacheError(f"max_entries must be a whole number of at least 1, got {max_entries!r}")
        self.path = Path(path).expanduser() if path is not None else default_cache_path()
        self.max_entries = max_entries
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        if self.path.is_dir():
            raise CacheError(f"cache {self.path} is a directory; give a file path")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(f"cannot create the cache folder {self.path.parent}: {exc.strerror or exc}") from None
        self._connect()  # fail here, with the path, rather than on first use

    # -- connections -------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA synchronous = NORMAL")
            self._retry(lambda: conn.executescript(_SCHEMA))
        except sqlite3.DatabaseError as exc:
            raise CacheError(
                f"cannot open the sentence cache {self.path}: {exc} (use another --cache, --no-cache, "
                f"or delete the file)"
            ) from None
        self._local.conn = conn
        with self._lock:
            self._connections.append(conn)
        return conn

    @staticmethod
    def _retry(op: Callable[[], T]) -> T:
        """Run ``op``; on SQLITE_BUSY/LOCKED past the busy timeout, back off and try again."""
        for attempt in range(RETRIES):
            try:
                return op()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or attempt == RETRIES - 1:
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    def _write(self, body: Callable[[sqlite3.Connection], T]) -> T:
        """One short write transaction (BEGIN IMMEDIATE: no lock upgrades, so no deadlocks)."""
        conn = self._connect()

        def op() -> T:
            try:
                conn.execute("BEGIN IMMEDIATE")
                result = body(conn)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return result

        return self._retry(op)

    def close(self) -> None:
        """Close every thread's connection (the cache can be used again afterwards)."""
        with self._lock:
            conns, self._connections = self._connections, []
        for conn in conns:
            conn.close()
        self._local = threading.local()

    # -- the SentenceCache protocol --------------------------------------------------------
    def get_many(self, key: str, inputs: Sequence[str]) -> dict[str, Hypothesis]:
        """The cached translations of ``inputs`` under ``key`` (missing ones are left out)."""
        wanted = {entry_id(key, t): t for t in inputs}
        if not wanted:
            return {}
        conn = self._connect()
        found: dict[str, Hypothesis] = {}
        stale: list[bytes] = []
        now = time.time()
        ids = list(wanted)
        for i in range(0, len(ids), QUERY_CHUNK):
            chunk = ids[i : i + QUERY_CHUNK]
            rows = self._retry(
                lambda: conn.execute(
                    f"SELECT id, key, input, text, score, truncated, used FROM entries "
                    f"WHERE id IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            )
            for eid, k, inp, text, score, truncated, used in rows:
                if k != key or inp != wanted[eid]:
                    continue  # a hash collision: never serve another input's translation
                found[inp] = Hypothesis(text, score, bool(truncated))
                if used < now - TOUCH_INTERVAL_S:
                    stale.append(eid)
        if stale:
            try:
                self._write(lambda c: c.executemany("UPDATE entries SET used = ? WHERE id = ?", [(now, e) for e in stale]))
            except sqlite3.OperationalError as exc:  # a busy cache must not fail a translation
                log.warning("sentence cache %s: could not record use: %s", self.path, exc)
        return found

    def put_many(self, key: str, items: Sequence[tuple[str, Hypothesis]]) -> None:
        """Store translations of model inputs under ``key``, then evict down to the size cap."""
        if not items:
            return
        now = time.time()
        rows = [(entry_id(key, t), key, t, h.text, h.score, int(h.truncated), now, now) for t, h in items]

        def body(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO entries(id, key, input, text, score, truncated, created, used) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "key = excluded.key, input = excluded.input, text = excluded.text, score = excluded.score, "
                "truncated = excluded.truncated, used = excluded.used",
                rows,
            )
            (count,) = conn.execute("SELECT value FROM meta WHERE name = 'entries'").fetchone()
            if count > self.max_entries:
                # evict to 90 % of the cap, so eviction runs once per many puts, not on every one
                excess = count - int(self.max_entries * 0.9)
                conn.execute(
                    "DELETE FROM entries WHERE id IN (SELECT id FROM entries ORDER BY used LIMIT ?)", (excess,)
                )

        self._write(body)

    # -- maintenance -------------------------------------------------------------------------
    def __len__(self) -> int:
        conn = self._connect()
        return int(self._retry(lambda: conn.execute("SELECT value FROM meta WHERE name = 'entries'").fetchone())[0])

    def stats(self) -> CacheStats:
        """Entries, distinct translation keys, size on disk (WAL included), oldest and newest use."""
        conn = self._connect()
        keys, oldest, newest = self._retry(
            lambda: conn.execute("SELECT count(DISTINCT key), min(used), max(used) FROM entries").fetchone()
        )
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        return CacheStats(str(self.path), len(self), int(keys), size, self.max_entries, oldest, newest)

    def clear(self) -> int:
        """Delete every entry; returns how many there were. The file shrinks on the next VACUUM."""
        n = len(self)
        self._write(lambda c: c.execute("DELETE FROM entries"))
        try:
            self._connect().execute("VACUUM")
        except sqlite3.OperationalError as exc:  # another process is reading: the space is reused anyway
            log.info("sentence cache %s: VACUUM skipped: %s", self.path, exc)
        return n

    def __enter__(self) -> "SqliteSentenceCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteSentenceCache({str(self.path)!r}, max_entries={self.max_entries})"
