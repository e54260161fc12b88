"""The verify API's budgets in each rate-limit store: process-local, Redis, and Redis gone.

The budgets are counted in one step per request (one lock, or one Redis round trip); these tests
check that this counts exactly as limits' own fixed-window strategy does, and that a shared store
that stops answering neither fails requests nor lifts the limits. That several gunicorn workers
sharing Redis grant one budget between them is checked against real workers in
tests/reliability/test_load.py.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from limits import RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import FixedWindowRateLimiter

from certsvc.runtime import Runtime
from certsvc.web.limits_storage import FixedWindowMemoryStorage, WindowHit, hit_windows
from tests.conftest import reachable_redis_url
from tests.verification.conftest import Issued

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _app(runtime: Runtime, storage_url: str) -> Flask:
    from certsvc import create_app

    settings_ = dataclasses.replace(runtime.settings, ratelimit_storage_url=storage_url)
    app = create_app(runtime=dataclasses.replace(runtime, settings=settings_))
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    return app


def _client_of_its_own(app: Flask) -> FlaskClient:
    """A test client with an address no other test or run uses: counters in the shared Redis
    outlive a test, and parallel tests share it."""
    address = "2001:db8::" + ":".join(uuid.uuid4().hex[i : i + 4] for i in range(0, 16, 4))
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture(params=["memory", "redis"])
def store_app(request: pytest.FixtureRequest, runtime: Runtime) -> Flask:
    url = "memory://" if request.param == "memory" else reachable_redis_url()
    return _app(runtime, url)


def test_burst_is_refused_the_same_in_each_store(store_app: Flask, issued: list[Issued]) -> None:
    """Per-client budget, in memory and in Redis: three answers counting down, then 429 + Retry-After."""
    store_app.config["CERTSVC_VERIFY_RATE"] = "3/minute"
    client = _client_of_its_own(store_app)
    answers = [client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers[:3]] == ["2", "1", "0"]
    assert 0 < int(answers[3].headers["Retry-After"]) <= 61
    assert answers[3].mimetype == "application/problem+json"


def test_name_budget_is_shared_with_the_page_form_in_each_store(
    store_app: Flask, issued: list[Issued]
) -> None:
    """The stricter by-number budget is one budget for the page form and the API, in either store."""
    store_app.config.update(CERTSVC_VERIFY_RATE="1000/minute", CERTSVC_VERIFY_NUMBER_RATE="2/minute")
    client = _client_of_its_own(store_app)
    form = {"number": issued[0].number, "name": issued[0].name}
    by_number = {"certificate_number": issued[0].number, "name": issued[0].name}
    assert client.post("/verify", data=form).status_code == 200
    assert client.post("/api/v1/verify", json=by_number).status_code == 200
    assert client.post("/api/v1/verify", json=by_number).status_code == 429
    assert client.post("/verify", data=form).status_code == 429
    # QR checks do not test a name: they still pass.
    assert client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}).status_code == 200


def test_redis_outage_keeps_answering_and_still_limits(
    runtime: Runtime, issued: list[Issued], caplog: pytest.LogCaptureFixture
) -> None:
    """With the shared store down, verification and pages still answer (no 5xx), the budgets hold
    per process, and nothing logged about it carries the client's address."""
    app = _app(runtime, UNREACHABLE_REDIS)
    app.config["CERTSVC_VERIFY_RATE"] = "3/minute"
    client = _client_of_its_own(app)
    with caplog.at_level(logging.WARNING):
        statuses = [
            client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}).status_code for _ in range(4)
        ]
        page = client.get("/")
    assert statuses == [200, 200, 200, 429]
    assert page.status_code == 200
    client_address = client.environ_base["REMOTE_ADDR"]
    assert not any(client_address in record.getMessage() for record in caplog.records)


def test_budgets_stay_in_the_shared_store_after_flask_limiter_falls_back(
    runtime: Runtime, issued: list[Issued], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store failure on a login attempt sends Flask-Limiter's own routes to its per-process
    fallback until a later login notices the store is back. The verify budgets must not follow it
    there: with only verify traffic they would stay per process (a budget per worker) for good."""
    from certsvc.web.extensions import limiter
    from certsvc.web.host_storage import HostFileStorage

    uri = f"certsvc-host://{tmp_path / 'limits.bin'}"
    app = _app(runtime, uri)
    client = _client_of_its_own(app)
    store = limiter.storage

    def store_down(*args: object, **kwargs: object) -> int:
        raise OSError("store unreachable")

    # The module-wide limiter would carry the fallback into the next tests of this process.
    monkeypatch.setattr(limiter, "_storage_dead", False)
    with monkeypatch.context() as outage:
        outage.setattr(store, "incr", store_down)
        assert client.post("/auth/login", data={"username": "x", "password": "y"}).status_code < 500
    assert limiter._storage_dead  # Flask-Limiter's own routes now count in its fallback
    answers = [client.post("/api/v1/verify", json={"qr": issued[0].qr_payload}) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [200, 200]
    # Both verifications were counted in the host file, which every worker reads.
    key = next(key for key in _counted_keys(app, client) if "verify" in key)
    assert HostFileStorage(uri).get(key) == 2


def _counted_keys(app: Flask, client: FlaskClient) -> list[str]:
    """The bucket keys of this client's per-client verify budgets (what the budgets count under)."""
    from certsvc.verification.views.api import verify_rate
    from certsvc.web.budgets import parsed

    with app.test_request_context():
        items = parsed(verify_rate())
    return [item.key_for(client.environ_base["REMOTE_ADDR"], "verify_api.verify") for item in items]


# --- one step counts exactly as limits' fixed-window strategy, hit by hit ------------------------
HITS = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(1, 3), st.sampled_from([1, 2, 5])),
    min_size=1,
    max_size=4,
)
REQUESTS = st.lists(HITS, min_size=1, max_size=12)


