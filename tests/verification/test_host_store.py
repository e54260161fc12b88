"""The host-wide rate-limit store (``certsvc-host:///path``): one budget per client for every process
on a host, counted exactly as limits' fixed-window strategy counts, kept across restarts, and
never mixing up two clients' windows in its fixed table."""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import sys
import threading
import uuid
from collections.abc import Iterator
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from unittest import mock

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from limits import RateLimitItemPerSecond
from limits.errors import ConfigurationError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from certsvc.runtime import Runtime
from certsvc.web.host_storage import FORMAT_VERSION, SCHEME, HostFileStorage, key_hash
from certsvc.web.limits_storage import FixedWindowMemoryStorage, WindowCount, WindowHit, hit_windows
from tests.verification.conftest import Issued
from tests.verification.test_budget_stores import _app, _client_of_its_own

START = 1_000_000.0
FOREVER = 3600


class FakeClock:
    """A ``time.time`` the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def _uri(path: Path) -> str:
    return f"{SCHEME}://{path}"


@pytest.fixture
def limits_file(tmp_path: Path) -> Path:
    return tmp_path / "limits.bin"


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def tiny(limits_file: Path, fake_clock: FakeClock) -> Iterator[HostFileStorage]:
    """A table of 8 slots whose probe ranges cover all of it, so that 8 live windows fill it."""
    store = HostFileStorage(_uri(limits_file), slots=8, probe=8, clock=fake_clock)
    yield store
    store.close()


def _hit(store: HostFileStorage, key: str, expiry: int = FOREVER, cost: int = 1) -> WindowCount:
    _, counts = hit_windows(store, [WindowHit(key, expiry, cost, 10**9)])
    return counts[0]


def _keys_with_home(slot: int, slots: int, count: int) -> list[str]:
    """Keys whose probe ranges start at the same slot (chosen by the store's own hash)."""
    found = []
    for number in range(100_000):
        key = f"client-{number}"
        if key_hash(key) % slots == slot:
            found.append(key)
            if len(found) == count:
                return found
    raise AssertionError("no such keys")


# --- one step counts exactly as limits' fixed-window strategy, hit by hit ------------------------
HIT = st.tuples(
    st.sampled_from(["a", "b", "c"]),  # client
    st.integers(1, 3),  # cost
    st.sampled_from([1, 2, 5]),  # limit
    st.sampled_from([1, 2, 5]),  # window, seconds
)
STEP = st.one_of(
    st.lists(HIT, min_size=1, max_size=4),
    st.sampled_from([0.5, 1.0, 2.0, 5.0]),  # the clock moves on
)

Hit = tuple[str, int, int, int]


def _limits_one_by_one(strategy: FixedWindowRateLimiter, hits: list[Hit]) -> tuple[int | None, list[int]]:
    used = []
    for index, (client, cost, amount, seconds) in enumerate(hits):
        item = RateLimitItemPerSecond(amount, seconds)
        allowed = strategy.hit(item, client, cost=cost)
        used.append(min(amount - strategy.get_window_stats(item, client).remaining, amount))
        if not allowed:
            return index, used
    return None, used


def _windows(hits: list[Hit]) -> list[WindowHit]:
    return [
        WindowHit(RateLimitItemPerSecond(amount, seconds).key_for(client), seconds, cost, amount)
        for client, cost, amount, seconds in hits
    ]


@given(steps=st.lists(STEP, min_size=1, max_size=15))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_one_lock_counts_as_limits_and_the_process_store_do(
    tmp_path: Path, steps: list[list[Hit] | float]
) -> None:
    """Requests and passing time give the same refusals and counts as limits' FixedWindowRateLimiter
    on memory:// taking the budgets one by one, and the same counts and window ends as the
    process-local store, windows ending included."""
    clock = FakeClock()
    ours = HostFileStorage(_uri(tmp_path / f"{uuid.uuid4().hex}.bin"), slots=1024, clock=clock)
    try:
        with mock.patch("time.time", clock):
            per_process = FixedWindowMemoryStorage()
            reference = FixedWindowRateLimiter(MemoryStorage())
            for step in steps:
                if isinstance(step, float):
                    clock.now += step
                    continue
                windows = _windows(step)
                refused, counts = hit_windows(ours, windows)
                assert (refused, counts) == hit_windows(per_process, windows)
                visible = [
                    min(count.used, window.limit) for count, window in zip(counts, windows, strict=False)
                ]
                assert (refused, visible) == _limits_one_by_one(reference, step)
    finally:
        ours.close()


def test_limits_storage_api_reads_the_windows(limits_file: Path, fake_clock: FakeClock) -> None:
    """incr/get/get_expiry (what limits' strategies call) read and write the same windows."""
    store = HostFileStorage(_uri(limits_file), clock=fake_clock)
    limiter = FixedWindowRateLimiter(store)
    item = RateLimitItemPerSecond(2, 10)
    assert [limiter.hit(item, "client") for _ in range(3)] == [True, True, False]
    stats = limiter.get_window_stats(item, "client")
    assert stats.remaining == 0
    assert stats.reset_time == START + 10
    fake_clock.now += 10
    assert store.get(item.key_for("client")) == 0
    assert store.get_expiry(item.key_for("client")) == START + 10
    assert limiter.hit(item, "client")
    assert store.check()


# --- shared between processes and threads ---------------------------------------------------------
LIMIT = 6000
HITS_PER_WORKER = 3000
WORKERS = 4


def _spend_budget(uri: str, store: HostFileStorage | None, start: Barrier, allowed: Queue[int]) -> None:
    """Hit one client's budget HITS_PER_WORKER times; report how many hits were allowed."""
    store = store or HostFileStorage(uri)
    window = [WindowHit("LIMITER/2001:db8::1/verify", FOREVER, 1, LIMIT)]
    start.wait()
    allowed.put(sum(hit_windows(store, window)[0] is None for _ in range(HITS_PER_WORKER)))


def _run_workers(uri: str, inherited: HostFileStorage | None) -> list[int]:
    # Forked rather than spawned: a spawned child spends seconds importing the test's modules.
    context = multiprocessing.get_context("fork")
    start, allowed = context.Barrier(WORKERS), context.Queue()
    workers = [
        context.Process(target=_spend_budget, args=(uri, inherited, start, allowed)) for _ in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    results = [allowed.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    return results


def test_processes_opening_the_file_share_one_exact_budget(limits_file: Path) -> None:
    """Worker processes that each open the file grant one client exactly its limit between them,
    and count every hit, refused ones included."""
    uri = _uri(limits_file)
    allowed = _run_workers(uri, None)
    assert sum(allowed) == LIMIT
    assert HostFileStorage(uri).get("LIMITER/2001:db8::1/verify") == WORKERS * HITS_PER_WORKER


def test_forked_workers_of_a_preloaded_store_share_one_exact_budget(limits_file: Path) -> None:
    """Workers forked from a process that built the store before forking (gunicorn --preload) still
    exclude each other: each child locks through its own open file, not the parent's."""
    uri = _uri(limits_file)
    preloaded = HostFileStorage(uri)
    _hit(preloaded, "warm-up")
    allowed = _run_workers(uri, preloaded)
    assert sum(allowed) == LIMIT
    assert preloaded.get("LIMITER/2001:db8::1/verify") == WORKERS * HITS_PER_WORKER


def _hit_in_another_process(uri: str, key: str, counts: Queue[tuple[int, int]]) -> None:
    store = HostFileStorage(uri)
    seen = store.get(key)
    counts.put((seen, _hit(store, key).used))


def test_processes_see_each_others_counts(limits_file: Path) -> None:
    """A window counted in one process is the window another process counts on."""
    uri = _uri(limits_file)
    here = HostFileStorage(uri)
    _hit(here, "client", cost=2)
    context = multiprocessing.get_context("spawn")
    counts = context.Queue()
    other = context.Process(target=_hit_in_another_process, args=(uri, "client", counts))
    other.start()
    assert counts.get(timeout=60) == (2, 3)
    other.join(timeout=60)
    assert here.get("client") == 3
    assert _hit(here, "client").used == 4


@pytest.fixture
def frequent_thread_switches() -> Iterator[None]:
    """Threads switched every few bytecodes rather than every 5 ms, so that unguarded updates would
    interleave."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


@pytest.mark.usefixtures("frequent_thread_switches")
@pytest.mark.parametrize("stores_of_their_own", [False, True], ids=["one store", "a store each"])
def test_threads_share_one_exact_budget(limits_file: Path, stores_of_their_own: bool) -> None:
    """Threads of one process, on one store or on stores of their own, grant exactly the limit."""
    shared = HostFileStorage(_uri(limits_file))
    stores = [HostFileStorage(_uri(limits_file)) if stores_of_their_own else shared for _ in range(8)]
    window = [WindowHit("client", FOREVER, 1, LIMIT)]
    allowed = []
    start = threading.Barrier(len(stores))

    def spend(store: HostFileStorage) -> None:
        start.wait()
        allowed.append(sum(hit_windows(store, window)[0] is None for _ in range(HITS_PER_WORKER)))

    threads = [threading.Thread(target=spend, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(allowed) == LIMIT
    assert shared.get("client") == len(stores) * HITS_PER_WORKER


# --- the file ----------------------------------------------------------------------------------
def test_windows_survive_a_restart(limits_file: Path, fake_clock: FakeClock) -> None:
    """A restarted server (the file opened anew) keeps each client's count and window end."""
    before = HostFileStorage(_uri(limits_file), clock=fake_clock)
    _hit(before, "client", expiry=60, cost=3)
    before.close()
    fake_clock.now += 30
    after = HostFileStorage(_uri(limits_file), clock=fake_clock)
    assert after.get("client") == 3
    assert _hit(after, "client", expiry=60) == WindowCount(4, START + 60)


def test_another_programs_file_is_refused_and_left_as_it_was(limits_file: Path) -> None:
    """A path that points at some other file (a mistyped setting naming the database, say) is a
    configuration error quoting the URI, and the file keeps every byte."""
    content = b"SQLite format 3\0" + b"something else entirely" * 100
    limits_file.write_bytes(content)
    with pytest.raises(ConfigurationError, match="not a certsvc rate-limit file") as raised:
        HostFileStorage(_uri(limits_file), slots=64)
    assert _uri(limits_file) in str(raised.value)
    assert limits_file.read_bytes() == content


def test_an_empty_or_older_format_file_is_taken_over(limits_file: Path) -> None:
    """An empty file, or one of this store's files in another format version, starts empty and counts."""
    limits_file.write_bytes(b"")
    store = HostFileStorage(_uri(limits_file), slots=64)
    assert _hit(store, "client").used == 1
    older = bytearray(limits_file.read_bytes())
    older[8:12] = (FORMAT_VERSION + 1).to_bytes(4, "little")
    limits_file.write_bytes(bytes(older))
    store = HostFileStorage(_uri(limits_file), slots=64)
    assert store.get("client") == 0
    assert _hit(store, "client").used == 1
    assert HostFileStorage(_uri(limits_file), slots=64).get("client") == 1


def test_a_table_of_another_size_is_reinitialised_and_the_longer_one_keeps_working(limits_file: Path) -> None:
    """A process configured for another table size starts the file afresh; one still mapping the
    old, longer table neither crashes nor misreads it, but takes it back empty."""
    longer = HostFileStorage(_uri(limits_file), slots=128)
    _hit(longer, "client", cost=5)
    shorter = HostFileStorage(_uri(limits_file), slots=64)
    assert shorter.get("client") == 0
    assert _hit(shorter, "client").used == 1
    assert _hit(longer, "client").used == 1
    assert longer.get("client") == 1


@pytest.mark.parametrize(
    "uri",
    [f"{SCHEME}://", f"{SCHEME}://var/limits.bin", f"{SCHEME}:limits.bin", f"{SCHEME}:///"],
)
def test_a_uri_without_an_absolute_path_is_refused_by_name(uri: str) -> None:
    """A relative or missing path is a configuration error that quotes the URI."""
    with pytest.raises(ConfigurationError, match="absolute path") as raised:
        storage_from_string(uri)
    assert uri in str(raised.value)


def test_an_unopenable_file_is_refused_by_name(tmp_path: Path) -> None:
    """A file in a directory that does not exist is a configuration error that quotes the URI."""
    uri = _uri(tmp_path / "missing" / "limits.bin")
    with pytest.raises(ConfigurationError, match="cannot open") as raised:
        storage_from_string(uri)
    assert uri in str(raised.value)


def test_the_scheme_is_registered_with_limits(limits_file: Path) -> None:
    """``certsvc-host:///path`` in RATELIMIT_STORAGE_URI builds this store, with its options."""
    store = storage_from_string(_uri(limits_file), slots=16)
    assert isinstance(store, HostFileStorage)
    assert limits_file.stat().st_size == 64 + 16 * 24


# --- the fixed table ---------------------------------------------------------------------------
def test_a_full_table_evicts_the_window_that_ends_soonest(tiny: HostFileStorage) -> None:
    """With every slot a live window, a new client takes the slot of the window ending first; every
    other client's count is untouched."""
    clients = [f"client-{n}" for n in range(8)]
    for position, client in enumerate(clients):
        # client-3's window ends first
        _hit(tiny, client, expiry=5 if position == 3 else 60 + position, cost=position + 1)
    assert _hit(tiny, "newcomer").used == 1
    assert [tiny.get(client) for client in clients] == [1, 2, 3, 0, 5, 6, 7, 8]
    assert tiny.get("newcomer") == 1


def test_expired_windows_free_their_slots(tiny: HostFileStorage, fake_clock: FakeClock) -> None:
    """Once a full table's windows have ended, as many new clients fit without evicting each other."""
    for number in range(8):
        _hit(tiny, f"old-{number}", expiry=1)
    fake_clock.now += 1
    newcomers = [f"new-{number}" for number in range(8)]
    for client in newcomers:
        _hit(tiny, client)
    assert [_hit(tiny, client).used for client in newcomers] == [2] * 8


def test_a_key_keeps_its_window_behind_an_ended_one(limits_file: Path, fake_clock: FakeClock) -> None:
    """A client whose slot lies beyond an ended window in its probe range finds its own window
    again instead of starting a second one in the freed slot."""
    store = HostFileStorage(_uri(limits_file), slots=8, probe=4, clock=fake_clock)
    first, second = _keys_with_home(2, 8, 2)
    _hit(store, first, expiry=1)
    _hit(store, second, expiry=60)  # the slot after ``first``'s
    fake_clock.now += 1
    assert _hit(store, second, expiry=60).used == 2
    store.clear(second)
    assert store.get(second) == 0
    assert _hit(store, second, expiry=60).used == 1
    assert _hit(store, first, expiry=60).used == 1
    assert _hit(store, second, expiry=60).used == 2


def test_reset_and_clear_empty_the_windows(tiny: HostFileStorage) -> None:
    """clear ends one client's window; reset ends all and says how many were live."""
    for client in ("a", "b", "c"):
        _hit(tiny, client, cost=2)
    tiny.clear("b")
    assert [tiny.get(client) for client in ("a", "b", "c")] == [2, 0, 2]
    assert tiny.reset() == 2
    assert [tiny.get(client) for client in ("a", "b", "c")] == [0, 0, 0]
    assert _hit(tiny, "a").used == 1


CLIENTS = [f"c{n}" for n in range(12)]


@dataclasses.dataclass(frozen=True)
class Draw:
    client: str
    cost: int
    expiry: int


@dataclasses.dataclass(frozen=True)
class Clear:
    client: str


TABLE_STEP = st.one_of(
    st.builds(Draw, st.sampled_from(CLIENTS), st.integers(1, 3), st.sampled_from([1, 3, 10])),
    st.builds(Clear, st.sampled_from(CLIENTS)),
    st.sampled_from([1.0, 2.0]),  # the clock moves on
)


@given(steps=st.lists(TABLE_STEP, min_size=1, max_size=60))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_crowded_table_only_ever_loses_whole_windows(
    tmp_path: Path, steps: list[Draw | Clear | float]
) -> None:
    """In a table too small for its clients (8 slots, probe 4, 12 clients), a hit always adds to
    the client's own window and takes at most one other client's window, changing no other
    count; a cleared client starts again."""
    clock = FakeClock()
    store = HostFileStorage(_uri(tmp_path / f"{uuid.uuid4().hex}.bin"), slots=8, probe=4, clock=clock)
    try:
        for step in steps:
            if isinstance(step, float):
                clock.now += step
                continue
            before = {client: store.get(client) for client in CLIENTS}
            if isinstance(step, Clear):
                store.clear(step.client)
                assert store.get(step.client) == 0
            else:
                assert (
                    _hit(store, step.client, step.expiry, step.cost).used == before[step.client] + step.cost
                )
            others_changed = [
                client for client in CLIENTS if client != step.client and store.get(client) != before[client]
            ]
            assert len(others_changed) <= (1 if isinstance(step, Draw) else 0)
            assert all(store.get(client) == 0 for client in others_changed)
    finally:
        store.close()


# --- through the app ---------------------------------------------------------------------------
def test_verify_api_budget_is_kept_in_the_host_file(
    runtime: Runtime, issued: list[Issued], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With certsvc-host:// the verify API answers three times counting down, then 429 with
    Retry-After; the budget is the file's (clearing the file gives the client a new one), not a
    per-process fallback."""
    uri = _uri(tmp_path / "limits.bin")
    app: Flask = _app(runtime, uri)
    app.config["CERTSVC_VERIFY_RATE"] = "3/minute"
    client = _client_of_its_own(app)
    with caplog.at_level(logging.WARNING):
        answers = [client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}) for _ in range(4)]
        assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
        assert [answer.headers["X-RateLimit-Remaining"] for answer in answers[:3]] == ["2", "1", "0"]
        assert 0 < int(answers[3].headers["Retry-After"]) <= 61
        assert answers[3].mimetype == "application/problem+json"
        assert HostFileStorage(uri).reset()
        assert client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}).status_code == 200
    assert not [record for record in caplog.records if "unreachable" in record.getMessage()]
