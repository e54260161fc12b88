"""A per-process rate-limit store for the fixed-window strategy, without a sweeper thread.

``limits``' own ``memory://`` store starts a ``threading.Timer`` 10 ms after any hit whose previous
timer has finished, to sweep expired keys: under steady traffic that is a new thread for most
requests, which costs a sync worker more than the counting itself. Here expired windows are
dropped when they are read, and the whole table is swept at most every ``SWEEP_SECONDS`` from
inside a hit, which bounds memory the same way.

Same semantics as ``memory://`` for fixed windows (a window starts at its first hit and lasts the
limit's period); like it, counts are per process. ``certsvc.web.extensions`` uses this store in
place of ``memory://`` when the strategy is ``fixed-window`` (Flask-Limiter's default).
"""

from __future__ import annotations

import threading
import time

from limits.storage import Storage

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
