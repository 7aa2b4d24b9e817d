"""Recompute the transparency tables from the ledgers with SQL aggregates (never by deltas).

`campaign_totals_refresh` rewrites one campaign's tables in one transaction; the ledger-change
receiver asks for it through `campaign_totals_refresh_request`, which coalesces a burst of writes
into one refresh; `campaign_totals_reconcile` re-checks every table of every campaign and repairs
drift (a lost task, a broker outage).
"""

import datetime
import logging
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from allocations.models import Allocation, AllocationItem, DistributionReport
from campaigns.models import Campaign
from donations.models import Pledge, Receipt, ReceiptItem
from ledger.models import JournalEntry, Kind

from .models import (
    CampaignTotals,
    DailyTotals,
    GoodsTotals,
    ProvinceGoodsTotals,
    ProvinceTotals,
)

logger = logging.getLogger(__name__)

FIGURES_VERSION_KEY = "transparency:figures-version:{}"
# A campaign's stamp, by slug: (id, last change, figures version), what its cached public pages were
# rendered for. Forgotten when its figures are refreshed or the campaign is edited; kept a few seconds
# only, so that a read racing a refresh cannot keep an old stamp for long.
CAMPAIGN_STAMP_KEY = "transparency:stamp:{}"
CAMPAIGN_STAMP_SECONDS = 10


@dataclass
class Figures:
    """Every derived figure of one campaign, in the shape of the tables that store them."""

    campaign: dict
    provinces: dict[int, dict] = field(default_factory=dict)
    goods: dict[int, dict] = field(default_factory=dict)
    province_goods: dict[tuple[int, int], dict] = field(default_factory=dict)
    daily: dict[datetime.date, dict] = field(default_factory=dict)


def _current(row: dict, prefix: str) -> int:
    """The unit of today's map a row's province rolls up to."""
    return row[f"{prefix}__successor_id"] or row[f"{prefix}_id"]


def _campaign_figures(campaign_id: int) -> dict:
    receipts = Receipt.objects.filter(campaign_id=campaign_id)
    money_in = receipts.aggregate(
        cash_received=Sum("amount"),
        originals=Count("pk", filter=Q(reverses__isnull=True)),
        reversals=Count("pk", filter=Q(reverses__isnull=False)),
    )
    live = receipts.filter(reverses__isnull=True, reversed_by__isnull=True).aggregate(
        named=Count("donor_id", distinct=True), unnamed=Count("pk", filter=Q(donor_id__isnull=True))
    )
    allocations = Allocation.objects.filter(campaign_id=campaign_id)
    money_out = allocations.aggregate(
        cash_allocated=Sum("amount"),
        cash_disbursed=Sum("amount", filter=Q(status=Allocation.Status.DISBURSED)),
        originals=Count("pk", filter=Q(reverses__isnull=True)),
        reversals=Count("pk", filter=Q(reverses__isnull=False)),
    )
    reports = DistributionReport.objects.filter(allocation__campaign_id=campaign_id).aggregate(
        cash=Sum("amount"), households=Sum("households"), people=Sum("people")
    )
    head = JournalEntry.objects.filter(campaign_id=campaign_id).order_by("-sequence").values(
        "sequence", "hash", "recorded_at").first() or {}
    return {
        "cash_pledged": Pledge.objects.filter(campaign_id=campaign_id, kind=Kind.CASH)
        .exclude(status=Pledge.Status.CANCELLED).aggregate(s=Sum("amount"))["s"] or 0,
        "cash_received": money_in["cash_received"] or 0,
        "receipts": money_in["originals"] - money_in["reversals"],
        "donors": live["named"] + live["unnamed"],
        "goods_value_received": ReceiptItem.objects.filter(receipt__campaign_id=campaign_id)
        .aggregate(s=Sum("estimated_value"))["s"] or 0,
        "cash_allocated": money_out["cash_allocated"] or 0,
        "cash_disbursed": money_out["cash_disbursed"] or 0,
        "allocations": money_out["originals"] - money_out["reversals"],
        "cash_reported": reports["cash"] or 0,
        "households_reached": reports["households"] or 0,
        "people_reached": reports["people"] or 0,
        "journal_entries": head.get("sequence", 0),
        "journal_hash": head.get("hash", ""),
        "last_entry_at": head.get("recorded_at"),
    }


