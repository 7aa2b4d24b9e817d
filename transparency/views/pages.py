"""The public pages: every campaign, a campaign's dashboard, its allocations, one province, its journal.

Each page reads only the transparency tables and selectors of public fields, and is cached whole, as
the bytes sent: the frame around it holds nothing personal (the language switch is a plain link). A
campaign's pages are keyed by the campaign's slug, the language, the host and the page's parameters
once checked, and stored with the campaign's stamp (its last change and its figures version). A read
asks the cache for the page and the stamp at once and sends the page when they agree, with no query
and no rendering (each web process also keeps them in its own memory, checking the stamp again
after PUBLIC_PAGE_LOCAL_SECONDS, so most reads do not even ask Redis); the refresh of the figures and an edit of the campaign forget the stamp, so the
next read renders again. A bad parameter falls back to the default: an unknown sort, a page that is
not a number or is past the end. Visitors with a session or pending messages (staff) get the page
rendered for them.
"""

import hashlib
import logging
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
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
from ..services import CAMPAIGN_STAMP_KEY, CAMPAIGN_STAMP_SECONDS

logger = logging.getLogger(__name__)

PAGE_CACHE_SECONDS = 300  # also bounds how long a change the stamp does not see (a province renamed) stays unseen
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

# With one of these cookies the visitor may have something of their own in the frame (messages).
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)


# --- the page cache ------------------------------------------------------------------------------


def _cache_get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:  # a cache outage costs a render, never the page
        logger.warning("page cache unavailable", exc_info=True)
        return {}


def _cache_set(key: str, value, timeout: float) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)


def _kept_page(page_key: str, stamp_key: str) -> bytes | None:
    """The page, if it was rendered for the campaign's current stamp: from this process's memory while
    its stamp was checked less than PUBLIC_PAGE_LOCAL_SECONDS ago, else from the shared cache."""
    local = caches["local"]
    found = local.get_many([page_key, stamp_key])
    stamp, page = found.get(stamp_key), found.get(page_key)
    if stamp is not None and page is not None and page[0] == stamp:
        return page[1]
    found = _cache_get_many([page_key, stamp_key])
    stamp, page = found.get(stamp_key), found.get(page_key)
    if stamp is None or page is None or page[0] != stamp:
        return None
    local.set_many({page_key: page}, PAGE_CACHE_SECONDS)
    local.set(stamp_key, stamp, settings.PUBLIC_PAGE_LOCAL_SECONDS)
    return page[1]


def _page_key(request: HttpRequest, key: tuple) -> str:
    where = (request.scheme, request.get_host())  # the page shows its own address
    return "transparency:page:" + hashlib.sha256(repr((get_language(), where, *key)).encode()).hexdigest()


def _is_personal(request: HttpRequest) -> bool:
    return any(name in request.COOKIES for name in PERSONAL_COOKIES)


def _render(request: HttpRequest, *, template: str, context: dict, title: str, params: dict,
            scripts: tuple[str, ...] = ()) -> HttpResponse:
    """The page in the portal's frame; the language switch comes back to it with its checked parameters."""
    body = render_to_string(template, context, request=request)
    here = request.path + (f"?{urlencode(params)}" if params else "")
    return HttpResponse(render_to_string(
        "transparency/page.html",
        {"title": title, "body": mark_safe(body), "scripts": scripts, "here": here}, request=request,
    ))


def _campaign_stamp(campaign: Campaign) -> tuple:
    return campaign.pk, campaign.updated_at.timestamp(), campaign_figures_version(campaign_id=campaign.pk)


