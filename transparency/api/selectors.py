"""Reads of the open-data API and files: public fields only, a fixed number of queries each.

The figures come from the transparency tables; the allocation ledger and the journal are read
here with exactly the fields the public sees (no reason for a reversal, no staff, no report notes).
"""

from collections.abc import Iterator

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When

from allocations.models import Allocation, AllocationItem, Committee, DistributionReport
from campaigns.models import Campaign
from ledger.journal import decimal_plain
from ledger.models import JournalEntry, JournalHead, Kind

from ..models import DailyTotals, ProvinceGoodsTotals

CASH_SECTOR = "Tiền mặt"


def campaign_get_open(*, slug: str) -> Campaign | None:
    """A public (active or closed) campaign by its slug, with only what the open data names."""
    return Campaign.objects.public().filter(slug=slug).only("pk", "slug", "code", "name").first()


def daily_totals_list(*, campaign_id: int) -> QuerySet[DailyTotals]:
    return DailyTotals.objects.filter(campaign_id=campaign_id).order_by("day")


def province_goods_totals_list(*, campaign_id: int) -> QuerySet[ProvinceGoodsTotals]:
    return (
        ProvinceGoodsTotals.objects.filter(campaign_id=campaign_id)
        .select_related("province", "category").order_by("province__code", "category__position", "category__slug")
    )


ALLOCATION_FIELDS = (
    "number", "sequence", "decision_number", "decision_date", "purpose", "kind", "amount", "status",
    "disbursed_on", "reverses__number", "reversed_by__number",
    "province__set", "province__code", "province__name",
    "province__successor__set", "province__successor__code", "province__successor__name",
)


def allocation_list_open(*, campaign_id: int) -> QuerySet[Allocation]:
    """Every allocation of a campaign in ledger order, with its goods lines and reports: public
    fields only, three queries however many there are (one more per chunk when iterated)."""
    items = AllocationItem.objects.select_related("category").only(
        "allocation_id", "quantity", "estimated_value",
        "category__slug", "category__name_vi", "category__name_en", "category__unit", "category__position",
    ).order_by("category__position", "category__slug", "pk")
    reports = DistributionReport.objects.only(
        "allocation_id", "distributed_on", "commune", "households", "people", "amount", "goods"
    ).order_by("distributed_on", "pk")
    return (
        Allocation.objects.filter(campaign_id=campaign_id)
        .select_related("province__successor", "reverses", "reversed_by")
        .only(*ALLOCATION_FIELDS)
        .prefetch_related(Prefetch("items", queryset=items), Prefetch("reports", queryset=reports))
        .order_by("sequence")
    )


def journal_entry_list(*, campaign_id: int) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(campaign_id=campaign_id).only(
        "sequence", "event", "entry_number", "canonical", "hash", "recorded_at"
    ).order_by("sequence")


def journal_head_list(*, campaign_id: int) -> QuerySet[JournalHead]:
    return JournalHead.objects.filter(campaign_id=campaign_id).only("day", "count", "hash").order_by("day")


def campaign_committee_name(*, campaign_id: int) -> str:
    """The committee that runs the campaign (the central committee when none is named), in one query."""
    runs_it = Q(campaigns__campaign_id=campaign_id)
    return (
        Committee.objects.filter(runs_it | Q(level=Committee.Level.CENTRAL))
        .order_by(Case(When(runs_it, then=Value(0)), default=Value(1)), "pk")
        .values_list("name", flat=True).first() or ""
    )


def allocation_3w_records(*, campaign_id: int, chunk_size: int = 1000) -> Iterator[dict]:
    """Who did what where: one record per allocation line (see `transparency.exports`), every
    allocation in ledger order, its reach on its first line. Streams in chunks."""
    org = campaign_committee_name(campaign_id=campaign_id)
    for allocation in allocation_list_open(campaign_id=campaign_id).iterator(chunk_size=chunk_size):
        province = allocation.province.current
        common = {
            "org": org,
            "province": province.name,
            "province_code": province.code,
            "date": allocation.disbursed_on or allocation.decision_date,
            "status": allocation.status,
            "allocation": allocation.number,
            "decision": allocation.decision_number,
            "reverses": allocation.reverses.number if allocation.reverses_id else "",
            "currency": "VND",
        }
        reports = list(allocation.reports.all())
        reach = {
            "people": sum(report.people for report in reports),
            "households": sum(report.households for report in reports),
        }
        if allocation.kind == Kind.CASH:
            yield {**common, **reach, "sector": CASH_SECTOR, "sector_code": "cash", "value": allocation.amount}
            continue
        for position, item in enumerate(allocation.items.all()):
            yield {
                **common, **(reach if position == 0 else {"people": 0, "households": 0}),
                "sector": item.category.name_vi, "sector_code": item.category.slug,
                "quantity": decimal_plain(item.quantity), "unit": item.category.unit, "value": item.estimated_value,
            }