def _province_figures(campaign_id: int) -> dict[int, dict]:
    provinces: dict[int, dict] = {}

    def row_for(pk: int) -> dict:
        return provinces.setdefault(pk, {
            "cash_allocated": 0, "cash_disbursed": 0, "goods_value_allocated": 0, "allocations": 0,
            "cash_reported": 0, "households_reached": 0, "people_reached": 0,
        })

    for row in (
        Allocation.objects.filter(campaign_id=campaign_id).values("province_id", "province__successor_id")
        .annotate(cash=Sum("amount"), disbursed=Sum("amount", filter=Q(status=Allocation.Status.DISBURSED)),
                  originals=Count("pk", filter=Q(reverses__isnull=True)),
                  reversals=Count("pk", filter=Q(reverses__isnull=False)))
    ):
        current = row_for(_current(row, "province"))
        current["cash_allocated"] += row["cash"] or 0
        current["cash_disbursed"] += row["disbursed"] or 0
        current["allocations"] += row["originals"] - row["reversals"]
    for row in (
        AllocationItem.objects.filter(allocation__campaign_id=campaign_id)
        .values("allocation__province_id", "allocation__province__successor_id").annotate(value=Sum("estimated_value"))
    ):
        row_for(_current(row, "allocation__province"))["goods_value_allocated"] += row["value"] or 0
    for row in (
        DistributionReport.objects.filter(allocation__campaign_id=campaign_id)
        .values("allocation__province_id", "allocation__province__successor_id")
        .annotate(cash=Sum("amount"), households=Sum("households"), people=Sum("people"))
    ):
        current = row_for(_current(row, "allocation__province"))
        current["cash_reported"] += row["cash"] or 0
        current["households_reached"] += row["households"] or 0
        current["people_reached"] += row["people"] or 0
    return provinces


def _goods_figures(campaign_id: int) -> tuple[dict[int, dict], dict[tuple[int, int], dict]]:
    goods: dict[int, dict] = {}

    def row_for(pk: int) -> dict:
        return goods.setdefault(pk, {
            "received": 0, "allocated": 0, "distributed": 0, "value_received": 0, "value_allocated": 0,
        })

    for row in ReceiptItem.objects.filter(receipt__campaign_id=campaign_id).values("category_id").annotate(
        q=Sum("quantity"), v=Sum("estimated_value")
    ):
        current = row_for(row["category_id"])
        current["received"], current["value_received"] = row["q"], row["v"] or 0
    per_province: dict[tuple[int, int], dict] = {}
    for row in (
        AllocationItem.objects.filter(allocation__campaign_id=campaign_id)
        .values("category_id", "allocation__province_id", "allocation__province__successor_id")
        .annotate(q=Sum("quantity"), v=Sum("estimated_value"),
                  d=Sum("quantity", filter=Q(allocation__status=Allocation.Status.DISBURSED)))
    ):
        current = row_for(row["category_id"])
        current["allocated"] += row["q"]
        current["distributed"] += row["d"] or 0
        current["value_allocated"] += row["v"] or 0
        key = (_current(row, "allocation__province"), row["category_id"])
        cell = per_province.setdefault(key, {"allocated": 0, "distributed": 0})
        cell["allocated"] += row["q"]
        cell["distributed"] += row["d"] or 0
    return goods, per_province


def _daily_figures(campaign_id: int) -> dict[datetime.date, dict]:
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    days: dict[datetime.date, dict] = {}

    def row_for(day: datetime.date) -> dict:
        return days.setdefault(day, {"received": 0, "allocated": 0, "disbursed": 0, "receipts": 0})

    for row in (
        Receipt.objects.filter(campaign_id=campaign_id).annotate(day=TruncDate("received_at", tzinfo=local))
        .values("day").annotate(cash=Sum("amount"), originals=Count("pk", filter=Q(reverses__isnull=True)),
                                reversals=Count("pk", filter=Q(reverses__isnull=False)))
    ):
        current = row_for(row["day"])
        current["received"] += row["cash"] or 0
        current["receipts"] += row["originals"] - row["reversals"]
    allocations = Allocation.objects.filter(campaign_id=campaign_id, kind=Kind.CASH)
    for row in allocations.values("decision_date").annotate(cash=Sum("amount")):
        row_for(row["decision_date"])["allocated"] += row["cash"]
    for row in allocations.filter(status=Allocation.Status.DISBURSED).values("disbursed_on").annotate(cash=Sum("amount")):
        row_for(row["disbursed_on"])["disbursed"] += row["cash"]
    running = {"received": 0, "allocated": 0, "disbursed": 0}
    for day in sorted(days):
        for name in running:
            running[name] += days[day][name]
            days[day][f"{name}_to_date"] = running[name]
    return days


def campaign_figures_compute(*, campaign_id: int) -> Figures:
    """Every figure of one campaign, recomputed from its ledgers now."""
    goods, province_goods = _goods_figures(campaign_id)
    return Figures(
        campaign=_campaign_figures(campaign_id),
        provinces=_province_figures(campaign_id),
        goods=goods,
        province_goods=province_goods,
        daily=_daily_figures(campaign_id),
    )


