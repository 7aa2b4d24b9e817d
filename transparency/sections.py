"""What the read side adds to other apps' pages (registered in `TransparencyConfig.ready()`)."""

from .charts import percent_of
from .selectors import campaign_totals_get, province_totals_list

TOP_PROVINCES = 5


def pledge_where_the_money_went(pledge) -> tuple[str, dict] | None:
    """The pledge page's report to the donor: how much of the campaign's cash has been allocated to
    provinces and disbursed, and the provinces that received the most. Nothing before cash arrives."""
    totals = campaign_totals_get(campaign_id=pledge.campaign_id)
    if totals is None or totals.cash_received <= 0:
        return None
    provinces = list(province_totals_list(campaign_id=pledge.campaign_id).filter(cash_allocated__gt=0)[:TOP_PROVINCES])
    return "transparency/_pledge_money_went.html", {
        "campaign": pledge.campaign,
        "totals": totals,
        "allocated_percent": percent_of(totals.cash_allocated, totals.cash_received),
        "disbursed_percent": percent_of(totals.cash_disbursed, totals.cash_received),
        "provinces": provinces,
    }
