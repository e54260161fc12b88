"""Rate limits for one hot blueprint, kept in Flask-Limiter's buckets but checked in one step.

Flask-Limiter works out a request's limits anew each time: endpoint, blueprint and exemption
lookups, the limit strings parsed again, limit and context objects built, headers in a second
pass. Measured in-process, one limit adds ~0.1 ms to a request that costs a hello-world Flask
app 0.14 ms in all; the public verify API, with two budgets, cannot meet its throughput target
(DESIGN §6, ≥ 50 % of hello-world) with that in its path. ``Budgets`` checks the same budgets
with the limiter's own strategy and storage (``limiter.limiter``) under the bucket keys
Flask-Limiter uses, so a budget shared with routes Flask-Limiter guards (``shared_scope``) stays
one budget, ``RATELIMIT_STORAGE_URI``/``RATELIMIT_KEY_PREFIX``/``RATELIMIT_ENABLED`` still
apply, and a refused request is the same 429 problem with ``Retry-After`` and ``X-RateLimit-*``
headers. Flask-Limiter itself skips the blueprint (a request filter).
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from flask import Blueprint, Flask, Response, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter, RateLimiter
from werkzeug.exceptions import TooManyRequests

from certsvc.log import get_logger
from certsvc.web.limits_storage import FixedWindowMemoryStorage, WindowCount, WindowHit, hit_windows

FALLBACK_SECONDS = 5
log = get_logger("certsvc.ratelimit")


class CertsvcLimiter(Limiter):
    """Flask-Limiter, returning at once for blueprints that count their own budgets
    (``certsvc.web.budgets``): its before-request hook otherwise works out the request's limits
    before a request filter can skip them, about 20 µs per request on the hot verify path."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.own_budget_blueprints: set[str] = set()

    def init_app(self, app: Flask) -> None:
        # Flask-Limiter registers its request hooks only on an app it has not seen yet. Marking the
        # app as seen lets us register hooks that skip the own-budget blueprints: its after-request
        # and teardown hooks would otherwise build a limiter context per request just to find it
        # empty, about 15 µs on the hot verify path.
        app.extensions.setdefault("limiter", set()).add(self)
        super().init_app(app)
        app.before_request(self._check_request_limit)
        app.after_request(self._add_limit_headers)
        app.teardown_request(self._end_request)

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if request.blueprint in self.own_budget_blueprints:
            return
        super()._check_request_limit(callable_name, in_middleware)

    def _add_limit_headers(self, response: Response) -> Response:
        if request.blueprint in self.own_budget_blueprints:
            return response
        return self._Limiter__inject_headers(response)  # type: ignore[attr-defined,no-any-return]

    def _end_request(self, error: BaseException | None = None) -> None:
        if request.blueprint in self.own_budget_blueprints:
            return
        self._Limiter__release_context(error)  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=64)
def parsed(limits: str) -> tuple[RateLimitItem, ...]:
    """``"120/minute;2000/hour"`` as limit items (rates come from settings; parse each once)."""
    return tuple(parse_many(limits))


# Where the verify fast lane leaves what it drew for a request it hands over to Flask.
DRAWN_ENVIRON_KEY = "certsvc.budgets.drawn"


class Drawn(NamedTuple):
    """What one request drew: the budget its headers describe, or the one it overspent."""

    item: RateLimitItem
    window: WindowCount
    refused: bool

    def retry_after(self) -> int:
        return max(1, int(self.window.expires_at + 1 - time.time()))

    def headers(self) -> list[tuple[str, str]]:
        """X-RateLimit-* and Retry-After, as Flask-Limiter writes them."""
        reset_at = int(self.window.expires_at + 1)
        return [
            ("X-RateLimit-Limit", str(self.item.amount)),
            ("X-RateLimit-Remaining", str(max(0, self.item.amount - self.window.used))),
            ("X-RateLimit-Reset", str(reset_at)),
            ("Retry-After", str(max(0, int(reset_at - time.time())))),
        ]


class _Hit(NamedTuple):
    item: RateLimitItem
    identifiers: tuple[str, ...]
    cost: int