def _stored_figures(campaign_id: int) -> Figures:
    """The transparency tables of one campaign as they stand, in the shape `campaign_figures_compute` gives."""
    campaign_fields = [
        f.name for f in CampaignTotals._meta.concrete_fields if f.name not in ("campaign", "version", "refreshed_at")
    ]

    def keyed(model, *keys: str) -> dict:
        values = [f.name if not f.is_relation else f.attname for f in model._meta.concrete_fields
                  if f.name not in ("id", "campaign")]
        rows = {}
        for row in model.objects.filter(campaign_id=campaign_id).values(*values):
            key = tuple(row.pop(k) for k in keys)
            rows[key[0] if len(key) == 1 else key] = row
        return rows

    return Figures(
        campaign=CampaignTotals.objects.filter(campaign_id=campaign_id).values(*campaign_fields).first(),
        provinces=keyed(ProvinceTotals, "province_id"),
        goods=keyed(GoodsTotals, "category_id"),
        province_goods=keyed(ProvinceGoodsTotals, "province_id", "category_id"),
        daily=keyed(DailyTotals, "day"),
    )


@transaction.atomic
def campaign_totals_refresh(*, campaign_id: int) -> CampaignTotals:
    """Rewrite every transparency table of one campaign from its ledgers. Safe to run any time."""
    figures = campaign_figures_compute(campaign_id=campaign_id)
    totals, _created = CampaignTotals.objects.update_or_create(
        campaign_id=campaign_id, defaults={**figures.campaign, "refreshed_at": timezone.now()}
    )
    CampaignTotals.objects.filter(pk=campaign_id).update(version=F("version") + 1)
    totals.refresh_from_db(fields=["version"])
    for model, rows in (
        (ProvinceTotals, [ProvinceTotals(province_id=pk, **values) for pk, values in figures.provinces.items()]),
        (GoodsTotals, [GoodsTotals(category_id=pk, **values) for pk, values in figures.goods.items()]),
        (ProvinceGoodsTotals, [ProvinceGoodsTotals(province_id=p, category_id=c, **values)
                               for (p, c), values in figures.province_goods.items()]),
        (DailyTotals, [DailyTotals(day=day, **values) for day, values in figures.daily.items()]),
    ):
        model.objects.filter(campaign_id=campaign_id).delete()
        for row in rows:
            row.campaign_id = campaign_id
        model.objects.bulk_create(rows, batch_size=2000)
    version = totals.version
    slug = Campaign.objects.filter(pk=campaign_id).values_list("slug", flat=True).first()
    transaction.on_commit(lambda: _cache_set_quietly(FIGURES_VERSION_KEY.format(campaign_id), version))
    transaction.on_commit(lambda: campaign_stamp_forget(slug=slug))
    return totals


def campaign_stamp_forget(*, slug: str) -> None:
    """The campaign's public pages are rendered again at their next read."""
    key = CAMPAIGN_STAMP_KEY.format(slug)
    caches["local"].delete(key)  # this process at once; the others within PUBLIC_PAGE_LOCAL_SECONDS
    try:
        cache.delete(key)
    except Exception:  # the stamp expires by itself within CAMPAIGN_STAMP_SECONDS
        logger.warning("could not forget the stamp of campaign %s", slug, exc_info=True)


def _cache_set_quietly(key: str, value) -> None:
    try:
        cache.set(key, value, None)
    except Exception:  # a cache outage must never fail a refresh; readers fall back to the database
        logger.warning("could not store %s in the cache", key, exc_info=True)


def campaign_totals_reconcile() -> list[int]:
    """Re-check every derived table of every public campaign against the ledgers; refresh and log
    any drift, each campaign on its own (one failing never stops the others).

    Returns the ids of campaigns whose stored figures had drifted (a lost refresh, a broker outage).
    """
    drifted = []
    for campaign_id in Campaign.objects.public().values_list("pk", flat=True):
        try:
            stored, figures = _stored_figures(campaign_id), campaign_figures_compute(campaign_id=campaign_id)
            tables = [name for name in ("campaign", "provinces", "goods", "province_goods", "daily")
                      if getattr(stored, name) != getattr(figures, name)]
            if tables:
                drifted.append(campaign_id)
                logger.warning("transparency %s of campaign %s drifted from the ledger; refreshing",
                               ", ".join(tables), campaign_id)
                campaign_totals_refresh(campaign_id=campaign_id)
        except Exception:
            logger.exception("could not reconcile the figures of campaign %s", campaign_id)
    return drifted
