"""A statement chunk is read and built before the campaign lock is taken (on PostgreSQL, while the
chunk before it is written). Under the lock it is written as built only if nothing it relied on
moved; otherwise it is read and built again there. These tests move things at that moment."""

import pytest
from django.utils import translation

from donations.models import BankTransaction, Pledge, Receipt
from donations.services import pledge_cancel, statement_import_create, statement_import_run
from donations.services import statements as import_service
from ledger.services import journal_verify
from tests.donations.helpers import statement
from tests.factories import PledgeFactory


@pytest.fixture(autouse=True)
def _english_and_small_chunks(monkeypatch):
    monkeypatch.setattr(import_service, "CHUNK", 2)
    with translation.override("en"):
        yield


def four_rows(account, admin_user):
    """[direct, direct] [quoting K7M3PQ9X, direct]."""
    return statement_import_create(
        account=account, file_name="vcb.csv", uploaded_by=admin_user, enqueue=False, content=statement(
            ("08/09/2024 09:00:00", "FT1", "", "100,000", "ung ho dong bao"),
            ("08/09/2024 09:05:00", "FT2", "", "200,000", "ung ho mien bac"),
            ("08/09/2024 10:00:00", "FT3", "", "500,000", "MBVCB.123.K7M3PQ9X.ung ho"),
            ("08/09/2024 10:05:00", "FT4", "", "300,000", "ung ho lan 2"),
        ),
    )


def test_a_pledge_cancelled_after_its_chunk_was_read_is_not_settled_by_it(
    monkeypatch, account, open_campaign, admin_user
):
    # given a pledge quoted by a transfer of the second chunk, cancelled by staff just after that
    # chunk's facts were read (the pledge then still open), before the chunk is written
    pledge = PledgeFactory(campaign=open_campaign, amount=500_000, reference="K7M3PQ9X")
    read_facts = import_service._facts

    def facts_then_cancel(*, account, rows):
        facts = read_facts(account=account, rows=rows)
        if "K7M3PQ9X" in facts.pledges and Pledge.objects.get(pk=pledge.pk).status != "cancelled":
            pledge_cancel(pledge=pledge, reason="Donor changed their mind", cancelled_by=admin_user)
        return facts

    monkeypatch.setattr(import_service, "_facts", facts_then_cancel)
    imp = four_rows(account, admin_user)

    # when the statement is imported
    done = statement_import_run(import_id=imp.pk)

    # then the transfer waits in the queue as one for a cancelled pledge; no receipt settles it
    assert (done.status, done.matched, done.direct, done.queued) == ("done", 0, 3, 1)
    assert BankTransaction.objects.get(bank_reference="FT3").queue_code == "cancelled"
    assert not Receipt.objects.filter(pledge=pledge).exists()
    assert Pledge.objects.get(pk=pledge.pk).status == "cancelled"
    code = open_campaign.code
    assert list(Receipt.objects.order_by("sequence").values_list("number", "amount")) == [
        (f"{code}-000001", 100_000), (f"{code}-000002", 200_000), (f"{code}-000003", 300_000),
    ]
    assert journal_verify(campaign=open_campaign).ok


def test_rows_another_import_wrote_meanwhile_are_counted_once(monkeypatch, account, open_campaign, admin_user):
    # given the statement imported once, and the same file imported again by a second import whose
    # first look at the account's checksums missed them (another import wrote them just after it)
    statement_import_run(import_id=four_rows(account, admin_user).pk)
    look_up = import_service._known_checksums
    looks: list[int] = []

    def first_look_misses(*, account_id, checksums):
        looks.append(len(checksums))
        return set() if len(looks) == 1 else look_up(account_id=account_id, checksums=checksums)

    monkeypatch.setattr(import_service, "_known_checksums", first_look_misses)

    # when the second import runs
    again = statement_import_run(import_id=four_rows(account, admin_user).pk)

    # then writing its first chunk as built hit the account's unique checksums; the chunk was read
    # again under the lock, and every row counted as already imported: nothing twice
    assert (again.status, again.duplicates, again.credits, again.direct) == ("done", 4, 0, 0)
    assert BankTransaction.objects.filter(account=account).count() == 4
    assert Receipt.objects.count() == 4
    assert journal_verify(campaign=open_campaign).ok