@dataclasses.dataclass
class Budgets:
    """A per-client budget per route, and a budget shared by scope that some requests draw on.

    ``per_client`` and ``shared`` return limit strings from the app's config (read per request,
    so settings apply at once); ``shared_cost`` says how much of the shared budget this request
    takes (0: none).
    """

    limiter: CertsvcLimiter
    per_client: Callable[[Mapping[str, Any]], str]
    shared: Callable[[Mapping[str, Any]], str]
    shared_scope: str
    shared_cost: Callable[[], int]
    headers: bool = True
    _fallback: FixedWindowMemoryStorage = dataclasses.field(default_factory=FixedWindowMemoryStorage)
    # The shared store last found unreachable, and the time.monotonic() until which it is not tried.
    _outage: tuple[Storage | None, float] = (None, 0.0)

    def init_blueprint(self, bp: Blueprint) -> None:
        self.limiter.own_budget_blueprints.add(bp.name)
        bp.before_request(self.check)
        bp.after_request(self.add_headers)

    def check(self) -> None:
        """Draw this request on its budgets; 429 with Retry-After once one is spent."""
        if not self.limiter.enabled:
            return
        # A request the verify fast lane hands over has been drawn already (certsvc.web.fastlane).
        drawn: Drawn | None = request.environ.get(DRAWN_ENVIRON_KEY)
        if drawn is None:
            drawn = self.draw(
                current_app.config, get_remote_address(), request.endpoint or "", self.shared_cost()
            )
        if drawn is None:
            return
        g.budget_window = drawn
        if drawn.refused:
            raise TooManyRequests(description=str(drawn.item), retry_after=drawn.retry_after())

    def draw(self, config: Mapping[str, Any], client: str, endpoint: str, shared_cost: int) -> Drawn | None:
        """Count one request of ``client`` on ``endpoint`` (and ``shared_cost`` on the shared
        budget) with the rates in the app's ``config``; None when no budget applies."""
        # The prefix Flask-Limiter read from RATELIMIT_KEY_PREFIX when it was set up.
        prefix = self.limiter._key_prefix
        # Flask-Limiter's bucket identifiers: [prefix,] client, scope (the endpoint unless shared).
        base = (prefix, client) if prefix else (client,)
        route = (*base, endpoint)
        hits = [_Hit(item, route, 1) for item in parsed(self.per_client(config))]
        if shared_cost > 0:
            shared = (*base, self.shared_scope)
            hits += [_Hit(item, shared, shared_cost) for item in parsed(self.shared(config))]
        if not hits:
            return None
        # As Flask-Limiter does: shortest window first, stop at the first budget spent.
        hits.sort(key=_window_seconds)
        refused, counts = self._count(hits)
        if refused is not None:
            return Drawn(hits[refused].item, counts[refused], refused=True)
        # The headers describe the first per-client budget, as Flask-Limiter's do.
        return Drawn(hits[0].item, counts[0], refused=False)

    def add_headers(self, response: Response) -> Response:
        drawn: Drawn | None = g.get("budget_window")
        if self.headers and drawn is not None:
            for name, value in drawn.headers():
                # Set, not added: a 429 already carries the Retry-After its exception was given.
                response.headers[name] = value
        return response

    def _count(self, hits: list[_Hit]) -> tuple[int | None, list[WindowCount]]:
        strategy = self.limiter.limiter
        if type(strategy) is not FixedWindowRateLimiter:
            return _count_one_by_one(strategy, hits)
        windows = [
            WindowHit(hit.item.key_for(*hit.identifiers), hit.item.get_expiry(), hit.cost, hit.item.amount)
            for hit in hits
        ]
        # The configured store, even while Flask-Limiter counts its own routes in its fallback
        # (it notices a recovered store only on those routes' requests): the budgets keep their
        # own outage window below.
        storage = self.limiter.storage
        unreachable, until = self._outage
        if unreachable is not storage or time.monotonic() >= until:
            try:
                return hit_windows(storage, windows)
            except _storage_errors(storage):
                # Like Flask-Limiter's in-memory fallback: the budgets still hold, per process,
                # until the shared store answers again (tried every FALLBACK_SECONDS).
                log.warning(
                    "rate-limit store unreachable; counting in this process for %d s", FALLBACK_SECONDS
                )
                self._outage = (storage, time.monotonic() + FALLBACK_SECONDS)
        return hit_windows(self._fallback, windows)


def _count_one_by_one(strategy: RateLimiter, hits: list[_Hit]) -> tuple[int | None, list[WindowCount]]:
    """Other strategies (moving or sliding windows): each budget through the strategy in turn."""
    counts: list[WindowCount] = []
    for index, hit in enumerate(hits):
        allowed = strategy.hit(hit.item, *hit.identifiers, cost=hit.cost)
        reset_time, remaining = strategy.get_window_stats(hit.item, *hit.identifiers)
        counts.append(WindowCount(hit.item.amount - remaining, reset_time))
        if not allowed:
            return index, counts
    return None, counts


def _storage_errors(storage: Storage) -> tuple[type[Exception], ...]:
    errors = storage.base_exceptions
    return errors if isinstance(errors, tuple) else (errors,)


def _window_seconds(hit: _Hit) -> int:
    return int(hit.item.GRANULARITY.seconds)
