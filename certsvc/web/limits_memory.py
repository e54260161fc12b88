"""``certsvc-memory://``: a ``limits`` storage counting fixed windows in this process, with no
sweeper thread.

``certsvc serve`` runs one process by default, and its rate limits are counted there
(``CERTSVC_RATELIMIT_STORAGE_URL=memory://``). limits' own ``memory://`` store starts a
``threading.Timer`` 10 ms after any hit whose previous timer has ended, to drop expired counters:
under steady traffic that is a new thread every few requests, which cost the verify API about a
sixth of its CPU per request in the default shape (docs/adr/0010-rate-limits-and-one-request-path.md).
Here an expired window is dropped when it is read, and all expired windows at most every
``SWEEP_SECONDS`` from inside a hit, which bounds memory the same way.

Semantics are ``memory://``'s for fixed windows (a window starts at its first hit and lasts the
limit's period); only the fixed-window strategy is supported, which is the one certsvc configures.
"""

from __future__ import annotations

import threading
import time

from limits.storage import Storage

SCHEME = "certsvc-memory"
SWEEP_SECONDS = 10.0


class ProcessMemoryStorage(Storage):
    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 (the shape limits' storage registry reads)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._windows: dict[str, tuple[int, float]] = {}  # key -> (count, ends at, by time.time())
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
            count, ends_at = self._windows.get(key, (0, 0.0))
            if ends_at <= now:
                count, ends_at = 0, now + expiry
            count += amount
            self._windows[key] = (count, ends_at)
            return count

    def get(self, key: str) -> int:
        count, ends_at = self._windows.get(key, (0, 0.0))
        return count if ends_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        _, ends_at = self._windows.get(key, (0, 0.0))
        return ends_at if ends_at > now else now

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
        self._windows = {key: window for key, window in self._windows.items() if window[1] > now}
        self._next_sweep = now + SWEEP_SECONDS
