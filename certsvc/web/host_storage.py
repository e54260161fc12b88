"""A fixed-window rate-limit store that every process on one host shares through one mapped file.

``certsvc-host:///absolute/path`` gives gunicorn's worker processes one budget per client
between them, as Redis does, but without a network round trip: the windows live in a file that
each process maps into memory, and a request's budgets are counted under one lock
(``hit_windows``, as for the other stores: docs/adr/0007-budgets-one-round-trip.md). Several
hosts still need Redis.

Semantics are ``certsvc.web.limits_storage.FixedWindowMemoryStorage``'s: a window starts at its
first hit and lasts the limit's period, by ``time.time()``, which all processes on a host share.

File layout (little-endian): a 64-byte header (magic, format version, probe length, slot count),
then a fixed table of 24-byte slots: the key's 64-bit hash (0: never used), the window's end
(float64, ``time.time()``) and its count (int64). Keys are placed by open addressing with
linear probing over at most ``probe`` slots. A slot, once used, is never emptied again (a cleared
or expired window keeps its key hash and is simply reusable), so a key's slot always comes
before the first empty slot of its probe range and lookups may stop there. Only when all
``probe`` slots of a key's range hold live windows of other keys (which takes about the table's
size in live windows: 2^18 by default, against one or two windows per recent client) is the
window that ends soonest evicted: that client's window starts again, so it briefly gets more
than its budget. Two keys whose 64-bit hashes collide would share a window (chance ~2^-64 per
pair).

Locking: ``flock`` on each process's own open file description excludes other processes, and
a ``threading.Lock`` the threads of this one (``flock`` does not exclude threads sharing a
descriptor). A forked child (gunicorn workers, which with ``--preload`` may inherit a store built
before the fork) would share its parent's open file description, and with it the lock: the
child opens the file again before its first use.

A file that does not start with this store's magic (and is not empty) is refused: a mistyped
path must not wipe another file. One of this store's files whose header is not this
configuration's (an older format, another table size) is re-initialised under the lock, by
whichever process meets it: it only ever holds rate-limit counters, so the worst outcome is that
budgets start again. The file is never made shorter, so a process that
still maps a longer table cannot fault on it; every access checks the header first, so a process
whose table another has re-initialised re-initialises it back rather than misreading it. Blocks
are allocated up front (``posix_fallocate``): a page of a sparse file that cannot be allocated
when first written (disk full) would kill the worker with SIGBUS.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import mmap
import os
import struct
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from fcntl import LOCK_EX, LOCK_UN, flock
from urllib.parse import unquote, urlsplit

from limits.errors import ConfigurationError
from limits.storage import Storage

from certsvc.web.limits_storage import WindowCount, WindowHit

SCHEME = "certsvc-host"
DEFAULT_SLOTS = 1 << 18  # 6 MiB
DEFAULT_PROBE = 32
FORMAT_VERSION = 1
MAGIC = b"certsvcH"

_HEADER = struct.Struct("<8sIIQ")  # magic, format version, probe length, slot count
_HEADER_SIZE = 64  # the slots start on a cache line
_SLOT = struct.Struct("<Qdq")  # key hash (0: never used), window end, count
_SLOT_SIZE = _SLOT.size
# Hashing a key takes ~0.7 µs, a good part of a hit; a client repeats its keys within a window.
_HASH_CACHE_SIZE = 4096


def key_hash(key: str) -> int:
    """The key's 64-bit slot hash, the same in every process (0 marks an unused slot)."""
    value = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")
    return value or 1


