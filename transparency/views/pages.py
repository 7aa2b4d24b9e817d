"""The public pages: every campaign, a campaign's dashboard, its allocations, one province, its journal.

Each page reads only the transparency tables and selectors of public fields. Its main content is
cached as rendered HTML, keyed by the campaign's last change, its figures version, the language, the
host and the page's parameters once checked, so a refresh of the figures makes it stale at once; the
frame around it (header with the language switch and its CSRF token) is rendered per request. A bad
parameter falls back to the default: an unknown sort, a page that is not a number or is past the end.
"""

import hashlib
import logging
from collections.abc import Callable

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from campaigns.selectors import campaign_get_public, province_list
from campaigns.text import vietnamese_sort_key

from ..charts import TILES, percent_of, running_totals_chart, tile_map
from ..selectors import (
    allocation_list_public,
    campaign_figures_version,
    campaign_list_with_totals,
    campaign_public_find,
    campaign_totals_get,
    daily_totals_list,
    goods_totals_list,
    journal_head_list,
    province_current_get,
    province_goods_totals_list,
    province_predecessor_list,
    province_totals_get,
    province_totals_list,
)

logger = logging.getLogger(__name__)

PAGE_CACHE_SECONDS = 300  # also bounds how long a change the figures version does not see stays unseen
ALLOCATIONS_PER_PAGE = 20
HEADS_PER_PAGE = 60
MAX_PAGE = 10**6  # past any real last page

# The province table's columns: the figure each sorts by and the order a first click gives.
SORTS = {
    "name": (_("Province or city"), "asc"),
    "allocated": (_("Allocated"), "desc"),
    "disbursed": (_("Disbursed"), "desc"),
    "people": (_("People"), "desc"),
}
DEFAULT_SORT = ("allocated", "desc")


# --- helpers -------------------------------------------------------------------------------------


