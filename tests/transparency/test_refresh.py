"""Refreshes of the public figures: a burst of ledger writes is coalesced into one refresh per campaign."""

import pytest

from ledger.signals import ledger_changed
from tests.allocations.helpers import give_cash
from tests.factories import CampaignFactory
from transparency.models import CampaignTotals
from transparency.tasks import campaign_totals_refresh_task


@pytest.fixture
def enqueued(monkeypatch):
    """The refreshes asked of the broker, in order (none runs until the test runs it)."""
    calls = []
    monkeypatch.setattr(campaign_totals_refresh_task, "apply_async",
                        lambda args, countdown=None: calls.append((args[0], countdown)))
    return calls


def test_a_burst_of_ten_thousand_changes_asks_for_one_refresh_per_campaign(campaign, enqueued, settings):
    other = CampaignFactory()
    # when 10,000 ledger changes of one campaign and 3 of another are announced within the pending time
    for _ in range(10_000):
        ledger_changed.send(sender=object, campaign_id=campaign.pk)
    for _ in range(3):
        ledger_changed.send(sender=object, campaign_id=other.pk)
    # then one refresh is asked for each, a moment later (so the burst's last writes are read too)
    assert enqueued == [(campaign.pk, settings.TOTALS_REFRESH_DELAY_SECONDS),
                        (other.pk, settings.TOTALS_REFRESH_DELAY_SECONDS)]


def test_writes_after_a_refresh_has_started_ask_for_another(campaign, admin_user, enqueued,
                                                          django_capture_on_commit_callbacks):
    # given 50 receipts committed one by one: one refresh asked for
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(50):
            give_cash(campaign, 10_000, by=admin_user)
    assert len(enqueued) == 1

    # when the worker runs it, the figures hold all 50 receipts
    campaign_totals_refresh_task.run(campaign.pk)
    assert CampaignTotals.objects.get(campaign=campaign).cash_received == 500_000

    # and a receipt committed after the refresh started asks for one more
    with django_capture_on_commit_callbacks(execute=True):
        give_cash(campaign, 10_000, by=admin_user)
    assert len(enqueued) == 2


def test_a_cache_outage_still_asks_for_a_refresh(campaign, enqueued, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr("transparency.receivers.cache.add", broken)
    ledger_changed.send(sender=object, campaign_id=campaign.pk)
    assert [pk for pk, _delay in enqueued] == [campaign.pk]