class HostFileStorage(Storage):
    """Fixed windows in a file mapped by every process on the host (see the module docstring)."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 (the shape limits' storage registry reads)

    def __init__(
        self,
        uri: str,
        wrap_exceptions: bool = False,
        *,
        slots: int = DEFAULT_SLOTS,
        probe: int = DEFAULT_PROBE,
        clock: Callable[[], float] = time.time,
        **options: float | str | bool,
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.uri = uri
        self.path = _path_of(uri)
        slots, probe = int(slots), int(probe)
        if slots < 1 or probe < 1:
            raise ConfigurationError(f"{uri}: slots and probe must be positive (got {slots}, {probe})")
        self._slots = slots
        self._probe = min(probe, slots)
        self._clock = clock
        self._size = _HEADER_SIZE + slots * _SLOT_SIZE
        self._header = _HEADER.pack(MAGIC, FORMAT_VERSION, self._probe, slots).ljust(_HEADER_SIZE, b"\0")
        self._hashes: dict[str, int] = {}
        self._thread_lock = threading.Lock()
        self._forked = False
        try:
            self._file, self._map = self._open()
        except OSError as exc:
            raise ConfigurationError(f"{uri}: cannot open the rate-limit file: {exc}") from exc
        self._fd = self._file.fileno()
        _open_stores.add(self)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        # ValueError: the map was closed.
        return (OSError, ValueError)

    def hit_windows(self, hits: Sequence[WindowHit]) -> tuple[int | None, list[WindowCount]]:
        """``limits_storage.hit_windows`` for this store: all hits under one lock."""
        known = self._hashes
        hashes = [known.get(hit.key) or self._hash(hit.key) for hit in hits]
        counts: list[WindowCount] = []
        with self._locked() as mapped:
            now = self._clock()
            for index, hit in enumerate(hits):
                hashed = hashes[index]
                offset, expires_at, used = self._find(mapped, hashed, now)
                if expires_at <= now:
                    expires_at = now + hit.expiry
                    used = 0
                used += hit.cost
                _SLOT.pack_into(mapped, offset, hashed, expires_at, used)
                counts.append(WindowCount(used, expires_at))
                if used > hit.limit:
                    return index, counts
        return None, counts

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        _, counts = self.hit_windows([WindowHit(key, expiry, amount, sys.maxsize)])
        return counts[0].used

    def get(self, key: str) -> int:
        used, _ = self._window(key)
        return used

    def get_expiry(self, key: str) -> float:
        _, expires_at = self._window(key)
        return expires_at

    def check(self) -> bool:
        try:
            self._window("certsvc-host-check")
        except (OSError, ValueError):
            return False
        return True

    def reset(self) -> int | None:
        """Clear every window; returns how many were live."""
        with self._locked() as mapped:
            now = self._clock()
            table = mapped[_HEADER_SIZE : self._size]
            live = sum(
                1 for held_by, expires_at, _ in _SLOT.iter_unpack(table) if held_by and expires_at > now
            )
            self._initialise(mapped)
        return live

    def clear(self, key: str) -> None:
        hashed = self._hash(key)
        with self._locked() as mapped:
            offset, _, _ = self._find(mapped, hashed, self._clock())
            if _SLOT.unpack_from(mapped, offset)[0] == hashed:
                # Keeps the key's hash: emptying the slot would end probe ranges that run through it.
                _SLOT.pack_into(mapped, offset, hashed, 0.0, 0)

    def close(self) -> None:
        """Unmap and close the file (the windows stay in it)."""
        with self._thread_lock:
            self._map.close()
            self._file.close()
        _open_stores.discard(self)

    # --- the table ---------------------------------------------------------------------------

    def _find(self, mapped: mmap.mmap, hashed: int, now: float) -> tuple[int, float, int]:
        """The key's slot with its window end and count, else the slot it should take with an
        ended window: the first expired one passed, the first empty one, or the live window of
        the probe range that ends soonest."""
        slots = self._slots
        index = hashed % slots
        reusable = -1
        soonest_offset, soonest = -1, math.inf
        for _ in range(self._probe):
            offset = _HEADER_SIZE + index * _SLOT_SIZE
            held_by, expires_at, used = _SLOT.unpack_from(mapped, offset)
            if held_by == hashed:
                return offset, expires_at, used
            if held_by == 0:
                return (offset if reusable < 0 else reusable), 0.0, 0
            if expires_at <= now:
                if reusable < 0:
                    reusable = offset
            elif expires_at < soonest:
                soonest_offset, soonest = offset, expires_at
            index += 1
            if index == slots:
                index = 0
        return (soonest_offset if reusable < 0 else reusable), 0.0, 0

    def _window(self, key: str) -> tuple[int, float]:
        """The key's count and window end (0 and now when it has no live window)."""
        hashed = self._hash(key)
        with self._locked() as mapped:
            now = self._clock()
            _, expires_at, used = self._find(mapped, hashed, now)
        return (used, expires_at) if expires_at > now else (0, now)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[mmap.mmap]:
        """The table, with this process's threads and all other processes kept out."""
        if self._forked:
            self._reopen()
        with self._thread_lock:
            fd = self._fd
            flock(fd, LOCK_EX)
            try:
                mapped = self._map
                if mapped[:_HEADER_SIZE] != self._header:
                    self._initialise(mapped)
                yield mapped
            finally:
                flock(fd, LOCK_UN)

    def _hash(self, key: str) -> int:
        hashed = self._hashes.get(key)
        if hashed is None:
            if len(self._hashes) >= _HASH_CACHE_SIZE:
                self._hashes.clear()
            hashed = self._hashes[key] = key_hash(key)
        return hashed

    # --- the file ----------------------------------------------------------------------------

    def _open(self) -> tuple[io.FileIO, mmap.mmap]:
        file = io.FileIO(self.path, "r+", opener=_create_private)
        try:
            flock(file.fileno(), LOCK_EX)
            try:
                magic = os.pread(file.fileno(), len(MAGIC), 0)
                if magic.strip(b"\0") and magic != MAGIC:
                    # A mistyped path must not wipe another file (the database, say).
                    raise ConfigurationError(
                        f"{self.uri}: {self.path} is not a certsvc rate-limit file; "
                        "give the store a file of its own"
                    )
                previous_size = os.fstat(file.fileno()).st_size
                if previous_size < self._size:
                    os.ftruncate(file.fileno(), self._size)
                if hasattr(os, "posix_fallocate"):  # not on macOS
                    os.posix_fallocate(file.fileno(), 0, self._size)
                mapped = mmap.mmap(file.fileno(), self._size)
                if previous_size == 0:
                    # A new file reads as zeros (an empty table): writing them again would dirty
                    # every page of it.
                    mapped[:_HEADER_SIZE] = self._header
                elif mapped[:_HEADER_SIZE] != self._header:
                    self._initialise(mapped)
            finally:
                flock(file.fileno(), LOCK_UN)
        except BaseException:
            file.close()
            raise
        return file, mapped

    def _initialise(self, mapped: mmap.mmap) -> None:
        # Called with both locks held. The header goes last, so that a table is only ever
        # recognised once it is empty.
        mapped[_HEADER_SIZE : self._size] = bytes(self._size - _HEADER_SIZE)
        mapped[:_HEADER_SIZE] = self._header

    def _after_fork(self) -> None:
        # In the child, straight after fork: another thread may have held the lock at the fork.
        self._thread_lock = threading.Lock()
        self._forked = True

    def _reopen(self) -> None:
        with self._thread_lock:
            if not self._forked:
                return
            inherited_file, inherited_map = self._file, self._map
            self._file, self._map = self._open()
            self._fd = self._file.fileno()
            self._forked = False
        # Closing the inherited descriptor does not release a lock the parent holds through it:
        # the parent's descriptor still refers to the same open file description.
        inherited_map.close()
        inherited_file.close()


def _path_of(uri: str) -> str:
    parts = urlsplit(uri)
    path = unquote(parts.path)
    if parts.netloc or not os.path.isabs(path) or path.endswith("/"):
        raise ConfigurationError(
            f"{uri}: the rate-limit file must be an absolute path to a file, "
            f"as in {SCHEME}:///var/lib/certsvc/limits.bin"
        )
    return path


def _create_private(path: str, flags: int) -> int:
    # The keys carry client addresses: the file is for this service's user only.
    return os.open(path, flags | os.O_CREAT, 0o600)


_open_stores: weakref.WeakSet[HostFileStorage] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for store in list(_open_stores):
        store._after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
