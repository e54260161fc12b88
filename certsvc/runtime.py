"""The objects every entry point needs: settings, database, key store and a clock.

The CLI and the web app build one ``Runtime`` each; services receive it explicitly, so tests can
swap the clock or the database without monkeypatching globals. What services remember between
calls (derived keys, signed status lists, ledger evidence, pending verification counts) lives in
the runtime's ``cache``, so it ends with the runtime and never leaks between databases or tests.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from certsvc.config import Settings
from certsvc.db.session import Database
from certsvc.domain.workdays import install_supplements, parse_supplements
from certsvc.errors import ConfigurationError
from certsvc.timefmt import china_date

if TYPE_CHECKING:
    from certsvc.certificates.holders import HolderKeys
    from certsvc.signing.jwks import KeySet
    from certsvc.signing.keystore import FileKeyStore, KeyInfo
    from certsvc.verification.counters import CountBuffer
    from certsvc.verification.statuslists import SignedStatusList


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class RuntimeCache:
    """Values services derive once per runtime; each is filled by the service that owns it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    holder_keys: HolderKeys | None = None  # certificates.holders
    keyset: tuple[tuple[KeyInfo, ...], KeySet] | None = None  # verification.services
    ledger_evidence: dict[int, tuple[float, dict[str, Any]]] = field(default_factory=dict)  # ditto
    # SHA-256 of a stored credential -> (the key set it was checked against, failing step and
    # reason, or None when it holds)
    credential_checks: dict[bytes, tuple[KeySet, tuple[str | None, str] | None]] = field(
        default_factory=dict
    )  # verification.services
    status_lists: dict[tuple[str, int, str | None], tuple[str, SignedStatusList]] = field(
        default_factory=dict
    )
    verification_counts: CountBuffer | None = None  # verification.counters
    staff_pseudonym_key: bytes | None = None  # audit.actors


@dataclass
class Runtime:
    settings: Settings
    database: Database
    clock: Callable[[], dt.datetime] = field(default=utc_now)
    cache: RuntimeCache = field(default_factory=RuntimeCache, init=False, repr=False, compare=False)

    @cached_property
    def keys(self) -> FileKeyStore:
        from certsvc.signing.keystore import FileKeyStore

        return FileKeyStore(
            self.settings.keys_dir,
            self.settings.key_passphrase,
            unsafe_plaintext=self.settings.unsafe_plaintext_keys,
        )

    def now(self) -> dt.datetime:
        return self.clock()

    def close(self) -> None:
        """A clean shutdown (a gunicorn worker exiting, the dev server stopping): store what is
        still pending. Statistics must never stop a shutdown, so a failure is only logged."""
        from certsvc.verification import counters

        counters.flush_pending(self)

    def today(self) -> dt.date:
        # Title-review dates are Chinese calendar dates: judge "today" in China Standard Time.
        return china_date(self.clock())


def build_runtime(settings: Settings) -> Runtime:
    if settings.calendar_file is not None:
        load_calendar_file(settings.calendar_file)
    return Runtime(settings=settings, database=Database(settings.database_url))


def load_calendar_file(path: Path) -> None:
    """Add the years an operator copied from the State Council's notices (CERTSVC_CALENDAR_FILE)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigurationError(f"CERTSVC_CALENDAR_FILE {path}: {error.strerror}") from None
    install_supplements(parse_supplements(data, f"CERTSVC_CALENDAR_FILE {path}"))
