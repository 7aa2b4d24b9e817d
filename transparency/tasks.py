import logging

from celery import shared_task
from django.core.cache import cache

from .services import campaign_totals_reconcile, campaign_totals_refresh

logger = logging.getLogger(__name__)

REFRESH_PENDING_KEY = "transparency:refresh-pending:{}"
RECONCILE_RUNNING_KEY = "transparency:reconcile-running"

# Results are never read: none is stored (so sending a refresh never touches the result backend).
# A refresh reads one campaign's ledgers with a handful of SQL aggregates; the reconcile does it for
# every public campaign.
REFRESH_SOFT_TIME_LIMIT, RECONCILE_SOFT_TIME_LIMIT = 120, 300


@shared_task(
    name="transparency.campaign_totals_refresh_task", ignore_result=True,
    soft_time_limit=REFRESH_SOFT_TIME_LIMIT, time_limit=REFRESH_SOFT_TIME_LIMIT + 30,
)
def campaign_totals_refresh_task(campaign_id: int) -> None:
    """Recompute one campaign's public figures. Idempotent: it always rewrites from the ledger.

    The pending mark is cleared first, so a change committed while this runs asks for another refresh.
    """
    try:
        cache.delete(REFRESH_PENDING_KEY.format(campaign_id))
    except Exception:  # a cache outage must not stop the refresh
        pass
    campaign_totals_refresh(campaign_id=campaign_id)


@shared_task(
    name="transparency.campaign_totals_reconcile_task", ignore_result=True,
    soft_time_limit=RECONCILE_SOFT_TIME_LIMIT, time_limit=RECONCILE_SOFT_TIME_LIMIT + 30,
)
def campaign_totals_reconcile_task() -> list[int]:
    """Periodic: catch up after a lost refresh and report which campaigns had drifted. One at a
    time: a reconcile due while another still runs is skipped (the running one reads the same)."""
    try:
        if not cache.add(RECONCILE_RUNNING_KEY, True, timeout=RECONCILE_SOFT_TIME_LIMIT + 30):
            logger.info("a reconcile is already running; this one is skipped")
            return []
    except Exception:  # without the cache, run anyway: two reconciles only repeat the same work
        logger.warning("cache unavailable; reconciling without the one-at-a-time mark", exc_info=True)
    try:
        return campaign_totals_reconcile()
    finally:
        try:
            cache.delete(RECONCILE_RUNNING_KEY)
        except Exception:
            pass
