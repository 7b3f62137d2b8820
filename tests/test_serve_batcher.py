"""The micro-batcher on its own: pooling, the wait bound, order, per-request errors, the bounded queue."""

from __future__ import annotations

import asyncio
import threading

import pytest

from mt.serve.batcher import BatcherClosed, MicroBatcher, QueueFull


class Item:
    def __init__(self, text: str):
        self.text = text
        self.out: str | None = None


def upper(items) -> None:  # noqa: ANN001
    for item in items:
        if item.text == "bad":
            raise ValueError("bad input")
        item.out = item.text.upper()


def run(coro):  # noqa: ANN001, ANN201
    return asyncio.run(asyncio.wait_for(coro, 30))


def test_concurrent_requests_share_one_batch_in_arrival_order():
    calls: list[list[str]] = []

    def record(items) -> None:  # noqa: ANN001
        calls.append([i.text for i in items])
        upper(items)

    async def main() -> list[list[Item]]:
        batcher = MicroBatcher(record, max_cost=1000, max_wait=0.2, inflight=1)
        await batcher.start()
        jobs = [[Item(f"r{j}s{k}") for k in range(j + 1)] for j in range(5)]
        await asyncio.gather(*(batcher.submit(job, cost=len(job)) for job in jobs))
        await batcher.close()
        return jobs

    jobs = run(main())
    assert calls == [[i.text for job in jobs for i in job]]  # one pooled call, FIFO
    for job in jobs:  # every request gets its own items back, translated
        assert [i.out for i in job] == [i.text.upper() for i in job]


def test_token_budget_splits_batches_and_an_oversized_request_goes_alone():
    sizes: list[int] = []

    def record(items) -> None:  # noqa: ANN001
        sizes.append(len(items))
        upper(items)

    async def main() -> None:
        batcher = MicroBatcher(record, max_cost=4, max_wait=0.2, inflight=1)
        await batcher.start()
        jobs = [[Item("a")] for _ in range(6)] + [[Item("b") for _ in range(10)]]
        await asyncio.gather(*(batcher.submit(job, cost=len(job)) for job in jobs))
        await batcher.close()

    run(main())
    assert sizes == [4, 2, 10]


def test_a_lone_request_waits_at_most_max_wait_and_a_full_budget_not_at_all():
    waits: list[float] = []

    async def main() -> None:
        lone = MicroBatcher(upper, max_cost=1000, max_wait=0.02, observer=lambda j, n, w: waits.append(w))
        await lone.start()
        await lone.submit([Item("x")], cost=1)
        await lone.close()
        # a budget reached at once is dispatched without waiting for max_wait (an hour here)
        full = MicroBatcher(upper, max_cost=2, max_wait=3600)
        await full.start()
        await asyncio.gather(full.submit([Item("a")], cost=1), full.submit([Item("b")], cost=1))
        await full.close()

    run(main())
    assert 0.0 <= waits[0] < 1.0


def test_one_bad_request_fails_alone():
    async def main():  # noqa: ANN202
        batcher = MicroBatcher(upper, max_cost=1000, max_wait=0.2)
        await batcher.start()
        jobs = [[Item("a"), Item("b")], [Item("bad")], [Item("c")]]
        results = await asyncio.gather(*(batcher.submit(j, cost=len(j)) for j in jobs), return_exceptions=True)
        await batcher.close()
        return jobs, results

    jobs, results = run(main())
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], ValueError)
    assert [i.out for i in jobs[0]] == ["A", "B"] and jobs[2][0].out == "C"


def test_full_queue_refuses_cancelled_requests_leave_and_close_drains():
    release = threading.Event()
    seen: list[str] = []

    def blocking(items) -> None:  # noqa: ANN001
        release.wait(10)
        seen.extend(i.text for i in items)
        upper(items)

    async def main() -> None:
        batcher = MicroBatcher(blocking, max_cost=1, max_wait=0, queue_size=2, inflight=1)
        await batcher.start()
        first = asyncio.create_task(batcher.submit([Item("first")], cost=1))
        while batcher.busy == 0:  # the first request is on the engine
            await asyncio.sleep(0.005)
        gone = asyncio.create_task(batcher.submit([Item("gone")], cost=1))
        kept = asyncio.create_task(batcher.submit([Item("kept")], cost=1))
        await asyncio.sleep(0.01)
        assert batcher.depth == 2
        with pytest.raises(QueueFull):
            await batcher.submit([Item("over")], cost=1)
        gone.cancel()  # e.g. the client went away: its work leaves the queue
        await asyncio.sleep(0.01)
        assert batcher.depth == 1
        closing = asyncio.create_task(batcher.close())
        await asyncio.sleep(0.01)
        with pytest.raises(BatcherClosed):
            await batcher.submit([Item("late")], cost=1)
        release.set()
        await asyncio.gather(first, kept, closing)

    run(main())
    assert seen == ["first", "kept"]


def test_batches_run_in_parallel_up_to_inflight():
    running = 0
    peak = 0
    lock = threading.Lock()
    both = threading.Barrier(2, timeout=10)

    def work(items) -> None:  # noqa: ANN001
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        both.wait()  # would time out (BrokenBarrierError) if batches ran one at a time
        with lock:
            running -= 1
        upper(items)

    async def main() -> None:
        batcher = MicroBatcher(work, max_cost=1, max_wait=0, inflight=2)
        await batcher.start()
        await asyncio.gather(batcher.submit([Item("a")], cost=1), batcher.submit([Item("b")], cost=1))
        await batcher.close()

    run(main())
    assert peak == 2


def test_small_batches_wait_for_a_running_batch_instead_of_queueing_behind_it():
    release = threading.Event()
    calls: list[list[str]] = []

    def work(items) -> None:  # noqa: ANN001
        calls.append([i.text for i in items])
        if items[0].text == "long":
            release.wait(10)
        upper(items)

    async def main() -> None:
        batcher = MicroBatcher(work, max_cost=100, max_wait=0.001, inflight=2)
        await batcher.start()
        first = asyncio.create_task(batcher.submit([Item("long")], cost=1))
        while batcher.busy == 0:
            await asyncio.sleep(0.005)
        late = [asyncio.create_task(batcher.submit([Item(f"x{k}")], cost=1)) for k in range(3)]
        await asyncio.sleep(0.05)  # far past max_wait: still held, the engine is busy
        assert batcher.depth == 3
        release.set()
        await asyncio.gather(first, *late)
        await batcher.close()

    run(main())
    assert calls == [["long"], ["x0", "x1", "x2"]]
