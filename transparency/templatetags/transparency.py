from django import template

from transparency.selectors import (
    campaign_totals_get,
    goods_totals_list,
    province_totals_list,
)

register = template.Library()


def _percent(part: int, whole: int) -> int:
    """Whole percent of the target reached (rounded down), at most 100."""
    return max(0, min(100, part * 100 // whole))


@register.inclusion_tag("transparency/_campaign_figures.html")
def campaign_figures(campaign):
    """Received against allocated and disbursed, per province of today's map, from the totals tables."""
    totals = campaign_totals_get(campaign_id=campaign.pk)
    target = campaign.target_amount
    return {
        "campaign": campaign,
        "totals": totals,
        "target_percent": _percent(totals.cash_received, target) if totals and target else None,
        "provinces": province_totals_list(campaign_id=campaign.pk) if totals else [],
        "goods": goods_totals_list(campaign_id=campaign.pk) if totals else [],
    }
