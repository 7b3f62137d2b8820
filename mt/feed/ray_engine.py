"""`mt batch --engine ray`: the same batch job on Ray Data, for archives that outgrow one machine.

What runs where:

* **the driver** (the `mt batch` process) keeps what makes the job exactly-once and reproducible,
  with the local engine's code (:class:`mt.feed.runner.BatchJob`): it checks OUT back as its ledger
  and writes the finished records and the errors file in feed order, fsynced. On a rerun it reads
  the windows already written itself (nothing to translate there) up to the first window with a
  record missing from OUT; Ray Data takes over from that window. Ray alone is at-least-once (a
  task is retried, a window in flight when the driver died is redone); the ledger makes the job
  exactly-once.
* **Ray Data** runs the rest as one streaming dataset, in feed order (``preserve_order``):

  1. *read tasks* read the feed window by window (:func:`mt.feed.windows.read_window`: a window is
     found from byte offsets alone, so no task needs another's output) and preprocess each window's
     records: repair, segmentation, token ids (:class:`mt.pipeline.Preparer`: the model's tokenizer,
     not its weights). They run on the driver's node, so the input needs no shared filesystem
     (stdin is first copied to a temporary file), and they are few (one per 16 translation
     threads), so the tokenizer and repair tables are loaded in few workers. Measured: as a
     separate map step, preprocessing ran in a fresh worker that loaded them again (4 s on the
     NTREX feed) while the actors waited;
  2. an *actor pool* (``--actors N``, each reserving ``--threads-per-actor K`` CPUs) translates:
     each actor holds one :class:`~mt.pipeline.Pipeline` built from the job's
     :class:`~mt.config.PipelineConfig` (``threads = K``) and the sentence cache, and translates a
     window's sentences in one call, so its batches, and OUT's bytes, are the local engine's.

Before any record is read, one task loads the model and gives the run's signature (a model that
does not load fails here, in one line); every actor checks that it translates with the same one.

The sentence cache: on a Ray started here (no address) every actor opens the same SQLite file
(``--cache`` or the default under the cache root), like several local `mt batch` processes. On a
cluster (``--ray-address``/``RAY_ADDRESS``) each actor opens the cache on its own node: ``--cache
PATH`` names that path on every node, the default is each node's own cache root. Nodes do not
share entries (SQLite's WAL mode needs a local disk, so do not point ``--cache`` at NFS). The
``cached`` flags in OUT do not depend on it (see :mod:`mt.feed.runner`); only the summary's
hit count does.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import pickle
import signal
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from mt.backends.base import ModelLoadError
from mt.feed.output import prepare_record, record_sentences
from mt.feed.reader import STDIN
from mt.feed.runner import Check, Prepared, WindowWork
from mt.feed.windows import Feed, FeedWindow, WindowKey, WindowSpec, read_window, spool_stdin

if TYPE_CHECKING:
    from mt.config import PipelineConfig

OBJECT_STORE_BYTES = 256 * 1024**2  # a local Ray's object store: windows and results are small
PREPROCESSED_THREADS = 16  # translation threads one preprocessing task keeps fed
WINDOWS_PER_READ = 4  # windows per read task, at least: fewer tasks, fewer cold workers (measured)
READ_TASKS = 2000  # at most this many read tasks (a huge archive packs more windows into each)
WAIT_S = 0.5  # how often the driver wakes while waiting (Ctrl-C and SIGTERM stay prompt)


class RayEngineError(ValueError):
    """The Ray engine cannot run (extra not installed, cluster unreachable, an actor lost); one line."""


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide: ``address`` None joins ``RAY_ADDRESS`` or starts a local Ray sized for
    this machine; ``actors``/``threads_per_actor`` None fill the cluster's CPUs (one actor per node)."""

    address: str | None = None
    actors: int | None = None
    threads_per_actor: int | None = None
    object_store_bytes: int = OBJECT_STORE_BYTES

    def __post_init__(self) -> None:
        for name in ("actors", "threads_per_actor"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise RayEngineError(f"--{name.replace('_', '-')} must be a whole number of at least 1, got {value!r}")


def import_ray() -> Any:
    """``ray`` (with Ray Data), or a one-line :class:`RayEngineError` saying how to install the extra."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
        import ray.data  # noqa: F401 - the [data] part of the extra
    except ImportError:
        raise RayEngineError(
            "--engine ray needs Ray Data, which is not installed: pip install 'newswire-mt[ray]' (or pip install 'ray[data]')"
        ) from None
    return ray


def start_local_ray(num_cpus: int | None = None, object_store_bytes: int = OBJECT_STORE_BYTES) -> str:
    """Start a Ray for this machine in this process (``num_cpus`` default: every core); returns its address.

    Small object store, no dashboard, no usage stats, quiet logs. Its workers run at this process's
    niceness: Ray's default (15) would hand the CPUs to every other program on a shared machine,
    where the local engine keeps its priority.
    """
    ray = import_ray()
    os.environ.setdefault("RAY_worker_niceness", str(os.getpriority(os.PRIO_PROCESS, 0)))
    ray.init(
        address="local",
        num_cpus=num_cpus or os.cpu_count() or 1,
        object_store_memory=object_store_bytes,
        include_dashboard=False,
        logging_level=logging.ERROR,
        log_to_driver=False,
    )
    return ray.get_runtime_context().gcs_address


# -- what runs on the cluster ---------------------------------------------------------------------
def _load_pipeline(config_json: str, cache_path: str | None = None, use_cache: bool = False, qa: bool = True) -> Any:
    from mt.config import PipelineConfig
    from mt.pipeline import Pipeline

    cache = None
    if use_cache:
        from mt.sentence_cache import SqliteSentenceCache

        cache = SqliteSentenceCache(cache_path)
    return Pipeline.from_config(PipelineConfig.from_json(config_json), cache=cache, qa=qa)


def pipeline_signature(config_json: str) -> str:
    """The signature of the pipeline ``config_json`` describes, as a node of the cluster builds it.

    Also loads the preparer in this worker, which Ray reuses for the first read and preprocessing
    tasks: the first window is preprocessed without waiting for a cold start.
    """
    _preparer(config_json)
    return _load_pipeline(config_json, qa=False).signature()


def read_windows(specs: Sequence[WindowSpec], config_json: str) -> Iterator[Any]:
    """Ray Data read task: read each window and preprocess its good records (repair, segmentation,
    token ids); one single-row block per window: its key, its items and its prepared articles.

    The preparer (tokenizer and repair tables) is loaded once per worker process and reused.
    """
    import pyarrow as pa

    preparer = _preparer(config_json)
    for spec in specs:
        items = read_window(spec).items
        prepared = [prepare_record(preparer, item.record) for item in items if item.record is not None]
        yield pa.table({"input": [spec.key[0]], "k": [spec.key[1]], "items": [pickle.dumps(items)],
                        "prepared": [pickle.dumps(prepared)]})


@functools.lru_cache(maxsize=2)
def _preparer(config_json: str) -> Any:
    from mt.config import PipelineConfig
    from mt.pipeline import Preparer

    return Preparer.from_config(PipelineConfig.from_json(config_json))


class TranslateWindows:
    """Ray Data actor: one Pipeline (and sentence cache); translates each window's sentences in one call."""

    def __init__(self, config_json: str, cache_path: str | None, use_cache: bool, signature: str):
        self.pipeline = _load_pipeline(config_json, cache_path, use_cache)
        mine = self.pipeline.signature()
        if mine != signature:
            raise RayEngineError(
                f"the Ray nodes translate differently (other package versions or model files): {signature} / {mine}"
            )

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        done = []
        for blob in batch["prepared"]:
            prepared: Prepared = pickle.loads(blob)
            self.pipeline.translate_sentences([s for hb in prepared for s in record_sentences(*hb)])
            done.append(pickle.dumps(prepared))
        return {**batch, "prepared": done}


def window_datasource(specs: Sequence[WindowSpec], config_json: str) -> Any:
    """A Ray Data datasource over planned windows (:func:`mt.feed.windows.plan_windows`), read and
    preprocessed as ``config_json`` says (:func:`read_windows`)."""
    from ray.data import Datasource, ReadTask
    from ray.data.block import BlockMetadata

    specs = list(specs)

    class Windows(Datasource):
        def estimate_inmemory_data_size(self) -> int:
            return sum(sum(n for _, n in s.files) if s.files else s.end - s.start for s in specs)

        def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None, data_context: Any = None) -> list:
            per_task = max(WINDOWS_PER_READ, math.ceil(len(specs) / READ_TASKS))
            tasks = []
            for i in range(0, len(specs), per_task):
                group = specs[i : i + per_task]
                meta = BlockMetadata(num_rows=len(group), size_bytes=None, exec_stats=None, input_files=None)
                tasks.append(ReadTask(functools.partial(read_windows, group, config_json), meta))
            return tasks

    return Windows()


