"""Rows every pledge reads and staff change seldom, kept in each web process for a few seconds.

A pledge names its campaign (which must be open, with its receiving account to show), perhaps the
donor's province and the goods' categories. Read from the database on every request, these cost
more round trips than the pledge's own write; kept here they cost none:

- the provinces of the 2025 map, by code, for `PROVINCES_FOR` seconds (reference data, changed
  only by a migration);
- the item categories, by slug, and a campaign by slug with its receiving accounts and their banks
  (primary first) and its drop-off points (their provinces and categories), for `FRESH_FOR` seconds.

A save or delete of any of them in this process, and every migration, empties the caches at once;
other processes read the change when their copy expires, so a campaign closed in the admin stops
taking pledges everywhere within `FRESH_FOR` seconds. What is kept is shared by the requests of one
process and must be treated as read-only. A name the database does not know is never kept (any
string can be sent), and each cache holds at most `LIMIT` names.
"""

import time
from collections.abc import Callable, Hashable
from typing import Any

from .models import Bank, Campaign, DropOffPoint, ItemCategory, Province, ProvinceSet, ReceivingAccount
from .selectors import campaign_get_public

FRESH_FOR = 5.0
PROVINCES_FOR = 300.0
LIMIT = 256


class ProcessCache:
    """What `load(key)` returns, kept `ttl` seconds; None (not found) is never kept."""

    def __init__(self, load: Callable[[Hashable], Any], *, ttl: float) -> None:
        self._load, self._ttl = load, ttl
        self._entries: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable) -> Any:
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and now < entry[0]:
            return entry[1]
        value = self._load(key)
        if value is not None:
            if len(self._entries) >= LIMIT:
                self._entries.clear()
            self._entries[key] = (now + self._ttl, value)
        return value

    def clear(self) -> None:
        self._entries.clear()


def _provinces(_key) -> dict[str, Province]:
    return {province.code: province for province in Province.objects.filter(set=ProvinceSet.Y2025)}


def _categories(_key) -> dict[str, ItemCategory]:
    return {category.slug: category for category in ItemCategory.objects.all()}


def _campaign(slug: str) -> Campaign | None:
    return campaign_get_public(slug=slug)


_PROVINCES = ProcessCache(_provinces, ttl=PROVINCES_FOR)
_CATEGORIES = ProcessCache(_categories, ttl=FRESH_FOR)
_CAMPAIGNS = ProcessCache(_campaign, ttl=FRESH_FOR)
ALL = [_PROVINCES, _CATEGORIES, _CAMPAIGNS]
# Which caches a change to a model empties.
CLEARED_BY = {
    Province: [_PROVINCES],
    ItemCategory: [_CATEGORIES],
    Campaign: [_CAMPAIGNS],
    ReceivingAccount: [_CAMPAIGNS],
    Bank: [_CAMPAIGNS],
    DropOffPoint: [_CAMPAIGNS],
    DropOffPoint.categories.through: [_CAMPAIGNS],
}


def province_2025(code: str) -> Province | None:
    return _PROVINCES.get(None).get(code)


def item_category(slug: str) -> ItemCategory | None:
    return _CATEGORIES.get(None).get(slug)


def campaign_open_or_closed(slug: str) -> Campaign | None:
    """The campaign with this slug unless it is a draft, as `campaign_get_public` reads it (its
    provinces, accounts with their banks, drop-off points with theirs prefetched)."""
    return _CAMPAIGNS.get(slug)


def caches_clear(sender=None, **_kwargs) -> None:
    """Empty the caches `sender` (a model) feeds, or all of them (after a migration, between tests)."""
    for cache in CLEARED_BY.get(sender, ALL):
        cache.clear()
