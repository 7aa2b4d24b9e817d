"""Rate limits per client address, counted atomically in the shared cache.

A limit such as "60/min" allows that many requests in any sliding window of that length, estimated
from two fixed windows (the current one, and the previous one weighted by how much of it still
overlaps). Each request is counted with `cache.add` + `cache.incr`, atomic in Redis: two processes
never both take the last place. A request refused by the limit is not counted, and neither is one
that never reached validation (a malformed, oversized or wrongly typed body): a carrier-grade NAT
address shared by thousands of honest donors is not used up by someone else's noise.

When the cache is unreachable the limits are counted in each process instead, for a while, with a
logged warning: a Redis outage neither refuses donors nor answers 500.
"""

import logging
import math
import time

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from .client import client_address

logger = logging.getLogger(__name__)

FALLBACK_SECONDS = 10.0  # after a cache error, count in process this long before trying the cache again
_fallback = LocMemCache("relief-portal-throttle-fallback", {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 10})
_cache_down_until = 0.0


def _store():
    return _fallback if time.monotonic() < _cache_down_until else cache


def _with_store(operation, *, if_no_counter: bool):
    """Run `operation(store)` on the shared cache, or on the in-process fallback while it is down;
    `if_no_counter` when neither works (the request goes through: a limit never causes a 500)."""
    global _cache_down_until
    store = _store()
    try:
        return operation(store)
    except Exception:
        if store is not _fallback:
            _cache_down_until = time.monotonic() + FALLBACK_SECONDS
            logger.warning(
                "rate limits: the cache is unreachable; counting in this process for the next %s s",
                FALLBACK_SECONDS, exc_info=True,
            )
            try:
                return operation(_fallback)
            except Exception:
                pass
        logger.warning("rate limits: no counter available; letting the request through", exc_info=True)
        return if_no_counter


class RateLimit:
    """`limit` requests per `period` seconds for each identity (a client address) within `scope`."""

    def __init__(self, *, scope: str, limit: int, period: int):
        self.scope, self.limit, self.period = scope, limit, period

    def _keys(self, ident: str, now: float) -> tuple[str, str, float]:
        window = int(now // self.period)
        still_overlapping = 1 - (now % self.period) / self.period  # share of the previous window
        key = f"rate:{self.scope}:{ident}:"
        return key + str(window - 1), key + str(window), still_overlapping

    def exhausted(self, ident: str) -> bool:
        """Whether the next request would be refused. Counts nothing."""
        previous_key, current_key, overlap = self._keys(ident, time.time())

        def peek(store) -> bool:
            counts = store.get_many([previous_key, current_key])
            return counts.get(previous_key, 0) * overlap + counts.get(current_key, 0) >= self.limit

        return _with_store(peek, if_no_counter=False)

    def hit(self, ident: str) -> bool:
        """Count one request; False, and the request is not counted, when it is over the limit."""
        previous_key, current_key, overlap = self._keys(ident, time.time())

        def count(store) -> bool:
            store.add(current_key, 0, timeout=2 * self.period + 1)
            try:
                current = store.incr(current_key)
            except ValueError:  # expired between add and incr
                store.set(current_key, 1, timeout=2 * self.period + 1)
                current = 1
            if store.get(previous_key, 0) * overlap + current > self.limit:
                store.decr(current_key)
                return False
            return True

        return _with_store(count, if_no_counter=True)

    def wait(self) -> int:
        """Seconds until the current window ends: by then at least one place is free again."""
        return max(1, math.ceil(self.period - time.time() % self.period))


class ClientAddressRateThrottle(SimpleRateThrottle):
    """A DRF throttle per client address (behind the configured proxies), counted only once the
    request's body has been read: a request refused before that costs the address nothing."""

    def __init__(self):
        super().__init__()
        self.limiter = RateLimit(scope=self.scope, limit=self.num_requests, period=self.duration)

    def get_cache_key(self, request, view) -> str:
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        if self.rate is None or request.method in SAFE_METHODS or not hasattr(view, request.method.lower()):
            return True  # a read, or a method the view refuses (405): nothing to validate, nothing counted
        ident = self.get_cache_key(request, view)
        if self.limiter.exhausted(ident):
            return False
        request.data  # noqa: B018 - a body that cannot be read is refused here (400, 413, 415), uncounted
        return self.limiter.hit(ident)

    def wait(self) -> float:
        return self.limiter.wait()


class PledgeCreateThrottle(ClientAddressRateThrottle):
    """Pledges through the API; the donate form counts against the same limit."""

    scope = "pledge_create"


def pledge_rate_limit() -> RateLimit:
    """The pledge limit, for the donate form: the same counters as the API's."""
    return PledgeCreateThrottle().limiter
