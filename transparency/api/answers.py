"""What each open-data answer about a campaign holds, as plain data: the API sends it as JSON and
the download views write it as CSV, so both always say the same. Each is cached per figures version
and costs a fixed number of queries."""

from django.utils import timezone

from campaigns.models import Campaign

from ..exports import csv_bytes, hxl_3w_rows
from ..models import CampaignTotals
from ..selectors import campaign_totals_get, goods_totals_list, province_totals_list
from .caching import figures_cached
from .selectors import (
    allocation_3w_records,
    daily_totals_list,
    journal_head_list,
    province_goods_totals_list,
)
from .serializers import (
    DailyTotalsSerializer,
    GoodsTotalsSerializer,
    JournalHeadSerializer,
    ProvinceTotalsSerializer,
    TotalsSerializer,
)

# Daily heads are recorded after midnight without a ledger change: their answer is also keyed by
# the day and kept briefly.
HEADS_TIMEOUT_SECONDS = 600


def totals_answer(*, campaign: Campaign) -> dict:
    def compute() -> dict:
        totals = campaign_totals_get(campaign_id=campaign.pk)
        if totals is None:  # nothing recorded yet: every figure is zero
            totals = CampaignTotals(campaign_id=campaign.pk, refreshed_at=None)
        totals.campaign = campaign
        return dict(TotalsSerializer(totals).data)

    return figures_cached(campaign_id=campaign.pk, name="totals", compute=compute)


def provinces_answer(*, campaign: Campaign) -> list[dict]:
    def compute() -> list[dict]:
        goods: dict[int, list] = {}
        for row in province_goods_totals_list(campaign_id=campaign.pk):
            goods.setdefault(row.province_id, []).append(row)
        provinces = list(province_totals_list(campaign_id=campaign.pk))
        for row in provinces:
            row.goods_rows = goods.get(row.province_id, [])
        return list(ProvinceTotalsSerializer(provinces, many=True).data)

    return figures_cached(campaign_id=campaign.pk, name="provinces", compute=compute)


def goods_answer(*, campaign: Campaign) -> list[dict]:
    return figures_cached(
        campaign_id=campaign.pk, name="goods",
        compute=lambda: list(GoodsTotalsSerializer(goods_totals_list(campaign_id=campaign.pk), many=True).data),
    )


def daily_answer(*, campaign: Campaign) -> list[dict]:
    return figures_cached(
        campaign_id=campaign.pk, name="daily",
        compute=lambda: list(DailyTotalsSerializer(daily_totals_list(campaign_id=campaign.pk), many=True).data),
    )


def journal_heads_answer(*, campaign: Campaign) -> list[dict]:
    return figures_cached(
        campaign_id=campaign.pk, name="journal-heads", variant=timezone.localdate().isoformat(),
        timeout=HEADS_TIMEOUT_SECONDS,
        compute=lambda: list(JournalHeadSerializer(journal_head_list(campaign_id=campaign.pk), many=True).data),
    )


def hxl_3w_answer(*, campaign: Campaign) -> bytes:
    """The campaign's 3W file in HXL, as CSV bytes."""
    return figures_cached(
        campaign_id=campaign.pk, name="3w.csv",
        compute=lambda: csv_bytes(hxl_3w_rows(allocation_3w_records(campaign_id=campaign.pk))),
    )
