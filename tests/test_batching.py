import pytest
from hypothesis import given
from hypothesis import strategies as st

from mt.batching import plan_batches


@given(st.lists(st.integers(1, 300), max_size=60), st.integers(1, 8), st.one_of(st.none(), st.integers(1, 900)))
def test_every_item_once_within_limits(lengths, batch_size, budget):
    batches = plan_batches(lengths, batch_size, budget)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) <= batch_size
        if budget is not None and len(b) > 1:
            assert max(lengths[i] for i in b) * len(b) <= budget


def test_longest_first_and_similar_lengths_together():
    assert plan_batches([5, 1, 3, 9, 2], batch_size=2) == [[3, 0], [2, 4], [1]]


def test_rejects_nonsense_limits():
    with pytest.raises(ValueError):
        plan_batches([1], batch_size=0)