def _cached_page(request: HttpRequest, *, template: str, title: str, key: tuple, build: Callable[[], dict],
                 scripts: tuple[str, ...] = ()) -> HttpResponse:
    """Render `template` with `build()`'s context, or take it from the cache; then frame it."""
    where = (request.scheme, request.get_host())  # the page shows its own address
    digest = hashlib.sha256(repr((template, get_language(), where, *key)).encode()).hexdigest()
    cache_key = f"transparency:page:{digest}"
    try:
        body = cache.get(cache_key)
    except Exception:  # a cache outage costs a render, never the page
        logger.warning("page cache unavailable", exc_info=True)
        body = None
    if body is None:
        body = render_to_string(template, build(), request=request)
        try:
            cache.set(cache_key, body, PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("page cache unavailable", exc_info=True)
    return render(request, "transparency/page.html", {"title": title, "body": mark_safe(body), "scripts": scripts})


def _campaign_or_404(slug: str) -> Campaign:
    campaign = campaign_public_find(slug=slug)
    if campaign is None:
        raise Http404
    return campaign


def _campaign_key(campaign: Campaign) -> tuple:
    return campaign.pk, campaign.updated_at.timestamp(), campaign_figures_version(campaign_id=campaign.pk)


def _page_number(request: HttpRequest) -> int:
    """`?page=` as a number from 1 (the paginator shows the last page for one past the end);
    anything that is not a number is page 1."""
    raw = request.GET.get("page", "")
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return min(max(int(raw), 1), MAX_PAGE) if len(raw) <= 7 else MAX_PAGE  # int() of 5000 digits would fail


def _sort(request: HttpRequest) -> tuple[str, str]:
    sort, order = request.GET.get("sort", ""), request.GET.get("order", "")
    if sort not in SORTS:
        return DEFAULT_SORT
    return sort, order if order in ("asc", "desc") else SORTS[sort][1]


def _province_rows(rows: list, *, sort: str, order: str) -> list:
    """Province figures sorted for the table; each row also gets `name_rank`, its place in
    Vietnamese alphabetical order (the script sorts by it)."""
    by_name = sorted(rows, key=lambda row: vietnamese_sort_key(row.province.name))
    for rank, row in enumerate(by_name):
        row.name_rank = rank
    if sort == "name":
        return by_name if order == "asc" else by_name[::-1]
    field = {"allocated": "cash_allocated", "disbursed": "cash_disbursed", "people": "people_reached"}[sort]
    return sorted(by_name, key=lambda row: getattr(row, field), reverse=order == "desc")  # ties by name


def _sort_columns(*, sort: str, order: str) -> list[dict]:
    columns = []
    for key, (label, first_order) in SORTS.items():
        current = key == sort
        next_order = ("desc" if order == "asc" else "asc") if current else first_order
        columns.append({
            "key": key, "label": label, "href": f"?sort={key}&order={next_order}#provinces",
            "aria_sort": ("ascending" if order == "asc" else "descending") if current else "",
            "numeric": key != "name",
        })
    return columns


# --- pages ---------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    campaigns = campaign_list_with_totals()

    def build() -> dict:
        portal = {"received": 0, "allocated": 0, "disbursed": 0, "donors": 0, "people": 0}
        for campaign in campaigns:
            figures = campaign.figures
            if figures is not None:
                portal["received"] += figures.cash_received
                portal["allocated"] += figures.cash_allocated
                portal["disbursed"] += figures.cash_disbursed
                portal["donors"] += figures.donors
                portal["people"] += figures.people_reached
            campaign.bars = {
                "allocated": percent_of(figures.cash_allocated, figures.cash_received) if figures else 0,
                "disbursed": percent_of(figures.cash_disbursed, figures.cash_received) if figures else 0,
            }
        return {"campaigns": campaigns, "portal": portal}

    key = tuple((c.pk, c.updated_at.timestamp(), c.figures.version if c.figures else 0) for c in campaigns)
    return _cached_page(request, template="transparency/home.html", title=str(_("Relief campaigns")),
                        key=("home", key), build=build)


def campaign_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign_or_404(slug)
    sort, order = _sort(request)

    def build() -> dict:
        shown = campaign_get_public(slug=campaign.slug)  # with its provinces, accounts and drop-off points
        totals = campaign_totals_get(campaign_id=campaign.pk)
        rows = list(province_totals_list(campaign_id=campaign.pk))
        days = list(daily_totals_list(campaign_id=campaign.pk))
        target = campaign.target_amount
        return {
            "campaign": shown,
            "totals": totals,
            "tab": "dashboard",
            "target_percent": percent_of(totals.cash_received, target) if totals and target else None,
            "chart": running_totals_chart(days),
            "days": days,
            "map": tile_map(provinces=province_list(),
                            allocated={row.province.code: row.cash_allocated for row in rows}),
            "provinces": _province_rows(rows, sort=sort, order=order),
            "province_sum": {name: sum(getattr(row, name) for row in rows)
                             for name in ("cash_allocated", "cash_disbursed", "people_reached")},
            "columns": _sort_columns(sort=sort, order=order),
            "goods": list(goods_totals_list(campaign_id=campaign.pk)),
            "page_url": request.build_absolute_uri(campaign.get_absolute_url()),
        }

    return _cached_page(request, template="transparency/campaign.html", title=campaign.name,
                        key=("campaign", *_campaign_key(campaign), sort, order), build=build,
                        scripts=("transparency/sort.js",))


def campaign_allocations(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign_or_404(slug)
    number = _page_number(request)

    def build() -> dict:
        return {
            "campaign": campaign,
            "tab": "allocations",
            "totals": campaign_totals_get(campaign_id=campaign.pk),
            "page": Paginator(allocation_list_public(campaign_id=campaign.pk), ALLOCATIONS_PER_PAGE).get_page(number),
        }

    return _cached_page(request, template="transparency/allocations.html",
                        title=f"{_('Allocations')} · {campaign.name}",
                        key=("allocations", *_campaign_key(campaign), number), build=build)


def campaign_province(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    campaign = _campaign_or_404(slug)
    province = province_current_get(code=code) if code in TILES else None  # units of today's map only
    if province is None:
        raise Http404
    number = _page_number(request)

    def build() -> dict:
        return {
            "campaign": campaign,
            "tab": "allocations",
            "province": province,
            "predecessors": province_predecessor_list(province_id=province.pk),
            "figures": province_totals_get(campaign_id=campaign.pk, province_id=province.pk),
            "goods": list(province_goods_totals_list(campaign_id=campaign.pk, province_id=province.pk)),
            "page": Paginator(allocation_list_public(campaign_id=campaign.pk, province_id=province.pk),
                              ALLOCATIONS_PER_PAGE).get_page(number),
        }

    return _cached_page(request, template="transparency/province.html", title=f"{province.name} · {campaign.name}",
                        key=("province", *_campaign_key(campaign), code, number), build=build)


def campaign_journal(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign_or_404(slug)
    number = _page_number(request)

    def build() -> dict:
        return {
            "campaign": campaign,
            "tab": "journal",
            "totals": campaign_totals_get(campaign_id=campaign.pk),
            "page": Paginator(journal_head_list(campaign_id=campaign.pk), HEADS_PER_PAGE).get_page(number),
        }

    return _cached_page(request, template="transparency/journal.html",
                        title=f"{_('Journal')} · {campaign.name}",
                        key=("journal", *_campaign_key(campaign), number), build=build)