def _one_by_one(
    strategy: FixedWindowRateLimiter, hits: list[tuple[str, int, int]]
) -> tuple[int | None, list[int]]:
    """What Flask-Limiter does: hit each budget in turn, stop at the first refused."""
    used = []
    for index, (key, cost, amount) in enumerate(hits):
        item = RateLimitItemPerMinute(amount)
        allowed = strategy.hit(item, key, cost=cost)
        used.append(amount - strategy.get_window_stats(item, key).remaining)
        if not allowed:
            return index, used
    return None, used


def _in_one_step(storage: Storage, hits: list[tuple[str, int, int]]) -> tuple[int | None, list[int]]:
    windows = [
        WindowHit(RateLimitItemPerMinute(amount).key_for(key), 60, cost, amount) for key, cost, amount in hits
    ]
    refused, counts = hit_windows(storage, windows)
    return refused, [count.used for count in counts]


def _visible(
    result: tuple[int | None, list[int]], hits: list[tuple[str, int, int]]
) -> tuple[int | None, list[int]]:
    """limits reports "remaining" floored at 0: compare what a client can see."""
    refused, used = result
    return refused, [min(value, amount) for value, (_, _, amount) in zip(used, hits, strict=False)]


@pytest.fixture
def redis_pair() -> Iterator[tuple[RedisStorage, RedisStorage]]:
    url = reachable_redis_url()
    stores = (
        RedisStorage(url, key_prefix=f"t1-{uuid.uuid4().hex}"),
        RedisStorage(url, key_prefix=f"t2-{uuid.uuid4().hex}"),
    )
    yield stores
    for store in stores:
        store.reset()


@given(requests=REQUESTS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_one_redis_round_trip_counts_as_limits_does(
    redis_pair: tuple[RedisStorage, RedisStorage], requests: list[list[tuple[str, int, int]]]
) -> None:
    """The one-round-trip Lua script refuses the same hit and leaves the same counts as limits'
    FixedWindowRateLimiter on RedisStorage taking the same budgets one by one."""
    ours, theirs = redis_pair
    ours.reset()
    theirs.reset()
    reference = FixedWindowRateLimiter(theirs)
    for hits in requests:
        assert _visible(_in_one_step(ours, hits), hits) == _visible(_one_by_one(reference, hits), hits)


@given(requests=REQUESTS)
@settings(max_examples=100, deadline=None)
def test_one_lock_counts_as_limits_memory_store_does(requests: list[list[tuple[str, int, int]]]) -> None:
    """The process-local store's one-step count matches limits' memory:// store hit by hit."""
    ours = FixedWindowMemoryStorage()
    reference = FixedWindowRateLimiter(MemoryStorage())
    for hits in requests:
        assert _visible(_in_one_step(ours, hits), hits) == _visible(_one_by_one(reference, hits), hits)


def test_window_end_is_reported_for_retry_after() -> None:
    """Each count carries when its window ends, so Retry-After and X-RateLimit-Reset are right."""
    import time

    storage = FixedWindowMemoryStorage()
    item = RateLimitItemPerSecond(1, 30)
    before = time.time()
    refused, counts = hit_windows(storage, [WindowHit(item.key_for("k"), 30, 2, 1)])
    assert refused == 0
    assert counts[0].used == 2
    assert before + 29 <= counts[0].expires_at <= time.time() + 30


def test_redis_windows_expire_like_limits_keys() -> None:
    """A window created by the one-step script gets the window's TTL in Redis, as limits sets it."""
    url = reachable_redis_url()
    storage = RedisStorage(url, key_prefix=f"t3-{uuid.uuid4().hex}")
    try:
        key = RateLimitItemPerMinute(5).key_for("k")
        hit_windows(storage, [WindowHit(key, 60, 1, 5)])
        ttl = redis.Redis.from_url(url).ttl(storage.prefixed_key(key))
        assert 55 <= ttl <= 60
    finally:
        storage.reset()
