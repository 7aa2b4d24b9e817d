from celery import shared_task
from django.core.cache import cache

from .services import campaign_totals_reconcile, campaign_totals_refresh

REFRESH_PENDING_KEY = "transparency:refresh-pending:{}"


@shared_task(name="transparency.campaign_totals_refresh_task")
def campaign_totals_refresh_task(campaign_id: int) -> None:
    """Recompute one campaign's public figures. Idempotent: it always rewrites from the ledger.

    The pending mark is cleared first, so a change committed while this runs asks for another refresh.
    """
    try:
        cache.delete(REFRESH_PENDING_KEY.format(campaign_id))
    except Exception:  # a cache outage must not stop the refresh
        pass
    campaign_totals_refresh(campaign_id=campaign_id)


@shared_task(name="transparency.campaign_totals_reconcile_task")
def campaign_totals_reconcile_task() -> list[int]:
    """Periodic: catch up after a lost refresh and report which campaigns had drifted."""
    return campaign_totals_reconcile()
