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
from collections.abc import Callable
from typing import NamedTuple

from flask import Blueprint, Response, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from limits.strategies import RateLimiter
from werkzeug.exceptions import TooManyRequests


@functools.lru_cache(maxsize=64)
def parsed(limits: str) -> tuple[RateLimitItem, ...]:
    """``"120/minute;2000/hour"`` as limit items (rates come from settings; parse each once)."""
    return tuple(parse_many(limits))


class _Hit(NamedTuple):
    item: RateLimitItem
    identifiers: tuple[str, ...]
    cost: int


@dataclasses.dataclass(frozen=True)
class Budgets:
    """A per-client budget per route, and a budget shared by scope that some requests draw on.

    ``per_client`` and ``shared`` return limit strings (read per request, so settings apply at
    once); ``shared_cost`` says how much of the shared budget this request takes (0: none).
    """

    limiter: Limiter
    per_client: Callable[[], str]
    shared: Callable[[], str]
    shared_scope: str
    shared_cost: Callable[[], int]
    headers: bool = True

    def init_blueprint(self, bp: Blueprint) -> None:
        self.limiter.request_filter(lambda: request.blueprint == bp.name)
        bp.before_request(self.check)
        bp.after_request(self.add_headers)

    def check(self) -> None:
        """Draw this request on its budgets; 429 with Retry-After once one is spent."""
        if not self.limiter.enabled:
            return
        client = get_remote_address()
        prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
        # Flask-Limiter's bucket identifiers: [prefix,] client, scope (the endpoint unless shared).
        base = (prefix, client) if prefix else (client,)
        route = (*base, request.endpoint or "")
        hits = [_Hit(item, route, 1) for item in parsed(self.per_client())]
        cost = self.shared_cost()
        if cost > 0:
            shared = (*base, self.shared_scope)
            hits += [_Hit(item, shared, cost) for item in parsed(self.shared())]
        # As Flask-Limiter does: shortest window first, stop at the first budget spent.
        hits.sort(key=_window_seconds)
        strategy = self._strategy()
        for hit in hits:
            if not strategy.hit(hit.item, *hit.identifiers, cost=hit.cost):
                g.budget_hit = hit
                reset = strategy.get_window_stats(hit.item, *hit.identifiers).reset_time
                retry_after = max(1, int(reset + 1 - time.time()))
                raise TooManyRequests(description=str(hit.item), retry_after=retry_after)
        # The headers describe the first per-client budget, as Flask-Limiter's do.
        g.budget_hit = hits[0] if hits else None

    def add_headers(self, response: Response) -> Response:
        hit: _Hit | None = g.get("budget_hit")
        if not self.headers or hit is None:
            return response
        reset_time, remaining = self._strategy().get_window_stats(hit.item, *hit.identifiers)
        reset_at = int(reset_time + 1)
        response.headers.add("X-RateLimit-Limit", str(hit.item.amount))
        response.headers.add("X-RateLimit-Remaining", str(remaining))
        response.headers.add("X-RateLimit-Reset", str(reset_at))
        response.headers.set("Retry-After", str(max(0, int(reset_at - time.time()))))
        return response

    def _strategy(self) -> RateLimiter:
        return self.limiter.limiter


def _window_seconds(hit: _Hit) -> int:
    return int(hit.item.GRANULARITY.seconds)
