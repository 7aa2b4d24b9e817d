"""Public reads over the transparency tables only (never the ledgers, never personal data)."""

from django.core.cache import cache
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from allocations.models import Allocation, AllocationItem, DistributionReport
from campaigns.models import Campaign, Province, ProvinceSet
from campaigns.text import vietnamese_sort_key
from ledger.models import JournalHead

from .models import (
    CampaignTotals,
    DailyTotals,
    GoodsTotals,
    ProvinceGoodsTotals,
    ProvinceTotals,
)
from .services import FIGURES_VERSION_KEY


def campaign_totals_get(*, campaign_id: int) -> CampaignTotals | None:
    return CampaignTotals.objects.filter(campaign_id=campaign_id).first()


def province_totals_list(*, campaign_id: int) -> QuerySet[ProvinceTotals]:
    return ProvinceTotals.objects.filter(campaign_id=campaign_id).select_related("province").order_by(
        "-cash_allocated", "province__name"
    )


def goods_totals_list(*, campaign_id: int) -> QuerySet[GoodsTotals]:
    return GoodsTotals.objects.filter(campaign_id=campaign_id).select_related("category")



def campaign_figures_version(*, campaign_id: int) -> int:
    """A number that changes whenever the campaign's figures are refreshed: part of every cache key
    of a public page or API answer about the campaign, so a refresh makes them stale at once."""
    key = FIGURES_VERSION_KEY.format(campaign_id)
    try:
        version = cache.get(key)
    except Exception:  # a cache outage: read the database
        version = None
    if version is None:
        version = CampaignTotals.objects.filter(campaign_id=campaign_id).values_list("version", flat=True).first() or 0
    return version


# --- the public pages ----------------------------------------------------------------------------
# Ledger rows are read with their public fields only: never who recorded them, a report's note, a
# donor or a bank transaction.

ALLOCATION_PUBLIC_FIELDS = (
    "id", "campaign_id", "number", "kind", "amount", "decision_number", "decision_date", "purpose", "status",
    "disbursed_on", "reverses_id", "reason", "province__id", "province__set", "province__code",
    "province__name", "province__successor__id", "province__successor__code", "province__successor__name",
)
REPORT_PUBLIC_FIELDS = ("id", "allocation_id", "distributed_on", "commune", "households", "people", "amount", "goods")


def campaign_public_find(*, slug: str) -> Campaign | None:
    """A campaign the public may see (not a draft), without its related rows."""
    return Campaign.objects.public().filter(slug=slug).first()


def campaign_list_with_totals() -> list[Campaign]:
    """Every public campaign with its figures (`campaign.figures`, None before the first refresh),
    open ones first, newest first within each; one query."""
    still_open = Case(When(status=Campaign.Status.ACTIVE, then=Value(0)), default=Value(1), output_field=IntegerField())
    campaigns = list(Campaign.objects.public().select_related("totals").order_by(still_open, "-starts_on", "name"))
    for campaign in campaigns:
        try:
            campaign.figures = campaign.totals
        except CampaignTotals.DoesNotExist:
            campaign.figures = None
    return campaigns


def daily_totals_list(*, campaign_id: int) -> QuerySet[DailyTotals]:
    return DailyTotals.objects.filter(campaign_id=campaign_id).order_by("day")


def province_totals_get(*, campaign_id: int, province_id: int) -> ProvinceTotals | None:
    return ProvinceTotals.objects.filter(campaign_id=campaign_id, province_id=province_id).first()


def province_goods_totals_list(*, campaign_id: int, province_id: int) -> QuerySet[ProvinceGoodsTotals]:
    return ProvinceGoodsTotals.objects.filter(campaign_id=campaign_id, province_id=province_id).select_related(
        "category")


def province_current_get(*, code: str) -> Province | None:
    """A unit of today's map by its code."""
    return Province.objects.filter(set=ProvinceSet.Y2025, code=code).first()


def province_predecessor_list(*, province_id: int) -> list[Province]:
    """The 2008 units a unit of today's map took over, by name."""
    return sorted(Province.objects.filter(successor_id=province_id), key=lambda p: vietnamese_sort_key(p.name))


def allocation_list_public(*, campaign_id: int, province_id: int | None = None) -> QuerySet[Allocation]:
    """A campaign's allocations (a 2025 province's, with its 2008 predecessors' when `province_id` is
    given), newest decision first, each with its goods, its distribution reports and the reversal that
    corrects it (`reversed_by`); reversals themselves are not listed on their own."""
    allocations = Allocation.objects.filter(campaign_id=campaign_id, reverses__isnull=True)
    if province_id is not None:
        allocations = allocations.filter(Q(province_id=province_id) | Q(province__successor_id=province_id))
    return (
        allocations.select_related("province__successor", "reversed_by")
        .only(*ALLOCATION_PUBLIC_FIELDS, *(f"reversed_by__{name}" for name in (
            "id", "number", "amount", "reason", "created_at", "reverses_id")))
        .prefetch_related(
            Prefetch("items", queryset=AllocationItem.objects.select_related("category").order_by(
                "category__position", "pk")),
            Prefetch("reports", queryset=DistributionReport.objects.only(*REPORT_PUBLIC_FIELDS).order_by(
                "distributed_on", "pk")),
        )
        .order_by("-decision_date", "-pk")
    )


def journal_head_list(*, campaign_id: int) -> QuerySet[JournalHead]:
    """The daily heads of a campaign's journal, newest first."""
    return JournalHead.objects.filter(campaign_id=campaign_id).only("day", "count", "hash").order_by("-day")
