"""Faults survived: Redis stopped under a stream of writes, a worker killed mid-import, an upload
accepted while the broker was down, time limits on every task, and statement files sized as a real
statement needs.

The two tests with real processes (`postgres` + `redis_server`) start a private redis-server, a
Celery worker and beat as subprocesses on the test database, so they run on PostgreSQL (CI's second
pass); the others run everywhere.
"""

import contextlib
import datetime
import importlib
import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from donations.forms_staff import MAX_STATEMENT_BYTES, MAX_WORKBOOK_UNPACKED_BYTES
from donations.models import BankTransaction, Pledge, Receipt, StatementImport
from donations.selectors import STATEMENT_IMPORT_STALE_AFTER, statement_import_stalled
from donations.services import statement_import_create, statement_import_run
from donations.services import statements as import_service
from donations.statements import StatementError, parse_statement
from donations.tasks import statement_import_task, statement_imports_resume_task
from relief_portal.celery import app
from tests.donations.helpers import statement
from tests.donations.test_forms_and_pages import form_data
from tests.factories import PledgeFactory
from tests.redis_server import redis_server  # noqa: F401 - the private Redis fixture
from tests.test_api import PLEDGES, cash_body
from tests.workbooks import blank_workbook
from transparency.models import CampaignTotals

ROOT = Path(django_settings.BASE_DIR)


# --- helpers: real worker and beat processes on the test database --------------------------------


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(redis) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "relief_portal.settings.base",  # tasks sent for real, not eagerly
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis.url(1),
        "CELERY_BROKER_URL": redis.url(2),
        "CELERY_RESULT_BACKEND": redis.url(3),
        "DJANGO_LOG_LEVEL": "WARNING",
        "CELERY_LOG_LEVEL": "WARNING",
    }


class Processes:
    """Celery worker and beat subprocesses, logged to files, ended (killed) when the test ends.

    `supervise()` starts again a supervised process that exited, as the production supervisor does
    (docker compose `restart: unless-stopped`): a worker may exit when Redis goes away under it.
    """

    def __init__(self, redis, logs: Path):
        self.redis, self.logs, self.running, self.supervised = redis, logs, [], {}
        self.restarts = 0

    def start(self, name: str, *args: str, supervised: bool = False) -> subprocess.Popen:
        log = open(self.logs / f"{name}-{len(self.running)}.log", "wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "relief_portal", *args], cwd=ROOT, env=process_env(self.redis),
            stdout=log, stderr=subprocess.STDOUT,
        )
        self.running.append(process)
        if supervised:
            self.supervised[process] = (name, args)
        return process

    def worker(self, supervised: bool = False) -> subprocess.Popen:
        return self.start("worker", "worker", "--pool=solo", "--without-gossip", "--without-mingle",
                          "--without-heartbeat", "--queues=celery,imports", "-n", f"faults{len(self.running)}@%h", supervised=supervised)

    def beat(self, supervised: bool = False) -> subprocess.Popen:
        return self.start("beat", "beat", "-s", str(self.logs / "beat-schedule"), "--pidfile=",
                          supervised=supervised)

    def supervise(self) -> None:
        for process, (name, args) in list(self.supervised.items()):
            if process.poll() is not None:
                del self.supervised[process]
                self.restarts += 1
                self.start(name, *args, supervised=True)

    def stop_all(self) -> None:
        self.supervised.clear()
        for process in self.running:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def processes(redis_server, tmp_path):
    started = Processes(redis_server, tmp_path)
    yield started
    started.stop_all()


@contextlib.contextmanager
def sending_to(redis, settings, monkeypatch):
    """This process (the web side) sends its tasks to the private broker and caches in its Redis."""
    monkeypatch.setenv("CELERY_BROKER_URL", redis.url(2))  # Celery reads it before its own settings
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": redis.url(1),
                                   "OPTIONS": {"socket_connect_timeout": django_settings.REDIS_CONNECT_TIMEOUT,
                                               "socket_timeout": django_settings.REDIS_SOCKET_TIMEOUT}}}
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis.url(2), result_backend=redis.url(3), task_always_eager=False)
    forget_broker_connections()
    try:
        yield
    finally:
        forget_broker_connections()
        app.conf.update(saved)


