"""Contracts of the ledger services, made executable: each write announces exactly one change."""

import datetime

import pytest

from allocations.models import Allocation
from allocations.services import (
    allocation_mark_disbursed,
    allocation_reverse,
    distribution_report_record,
    distribution_report_update,
)
from donations.models import BankTransaction, Receipt
from donations.services import (
    bank_transaction_assign,
    bank_transaction_confirm_direct,
    receipt_reverse,
    statement_import_create,
    statement_import_run,
)
from ledger.signals import ledger_changed
from tests.allocations.helpers import allocate, give_cash, give_goods
from tests.donations.helpers import statement
from tests.factories import CampaignFactory, PledgeFactory


def _import(account, user):
    """A direct gift, a credit naming an unknown reference (queued) and a debit."""
    content = statement(
        ("09/09/2024", "FT1", "", "500.000", "UNG HO BAO LU"),
        ("09/09/2024", "FT2", "", "700.000", f"UNG HO {account.campaign.code} ZZZZ9999"),
        ("10/09/2024", "FT3", "50.000", "", "PHI SMS"),
    )
    imp = statement_import_create(account=account, file_name="sk.csv", content=content, uploaded_by=user)
    return statement_import_run(import_id=imp.pk)


def _queued(account, user) -> BankTransaction:
    _import(account, user)
    return BankTransaction.objects.get(status=BankTransaction.Status.QUEUED)


def _allocation(campaign, account, user) -> Allocation:
    give_cash(campaign, 10_000_000, by=user)
    return allocate(campaign, to="15", amount=10_000_000, by=user)


def _report(campaign, account, user):
    return distribution_report_record(
        allocation=_allocation(campaign, account, user), distributed_on=datetime.date(2024, 9, 28), commune="Xã Bảo Hà",
        households=3, people=9, amount=1_000_000, reported_by=user,
    )


# (name, set-up run before counting → argument, the write under test)
WRITES = [
    ("receipt_record, cash", lambda c, a, u: None, lambda c, a, u, x: give_cash(c, 1_000_000, by=u)),
    ("receipt_record, goods", lambda c, a, u: None, lambda c, a, u, x: give_goods(c, by=u, rice="10")),
    ("receipt_reverse", lambda c, a, u: give_cash(c, 1_000_000, by=u),
     lambda c, a, u, x: receipt_reverse(receipt=x, reason="Sai", recorded_by=u)),
    ("statement_import_run", lambda c, a, u: None, lambda c, a, u, x: _import(a, u)),
    ("bank_transaction_assign", lambda c, a, u: (_queued(a, u), PledgeFactory(campaign=c, amount=700_000)),
     lambda c, a, u, x: bank_transaction_assign(txn=x[0], reference=x[1].reference, decided_by=u)),
    ("bank_transaction_assign, a direct gift", lambda c, a, u: (
        _import(a, u), BankTransaction.objects.get(status="direct"), PledgeFactory(campaign=c, amount=500_000))[1:],
     lambda c, a, u, x: bank_transaction_assign(txn=x[0], reference=x[1].reference, decided_by=u)),
    ("bank_transaction_confirm_direct", lambda c, a, u: _queued(a, u),
     lambda c, a, u, x: bank_transaction_confirm_direct(txn=x, decided_by=u)),
    ("allocation_record", lambda c, a, u: give_cash(c, 5_000_000, by=u),
     lambda c, a, u, x: allocate(c, to="15", amount=5_000_000, by=u)),
    ("allocation_reverse", _allocation, lambda c, a, u, x: allocation_reverse(allocation=x, reason="Sai", recorded_by=u)),
    ("allocation_mark_disbursed", _allocation,
     lambda c, a, u, x: allocation_mark_disbursed(allocation=x, disbursed_on=datetime.date(2024, 9, 25), user=u)),
    ("distribution_report_record", _allocation, lambda c, a, u, x: distribution_report_record(
        allocation=x, distributed_on=datetime.date(2024, 9, 28), commune="Xã Bảo Hà", households=3, people=9,
        amount=1_000_000, reported_by=u)),
    ("distribution_report_update", _report, lambda c, a, u, x: distribution_report_update(
        report=x, data={"households": 4, "people": 12}, changed_by=u)),
]


@pytest.mark.parametrize(("name", "prepare", "write"), WRITES, ids=[w[0] for w in WRITES])
def test_each_ledger_write_announces_exactly_one_change(
    name, prepare, write, open_campaign, account, admin_user, django_capture_on_commit_callbacks
):
    # given the state the write needs (its own announcements delivered and forgotten)
    with django_capture_on_commit_callbacks(execute=True):
        prepared = prepare(open_campaign, account, admin_user)
    heard = []

    def listen(sender, *, campaign_id, **kwargs):
        heard.append(campaign_id)

    ledger_changed.connect(listen)
    try:
        # when the write commits
        with django_capture_on_commit_callbacks(execute=True):
            write(open_campaign, account, admin_user, prepared)
    finally:
        ledger_changed.disconnect(listen)

    # then exactly one change was announced, for its campaign, and only after commit
    assert heard == [open_campaign.pk]


def test_a_refused_write_announces_nothing(open_campaign, admin_user, django_capture_on_commit_callbacks):
    heard = []
    ledger_changed.connect(lambda sender, **kw: heard.append(kw["campaign_id"]), weak=False, dispatch_uid="refused")
    try:
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):
            give_cash(open_campaign, -5, by=admin_user)
    finally:
        ledger_changed.disconnect(dispatch_uid="refused")
    assert heard == [] and not Receipt.objects.exists()


def test_coalesced_changes_are_sent_at_most_once_a_period_and_what_was_held_when_the_run_ends(
    campaign, monkeypatch, django_capture_on_commit_callbacks
):
    # given a clock the test moves, and a listener
    from ledger import signals

    first, second = campaign.pk, CampaignFactory().pk
    clock = [1000.0]
    monkeypatch.setattr(signals.time, "monotonic", lambda: clock[0])
    heard = []
    ledger_changed.connect(lambda sender, **kw: heard.append((sender, kw["campaign_id"])), weak=False,
                           dispatch_uid="coalesced")
    try:
        # when, in a run coalescing every 5 s, the first campaign changes at 0, 1, 4, 6 and 7 s, the second at 1 s
        with signals.ledger_changes_coalesced(every=5):
            for at, campaign_id in [(0, first), (1, first), (1, second), (4, first), (6, first), (7, first)]:
                clock[0] = 1000.0 + at
                with django_capture_on_commit_callbacks(execute=True):  # as each change commits
                    signals.ledger_change_announce(sender=Receipt, campaign_id=campaign_id)
                if at == 6:
                    assert heard == [(Receipt, first), (Receipt, second), (Receipt, first)]
        # and a change after the run is sent at once again
        with django_capture_on_commit_callbacks(execute=True):
            signals.ledger_change_announce(sender=Receipt, campaign_id=first)
    finally:
        ledger_changed.disconnect(dispatch_uid="coalesced")

    # then the first was sent at 0 and at 6 s (the changes at 1 and 4 s held, then covered), the
    # second at 1 s, the change of 7 s when the run ended, and the one after it
    assert heard == [(Receipt, first), (Receipt, second), (Receipt, first), (Receipt, first), (Receipt, first)]
