"""Rate limits per client address, counted atomically in the shared cache.

A limit such as "60/min" allows that many requests in any sliding window of that length, estimated
from two fixed windows (the current one, and the previous one weighted by how much of it still
overlaps). In Redis a request is counted and checked by one script, in one round trip, atomic: two
processes never both take the last place; in any other cache with `cache.add` + `cache.incr`. A
request refused by the limit is not counted, and neither is one that never reached validation (a
malformed, oversized or wrongly typed body: counted first, it gives its place back at once): a
carrier-grade NAT address shared by thousands of honest donors is not used up by someone else's noise.

When the cache is unreachable the limits are counted in each process instead, for a while, with a
logged warning: a Redis outage neither refuses donors nor answers 500.
"""

import hashlib
import logging
import math
import time
import weakref

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCacheClient
from redis import Redis
from redis.exceptions import NoScriptError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from .client import client_address

logger = logging.getLogger(__name__)

FALLBACK_SECONDS = 10.0  # after a cache error, count in process this long before trying the cache again
_fallback = LocMemCache("relief-portal-throttle-fallback", {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 10})
_cache_down_until = 0.0


# KEYS: the previous window's counter, the current one's. ARGV: the limit, the share of the previous
# window still overlapping, the counter's lifetime in seconds. Counts the request in the current
# window unless that takes the estimate over the limit; 1 when counted. Counters are plain integers,
# as Django's Redis cache stores integers, so `cache.get` reads them alike.
_REDIS_HIT = """
local current = redis.call('INCR', KEYS[2])
if current == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
local previous = tonumber(redis.call('GET', KEYS[1])) or 0
if previous * tonumber(ARGV[2]) + current > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[2])
  return 0
end
return 1
"""
_REDIS_HIT_SHA = hashlib.sha1(_REDIS_HIT.encode()).hexdigest()


_clients: "weakref.WeakKeyDictionary[RedisCacheClient, Redis]" = weakref.WeakKeyDictionary()


def _redis_client(store) -> "Redis | None":
    """The Redis client behind `store` when it is Django's Redis cache; None for any other. Made once
    per cache backend (Django makes a new one for every call, which costs more than the round trip's
    own work here) and sharing the backend's connection pool."""
    backend = getattr(store, "_cache", None)
    if not isinstance(backend, RedisCacheClient):
        return None
    client = _clients.get(backend)
    if client is None:
        client = _clients[backend] = backend.get_client(write=True)
    return client


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

    def hit(self, ident: str, *, at: float | None = None) -> bool:
        """Count one request (made at `at`, now by default); False, and the request is not counted,
        when it is over the limit."""
        previous_key, current_key, overlap = self._keys(ident, time.time() if at is None else at)
        lifetime = 2 * self.period + 1

        def count(store) -> bool:
            if (client := _redis_client(store)) is not None:
                keys = (store.make_key(previous_key), store.make_key(current_key))
                keys_and_args = (*keys, self.limit, overlap, lifetime)
                try:  # the command itself: redis-py's evalsha wrapper checks its arguments on every call
                    return bool(client.execute_command("EVALSHA", _REDIS_HIT_SHA, 2, *keys_and_args))
                except NoScriptError:  # the first time on this server, or after a restart
                    return bool(client.eval(_REDIS_HIT, 2, *keys_and_args))
            store.add(current_key, 0, timeout=lifetime)
            try:
                current = store.incr(current_key)
            except ValueError:  # expired between add and incr
                store.set(current_key, 1, timeout=lifetime)
                current = 1
            if store.get(previous_key, 0) * overlap + current > self.limit:
                store.decr(current_key)
                return False
            return True

        return _with_store(count, if_no_counter=True)

    def forget(self, ident: str, *, at: float) -> None:
        """Give back the place a request made at `at` took (`hit`): it turned out not to count."""
        _previous_key, current_key, _overlap = self._keys(ident, at)

        def uncount(store) -> None:
            try:
                store.decr(current_key)
            except ValueError:  # the window's counter is gone already
                pass

        _with_store(uncount, if_no_counter=None)

    def wait(self) -> int:
        """Seconds until the current window ends: by then at least one place is free again."""
        return max(1, math.ceil(self.period - time.time() % self.period))


class ClientAddressRateThrottle(SimpleRateThrottle):
    """A DRF throttle per client address (behind the configured proxies), counting only requests whose
    body could be read: one refused before that costs the address nothing."""

    def __init__(self):
        super().__init__()
        self.limiter = RateLimit(scope=self.scope, limit=self.num_requests, period=self.duration)

    def get_cache_key(self, request, view) -> str:
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        if self.rate is None or request.method in SAFE_METHODS or not hasattr(view, request.method.lower()):
            return True  # a read, or a method the view refuses (405): nothing to validate, nothing counted
        ident, at = self.get_cache_key(request, view), time.time()
        # Counted first, in one round trip: a request over the limit is refused before its body is read.
        if not self.limiter.hit(ident, at=at):
            return False
        try:
            request.data  # noqa: B018 - a body that cannot be read is refused here (400, 413, 415)...
        except Exception:
            self.limiter.forget(ident, at=at)  # ... and does not count
            raise
        return True

    def wait(self) -> float:
        return self.limiter.wait()


class PledgeCreateThrottle(ClientAddressRateThrottle):
    """Pledges through the API; the donate form counts against the same limit."""

    scope = "pledge_create"


def pledge_rate_limit() -> RateLimit:
    """The pledge limit, for the donate form: the same counters as the API's."""
    return PledgeCreateThrottle().limiter
