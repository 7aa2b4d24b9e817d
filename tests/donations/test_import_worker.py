"""A statement imported by a real Celery worker over Redis (runs when CELERY_BROKER_URL is set)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult

from donations.models import Pledge, Receipt, StatementImport
from donations.services import statement_import_create
from donations.tasks import statement_import_task
from relief_portal.celery import app
from tests.donations.helpers import statement
from tests.factories import PledgeFactory
from transparency.models import CampaignTotals


@pytest.fixture
def celery_worker(reference_data, settings, monkeypatch):
    assert settings.CELERY_BROKER_URL, "a broker must be configured for this test"
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis unreachable at {settings.CELERY_BROKER_URL}: {exc}")
    app.control.purge()  # nothing left over from earlier runs
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30,
                      queues=["celery", "imports"]) as worker:
        yield worker


@pytest.mark.celery_worker
def test_worker_imports_a_statement(reference_data, celery_worker, monkeypatch, open_campaign, account, admin_user):
    # given a pledge, and the tasks the import service sends
    pledge = PledgeFactory(campaign=open_campaign, amount=700_000, reference="WX23YZ45")
    sent, delay = [], statement_import_task.delay
    monkeypatch.setattr(statement_import_task, "delay", lambda *args: sent.append(delay(*args)) or sent[-1])

    # when staff store a statement (the service sends its task once the upload commits)
    imp = statement_import_create(
        account=account, file_name="vcb.csv", uploaded_by=admin_user,
        content=statement(("08/09/2024", "FT1", "", "700,000", "MBVCB.123.WX23YZ45.ung ho"),
                          ("08/09/2024", "FT2", "", "150,000", "ung ho")),
    )

    # then one task goes through Redis to the worker
    (result,) = sent
    assert not isinstance(result, EagerResult), "the task must travel through the broker"

    # then the worker finishes the import and the ledger holds exactly the two credits
    assert result.get(timeout=60) == "done"
    imp.refresh_from_db()
    assert (imp.status, imp.credits, imp.matched, imp.direct) == (StatementImport.Status.DONE, 2, 1, 1)
    assert sorted(Receipt.objects.values_list("amount", flat=True)) == [150_000, 700_000]
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.RECEIVED


@pytest.mark.celery_worker
def test_an_imported_statement_reaches_the_public_figures_through_the_worker(
    reference_data, celery_worker, open_campaign, account, admin_user
):
    # given a statement of two credits and a debit, uploaded by staff (the service sends the task on commit)
    imp = statement_import_create(
        account=account, file_name="vcb.csv", uploaded_by=admin_user,
        content=statement(("08/09/2024", "FT1", "", "700,000", "ung ho dong bao"),
                          ("08/09/2024", "FT2", "", "150,000", "IBFT ung ho"),
                          ("09/09/2024", "FT3", "11,000", "", "Phi SMS")),
    )

    # when the worker imports it, the import's ledger change asks the worker for a refresh a moment later
    deadline = time.monotonic() + 60
    totals = None
    while time.monotonic() < deadline:
        totals = CampaignTotals.objects.filter(campaign=open_campaign).first()
        if totals is not None and totals.cash_received == 850_000:
            break
        time.sleep(0.5)

    # then the public figures hold exactly the two credits, without anyone refreshing them by hand
    imp.refresh_from_db()
    assert imp.status == StatementImport.Status.DONE
    assert (totals.cash_received, totals.receipts, totals.donors) == (850_000, 2, 2)
