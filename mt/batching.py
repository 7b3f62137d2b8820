"""The one batch planner: length-sorted batches under a sentence count, a padded-token budget and
the engine's job limits; callers put results back in input order with the returned indices."""

from __future__ import annotations

from typing import Sequence

from mt.backends.base import JobLimits


def plan_batches(
    lengths: Sequence[int],
    batch_size: int | None = 16,
    max_batch_tokens: int | None = None,
    order: Sequence[int] | None = None,
    *,
    limits: JobLimits | None = None,
    beam_size: int = 1,
    max_target: int | None = None,
) -> list[list[int]]:
    """Group item indices into batches of similar length, longest first.

    A batch holds at most ``batch_size`` items and, if ``max_batch_tokens`` is set, at most that
    many padded source tokens (longest item x item count). ``limits`` adds the engine's caps on one
    job: rows x ``beam_size`` hypotheses, and rows x beams x (longest source + expected target, the
    source length capped at ``max_target``) decoding positions. An item over a budget gets a batch
    of its own. When there are fewer batches than ``limits.parallelism``, the largest are halved so
    every replica gets work (a lone article's latency). ``order`` packs items in another order
    (benchmarks pack by forced output length).
    """
    if batch_size is not None and batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    if max_batch_tokens is not None and max_batch_tokens < 1:
        raise ValueError("max_batch_tokens must be >= 1")
    beam = max(1, beam_size)
    max_rows = batch_size
    max_positions = None
    parallelism = 1
    if limits is not None:
        if limits.max_hypotheses:
            cap = max(1, limits.max_hypotheses // beam)
            max_rows = cap if max_rows is None else min(max_rows, cap)
        max_positions = limits.max_positions
        parallelism = max(1, limits.parallelism)
    if order is None:
        order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))

    def extent(n: int) -> int:
        return n + (min(n, max_target) if max_target is not None else n)

    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        n = max(lengths[i], 1)
        width = max(longest, n)
        rows = len(current) + 1
        full = max_rows is not None and len(current) >= max_rows
        over = max_batch_tokens is not None and width * rows > max_batch_tokens
        too_big = max_positions is not None and rows * beam * extent(width) > max_positions
        if current and (full or over or too_big):
            batches.append(current)
            current, width = [], n
        current.append(i)
        longest = width
    if current:
        batches.append(current)
    while 0 < len(batches) < parallelism:
        k = max(range(len(batches)), key=lambda j: len(batches[j]))
        if len(batches[k]) < 2:
            break
        half = -(-len(batches[k]) // 2)
        batches[k : k + 1] = [batches[k][:half], batches[k][half:]]
    return batches
