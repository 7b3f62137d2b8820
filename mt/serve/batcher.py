"""The micro-batcher: work from concurrent requests pooled into shared model batches.

Each request submits its own items (the sentences of its texts) as one job. A collector task takes
jobs in arrival order into one batch until their cost (source tokens) reaches the budget or the
first job has waited ``max_wait`` seconds, whichever comes first, so a lone request waits no longer
than that. Batches run in worker threads (``inflight`` at once: one per engine replica), off the
event loop; while they run, new jobs queue and form the next batch (a second batch joins a running
one only once it holds half the budget, so small groups of clients do not drift out of step into
ever smaller batches). The queue is bounded
(:class:`QueueFull` when it is full). If a pooled batch fails, each of its jobs is run again on its
own, so one bad request never fails the others; each request gets its own items back, in place.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Generic, Sequence, TypeVar

T = TypeVar("T")

BatchObserver = Callable[[int, int, float], None]  # (jobs, items, seconds the oldest job waited)


class QueueFull(Exception):
    """The queue of waiting requests is full: answer 503 and ask the client to retry later."""


class BatcherClosed(Exception):
    """The batcher is draining or stopped and takes no new work."""


@dataclass(eq=False)
class _Job(Generic[T]):
    items: Sequence[T]
    cost: int
    future: asyncio.Future
    enqueued: float = field(default_factory=time.monotonic)


class MicroBatcher(Generic[T]):
    """Pools the items of concurrent :meth:`submit` calls into calls of ``run(items)``.

    ``run`` does the work in place on the items (e.g. ``Pipeline.translate_sentences``) and is
    called from worker threads, up to ``inflight`` at once. Start it with :meth:`start` inside the
    event loop, stop it with :meth:`close` (which finishes all queued work first).
    """

    def __init__(
        self,
        run: Callable[[Sequence[T]], object],
        *,
        max_cost: int = 2048,
        max_wait: float = 0.005,
        queue_size: int = 256,
        inflight: int = 1,
        observer: BatchObserver | None = None,
    ):
        if max_cost < 1 or queue_size < 1 or inflight < 1 or max_wait < 0:
            raise ValueError("max_cost, queue_size and inflight must be >= 1, max_wait >= 0")
        self.run = run
        self.max_cost = max_cost
        self.max_wait = max_wait
        self.queue_size = queue_size
        self.inflight = inflight
        self.observer = observer
        self._queue: list[_Job[T]] = []  # FIFO; short (bounded by queue_size)
        self._executor: ThreadPoolExecutor | None = None
        self._task: asyncio.Task | None = None
        self._wakeup: asyncio.Event | None = None
        self._slots: asyncio.Semaphore | None = None
        self._running: set[asyncio.Task] = set()
        self._active = 0  # batches on the engine (counted down before their task ends)
        self._closing = False

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the collector on the running event loop."""
        if self._task is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=self.inflight, thread_name_prefix="mt-batch")
        self._wakeup = asyncio.Event()
        self._slots = asyncio.Semaphore(self.inflight)
        self._task = asyncio.create_task(self._collect_forever(), name="mt-batcher")

    async def close(self) -> None:
        """Take no new work, finish what is queued and running, then stop the worker threads."""
        self._closing = True
        if self._task is None:
            return
        self._wakeup.set()
        await self._task
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        self._executor.shutdown(wait=True)
        self._task = None

    @property
    def closing(self) -> bool:
        return self._closing

    @property
    def depth(self) -> int:
        """Requests waiting for a batch (not yet running)."""
        return len(self._queue)

    @property
    def busy(self) -> int:
        """Batches running now."""
        return len(self._running)

    # -- requests -----------------------------------------------------------------------------
    async def submit(self, items: Sequence[T], cost: int) -> None:
        """Have ``items`` processed in a shared batch; returns when they are done (in place).

        Raises :class:`QueueFull` when ``queue_size`` requests already wait, :class:`BatcherClosed`
        when draining, or the error ``run`` raised for these items. If the caller is cancelled
        (time-out, client gone) before its batch starts, its items are dropped from the queue.
        """
        if not items:
            return
        if self._closing or self._task is None:
            raise BatcherClosed("the service is shutting down")
        if len(self._queue) >= self.queue_size:
            raise QueueFull(f"too many requests waiting ({self.queue_size}); try again shortly")
        job = _Job(items, max(1, int(cost)), asyncio.get_running_loop().create_future())
        self._queue.append(job)
        self._wakeup.set()
        try:
            await job.future
        except asyncio.CancelledError:
            if job in self._queue:
                self._queue.remove(job)
            raise

    # -- the collector ------------------------------------------------------------------------
    async def _collect_forever(self) -> None:
        while True:
            await self._slots.acquire()
            jobs = await self._next_batch()
            if not jobs:  # closing and nothing left
                self._slots.release()
                return
            task = asyncio.create_task(self._dispatch(jobs))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _next_batch(self) -> list[_Job[T]]:
        """Wait for a first job, then for more until the budget is full or its wait is over."""
        while not self._queue:
            if self._closing:
                return []
            self._wakeup.clear()
            await self._wakeup.wait()
        deadline = self._queue[0].enqueued + self.max_wait
        while not self._closing and self._queued_cost() < self.max_cost:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), remaining)
            except TimeoutError:
                break
        # While another batch is on the engine, a small batch would only queue behind it and keep
        # the clients it answers out of step: gather until half the budget or that batch is done.
        while self._active and not self._closing and self._queued_cost() < self.max_cost // 2:
            self._wakeup.clear()
            await self._wakeup.wait()
        batch: list[_Job[T]] = []
        cost = 0
        while self._queue:
            job = self._queue[0]
            if batch and cost + job.cost > self.max_cost:
                break
            self._queue.pop(0)
            if job.future.done():  # the caller gave up
                continue
            batch.append(job)
            cost += job.cost
        return batch

    def _queued_cost(self) -> int:
        return sum(j.cost for j in self._queue)

    async def _dispatch(self, jobs: list[_Job[T]]) -> None:
        loop = asyncio.get_running_loop()
        self._active += 1
        try:
            items = [item for job in jobs for item in job.items]
            if self.observer is not None:
                self.observer(len(jobs), len(items), time.monotonic() - jobs[0].enqueued)
            try:
                await loop.run_in_executor(self._executor, self.run, items)
            except Exception as exc:  # noqa: BLE001 - isolate: run each job on its own
                if len(jobs) == 1:
                    _settle(jobs[0].future, exc)
                    return
                for job in jobs:
                    if job.future.done():
                        continue
                    try:
                        await loop.run_in_executor(self._executor, self.run, list(job.items))
                    except Exception as own:  # noqa: BLE001 - this job's own error
                        _settle(job.future, own)
                    else:
                        _settle(job.future, None)
                return
            for job in jobs:
                _settle(job.future, None)
        finally:
            self._active -= 1
            self._slots.release()
            self._wakeup.set()  # a collector holding back a small batch may go now


def _settle(future: asyncio.Future, error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
