"""Staff admin of a statement import that stopped midway: the page says so and offers the retry,
which resumes the import after the rows already written."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from donations.models import BankTransaction, Receipt, StatementImport
from donations.services import statement_import_create, statement_import_run
from donations.services import statements as import_service
from tests.donations.helpers import statement


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(import_service, "CHUNK", 2)


@pytest.fixture
def staff_en(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


@pytest.fixture
def stopped(monkeypatch, account, admin_user) -> StatementImport:
    """Four direct gifts; the import failed after its first chunk (2 rows), its last sign of life at
    09:30 on 10/09/2024, Vietnam time."""
    imp = statement_import_create(
        account=account, file_name="vcb.csv", uploaded_by=admin_user, enqueue=False,
        content=statement(*[("08/09/2024", f"FT{n}", "", f"{n}00,000", "ung ho") for n in range(1, 5)]),
    )

    def fail_after_first_chunk(*, import_id, rows_done):
        raise RuntimeError("worker lost its database connection")

    monkeypatch.setattr(import_service, "_after_chunk", fail_after_first_chunk)
    statement_import_run(import_id=imp.pk)
    monkeypatch.setattr(import_service, "_after_chunk", lambda **kwargs: None)
    StatementImport.objects.filter(pk=imp.pk).update(heartbeat_at=datetime(2024, 9, 10, 2, 30, tzinfo=UTC))
    return StatementImport.objects.get(pk=imp.pk)


def change_page(client, imp) -> str:
    return client.get(reverse("admin:donations_statementimport_change", args=[imp.pk])).content.decode()


def text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_a_stopped_import_is_shown_with_its_progress_and_a_retry_button(staff_en, stopped):
    page = change_page(staff_en, stopped)

    assert stopped.status == "failed"
    assert "The import has stopped Stopped midway" in text(page)
    assert "2 of 4 rows were imported before it stopped (last sign of life at 10/09/2024 09:30)." in text(page)
    assert "What was imported is kept. Retrying continues after those rows and adds nothing twice." in text(page)
    retry_url = reverse("admin:donations_statementimport_retry", args=[stopped.pk])
    assert page.index(f'action="{retry_url}"') < page.index('id="statementimport_form"')  # not a nested form
    assert "data-import-progress" not in page and "import_progress.js" not in page  # nothing to poll


def test_retry_resumes_the_import_and_the_page_shows_the_exact_summary(
    staff_en, admin_user, stopped, django_capture_on_commit_callbacks
):
    # when staff press “Retry the import” (the task runs once the retry commits)
    retry_url = reverse("admin:donations_statementimport_retry", args=[stopped.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_en.post(retry_url)
    page = staff_en.get(response["Location"]).content.decode()

    # then they are back on the import, which resumed after its first chunk and finished
    assert response["Location"] == reverse("admin:donations_statementimport_change", args=[stopped.pk])
    assert "The import is queued again; it continues after the rows already imported." in page
    imp = StatementImport.objects.get(pk=stopped.pk)
    assert (imp.status, imp.rows_done, imp.direct, imp.duplicates, imp.credited_amount, imp.retried_by) == (
        "done", 4, 4, 0, 1_000_000, admin_user
    )
    assert "New credits 1.000.000 ₫" in text(page)
    assert BankTransaction.objects.count() == 4
    assert sorted(Receipt.objects.values_list("amount", flat=True)) == [100_000, 200_000, 300_000, 400_000]


def test_a_running_import_without_heartbeat_for_minutes_stops_the_polling_and_offers_retry(
    staff_en, stopped
):
    # given an import left “running” by a worker that died 6 minutes ago
    StatementImport.objects.filter(pk=stopped.pk).update(
        status="running", heartbeat_at=timezone.now() - timedelta(minutes=6)
    )

    data = json.loads(staff_en.get(reverse("admin:donations_statementimport_progress", args=[stopped.pk])).content)
    page = change_page(staff_en, stopped)

    # then the polling page is told to stop (it reloads) and the page offers the retry
    assert (data["status"], data["done"], data["total"], data["finished"]) == ("running", 2, 4, True)
    assert "The import has stopped Stopped midway" in text(page)
    assert reverse("admin:donations_statementimport_retry", args=[stopped.pk]) in page


def test_an_import_whose_task_never_came_offers_retry(staff_en, account, admin_user):
    imp = statement_import_create(
        account=account, file_name="vcb.csv", uploaded_by=admin_user, enqueue=False,
        content=statement(("08/09/2024", "FT1", "", "100,000", "ung ho")),
    )
    StatementImport.objects.filter(pk=imp.pk).update(created_at=timezone.now() - timedelta(minutes=10))

    page = change_page(staff_en, imp)

    assert "The import has stopped Waiting The import has not started: its task may have been lost." in text(page)
    assert reverse("admin:donations_statementimport_retry", args=[imp.pk]) in page


def test_retrying_a_finished_import_is_refused_with_a_message(staff_en, account, admin_user):
    imp = statement_import_create(
        account=account, file_name="vcb.csv", uploaded_by=admin_user, enqueue=False,
        content=statement(("08/09/2024", "FT1", "", "100,000", "ung ho")),
    )
    statement_import_run(import_id=imp.pk)

    response = staff_en.post(reverse("admin:donations_statementimport_retry", args=[imp.pk]), follow=True)

    assert response.status_code == 200
    assert "This import has finished; there is nothing to retry." in response.content.decode()
    assert StatementImport.objects.filter(pk=imp.pk).values_list("status", "attempt").get() == ("done", 1)
    assert Receipt.objects.count() == 1
