"""Public reads over the transparency tables only (never the ledgers, never personal data)."""

from django.db.models import QuerySet

from .models import CampaignTotals, GoodsTotals, ProvinceTotals


def campaign_totals_get(*, campaign_id: int) -> CampaignTotals | None:
    return CampaignTotals.objects.filter(campaign_id=campaign_id).first()


def province_totals_list(*, campaign_id: int) -> QuerySet[ProvinceTotals]:
    return ProvinceTotals.objects.filter(campaign_id=campaign_id).select_related("province").order_by(
        "-cash_allocated", "province__name"
    )


def goods_totals_list(*, campaign_id: int) -> QuerySet[GoodsTotals]:
    return GoodsTotals.objects.filter(campaign_id=campaign_id).select_related("category")