def _campaign_page(request: HttpRequest, slug: str, *, name: str, params: dict,
                   build: Callable[[Campaign], dict], template: str, title: Callable[[Campaign, dict], str],
                   scripts: tuple[str, ...] = ()) -> HttpResponse:
    """One of a campaign's public pages: from the cache when it was rendered for the campaign's
    current stamp, else rendered with `build(campaign)`'s context (which may raise Http404) and kept."""
    personal = _is_personal(request)
    page_key, stamp_key = _page_key(request, (name, slug, sorted(params.items()))), CAMPAIGN_STAMP_KEY.format(slug)
    kept = None if personal else _kept_page(page_key, stamp_key)
    if kept is not None:
        return HttpResponse(kept)
    campaign = campaign_public_find(slug=slug)
    if campaign is None:
        raise Http404
    stamp = _campaign_stamp(campaign)
    context = build(campaign)
    response = _render(request, template=template, context=context, title=title(campaign, context),
                       params=params, scripts=scripts)
    shown = context.get("page")  # a page number past the end shows the last page: not kept under its own key
    if not personal and (shown is None or shown.number == params.get("page", 1)):
        _cache_set(stamp_key, stamp, CAMPAIGN_STAMP_SECONDS)
        _cache_set(page_key, (stamp, response.content), PAGE_CACHE_SECONDS)
    return response


def _page_number(request: HttpRequest) -> int:
    """`?page=` as a number from 1 (the paginator shows the last page for one past the end);
    anything that is not a number is page 1."""
    raw = request.GET.get("page", "")
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return min(max(int(raw), 1), MAX_PAGE) if len(raw) <= 7 else MAX_PAGE  # int() of 5000 digits would fail


def _page_params(number: int) -> dict:
    return {} if number == 1 else {"page": number}


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
    stamp = tuple((c.pk, c.updated_at.timestamp(), c.figures.version if c.figures else 0) for c in campaigns)
    personal, page_key = _is_personal(request), _page_key(request, ("home",))
    page = None if personal else _cache_get_many([page_key]).get(page_key)
    if page is not None and page[0] == stamp:
        return HttpResponse(page[1])
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
    response = _render(request, template="transparency/home.html", context={"campaigns": campaigns, "portal": portal},
                       title=str(_("Relief campaigns")), params={})
    if not personal:
        _cache_set(page_key, (stamp, response.content), PAGE_CACHE_SECONDS)
    return response


def campaign_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    sort, order = _sort(request)

    def build(campaign: Campaign) -> dict:
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

    params = {} if (sort, order) == DEFAULT_SORT else {"sort": sort, "order": order}
    return _campaign_page(request, slug, name="campaign", params=params, build=build,
                          template="transparency/campaign.html", title=lambda campaign, _context: campaign.name,
                          scripts=("transparency/sort.js",))


def _campaign_rows_page(request: HttpRequest, slug: str, *, tab: str, rows: Callable, per_page: int,
                        label: str) -> HttpResponse:
    """A campaign's tab that pages through `rows(campaign_id=…)` under the campaign's headline figures."""
    number = _page_number(request)

    def build(campaign: Campaign) -> dict:
        return {
            "campaign": campaign,
            "tab": tab,
            "totals": campaign_totals_get(campaign_id=campaign.pk),
            "page": Paginator(rows(campaign_id=campaign.pk), per_page).get_page(number),
        }

    return _campaign_page(request, slug, name=tab, params=_page_params(number), build=build,
                          template=f"transparency/{tab}.html",
                          title=lambda campaign, _context: f"{label} · {campaign.name}")


def campaign_allocations(request: HttpRequest, slug: str) -> HttpResponse:
    return _campaign_rows_page(request, slug, tab="allocations", rows=allocation_list_public,
                               per_page=ALLOCATIONS_PER_PAGE, label=_("Allocations"))


def campaign_province(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    if code not in TILES:  # units of today's map only
        raise Http404
    number = _page_number(request)

    def build(campaign: Campaign) -> dict:
        province = province_current_get(code=code)
        if province is None:
            raise Http404
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

    return _campaign_page(request, slug, name=f"province-{code}", params=_page_params(number), build=build,
                          template="transparency/province.html",
                          title=lambda campaign, context: f"{context['province'].name} · {campaign.name}")


def campaign_journal(request: HttpRequest, slug: str) -> HttpResponse:
    return _campaign_rows_page(request, slug, tab="journal", rows=journal_head_list, per_page=HEADS_PER_PAGE,
                               label=_("Journal"))
