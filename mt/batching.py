"""Length-sorted batches under a sentence count and a padded-token budget; order restored by index."""

from __future__ import annotations

from typing import Sequence


def plan_batches(
    lengths: Sequence[int],
    batch_size: int | None = 16,
    max_batch_tokens: int | None = None,
    order: Sequence[int] | None = None,
) -> list[list[int]]:
    """Group item indices into batches of similar length, longest first.

    A batch holds at most ``batch_size`` items and, if ``max_batch_tokens`` is set, at most that
    many padded source tokens (longest item x item count). An item longer than the budget gets a
    batch of its own. ``order`` packs items in another order (e.g. by forced output length in
    benchmarks). Callers put results back in input order with the returned indices.
    """
    if batch_size is not None and batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    if max_batch_tokens is not None and max_batch_tokens < 1:
        raise ValueError("max_batch_tokens must be >= 1")
    if order is None:
        order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        n = max(lengths[i], 1)
        width = max(longest, n)
        full = batch_size is not None and len(current) >= batch_size
        over = max_batch_tokens is not None and width * (len(current) + 1) > max_batch_tokens
        if current and (full or over):
            batches.append(current)
            current, width = [], n
        current.append(i)
        longest = width
    if current:
        batches.append(current)
    return batches