# -- the driver -----------------------------------------------------------------------------------
class RayEngine:
    """A :class:`~mt.feed.runner.WindowEngine` on Ray Data (see the module doc).

    Connects (or starts a local Ray), sizes the actor pool, and loads the model once in a task to
    learn the signature (its errors surface here, before any record is read). Use as a context
    manager or ``close()``: a Ray started here is shut down.
    """

    def __init__(
        self,
        config: "PipelineConfig",
        options: RayOptions = RayOptions(),
        *,
        cache: str | None = None,
        no_cache: bool = False,
    ):
        self.ray = ray = import_ray()
        self.options = options
        self.caching = not no_cache
        self._started_here = False
        self._connect()
        try:
            self.cluster_cpus, node_cpus = self._cpus()
            threads = options.threads_per_actor or config.threads or max(1, min(node_cpus))
            fits = sum(n // threads for n in node_cpus)
            actors = options.actors or max(1, fits)
            if fits < actors:
                raise RayEngineError(
                    f"--actors {actors} x --threads-per-actor {threads} does not fit the Ray cluster "
                    f"(nodes with {', '.join(map(str, node_cpus))} CPUs); ask for fewer"
                )
            self.actors_count, self.threads_per_actor = actors, threads
            # a window's preprocessing takes about a twentieth of its translation on one thread: one
            # task at a time feeds ~16 translation threads (each new worker loads the tokenizer once)
            self.preprocessors = max(1, math.ceil(actors * threads / PREPROCESSED_THREADS))
            # --cache is a path as the driver names it (relative to its folder); without it a Ray
            # started here shares the driver's default file, a cluster's nodes each use their own
            self.cache_path = str(Path(cache).expanduser().absolute()) if cache else None
            if self.caching and self.cache_path is None and self._started_here:
                from mt.sentence_cache import default_cache_path

                self.cache_path = str(default_cache_path().absolute())
            self.config_json = config.replace(threads=threads).to_json()
            probe = ray.remote(num_cpus=threads, max_retries=0)(pipeline_signature)
            (self._signature,) = self._get([probe.remote(self.config_json)])
        except BaseException:
            self.close()
            raise

    # -- Ray -------------------------------------------------------------------------------------
    def _connect(self) -> None:
        ray = self.ray
        if ray.is_initialized():  # a library caller's own Ray: use it as it is
            return
        address = self.options.address or os.environ.get("RAY_ADDRESS") or None
        if address == "local":  # Ray's own word for "start one here"
            address = None
        sigterm = signal.getsignal(signal.SIGTERM)  # ray.init installs its own; the CLI's stays
        try:
            if address:
                ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
            else:
                start_local_ray(object_store_bytes=self.options.object_store_bytes)
                self._started_here = True
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f"join the Ray cluster at {address}" if address else "start a local Ray"
            raise RayEngineError(f"cannot {where}: {_first_line(exc)}") from None
        finally:
            if sigterm is not None and signal.getsignal(signal.SIGTERM) is not sigterm:
                try:
                    signal.signal(signal.SIGTERM, sigterm)
                except ValueError:  # not the main thread
                    pass

    def _cpus(self) -> tuple[int, list[int]]:
        nodes = [n for n in self.ray.nodes() if n.get("Alive")]
        cpus = [int(n.get("Resources", {}).get("CPU", 0)) for n in nodes]
        cpus = [c for c in cpus if c > 0] or [1]
        return sum(cpus), cpus

    def _get(self, refs: Sequence[Any]) -> list[Any]:
        """``ray.get`` that stays interruptible and turns remote failures into one-line errors."""
        pending = list(refs)
        while pending:
            _, pending = self.ray.wait(pending, num_returns=len(pending), timeout=WAIT_S)
        with self._remote_errors():
            return self.ray.get(list(refs))

    @contextlib.contextmanager
    def _remote_errors(self) -> Iterator[None]:
        """Remote failures as one line: the user's own (a model that does not load) as they are."""
        ray = self.ray
        try:
            yield
        except Exception as exc:  # noqa: BLE001 - Ray wraps remote errors in several layers
            cause = _user_error(exc, ray.exceptions.RayError)
            if cause is not None:
                raise cause from None
            if isinstance(exc, (ray.exceptions.RayActorError, ray.exceptions.ActorDiedError)):
                raise RayEngineError(f"a Ray translation actor was lost ({_first_line(exc)}); rerun the same command to continue") from None
            raise RayEngineError(f"the Ray job failed: {type(exc).__name__}: {_first_line(exc)}; rerun the same command to continue") from None

    # -- WindowEngine ----------------------------------------------------------------------------
    def signature(self) -> str:
        return self._signature

    def run(self, feed: Feed, check: Check) -> Iterator[tuple[WindowWork, Prepared | None]]:
        """The windows already written are read here; Ray Data reads and translates the rest."""
        spooled = None
        if STDIN in feed.inputs:
            spooled = spool_stdin()
            names = tuple(name if path != STDIN else "<stdin>" for path, name in zip(feed.inputs, feed.names or feed.inputs))
            feed = replace(feed, inputs=tuple(spooled if p == STDIN else p for p in feed.inputs), names=names)
        try:
            local = feed.windows()
            first: WindowWork | None = None
            for window in local:
                work = check(window)
                if work.pending:
                    first = work
                    break
                yield work, None
            local.close()
            if first is not None:
                yield from self._translated(feed, first, check)
        finally:
            if spooled is not None:
                os.unlink(spooled)

    def _translated(self, feed: Feed, first: WindowWork, check: Check) -> Iterator[tuple[WindowWork, Prepared]]:
        """Windows from ``first`` on, through Ray Data, checked against the ledger as they come, in order."""
        ds = self.dataset(list(feed.plan(first.window.key)))
        with self._quiet():
            with self._remote_errors():
                rows = iter(ds.iter_rows())
            while True:
                with self._remote_errors():
                    row = next(rows, None)
                if row is None:
                    return
                key: WindowKey = (int(row["input"]), int(row["k"]))
                work = first if key == first.window.key else check(FeedWindow(key, pickle.loads(row["items"])))
                yield work, pickle.loads(row["prepared"])

    def dataset(self, specs: Sequence[WindowSpec]) -> Any:
        """The Ray Data dataset of these windows: read and preprocess (tasks) -> translate (actor pool)."""
        ray = self.ray
        from ray.data import ActorPoolStrategy

        with self._quiet():
            ds = ray.data.read_datasource(
                window_datasource(specs, self.config_json),
                # read tasks also preprocess: short, overlapping the actors' translation (reserving a
                # core would idle it); on the driver's node, so the input needs no shared storage
                num_cpus=0,
                concurrency=self.preprocessors,
                label_selector={"ray.io/node-id": ray.get_runtime_context().get_node_id()},
            )
            return ds.map_batches(
                TranslateWindows,
                fn_constructor_kwargs={
                    "config_json": self.config_json,
                    "cache_path": self.cache_path,
                    "use_cache": self.caching,
                    "signature": self._signature,
                },
                batch_size=1,
                num_cpus=self.threads_per_actor,
                # one window at a time per actor: the next goes to whichever actor is free first
                compute=ActorPoolStrategy(size=self.actors_count, max_tasks_in_flight_per_actor=1),
                zero_copy_batch=False,
                max_restarts=0,  # a lost actor fails the run; the rerun continues from the ledger
            )

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[None]:
        """Ray Data in feed order, without progress bars or log lines on the user's terminal."""
        from ray.data import DataContext

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Ray Data's deprecation notices are not the user's business
            ctx = DataContext.get_current()
            options = ctx.execution_options
            saved = (options.preserve_order, options.actor_locality_enabled, ctx.enable_progress_bars, ctx.print_on_execution_start)
            logger = logging.getLogger("ray.data")
            level = logger.level
            ctx.execution_options.preserve_order = True
            ctx.execution_options.actor_locality_enabled = False  # windows are small; no location tracking
            ctx.enable_progress_bars = False
            ctx.print_on_execution_start = False
            logger.setLevel(logging.ERROR)
            try:
                yield
            finally:
                options.preserve_order, options.actor_locality_enabled, ctx.enable_progress_bars, ctx.print_on_execution_start = saved
                logger.setLevel(level)

    def describe(self) -> dict[str, Any]:
        return {"actors": self.actors_count, "threads_per_actor": self.threads_per_actor,
                "cluster_cpus": self.cluster_cpus, "local": self._started_here}

    def close(self) -> None:
        """Shut down a Ray started here (a joined cluster keeps running; Ray Data frees its actors)."""
        if self._started_here:
            self.ray.shutdown()
            self._started_here = False

    def __enter__(self) -> "RayEngine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _user_error(exc: BaseException, wrappers: type) -> BaseException | None:
    """The error of ours inside Ray's wrappers (``cause``, ``__cause__``, an actor's ``RayTaskError``)."""
    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, (ValueError, ModelLoadError)) and not isinstance(e, wrappers):
            return e  # RayEngineError, ConfigError, a model that does not load, ... (Ray's wrappers subclass them)
        todo += [getattr(e, "cause", None), e.__cause__, e.__context__, *[a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]]
    return None


__all__ = [
    "RayEngine",
    "RayEngineError",
    "RayOptions",
    "TranslateWindows",
    "import_ray",
    "pipeline_signature",
    "read_windows",
    "start_local_ray",
]
