"""Listens to the write side: every committed ledger change asks for a refresh of the campaign's
figures. A burst of changes is coalesced into one refresh: while one is pending for a campaign,
further changes ask for nothing more (the pending refresh will read them)."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from campaigns.models import Campaign
from ledger.signals import ledger_changed

from .services import campaign_stamp_forget
from .tasks import REFRESH_PENDING_KEY, campaign_totals_refresh_task

logger = logging.getLogger(__name__)


@receiver(ledger_changed)
def refresh_figures_on_ledger_change(sender, *, campaign_id: int, **kwargs) -> None:
    # Sent after commit: the ledger is already saved. If the cache or the broker is down, nothing
    # is lost: the periodic reconcile catches up.
    key = REFRESH_PENDING_KEY.format(campaign_id)
    try:
        if not cache.add(key, True, timeout=settings.TOTALS_REFRESH_PENDING_SECONDS):
            return  # a refresh is already on its way
    except Exception:
        logger.warning("cache unavailable; asking for a refresh of campaign %s anyway", campaign_id, exc_info=True)
    try:
        campaign_totals_refresh_task.apply_async((campaign_id,), countdown=settings.TOTALS_REFRESH_DELAY_SECONDS)
    except Exception:  # the broker's own connection errors vary by transport
        logger.exception("could not enqueue the totals refresh of campaign %s; reconcile will catch up", campaign_id)
        try:
            cache.delete(key)
        except Exception:
            pass


@receiver(post_save, sender=Campaign)
def forget_campaign_pages_on_edit(sender, *, instance: Campaign, **kwargs) -> None:
    """An edited campaign (its name, its texts, made public or closed) shows at the next read."""
    transaction.on_commit(lambda: campaign_stamp_forget(slug=instance.slug))
