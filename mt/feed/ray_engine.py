"""`mt batch --engine ray`: the same batch job, with the translation work spread over a Ray cluster.

What runs where:

* **the driver** (the `mt batch` process) does what makes the job exactly-once and reproducible,
  exactly as the local engine does, with the same code (:class:`mt.feed.runner.BatchJob`): it
  reads the feed, checks OUT back as its ledger, cuts the feed into the same windows, and writes
  the finished records and the errors file in input order, fsynced. Ray alone is at-least-once;
  the ledger makes the job exactly-once: a window whose records never reached OUT (the driver was
  killed, an actor died) is simply submitted again by the next run.
* **an actor pool** (``--actors N``, each reserving ``--threads-per-actor K`` CPUs): each actor
  holds one :class:`~mt.pipeline.Pipeline` built from the job's
  :class:`~mt.config.PipelineConfig` (with ``threads = K``) and the sentence cache, and turns a
  window of records into translated articles: preprocessing (repair, segmentation, model inputs,
  token ids; it needs the model's tokenizer, so it runs beside it) and translation in one shared
  call, the local engine's :func:`~mt.feed.runner.translate_window`. An actor takes two windows at
  a time, so one is preprocessed while the other is on the model's cores.

The driver keeps ``2 x actors`` windows in flight and takes the results in submission order (a
window is ~40,000 characters, so the buffer is small). Each window is translated in one call
whatever actor takes it, so its batches, and OUT's bytes, are those of the local engine. The
signature comes from the actors, so it records the versions that really translated.

The sentence cache: on a Ray started here (no address) every actor opens the same SQLite file
(``--cache`` or the default under the cache root), like several local `mt batch` processes. On a
cluster (``--ray-address``/``RAY_ADDRESS``) each actor opens the cache on its own node: ``--cache
PATH`` names that path on every node, the default is each node's own cache root. Nodes do not
share entries (SQLite's WAL mode needs a local disk, so do not point ``--cache`` at NFS). The
``cached`` flags in OUT do not depend on it (see :mod:`mt.feed.runner`); only the summary's
hit count does.
"""

from __future__ import annotations

import logging
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from mt.backends.base import ModelLoadError
from mt.feed.records import FeedRecord
from mt.feed.runner import Prepared, translate_window

if TYPE_CHECKING:
    from mt.config import PipelineConfig

OBJECT_STORE_BYTES = 256 * 1024**2  # a local Ray's object store: windows and results are small
WINDOWS_PER_ACTOR = 2  # one being preprocessed while the other is on the model
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
    """``ray``, or a one-line :class:`RayEngineError` saying how to install the extra."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
    except ImportError:
        raise RayEngineError(
            "--engine ray needs Ray, which is not installed: pip install 'newswire-mt[ray]' (or pip install 'ray[data]')"
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


class WindowActor:
    """One Pipeline (and sentence cache) in a Ray actor; :func:`translate_window` on request."""

    def __init__(self, config_json: str, cache_path: str | None, use_cache: bool):
        from mt.config import PipelineConfig
        from mt.pipeline import Pipeline

        self.error: Exception | None = None  # raised by signature(): a failed __init__ would lose its type
        try:
            cache = None
            if use_cache:
                from mt.sentence_cache import SqliteSentenceCache

                cache = SqliteSentenceCache(cache_path)
            self.pipeline = Pipeline.from_config(PipelineConfig.from_json(config_json), cache=cache)
        except Exception as exc:  # noqa: BLE001 - handed to the driver as it is
            self.error = exc

    def signature(self) -> str:
        if self.error is not None:
            raise self.error
        return self.pipeline.signature()

    def translate(self, records: list[FeedRecord]) -> Prepared:
        return translate_window(self.pipeline, records)


class RayWindows:
    """A :class:`~mt.feed.runner.WindowTranslator` over a pool of :class:`WindowActor` on Ray.

    Connects (or starts a local Ray), starts the actors and waits until each has loaded the model
    (its errors surface here, before any record is read). Use as a context manager or ``close()``:
    actors are released, and a Ray started here is shut down.
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
            self.lookahead = WINDOWS_PER_ACTOR * actors
            # --cache is a path as the driver names it (relative to its folder); without it a Ray
            # started here shares the driver's default file, a cluster's nodes each use their own
            cache_path = str(Path(cache).expanduser().absolute()) if cache else None
            if self.caching and cache_path is None and self._started_here:
                from mt.sentence_cache import default_cache_path

                cache_path = str(default_cache_path().absolute())
            remote = ray.remote(num_cpus=threads, max_concurrency=WINDOWS_PER_ACTOR, max_restarts=0)(WindowActor)
            body = config.replace(threads=threads).to_json()
            self._actors = [remote.remote(body, cache_path, self.caching) for _ in range(actors)]
            signatures = set(self._get([a.signature.remote() for a in self._actors]))
            if len(signatures) != 1:
                raise RayEngineError(
                    "the Ray nodes translate differently (other package versions or model files): "
                    + " / ".join(sorted(signatures))
                )
            self._signature = signatures.pop()
            self._load = [0] * actors
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
            raise RayEngineError(f"cannot {where}: {str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}") from None
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
        ray = self.ray
        pending = list(refs)
        while pending:
            _, pending = ray.wait(pending, num_returns=len(pending), timeout=WAIT_S)
        try:
            return ray.get(list(refs))
        except ray.exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, (ValueError, ModelLoadError)):  # the user's to fix: a model that does not load, ...
                raise cause from None
            raise RayEngineError(f"a Ray translation actor failed: {type(cause or exc).__name__}: {cause or exc}") from None
        except ray.exceptions.RayActorError as exc:
            cause = getattr(exc, "cause", None) or exc
            text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
            raise RayEngineError(
                f"a Ray translation actor was lost ({text}); rerun the same command to continue"
            ) from None

    # -- WindowTranslator ------------------------------------------------------------------------
    def signature(self) -> str:
        return self._signature

    def submit(self, records: list[FeedRecord]) -> tuple[int, Any]:
        k = min(range(len(self._actors)), key=lambda i: (self._load[i], i))
        self._load[k] += 1
        return k, self._actors[k].translate.remote(records)

    def result(self, handle: tuple[int, Any]) -> Prepared:
        k, ref = handle
        try:
            (prepared,) = self._get([ref])
        finally:
            self._load[k] -= 1
        return prepared

    def describe(self) -> dict[str, Any]:
        return {"actors": self.actors_count, "threads_per_actor": self.threads_per_actor,
                "cluster_cpus": self.cluster_cpus, "local": self._started_here}

    def close(self) -> None:
        """Release the actors; shut down a Ray started here (a joined cluster keeps running)."""
        ray = self.ray
        for actor in getattr(self, "_actors", []):
            try:
                ray.kill(actor)
            except Exception:  # noqa: BLE001 - already gone
                pass
        self._actors = []
        if self._started_here:
            ray.shutdown()
            self._started_here = False

    def __enter__(self) -> "RayWindows":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["RayEngineError", "RayOptions", "RayWindows", "WindowActor", "import_ray", "start_local_ray"]
