"""A statement imported by a real Celery worker over Redis (runs when CELERY_BROKER_URL is set)."""

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult

from donations.models import Pledge, Receipt, StatementImport
from donations.services import statement_import_create
from donations.tasks import statement_import_task
from relief_portal.celery import app
from tests.donations.helpers import statement
from tests.factories import PledgeFactory


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
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
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
