"""Answers about a campaign cached under its figures version: a refresh of the figures makes every
cached answer stale at once. A cache outage only costs the work of computing the answer."""

import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from ..selectors import campaign_figures_version

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Versioned keys never go stale; the timeout only bounds the memory old versions hold.
TIMEOUT_SECONDS = 6 * 3600


def figures_cached(
    *, campaign_id: int, name: str, compute: Callable[[], T], variant: str = "", timeout: int = TIMEOUT_SECONDS
) -> T:
    """`compute()`, or what it gave for this campaign, figures version, answer `name` and `variant`
    (e.g. the page asked for) since the figures last changed."""
    version = campaign_figures_version(campaign_id=campaign_id)
    digest = hashlib.sha256(variant.encode("utf-8")).hexdigest()[:32]
    key = f"opendata:{campaign_id}:{version}:{name}:{digest}"
    try:
        hit = cache.get(key)
    except Exception:
        logger.warning("cache unavailable; answering %s without it", key, exc_info=True)
        return compute()
    if hit is not None:
        return hit
    value = compute()
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("could not store %s in the cache", key, exc_info=True)
    return value
