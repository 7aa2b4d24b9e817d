"""Recompute the transparency tables from the ledgers with SQL aggregates (never by deltas)."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from allocations.models import Allocation, AllocationItem
from allocations.selectors import allocation_totals_by_current_province
from campaigns.models import Campaign
from donations.models import Receipt, ReceiptItem

from .models import CampaignTotals, GoodsTotals, ProvinceTotals

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Figures:
    campaign: dict
    provinces: dict[int, dict]
    goods: dict[int, dict]


def _figures(campaign_id: int) -> Figures:
    receipts = Receipt.objects.filter(campaign_id=campaign_id).aggregate(
        cash_received=Sum("amount"), receipts=Count("pk", filter=Q(reverses__isnull=True))
    )
    allocations = Allocation.objects.filter(campaign_id=campaign_id)
    money = allocations.aggregate(
        cash_allocated=Sum("amount"), cash_disbursed=Sum("amount", filter=Q(status=Allocation.Status.DISBURSED))
    )
    goods: dict[int, dict] = {}
    for row in ReceiptItem.objects.filter(receipt__campaign_id=campaign_id).values("category_id").annotate(q=Sum("quantity")):
        goods.setdefault(row["category_id"], {"received": 0, "allocated": 0})["received"] = row["q"]
    for row in AllocationItem.objects.filter(allocation__campaign_id=campaign_id).values("category_id").annotate(q=Sum("quantity")):
        goods.setdefault(row["category_id"], {"received": 0, "allocated": 0})["allocated"] = row["q"]
    return Figures(
        campaign={
            "cash_received": receipts["cash_received"] or 0,
            "receipts": receipts["receipts"] or 0,
            "cash_allocated": money["cash_allocated"] or 0,
            "cash_disbursed": money["cash_disbursed"] or 0,
        },
        provinces=allocation_totals_by_current_province(campaign_id=campaign_id),
        goods=goods,
    )


@transaction.atomic
def campaign_totals_refresh(*, campaign_id: int) -> CampaignTotals:
    """Rewrite one campaign's totals from its receipts and allocations. Safe to run any time."""
    figures = _figures(campaign_id)
    totals, _created = CampaignTotals.objects.update_or_create(
        campaign_id=campaign_id, defaults={**figures.campaign, "refreshed_at": timezone.now()}
    )
    ProvinceTotals.objects.filter(campaign_id=campaign_id).delete()
    ProvinceTotals.objects.bulk_create(
        ProvinceTotals(campaign_id=campaign_id, province_id=pk, **values) for pk, values in figures.provinces.items()
    )
    GoodsTotals.objects.filter(campaign_id=campaign_id).delete()
    GoodsTotals.objects.bulk_create(
        GoodsTotals(campaign_id=campaign_id, category_id=pk, **values) for pk, values in figures.goods.items()
    )
    return totals


def _stored(campaign_id: int) -> Figures:
    """The transparency tables of one campaign as they stand, in the shape `_figures` computes."""
    return Figures(
        campaign=CampaignTotals.objects.filter(campaign_id=campaign_id).values(
            "cash_received", "receipts", "cash_allocated", "cash_disbursed").first(),
        provinces={
            row.pop("province_id"): row
            for row in ProvinceTotals.objects.filter(campaign_id=campaign_id).values(
                "province_id", "cash_allocated", "cash_disbursed")
        },
        goods={
            row.pop("category_id"): row
            for row in GoodsTotals.objects.filter(campaign_id=campaign_id).values("category_id", "received", "allocated")
        },
    )


def campaign_totals_reconcile() -> list[int]:
    """Re-check every derived table of every public campaign (totals, provinces, goods) against the
    ledgers; refresh and report any drift.

    Returns the ids of campaigns whose stored figures had drifted (a lost refresh, a broker outage).
    """
    drifted = []
    for campaign_id in Campaign.objects.public().values_list("pk", flat=True):
        stored, figures = _stored(campaign_id), _figures(campaign_id)
        tables = [name for name in ("campaign", "provinces", "goods") if getattr(stored, name) != getattr(figures, name)]
        if tables:
            drifted.append(campaign_id)
            logger.warning("transparency %s of campaign %s drifted from the ledger; refreshing",
                           ", ".join(tables), campaign_id)
            campaign_totals_refresh(campaign_id=campaign_id)
    return drifted
