"""Listens to the write side: every committed ledger change enqueues a totals refresh."""

import logging

from django.dispatch import receiver

from ledger.signals import ledger_changed

from .tasks import campaign_totals_refresh_task

logger = logging.getLogger(__name__)


@receiver(ledger_changed)
def refresh_totals_on_ledger_change(sender, *, campaign_id: int, **kwargs) -> None:
    # Sent after commit: the ledger is already saved. With no broker the task runs at once
    # (eager); if the broker is down, nothing is lost: the periodic reconcile catches up.
    try:
        campaign_totals_refresh_task.delay(campaign_id)
    except Exception:  # the broker's own connection errors vary by transport
        logger.exception("could not enqueue the totals refresh of campaign %s; reconcile will catch up", campaign_id)
