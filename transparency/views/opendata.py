"""Open-data files: every API answer about a campaign as CSV (UTF-8 with BOM, cells neutralised),
the HXL 3W file, and the journal with its daily heads for anyone to re-check. Small files are
written from the cached API answers; the allocations and the journal are streamed."""

from collections.abc import Iterable, Iterator, Sequence

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

from campaigns.models import Campaign
from campaigns.selectors import item_category_list
from ledger.journal import goods_text

from ..api.answers import (
    daily_answer,
    goods_answer,
    hxl_3w_answer,
    journal_heads_answer,
    provinces_answer,
    totals_answer,
)
from ..api.selectors import allocation_list_open, campaign_get_open, journal_entry_list
from ..api.serializers import (
    DailyTotalsSerializer,
    GoodsTotalsSerializer,
    JournalHeadSerializer,
    TotalsSerializer,
)
from ..exports import (
    csv_bytes,
    csv_response,
    csv_streaming_response,
    local_time_text,
    table_rows,
)

STREAM_CHUNK = 1000

PROVINCE_COLUMNS = ("code", "name", "cash_allocated", "cash_disbursed", "cash_reported", "goods_value_allocated",
                    "allocations", "households_reached", "people_reached")
PROVINCE_GOODS_COLUMNS = ("code", "name", "category", "unit", "allocated", "distributed")
ALLOCATION_COLUMNS = (
    "sequence", "number", "decision_number", "decision_date", "province_set", "province_code", "province_name",
    "current_code", "current_name", "purpose", "kind", "amount", "goods", "status", "disbursed_on", "reverses",
    "reversed_by", "reports", "households", "people", "amount_reported",
)
JOURNAL_COLUMNS = ("sequence", "event", "entry_number", "recorded_at", "canonical", "hash")
CATEGORY_COLUMNS = ("slug", "name_vi", "name_en", "unit")


def _campaign(slug: str) -> Campaign:
    campaign = campaign_get_open(slug=slug)
    if campaign is None:
        raise Http404
    return campaign


def _small_csv(campaign: Campaign, name: str, rows: Iterable[Sequence]) -> HttpResponse:
    """A small file of the campaign, written from its (cached) API answer."""
    return csv_response(csv_bytes(rows), filename=f"{campaign.slug}-{name}.csv")


@require_safe
def totals_csv(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    columns = TotalsSerializer.Meta.fields
    return _small_csv(campaign, "totals", table_rows([totals_answer(campaign=campaign)], columns))


@require_safe
def provinces_csv(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    return _small_csv(campaign, "provinces", table_rows(provinces_answer(campaign=campaign), PROVINCE_COLUMNS))


@require_safe
def province_goods_csv(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)

    def records() -> Iterator[dict]:
        for province in provinces_answer(campaign=campaign):
            for line in province["goods"]:
                yield {"code": province["code"], "name": province["name"], **line}

    return _small_csv(campaign, "province-goods", table_rows(records(), PROVINCE_GOODS_COLUMNS))


@require_safe
def goods_csv(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    columns = GoodsTotalsSerializer.Meta.fields
    return _small_csv(campaign, "goods", table_rows(goods_answer(campaign=campaign), columns))


@require_safe
def daily_csv(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    columns = DailyTotalsSerializer.Meta.fields
    return _small_csv(campaign, "daily", table_rows(daily_answer(campaign=campaign), columns))


@require_safe
def journal_heads_csv(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    columns = JournalHeadSerializer.Meta.fields
    return _small_csv(campaign, "journal-heads", table_rows(journal_heads_answer(campaign=campaign), columns))


@require_safe
def hxl_3w_csv(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    return csv_response(hxl_3w_answer(campaign=campaign), filename=f"{campaign.slug}-3w.csv")


def _allocation_rows(campaign_id: int) -> Iterator[list]:
    yield list(ALLOCATION_COLUMNS)
    for allocation in allocation_list_open(campaign_id=campaign_id).iterator(chunk_size=STREAM_CHUNK):
        province, current = allocation.province, allocation.province.current
        reports = list(allocation.reports.all())
        reversal = getattr(allocation, "reversed_by", None)
        yield [
            allocation.sequence, allocation.number, allocation.decision_number, allocation.decision_date,
            province.set, province.code, province.name, current.code, current.name, allocation.purpose,
            allocation.kind, allocation.amount,
            goods_text((item.category.slug, item.quantity, item.estimated_value) for item in allocation.items.all()),
            allocation.status, allocation.disbursed_on,
            allocation.reverses.number if allocation.reverses_id else "",
            reversal.number if reversal is not None else "",
            len(reports), sum(r.households for r in reports), sum(r.people for r in reports),
            sum(r.amount or 0 for r in reports),
        ]


@require_safe
def allocations_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    campaign = _campaign(slug)
    return csv_streaming_response(_allocation_rows(campaign.pk), filename=f"{campaign.slug}-allocations.csv")


def _journal_rows(campaign_id: int) -> Iterator[list]:
    yield list(JOURNAL_COLUMNS)
    for entry in journal_entry_list(campaign_id=campaign_id).iterator(chunk_size=5 * STREAM_CHUNK):
        yield [entry.sequence, entry.event, entry.entry_number, local_time_text(entry.recorded_at), entry.canonical,
               entry.hash]


@require_safe
def journal_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    campaign = _campaign(slug)
    return csv_streaming_response(_journal_rows(campaign.pk), filename=f"{campaign.slug}-journal.csv")


@require_safe
def categories_csv(request: HttpRequest) -> HttpResponse:
    rows = table_rows(item_category_list().values(*CATEGORY_COLUMNS), CATEGORY_COLUMNS)
    return csv_response(csv_bytes(rows), filename="categories.csv")
