"""Public reads over the transparency tables only (never the ledgers, never personal data)."""

from django.core.cache import cache
from django.db.models import QuerySet

from .models import CampaignTotals, GoodsTotals, ProvinceTotals
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
