"""Signing an import's chunks: in this process for a one-chunk file, beside it for a longer one.

Signing (two Ed25519 signatures and a ledger entry per certificate) is about 40% of an import's
CPU time, and the GIL keeps a thread from doing it beside the checking and writing (ADR 0019). So
once a file proves longer than one chunk, a worker process signs chunk N while this process
checks and writes chunk N+1. Both ways run the same function, ``signing.issuance.sign_chunk``, on
the same inputs; only where it runs differs.

The worker is a fresh interpreter (``spawn``: never a fork of a threaded web worker) that imports
only the signing modules, lives for one import and keeps nothing after it. The current signing
key's raw private bytes go to it with each chunk, over a pipe to its own child. It ends the moment
its importing process ends, however that happens (a SIGKILL included): an orphan would otherwise
wait for chunks forever, holding the importer's standard output and error open.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor

from certsvc.signing.credential import CredentialFacts
from certsvc.signing.issuance import Signed, SigningOrder, sign_chunk


class ChunkSigner:
    """Hands out ``sign_chunk`` futures; a context manager that ends its worker, if one started.

    ``order`` is called once, when the first chunk is signed: a file with nothing to issue never
    asks the key store for the signing key.
    """

    def __init__(self, order: Callable[[], SigningOrder]) -> None:
        self._make_order = order
        self._order: SigningOrder | None = None
        self._worker: ProcessPoolExecutor | None = None
        self._worker_up: Future[int] = Future()

    @property
    def order(self) -> SigningOrder:
        if self._order is None:
            self._order = self._make_order()
        return self._order

    def expect_more_chunks(self) -> None:
        """Start the worker now: it is ready by the time the next chunk is sent to it."""
        if self._worker is None:
            context = multiprocessing.get_context("spawn")
            self._worker = ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                initializer=_start_worker,
            )
            self._worker_up = self._worker.submit(int)  # answered once the worker has started

    def submit(self, facts: list[CredentialFacts], *, last: bool) -> Future[Signed]:
        """``sign_chunk`` of ``facts``: by the worker once it is up, except the ``last`` chunk,
        which is signed here beside the worker's work on the chunk before; here too while the
        worker is still starting, or when none was asked for or it could not start."""
        if self._worker is None or last or not self._worker_up.done() or self._worker_up.exception():
            done: Future[Signed] = Future()
            done.set_result(sign_chunk(self.order, facts))
            return done
        return self._worker.submit(sign_chunk, self.order, facts)

    def __enter__(self) -> ChunkSigner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._worker is not None:
            # Every answer this import needs has arrived (or the import failed): the worker's exit
            # need not hold up the caller.
            self._worker.shutdown(wait=False, cancel_futures=True)
            self._worker = None


def _start_worker() -> None:
    """Runs first in the worker (which has imported this module, and with it the signing
    modules): watch the importing process and end with it."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), daemon=True).start()


def _end_with(parent_sentinel: int) -> None:
    multiprocessing.connection.wait([parent_sentinel])
    os._exit(1)  # the importer is gone: nothing is waiting for this worker's answers
