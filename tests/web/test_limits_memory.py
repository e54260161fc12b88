"""The per-process rate-limit store (``certsvc-memory://``, what ``memory://`` counts in): the same
refusals and counts as limits' own memory store, windows that end, memory that stays bounded."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from certsvc.web import limits_memory
from certsvc.web.limits_memory import ProcessMemoryStorage

HITS = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(1, 3), st.sampled_from([1, 2, 5])),
    min_size=1,
    max_size=40,
)


class FakeClock:
    """A ``time`` module stand-in whose ``time()`` the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(limits_memory, "time", fake)
    return fake


@given(hits=HITS)
@settings(max_examples=100, deadline=None)
def test_counts_as_limits_memory_store_does(hits: list[tuple[str, int, int]]) -> None:
    """Hit by hit, the fixed-window strategy allows, refuses and reports the same remaining budget
    on this store as on limits' memory:// store."""
    ours = FixedWindowRateLimiter(ProcessMemoryStorage())
    reference = FixedWindowRateLimiter(MemoryStorage())
    for key, cost, amount in hits:
        item = RateLimitItemPerMinute(amount)
        assert ours.hit(item, key, cost=cost) == reference.hit(item, key, cost=cost)
        assert ours.get_window_stats(item, key).remaining == reference.get_window_stats(item, key).remaining


def test_a_window_ends_after_its_period_and_says_when(clock: FakeClock) -> None:
    """A spent budget is refused until its window ends (the reset time it reports), then granted again."""
    strategy = FixedWindowRateLimiter(ProcessMemoryStorage())
    item = RateLimitItemPerMinute(2)
    assert [strategy.hit(item, "client") for _ in range(3)] == [True, True, False]
    assert strategy.get_window_stats(item, "client").reset_time == clock.now + 60
    clock.now += 59.9
    assert not strategy.hit(item, "client")
    clock.now += 0.2
    assert strategy.hit(item, "client")
    assert strategy.get_window_stats(item, "client").remaining == 1


def test_ended_windows_do_not_accumulate(clock: FakeClock) -> None:
    """Windows of clients that stopped calling are dropped (here: 1,000 ended windows, then one new
    hit after the sweep interval leaves one window held)."""
    storage = ProcessMemoryStorage()
    for client in range(1000):
        storage.incr(f"client-{client}", 60)
    clock.now += 60 + limits_memory.SWEEP_SECONDS
    storage.incr("client-new", 60)
    assert storage.reset() == 1


def test_the_scheme_builds_this_store() -> None:
    """``certsvc-memory://`` in a storage URI (what Flask-Limiter reads) gives this store."""
    assert isinstance(storage_from_string(f"{limits_memory.SCHEME}://"), ProcessMemoryStorage)
