"""A per-process rate-limit store for the fixed-window strategy, without a sweeper thread.

``limits``' own ``memory://`` store starts a ``threading.Timer`` 10 ms after any hit whose previous
timer has finished, to sweep expired keys: under steady traffic that is a new thread for most
requests, which costs a sync worker more than the counting itself. Here expired windows are
dropped when they are read, and the whole table is swept at most every ``SWEEP_SECONDS`` from
inside a hit, which bounds memory the same way.

Same semantics as ``memory://`` for fixed windows (a window starts at its first hit and lasts the
limit's period); like it, counts are per process. ``certsvc.web.extensions`` uses this store in
place of ``memory://`` when the strategy is ``fixed-window`` (Flask-Limiter's default).

``hit_windows`` counts all budgets of a request in one step: one lock here and in the host-wide
file store (``certsvc.web.host_storage``), one Lua round trip in Redis
(docs/adr/0007-budgets-one-round-trip.md).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol, cast

from limits.storage import RedisStorage, Storage

SCHEME = "certsvc-memory"
SWEEP_SECONDS = 10.0


class FixedWindowMemoryStorage(Storage):
    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 (the shape limits' storage registry reads)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        # key -> [count, expires at (time.time())]
        self._windows: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self._next_sweep = time.time() + SWEEP_SECONDS

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            window = self._windows.get(key)
            if window is None or window[1] <= now:
                window = self._windows[key] = [0, now + expiry]
            window[0] += amount
            return int(window[0])

    def get(self, key: str) -> int:
        window = self._windows.get(key)
        if window is None or window[1] <= time.time():
            return 0
        return int(window[0])

    def get_expiry(self, key: str) -> float:
        now = time.time()
        window = self._windows.get(key)
        if window is None or window[1] <= now:
            return now
        return window[1]

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            count = len(self._windows)
            self._windows.clear()
        return count

    def clear(self, key: str) -> None:
        with self._lock:
            self._windows.pop(key, None)

    def _sweep(self, now: float) -> None:
        # Called with the lock held.
        expired = [key for key, (_, expires) in self._windows.items() if expires <= now]
        for key in expired:
            del self._windows[key]
        self._next_sweep = now + SWEEP_SECONDS

    def hit_windows(self, hits: Sequence[WindowHit]) -> tuple[int | None, list[WindowCount]]:
        """``hit_windows`` for this store, under one lock."""
        now = time.time()
        counts: list[WindowCount] = []
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            for index, hit in enumerate(hits):
                window = self._windows.get(hit.key)
                if window is None or window[1] <= now:
                    window = self._windows[hit.key] = [0, now + hit.expiry]
                window[0] += hit.cost
                counts.append(WindowCount(int(window[0]), window[1]))
                if window[0] > hit.limit:
                    return index, counts
        return None, counts


class WindowHit(NamedTuple):
    """One fixed-window budget a request draws on."""

    key: str  # limits' bucket key (``RateLimitItem.key_for``), without the store's own prefix
    expiry: int  # window length, seconds
    cost: int
    limit: int


class WindowCount(NamedTuple):
    used: int  # the window's count after this hit
    expires_at: float  # time.time() at which the window ends


class CountsWindowsInOneStep(Protocol):
    """A store that counts all budgets of a request itself, as ``hit_windows`` describes."""

    def hit_windows(self, hits: Sequence[WindowHit]) -> tuple[int | None, list[WindowCount]]: ...


# KEYS: the windows' keys; ARGV: expiry, cost and limit of each key in turn. The same counting as
# limits' incr_expire.lua and TTL per key, for all budgets of a request in one round trip.
_HIT_WINDOWS_LUA = b"""
local result = {0}
for i, key in ipairs(KEYS) do
    local base = (i - 1) * 3
    local cost = tonumber(ARGV[base + 2])
    local count = redis.call("incrby", key, cost)
    if count == cost then
        redis.call("expire", key, ARGV[base + 1])
    end
    result[#result + 1] = count
    result[#result + 1] = redis.call("ttl", key)
    if count > tonumber(ARGV[base + 3]) then
        result[1] = i
        return result
    end
end
return result
"""
_scripts: weakref.WeakKeyDictionary[RedisStorage, Any] = weakref.WeakKeyDictionary()


def hit_windows(storage: Storage, hits: Sequence[WindowHit]) -> tuple[int | None, list[WindowCount]]:
    """Count ``hits`` in order in fixed windows, stopping after the first that goes over its limit.

    Returns the index of that hit (``None`` if all fit) and the counts so far: what limits'
    ``FixedWindowRateLimiter.hit`` followed by ``get_window_stats`` gives for each hit in turn
    (it also counts the hit that goes over), but in one step: one lock for the process-local and
    host-wide stores, one round trip for Redis. Other stores take the hits one by one.
    """
    if isinstance(storage, FixedWindowMemoryStorage):
        return storage.hit_windows(hits)
    if type(storage) is RedisStorage:
        return _hit_redis_windows(storage, hits)
    # certsvc.web.host_storage, recognised by its method: it imports this module, and importing
    # it here per request would cost about a microsecond.
    if hasattr(storage, "hit_windows"):
        return cast(CountsWindowsInOneStep, storage).hit_windows(hits)
    counts: list[WindowCount] = []
    for index, hit in enumerate(hits):
        count = storage.incr(hit.key, hit.expiry, hit.cost)
        counts.append(WindowCount(count, storage.get_expiry(hit.key)))
        if count > hit.limit:
            return index, counts
    return None, counts


def _hit_redis_windows(
    storage: RedisStorage, hits: Sequence[WindowHit]
) -> tuple[int | None, list[WindowCount]]:
    script = _scripts.get(storage)
    if script is None:
        script = _scripts[storage] = storage.get_connection().register_script(_HIT_WINDOWS_LUA)
    arguments = [value for hit in hits for value in (hit.expiry, hit.cost, hit.limit)]
    reply = script(keys=[storage.prefixed_key(hit.key) for hit in hits], args=arguments)
    now = time.time()
    counts = [
        WindowCount(int(reply[position]), max(int(reply[position + 1]), 0) + now)
        for position in range(1, len(reply), 2)
    ]
    refused = int(reply[0])
    return (refused - 1 if refused else None), counts
