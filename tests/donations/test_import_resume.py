"""Statement import in chunks: a run that stops midway resumes after its committed chunks, a stale
run is taken over, and `statement_import_retry` queues an import again or says why it will not."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone, translation

from donations.models import BankTransaction, Pledge, Receipt, StatementImport
from donations.selectors import STATEMENT_IMPORT_STALE_AFTER, statement_import_stalled
from donations.services import (
    statement_import_create,
    statement_import_retry,
    statement_import_run,
)
from donations.services import statements as import_service
from donations.tasks import statement_import_task
from ledger.signals import ledger_changed
from tests.donations.helpers import statement
from tests.factories import PledgeFactory

COUNTERS = (
    "rows_read", "rows_done", "credits", "debits", "matched", "direct", "queued", "duplicates", "credited_amount",
)


class WorkerKilled(BaseException):
    """Stands for the worker process dying: not an error the import can catch and record."""


@pytest.fixture(autouse=True)
def _english_and_small_chunks(monkeypatch):
    monkeypatch.setattr(import_service, "CHUNK", 2)
    with translation.override("en"):
        yield


@pytest.fixture
def pledges(open_campaign):
    return {
        "an": PledgeFactory(campaign=open_campaign, amount=500_000, reference="K7M3PQ9X"),
        "binh": PledgeFactory(campaign=open_campaign, amount=1_000_000, reference="AB23CD45"),
    }


@pytest.fixture
def seven_rows(account, pledges, admin_user) -> StatementImport:
    """Seven rows, in chunks of two: [matched, debit] [direct, identical A] [identical B, queued] [matched].

    The two identical transfers fall in different chunks, so a resume between them must still
    count them as two.
    """
    content = statement(
        ("08/09/2024 09:00:00", "FT1", "", "500,000", "MBVCB.123.K7M3PQ9X.ung ho"),
        ("08/09/2024 09:10:00", "FT2", "20,000", "", "Phi dich vu SMS"),
        ("08/09/2024 10:00:00", "FT3", "", "250,000", "ung ho dong bao"),
        ("08/09/2024", "", "", "200,000", "ung ho mien bac"),
        ("08/09/2024", "", "", "200,000", "ung ho mien bac"),
        ("09/09/2024", "FT6", "", "300,000", f"{account.campaign.code} ZZZZ2222"),
        ("09/09/2024", "FT7", "", "400,000", "AB23CD45 lan 1"),
    )
    return statement_import_create(
        account=account, file_name="vcb.csv", content=content, uploaded_by=admin_user, enqueue=False
    )


def stop_after(monkeypatch, rows: int, error: BaseException):
    """Make the import stop right after the chunk that brings it to `rows` rows has committed."""

    def hook(*, import_id, rows_done):
        if rows_done == rows:
            raise error

    monkeypatch.setattr(import_service, "_after_chunk", hook)


def counters(imp: StatementImport) -> dict:
    imp.refresh_from_db()
    return {name: getattr(imp, name) for name in COUNTERS}


FINISHED = {
    "rows_read": 7, "rows_done": 7, "credits": 6, "debits": 1, "matched": 2, "direct": 3, "queued": 1,
    "duplicates": 0, "credited_amount": 1_850_000,
}


def assert_imported_once(account):
    """Every row of the seven once; receipts numbered without gaps; pledges set from them."""
    assert BankTransaction.objects.filter(account=account).count() == 7
    assert sorted(BankTransaction.objects.values_list("line", flat=True)) == [7, 8, 9, 10, 11, 12, 13]
    receipts = list(Receipt.objects.order_by("sequence").values_list("number", "amount"))
    code = account.campaign.code
    assert receipts == [
        (f"{code}-000001", 500_000), (f"{code}-000002", 250_000), (f"{code}-000003", 200_000),
        (f"{code}-000004", 200_000), (f"{code}-000005", 400_000),
    ]
    assert Receipt.objects.aggregate(total=Sum("amount"))["total"] == 1_550_000
    assert dict(Pledge.objects.values_list("reference", "status")) == {
        "K7M3PQ9X": "received", "AB23CD45": "partly_received",
    }


def test_an_import_that_stops_midway_keeps_its_chunks_and_resumes_after_them(
    monkeypatch, account, seven_rows
):
    # given an import that fails right after its second chunk (4 of 7 rows) has committed
    stop_after(monkeypatch, 4, RuntimeError("database went away"))
    stopped = statement_import_run(import_id=seven_rows.pk)

    # then it is marked as stopped midway, with exactly the two committed chunks written and counted
    assert stopped.status == "failed"
    assert counters(stopped) == {
        "rows_read": 7, "rows_done": 4, "credits": 3, "debits": 1, "matched": 1, "direct": 2, "queued": 0,
        "duplicates": 0, "credited_amount": 950_000,
    }
    assert BankTransaction.objects.count() == 4 and Receipt.objects.count() == 3
    assert statement_import_stalled(statement_import=stopped)

    # when it runs again
    monkeypatch.setattr(import_service, "_after_chunk", lambda **kwargs: None)
    resumed = statement_import_run(import_id=seven_rows.pk)

    # then it finishes after the rows already written: nothing twice, its own rows not counted as
    # "already imported", the second identical transfer kept, and the totals exact
    assert (resumed.status, resumed.attempt) == ("done", 2)
    assert resumed.finished_at is not None
    assert counters(resumed) == FINISHED
    assert_imported_once(account)


def test_a_killed_run_is_left_alone_while_fresh_and_taken_over_once_stale(
    monkeypatch, account, seven_rows, admin_user
):
    # given a worker killed right after the import's third chunk (6 of 7 rows) committed
    stop_after(monkeypatch, 6, WorkerKilled())
    with pytest.raises(WorkerKilled):
        statement_import_run(import_id=seven_rows.pk)
    monkeypatch.setattr(import_service, "_after_chunk", lambda **kwargs: None)
    imp = StatementImport.objects.get(pk=seven_rows.pk)
    assert (imp.status, imp.rows_done, BankTransaction.objects.count()) == ("running", 6, 6)

    # when it is run again while its heartbeat is recent, then that run leaves it to its owner
    again = statement_import_run(import_id=imp.pk)
    assert (again.status, again.rows_done, again.attempt) == ("running", 6, 1)
    assert BankTransaction.objects.count() == 6
    # and staff cannot retry it yet
    with pytest.raises(ValidationError) as refused:
        statement_import_retry(statement_import=imp, requested_by=admin_user)
    at = timezone.localtime(imp.heartbeat_at).strftime("%H:%M:%S")
    assert refused.value.messages == [
        f"This import is still running (last sign of life at {at}); retry it only if it stops."
    ]

    # when no sign of life has come for longer than the stale limit, a run takes it over
    StatementImport.objects.filter(pk=imp.pk).update(
        heartbeat_at=timezone.now() - STATEMENT_IMPORT_STALE_AFTER - timedelta(seconds=1)
    )
    assert statement_import_stalled(statement_import=StatementImport.objects.get(pk=imp.pk))
    taken_over = statement_import_run(import_id=imp.pk)

    # then it finishes from row 7 with exact totals
    assert (taken_over.status, taken_over.attempt) == ("done", 2)
    assert counters(taken_over) == FINISHED
    assert_imported_once(account)


def test_a_run_that_was_taken_over_stops_without_writing_its_chunk(monkeypatch, account, seven_rows, admin_user):
    # given a run that, after its first chunk, looks dead and is retried by staff
    def stale_and_retried(*, import_id, rows_done):
        if rows_done == 2:
            StatementImport.objects.filter(pk=import_id).update(heartbeat_at=timezone.now() - timedelta(hours=1))
            statement_import_retry(statement_import=StatementImport.objects.get(pk=import_id), requested_by=admin_user)

    monkeypatch.setattr(import_service, "_after_chunk", stale_and_retried)

    # when that first run carries on with its next chunk
    first = statement_import_run(import_id=seven_rows.pk)

    # then it finds it no longer owns the import and stops: its second chunk is not written
    assert (first.status, first.rows_done, first.attempt) == ("pending", 2, 2)
    assert BankTransaction.objects.count() == 2 and Receipt.objects.count() == 1

    # and the retried run finishes the import exactly once
    monkeypatch.setattr(import_service, "_after_chunk", lambda **kwargs: None)
    finished = statement_import_run(import_id=seven_rows.pk)
    assert (finished.status, finished.attempt) == ("done", 3)
    assert counters(finished) == FINISHED
    assert_imported_once(account)


def test_retry_queues_a_stopped_import_which_resumes(
    monkeypatch, account, seven_rows, admin_user, django_capture_on_commit_callbacks
):
    # given an import that stopped midway
    stop_after(monkeypatch, 4, RuntimeError("worker lost its connection"))
    statement_import_run(import_id=seven_rows.pk)
    monkeypatch.setattr(import_service, "_after_chunk", lambda **kwargs: None)

    sent, run_task = [], statement_import_task.run
    monkeypatch.setattr(statement_import_task, "delay", lambda import_id: sent.append(import_id) or run_task(import_id))

    # when staff retry it (the task is sent once the retry commits)
    with django_capture_on_commit_callbacks(execute=True):
        queued = statement_import_retry(statement_import=seven_rows, requested_by=admin_user)

    # then it was queued again by that person, and the task resumed and finished it
    assert (queued.status, queued.retried_by) == ("pending", admin_user)
    assert sent == [seven_rows.pk]
    imp = StatementImport.objects.get(pk=seven_rows.pk)
    assert (imp.status, imp.retried_by, imp.retried_at is not None) == ("done", admin_user, True)
    assert counters(imp) == FINISHED
    assert_imported_once(account)


def test_retry_refuses_a_finished_or_rejected_import(account, seven_rows, admin_user):
    statement_import_run(import_id=seven_rows.pk)
    rejected = statement_import_create(
        account=account, file_name="x.csv", content=b"a,b,c\n1,2,3\n", uploaded_by=admin_user, enqueue=False
    )
    statement_import_run(import_id=rejected.pk)

    with pytest.raises(ValidationError) as finished:
        statement_import_retry(statement_import=seven_rows, requested_by=admin_user)
    with pytest.raises(ValidationError) as refused:
        statement_import_retry(statement_import=rejected, requested_by=admin_user)

    assert finished.value.messages == ["This import has finished; there is nothing to retry."]
    assert refused.value.messages == ["A rejected file is not retried: fix the cause, then import the file again."]
    assert list(StatementImport.objects.order_by("pk").values_list("status", "attempt", "retried_by")) == [
        ("done", 1, None), ("rejected", 1, None),
    ]


def test_a_waiting_import_whose_task_is_overdue_is_stalled_and_retried(
    account, seven_rows, admin_user, django_capture_on_commit_callbacks
):
    # given an import waiting for its task: not stalled at first, stalled once the task is overdue
    assert not statement_import_stalled(statement_import=seven_rows)
    StatementImport.objects.filter(pk=seven_rows.pk).update(
        created_at=timezone.now() - STATEMENT_IMPORT_STALE_AFTER - timedelta(seconds=1)
    )
    waiting = StatementImport.objects.get(pk=seven_rows.pk)
    assert statement_import_stalled(statement_import=waiting)

    # when staff retry it, then its task is sent again (and it is no longer overdue) and imports it all
    with django_capture_on_commit_callbacks(execute=True):
        queued = statement_import_retry(statement_import=waiting, requested_by=admin_user)
    assert not statement_import_stalled(statement_import=queued)
    assert counters(queued) == FINISHED
    assert_imported_once(account)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("follow_every, announced", [(0, 4), (3600, 2)])
def test_chunks_that_wrote_receipts_announce_the_change_as_often_as_the_figures_follow(
    reference_data, account, seven_rows, monkeypatch, follow_every, announced
):
    # given a listener of ledger changes, and the figures following an import every `follow_every` s
    monkeypatch.setattr(import_service, "FIGURES_FOLLOW_EVERY", follow_every)
    campaigns = []

    def listener(sender, campaign_id, **kwargs):
        campaigns.append(campaign_id)

    ledger_changed.connect(listener)
    try:
        # when the seven rows are imported in four chunks, each committed on its own
        statement_import_run(import_id=seven_rows.pk)
    finally:
        ledger_changed.disconnect(listener)

    # then with no delay each of the four chunks announced its change once, when it committed; with
    # an hour's, the first chunk's change was announced at once and the other three's once, at the end
    assert campaigns == [account.campaign_id] * announced
    assert StatementImport.objects.get(pk=seven_rows.pk).status == "done"


def test_a_chunk_of_debits_and_queued_credits_announces_nothing(
    account, admin_user, django_capture_on_commit_callbacks
):
    # given a statement of a debit and a credit with an unknown reference (one chunk, no receipt)
    imp = statement_import_create(
        account=account, file_name="vcb.csv", uploaded_by=admin_user, enqueue=False,
        content=statement(("08/09/2024", "FT1", "20,000", "", "Phi"),
                          ("08/09/2024", "FT2", "", "100,000", f"{account.campaign.code} ZZZZ2222")),
    )
    campaigns = []

    def listener(sender, campaign_id, **kwargs):
        campaigns.append(campaign_id)

    ledger_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            done = statement_import_run(import_id=imp.pk)
    finally:
        ledger_changed.disconnect(listener)

    assert (done.status, done.debits, done.queued) == ("done", 1, 1)
    assert campaigns == []


def test_an_empty_statement_finishes_with_nothing_written(account, admin_user):
    imp = statement_import_create(
        account=account, file_name="vcb.csv", content=statement(), uploaded_by=admin_user, enqueue=False
    )

    done = statement_import_run(import_id=imp.pk)

    assert (done.status, done.rows_read, done.rows_done, done.finished_at is not None) == ("done", 0, 0, True)
    assert BankTransaction.objects.count() == 0
