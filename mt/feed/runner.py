"""`mt batch`'s engine: translate a feed into JSONL, resumable exactly once, with shared batches.

Records are grouped into windows by their byte offsets in the input (:mod:`mt.feed.windows`), so a
window holds the same records in every run and its batches are the same. A window is translated in one
:meth:`~mt.pipeline.Pipeline.translate_sentences` call (the sentence cache is filled before any of
its records is written), then its new records are appended to OUT in input order and fsynced.

On a rerun OUT is read back line by line while the feed is walked from the start: each line must
be the next good record (same uri, version, input hash and signature), and is skipped; when OUT
runs out, appending starts. A window that was half written is translated again in full (the
same batches, mostly cache hits) and only its missing records are written. The errors file is
kept the same way. So after any mix of kills and reruns OUT holds every good record once, in
input order, byte for byte what one uninterrupted run writes.

``cached`` in OUT's sentences is made reproducible: with a sentence cache it says "this sentence
already occurred earlier in this feed (among the last :data:`SEEN_SENTENCES` distinct ones), so
the model was not asked again"; it does not depend on what the cache held before the job, which
differs between a first run and a resumed one. The summary counts real cache hits.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, Sequence

from mt.document import Article
from mt.feed.ledger import JsonlLedger, LedgerError
from mt.feed.output import output_record, prepare_record, record_sentences
from mt.feed.reader import FeedItem, check_inputs
from mt.feed.windows import WINDOW_BYTES, Feed, FeedWindow
from mt.feed.records import RESERVED_FIELDS, URI_FIELDS, FeedRecord, canonical_json, input_hash

if TYPE_CHECKING:
    from mt.config import PipelineConfig
    from mt.pipeline import Pipeline, SentenceCache

SEEN_SENTENCES = 100_000  # distinct sentences remembered for the reproducible ``cached`` flag


@dataclass
class BatchSummary:
    """What a batch run did (``--summary`` writes it as JSON)."""

    records: int = 0  # input records seen (good and bad)
    written: int = 0  # output records written by this run
    skipped_existing: int = 0  # already in OUT from an earlier run
    failed: int = 0  # bad records (one line each in the errors file)
    sentences: int = 0  # sentences in the records written by this run
    sentences_cached: int = 0  # ... served by the sentence cache
    sentences_translated: int = 0  # ... that reached the model (a repeat within a window counts once)
    seconds: float = 0.0
    interrupted: bool = False
    output: str = ""
    errors: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        """The one-line summary printed at the end."""
        text = (
            f"{self.records} records: {self.written} written, {self.skipped_existing} already done, "
            f"{self.failed} failed; {self.sentences} sentences ({self.sentences_cached} cached, "
            f"{self.sentences_translated} translated) in {self.seconds:.1f} s"
        )
        if self.failed:
            text += f"; bad records listed in {self.errors}"
        return text


def default_errors_path(output: str | Path) -> Path:
    """``OUT.errors.jsonl`` beside OUT (``news.jsonl`` -> ``news.errors.jsonl``)."""
    out = Path(output)
    stem = out.name[: -len(".jsonl")] if out.name.endswith(".jsonl") else out.name
    return out.with_name(stem + ".errors.jsonl")


def check_paths(inputs: Sequence[str], output: str | Path, errors: str | Path, summary: str | Path | None) -> None:
    """Usage errors before any model is loaded: unreadable inputs, unusable output paths."""
    check_inputs(inputs)
    if str(output) == "-":
        raise LedgerError("-o must be a file: a rerun reads it back to continue where it stopped")
    named = {"-o": Path(output), "--errors": Path(errors)}
    if summary is not None:
        named["--summary"] = Path(summary)
    for option, path in named.items():
        if path.is_dir():
            raise LedgerError(f"{option} {path}: is a folder; give a file")
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise LedgerError(f"{option} {path}: folder {parent} does not exist")
        for src in inputs:
            if src != "-" and Path(src).exists() and path.exists() and path.samefile(src):
                raise LedgerError(f"{option} {path} is also an input")
    if Path(output).resolve() == Path(errors).resolve():
        raise LedgerError("-o and --errors must be different files")


Prepared = list[tuple[Article | None, Article]]  # (headline, body) per good record of a window, translated


@dataclass
class WindowWork:
    """A window as the ledger sees it: its good records (each with "already in OUT") and its new error lines."""

    window: FeedWindow
    records: list[tuple[FeedRecord, bool]]
    new_errors: list[str]

    @property
    def pending(self) -> bool:
        """Some good record is not in OUT yet: the window must be translated (in full, for its batches)."""
        return any(not done for _, done in self.records)


Check = Callable[[FeedWindow], WindowWork]


class WindowEngine(Protocol):
    """Where a feed's windows are read, preprocessed and translated (:class:`LocalEngine`: here).

    ``run`` yields every window of ``feed`` in order, with its translated articles, or None when
    ``check`` (the job's ledger, to be called once per window, in order, before it is translated)
    says all of it is already written. Reading the ledger and writing stay in the job's process,
    in order, whatever runs the work (mt.feed.ray_engine: Ray Data).
    """

    caching: bool  # a sentence cache is in use (turns on the reproducible ``cached`` flag)

    def signature(self) -> str: ...

    def run(self, feed: Feed, check: Check) -> Iterator[tuple[WindowWork, Prepared | None]]: ...


class LocalEngine:
    """The default :class:`WindowEngine`: each window in turn, in this process, with one Pipeline."""

    def __init__(self, pipeline: "Pipeline"):
        self.pipeline = pipeline
        self.caching = pipeline.cache is not None

    def signature(self) -> str:
        return self.pipeline.signature()

    def run(self, feed: Feed, check: Check) -> Iterator[tuple[WindowWork, Prepared | None]]:
        for window in feed.windows():
            work = check(window)
            yield work, translate_window(self.pipeline, [r for r, _ in work.records]) if work.pending else None


def translate_window(pipeline: "Pipeline", records: Sequence[FeedRecord]) -> Prepared:
    """Preprocess and translate the records of one window in one shared call (the same batches every run)."""
    prepared = [prepare_record(pipeline.preprocess, record) for record in records]
    pipeline.translate_sentences([s for headline, body in prepared for s in record_sentences(headline, body)])
    return prepared


class SeenSentences:
    """The last ``capacity`` distinct sentences of the feed, in feed order (bounded, deterministic)."""

    def __init__(self, capacity: int = SEEN_SENTENCES):
        self.capacity = capacity
        self._seen: OrderedDict[bytes, None] = OrderedDict()

    def visit(self, text: str) -> bool:
        """True when ``text`` was seen recently; either way it becomes the most recent."""
        h = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        seen = h in self._seen
        if seen:
            self._seen.move_to_end(h)
        else:
            self._seen[h] = None
            if len(self._seen) > self.capacity:
                self._seen.popitem(last=False)
        return seen


def _identity_of_line(entry: dict[str, Any]) -> tuple[str | None, str | None, str, Any]:
    fields = {k: v for k, v in entry.items() if k not in RESERVED_FIELDS}
    uri = next((str(fields[f]) for f in URI_FIELDS if fields.get(f) is not None), None)
    version = None if fields.get("version") is None else str(fields["version"])
    try:
        digest = input_hash(fields)
    except ValueError:
        digest = ""
    return uri, version, digest, entry.get("signature")


class BatchJob:
    """One run of a feed into OUT; :func:`run_batch` is the usual way in. ``summary`` is live."""

    def __init__(
        self,
        pipeline: "Pipeline | None",
        inputs: Sequence[str],
        output: str | Path,
        *,
        errors: str | Path | None = None,
        restart: bool = False,
        progress: Callable[[BatchSummary], None] | None = None,
        window_bytes: int = WINDOW_BYTES,
        engine: WindowEngine | None = None,
    ):
        if engine is None:
            if pipeline is None:
                raise ValueError("BatchJob needs a pipeline or an engine")
            engine = LocalEngine(pipeline)
        self.pipeline = pipeline
        self.engine = engine
        self.caching = engine.caching
        self.feed = Feed(tuple(inputs), window_bytes)
        self.output = Path(output)
        self.errors_path = Path(errors) if errors is not None else default_errors_path(output)
        self.restart = restart
        self.progress = progress
        self.summary = BatchSummary(output=str(self.output), errors=str(self.errors_path))
        self.signature = engine.signature()
        self.seen = SeenSentences()
        self.notes: list[str] = []  # things worth telling the user (a repaired torn line)
        self._good = 0  # good records checked so far

    def run(self) -> BatchSummary:
        start = time.perf_counter()
        try:
            with JsonlLedger(self.output, restart=self.restart) as out, JsonlLedger(
                self.errors_path, restart=self.restart
            ) as err:
                for ledger in (out, err):
                    if ledger.repaired_bytes:
                        self.notes.append(f"{ledger.path}: dropped a torn last line ({ledger.repaired_bytes} bytes)")
                self._walk(out, err)
        except BaseException:
            self.summary.interrupted = True
            raise
        finally:
            self.summary.seconds = round(time.perf_counter() - start, 3)
        return self.summary

    # -- the walk ------------------------------------------------------------------------------
    def _walk(self, out: JsonlLedger, err: JsonlLedger) -> None:
        self._out, self._err = out, err
        for work, prepared in self.engine.run(self.feed, self._check):
            self._write(work, prepared)
        if out.reading and out.next_entry() is not None:
            raise LedgerError(
                f"{self.output} holds more records than the feed has ({out.lines_read} lines read back); "
                f"it was written from another feed: use --restart or another -o"
            )
        err.truncate_here()  # error lines past the feed's end are stale

    def _check(self, window: FeedWindow) -> WindowWork:
        """Hold a window's items against the ledgers: which records are written, which errors are new."""
        out, err = self._out, self._err
        work = WindowWork(window, [], [])
        for item in window.items:
            self.summary.records += 1
            if item.error is not None:
                self.summary.failed += 1
                line = canonical_json(item.error.to_dict())
                if err.reading:
                    prev = err.next_entry()
                    if prev is not None and canonical_json(prev) == line:
                        continue
                    err.truncate_here()  # the errors file disagrees from here: rewrite the rest
                work.new_errors.append(line)
                continue
            record = item.record
            assert record is not None
            self._good += 1
            done = False
            if out.reading:
                prev = out.next_entry()
                if prev is not None:
                    self._check_written(prev, record, item, self._good)
                    self._replay(prev)
                    done = True
                    self.summary.skipped_existing += 1
            work.records.append((record, done))
        return work

    def _check_written(self, entry: dict[str, Any], record: FeedRecord, item: FeedItem, n: int) -> None:
        uri, version, digest, signature = _identity_of_line(entry)
        if (uri, version, digest) != record.identity:
            raise LedgerError(
                f"{self.output}: line {n} holds uri {uri!r} version {version!r}, but good record {n} of the feed "
                f"({item.source}, line {item.line}) is uri {record.uri!r} version {record.version!r}"
                + ("" if (uri, version) != (record.uri, record.version) else " with other content")
                + ": OUT was written from another feed; use --restart or another -o"
            )
        if signature != self.signature:
            raise LedgerError(
                f"{self.output}: line {n} was translated with other settings or another model "
                f"({signature!r}); use --restart or another -o"
            )

    def _replay(self, entry: dict[str, Any]) -> None:
        """Bring the ``cached`` bookkeeping to where the earlier run left it."""
        if not self.caching:
            return
        for s in entry.get("translation", {}).get("sentences", []):
            self.seen.visit(s.get("repaired", ""))

    def _write(self, work: WindowWork, prepared: Prepared | None) -> None:
        """Append a window's new records (in feed order) and its new error lines."""
        lines: list[str] = []
        if prepared is not None:
            fresh: set[tuple[str, ...]] = set()
            for (record, done), (headline, body) in zip(work.records, prepared):
                if not done:
                    lines.append(self._line(record, headline, body, fresh))
        self._err.append(work.new_errors)
        self._out.append(lines)
        if self.progress is not None:
            self.progress(self.summary)

    def _line(self, record: FeedRecord, headline: Article | None, body: Article, fresh: set[tuple[str, ...]]) -> str:
        use_cache = self.caching
        for s in record_sentences(headline, body):
            self.summary.sentences += 1
            if s.cached:
                self.summary.sentences_cached += 1
            elif tuple(s.model_inputs) not in fresh:
                fresh.add(tuple(s.model_inputs))
                self.summary.sentences_translated += 1
            s.cached = use_cache and self.seen.visit(s.repaired)
        self.summary.written += 1
        return canonical_json(output_record(record, headline, body, self.signature))


def run_batch(
    inputs: Sequence[str],
    output: str | Path,
    config: "PipelineConfig | None" = None,
    *,
    pipeline: "Pipeline | None" = None,
    cache: "SentenceCache | None" = None,
    errors: str | Path | None = None,
    summary: str | Path | None = None,
    restart: bool = False,
    progress: Callable[[BatchSummary], None] | None = None,
    window_bytes: int = WINDOW_BYTES,
) -> BatchSummary:
    """Translate the records of ``inputs`` (JSONL files, ``-``, folders) into ``output`` (JSONL).

    Give a ``config`` (a pipeline is built with ``cache``) or a ready ``pipeline``. Reruns continue
    where the last run stopped (``restart`` starts over). Bad records go to ``errors`` (default
    ``OUT.errors.jsonl``); ``summary`` gets the :class:`BatchSummary` as JSON, also when interrupted.
    """
    errors_path = Path(errors) if errors is not None else default_errors_path(output)
    check_paths(inputs, output, errors_path, summary)
    if pipeline is None:
        from mt.config import PipelineConfig
        from mt.pipeline import Pipeline

        pipeline = Pipeline.from_config(config or PipelineConfig(), cache=cache)
    job = BatchJob(pipeline, inputs, output, errors=errors_path, restart=restart, progress=progress, window_bytes=window_bytes)
    try:
        return job.run()
    finally:
        if summary is not None:
            write_summary(job.summary, summary)


def write_summary(summary: BatchSummary, path: str | Path) -> None:
    import json
    import os

    tmp = Path(f"{path}.tmp")
    tmp.write_text(json.dumps(summary.to_dict(), indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


__all__ = [
    "BatchJob",
    "BatchSummary",
    "LedgerError",
    "LocalEngine",
    "SeenSentences",
    "WINDOW_BYTES",
    "WindowEngine",
    "WindowWork",
    "default_errors_path",
    "run_batch",
    "translate_window",
]