def forget_broker_connections() -> None:
    """Celery keeps its connection and producer pools for the broker it first sent to (even an eager
    task takes a producer): drop them, as after a fork, so the next task opens the broker now set."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(condition, seconds: float, step: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def figures_match_the_ledger(campaign) -> bool:
    totals = CampaignTotals.objects.filter(campaign=campaign).first()
    ledger = Receipt.objects.filter(campaign=campaign).aggregate(amount=Sum("amount"), count=Count("id"))
    return totals is not None and (totals.cash_received, totals.receipts) == (ledger["amount"] or 0, ledger["count"])


# --- Redis stopped under a stream of writes --------------------------------------------------------


def desk_receipt(client, campaign, amount: int) -> int:
    local = timezone.localtime()
    data = {
        "campaign": campaign.pk, "channel": "cash_desk", "pledge_reference": "", "public_name": "Nhà hảo tâm",
        "amount": f"{amount}", "received_at_0": local.strftime("%Y-%m-%d"), "received_at_1": local.strftime("%H:%M"),
        "note": "", "items-TOTAL_FORMS": "5", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "5",
    }
    for n in range(5):
        data.update({f"items-{n}-category": "", f"items-{n}-quantity": "", f"items-{n}-estimated_value": ""})
    return client.post(reverse("admin:donations_receipt_add"), data).status_code


@pytest.mark.postgres
@pytest.mark.redis_server
def test_redis_stopped_under_a_stream_of_writes_loses_nothing_and_figures_catch_up(
    reference_data, redis_server, processes, settings, monkeypatch, client, admin_client, open_campaign, caplog
):
    # given the portal on a private Redis, with a worker and beat (the reconcile every 30 s), taking
    # pledges through the API and the donate form, and desk receipts in the admin
    assert settings.TOTALS_RECONCILE_SECONDS <= 30
    processes.worker(supervised=True)
    processes.beat(supervised=True)
    acknowledged_pledges, acknowledged_receipts, statuses = [], [], []

    def write(n: int) -> None:
        response = client.post(PLEDGES, json.dumps(cash_body(open_campaign, amount=100_000 + n)),
                               content_type="application/json", REMOTE_ADDR=f"198.51.100.{n}")
        statuses.append(response.status_code)
        if response.status_code == 201:
            acknowledged_pledges.append(response.json()["reference"])
        response = client.post(f"/campaigns/{open_campaign.slug}/donate/", form_data(), REMOTE_ADDR=f"198.51.100.{n}")
        statuses.append(response.status_code)
        if response.status_code == 302:
            acknowledged_pledges.append(response["Location"].strip("/").rsplit("/", 1)[-1])
        status = desk_receipt(admin_client, open_campaign, 10_000 + n)
        statuses.append(status)
        if status == 302:
            acknowledged_receipts.append(10_000 + n)

    with sending_to(redis_server, settings, monkeypatch):
        # and the figures kept up to date by the worker while Redis is up
        for n in range(5):
            write(n)
        assert wait_for(lambda: figures_match_the_ledger(open_campaign), 30), "the worker never refreshed the figures"

        # when Redis is stopped in the middle of the stream, and the stream goes on
        redis_server.stop()
        with caplog.at_level(logging.WARNING):
            for n in range(5, 20):
                write(n)
                processes.supervise()

        # then every write was answered and acknowledged, none with a 5xx
        assert statuses == [201, 302, 302] * 20
        # and every acknowledged write is saved
        assert sorted(Pledge.objects.values_list("reference", flat=True)) == sorted(acknowledged_pledges)
        assert sorted(Receipt.objects.values_list("amount", flat=True)) == sorted(acknowledged_receipts)
        # and the figures, which nothing could refresh, are behind the ledger; the lost sends were logged
        assert not figures_match_the_ledger(open_campaign)
        assert "could not enqueue the totals refresh" in caplog.text
        assert "rate limits: the cache is unreachable" in caplog.text

        # when Redis comes back (empty: what was queued is lost)
        redis_server.start()
        returned = time.monotonic()

        # then the reconcile brings the public figures to the ledger within a minute
        assert wait_for(lambda: processes.supervise() or figures_match_the_ledger(open_campaign), 60, step=0.5)
    assert time.monotonic() - returned < 60
    totals = CampaignTotals.objects.get(campaign=open_campaign)
    assert (totals.cash_received, totals.receipts) == (sum(acknowledged_receipts), 20)


# --- a worker killed mid-import --------------------------------------------------------------------


def big_statement(pledges: list[Pledge], rows: int) -> tuple[bytes, int]:
    """A statement of `rows` credits (every third quoting a pledge), and the sum it credits."""
    day = timezone.localdate().strftime("%d/%m/%Y")
    lines, total = [], 0
    for n in range(rows):
        amount = 50_000 + (n % 7) * 10_000
        text = f"MBVCB.{n}.{pledges[n % len(pledges)].reference}.ung ho" if n % 3 == 0 else "ung ho dong bao"
        lines.append((day, f"FT{n:010d}", "", f"{amount:,}", text))
        total += amount
    return statement(*lines), total


@pytest.mark.postgres
@pytest.mark.redis_server
def test_a_worker_killed_mid_import_is_detected_and_the_import_resumed_once(
    reference_data, redis_server, processes, settings, monkeypatch, admin_client, admin_user, open_campaign, account
):
    # given a statement of 30,000 credits (15 chunks), some quoting pledges
    pledges = [PledgeFactory(campaign=open_campaign, amount=1_000, reference=ref)
               for ref in ("K7M3PQ9X", "AB23CD45", "ZX98WV76")]
    content, credited = big_statement(pledges, 30_000)

    with sending_to(redis_server, settings, monkeypatch):
        # when a worker imports it and is killed (SIGKILL) once some chunks have committed
        worker = processes.worker()
        imp = statement_import_create(account=account, file_name="vcb.csv", content=content, uploaded_by=admin_user)
        midway = wait_for(lambda: StatementImport.objects.filter(pk=imp.pk, rows_done__gte=2 * import_service.CHUNK)
                          .exists(), 120, step=0.02)
        assert midway, "the worker never committed a chunk"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        imp.refresh_from_db()
        assert imp.status == StatementImport.Status.RUNNING, "the import finished before the worker was killed"
        assert 0 < imp.rows_done < 30_000
        assert BankTransaction.objects.count() == imp.rows_done

        # then, while its heartbeat is recent, it may still be alive: not stalled, nothing to resume
        assert not statement_import_stalled(statement_import=imp)
        assert statement_imports_resume_task.apply().get() == []
        # and once it has shown no sign of life for longer than allowed, it is detected as stalled
        StatementImport.objects.filter(pk=imp.pk).update(
            heartbeat_at=timezone.now() - STATEMENT_IMPORT_STALE_AFTER - datetime.timedelta(seconds=1)
        )
        imp.refresh_from_db()
        assert statement_import_stalled(statement_import=imp)
        admin_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        page = admin_client.get(reverse("admin:donations_statementimport_change", args=[imp.pk])).content.decode()
        assert "Retry the import" in page

        # when the periodic sweep runs, with a new worker
        processes.worker()
        assert statement_imports_resume_task.apply().get() == [imp.pk]
        done = wait_for(lambda: StatementImport.objects.filter(pk=imp.pk, status="done").exists(), 180, step=0.5)

    # then the import finished after the rows already written: each row once, the totals exact
    assert done, "the resumed import did not finish"
    imp.refresh_from_db()
    assert (imp.rows_read, imp.rows_done, imp.credits, imp.debits, imp.queued, imp.duplicates) == (
        30_000, 30_000, 30_000, 0, 0, 0)
    assert imp.credited_amount == credited
    assert BankTransaction.objects.count() == 30_000
    assert BankTransaction.objects.values("checksum").distinct().count() == 30_000
    assert Receipt.objects.count() == 30_000
    assert Receipt.objects.aggregate(total=Sum("amount"))["total"] == credited
    assert Receipt.objects.values("bank_transaction").distinct().count() == 30_000
    assert imp.matched == 10_000 and imp.direct == 20_000


# --- an upload accepted while the broker was down ----------------------------------------------------


def test_an_upload_while_the_broker_is_down_is_kept_and_sent_again_by_the_sweep(
    admin_client, open_campaign, account, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    # given a broker that cannot be reached
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(statement_import_task, "delay", broker_down)
    upload = SimpleUploadedFile("vcb.csv", statement(("08/09/2024", "FT1", "", "700,000", "ung ho dong bao")))

    # when staff upload a statement
    with caplog.at_level(logging.WARNING, logger="donations.tasks"), django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:donations_statementimport_add"),
                                     {"account": account.pk, "file": upload})

    # then the upload is accepted and kept, waiting, and the lost send is logged
    imp = StatementImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:donations_statementimport_change", args=[imp.pk])
    assert imp.status == StatementImport.Status.PENDING
    assert f"could not send statement import {imp.pk} to the workers" in caplog.text

    # when the broker is back and the sweep runs: too early, it waits; once overdue, it is sent again
    monkeypatch.undo()
    assert statement_imports_resume_task() == []
    StatementImport.objects.filter(pk=imp.pk).update(
        created_at=timezone.now() - STATEMENT_IMPORT_STALE_AFTER - datetime.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert statement_imports_resume_task() == [imp.pk]

    # then it is imported (tasks run in process here), once
    imp.refresh_from_db()
    assert (imp.status, imp.credits, imp.retried_by) == (StatementImport.Status.DONE, 1, None)
    assert list(Receipt.objects.values_list("amount", flat=True)) == [700_000]


def test_the_sweep_leaves_live_finished_and_failed_imports_alone(
    open_campaign, account, admin_user, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - STATEMENT_IMPORT_STALE_AFTER - datetime.timedelta(minutes=1)
    content = statement(("08/09/2024", "FT1", "", "700,000", "ung ho"))
    made = {}
    for name, status, heartbeat in (("live", "running", timezone.now()), ("failed", "failed", long_ago),
                                    ("done", "done", long_ago), ("rejected", "rejected", long_ago),
                                    ("killed", "running", long_ago)):
        imp = statement_import_create(account=account, file_name=f"{name}.csv", content=content,
                                      uploaded_by=admin_user, enqueue=False)
        StatementImport.objects.filter(pk=imp.pk).update(status=status, heartbeat_at=heartbeat, created_at=long_ago)
        made[name] = imp.pk

    with django_capture_on_commit_callbacks(execute=True):
        assert statement_imports_resume_task() == [made["killed"]]
    assert dict(StatementImport.objects.values_list("file_name", "status")) == {
        "live.csv": "running", "failed.csv": "failed", "done.csv": "done", "rejected.csv": "rejected",
        "killed.csv": "done",
    }


# --- time limits and fast failure on the broker ------------------------------------------------------


def test_every_task_has_a_soft_and_a_hard_time_limit():
    for module in ("donations.tasks", "ledger.tasks", "transparency.tasks"):
        importlib.import_module(module)
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}

    limits = {name: (task.soft_time_limit or app.conf.task_soft_time_limit, task.time_limit or app.conf.task_time_limit)
              for name, task in ours.items()}

    assert set(ours) >= {"donations.statement_import_task", "donations.statement_imports_resume_task",
                         "transparency.campaign_totals_refresh_task", "transparency.campaign_totals_reconcile_task",
                         "ledger.journal_heads_record_task"}
    assert all(soft and hard and soft < hard for soft, hard in limits.values()), limits
    assert limits["donations.statement_import_task"] == (900, 960)


def test_imports_go_to_their_own_queue_and_short_tasks_to_the_default_one():
    for module in ("assistance.tasks", "donations.tasks", "ledger.tasks", "transparency.tasks"):
        importlib.import_module(module)
    queues = {name: app.amqp.router.route({}, name)["queue"].name
              for name in app.tasks if not name.startswith("celery.")}

    assert queues == {
        "assistance.list_import_task": "imports",
        "donations.statement_import_task": "imports",
        "donations.statement_imports_resume_task": "celery",
        "ledger.journal_heads_record_task": "celery",
        "transparency.campaign_totals_reconcile_task": "celery",
        "transparency.campaign_totals_refresh_task": "celery",
    }


def test_sending_a_task_gives_up_fast_and_the_periodic_tasks_catch_up(settings):
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] == 1
    assert settings.CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["retry_policy"]["max_retries"] == 1
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] == settings.REDIS_CONNECT_TIMEOUT == 0.5
    assert settings.CELERY_BROKER_CONNECTION_MAX_RETRIES is None  # a worker waits out the outage
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["transparency.campaign_totals_reconcile_task"] == 30
    assert schedule["donations.statement_imports_resume_task"] == 60


def test_the_redis_cache_waits_half_a_second_at_most_to_connect(monkeypatch):
    import relief_portal.settings.base as base

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    caches = importlib.reload(base).CACHES
    monkeypatch.delenv("REDIS_URL")
    importlib.reload(base)

    assert caches["default"]["OPTIONS"] == {"socket_connect_timeout": 0.5, "socket_timeout": 2.0}


def test_a_reconcile_already_running_is_not_started_twice(open_campaign):
    from django.core.cache import cache

    from transparency.tasks import RECONCILE_RUNNING_KEY, campaign_totals_reconcile_task

    cache.add(RECONCILE_RUNNING_KEY, True)
    assert campaign_totals_reconcile_task() == []
    assert not CampaignTotals.objects.exists()

    cache.delete(RECONCILE_RUNNING_KEY)
    assert campaign_totals_reconcile_task() == [open_campaign.pk]  # no figures yet: drifted, refreshed
    assert CampaignTotals.objects.filter(campaign=open_campaign).exists()
    assert cache.get(RECONCILE_RUNNING_KEY) is None


# --- statement files as large as a real statement needs ----------------------------------------------


@pytest.fixture(scope="module")
def sixteen_mb_of_blank_rows() -> bytes:
    return blank_workbook(350_000)


def upload(admin_client, account, name: str, content: bytes):
    return admin_client.post(reverse("admin:donations_statementimport_add"),
                             {"account": account.pk, "file": SimpleUploadedFile(name, content)})


def test_a_16_mb_workbook_of_blank_rows_is_refused_at_upload(en_admin, account, sixteen_mb_of_blank_rows):
    # given a 16 MB workbook: a header, one transfer and 350,000 formatted empty rows
    with zipfile.ZipFile(io.BytesIO(sixteen_mb_of_blank_rows)) as workbook:
        unpacked = sum(part.file_size for part in workbook.infolist())
    assert 16_000_000 < len(sixteen_mb_of_blank_rows) < MAX_STATEMENT_BYTES < MAX_WORKBOOK_UNPACKED_BYTES < unpacked

    # when staff upload it
    response = upload(en_admin, account, "sao-ke.xlsx", sixteen_mb_of_blank_rows)

    # then it is refused at once, from the workbook's directory, and nothing is stored for a worker
    assert response.status_code == 200
    assert "The workbook unpacks to more than 128 MB, far more than its transactions need" in response.content.decode()
    assert not StatementImport.objects.exists()


def test_a_smaller_workbook_of_blank_rows_is_rejected_at_the_first_thousand(account, admin_user):
    # given a workbook within the limits: a header, one transfer and 5,000 formatted empty rows
    content = blank_workbook(5_000)

    # when it is imported
    imp = statement_import_create(account=account, file_name="sao-ke.xlsx", content=content, uploaded_by=admin_user,
                                  enqueue=False)
    imp = statement_import_run(import_id=imp.pk)

    # then it is rejected at the run of blank lines, with nothing written
    assert (imp.status, imp.error_code, imp.error_params) == ("rejected", "blank_rows", {"line": 3, "count": 1000})
    assert not BankTransaction.objects.exists()


def test_a_csv_with_more_than_a_thousand_blank_lines_in_a_row_is_rejected_and_fewer_are_skipped(english):
    few = statement(("08/09/2024", "FT1", "", "500,000", "ung ho")) + b"\n" * 1000 + b'2,08/09/2024,FT2,,"1",,"x"\n'
    many = statement(("08/09/2024", "FT1", "", "500,000", "ung ho")) + b"\n" * 1001 + b'2,08/09/2024,FT2,,"1",,"x"\n'

    assert len(parse_statement(content=few, filename="vcb.csv").rows) == 2
    with pytest.raises(StatementError) as rejected:
        parse_statement(content=many, filename="vcb.csv")
    assert (rejected.value.code, rejected.value.line) == ("blank_rows", 8)
    assert str(rejected.value) == (
        "Line 8: more than 1000 empty lines in a row. Delete the empty or formatted rows below the table and "
        "upload the file again."
    )


def test_a_file_over_30_mb_is_refused_at_upload(en_admin, account):
    response = upload(en_admin, account, "sao-ke.csv", b"x" * (MAX_STATEMENT_BYTES + 1))

    assert MAX_STATEMENT_BYTES == 30 * 1024 * 1024
    assert "The file is larger than 30 MB; split the statement by date and upload the parts." in (
        response.content.decode())
    assert not StatementImport.objects.exists()


def test_the_limits_read_in_vietnamese(admin_client, account, sixteen_mb_of_blank_rows):
    page = upload(admin_client, account, "sao-ke.xlsx", sixteen_mb_of_blank_rows).content.decode()

    assert "Khi giải nén, tệp Excel lớn hơn 128 MB" in page


@pytest.fixture
def en_admin(admin_client):
    admin_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client
