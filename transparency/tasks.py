from celery import shared_task

from .services import campaign_totals_reconcile, campaign_totals_refresh


@shared_task(name="transparency.campaign_totals_refresh_task")
def campaign_totals_refresh_task(campaign_id: int) -> None:
    """Recompute one campaign's public totals. Idempotent: it always rewrites from the ledger."""
    campaign_totals_refresh(campaign_id=campaign_id)


@shared_task(name="transparency.campaign_totals_reconcile_task")
def campaign_totals_reconcile_task() -> list[int]:
    """Periodic: catch up after a lost refresh and report which campaigns had drifted."""
    return campaign_totals_reconcile()
