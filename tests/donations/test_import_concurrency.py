"""A cash-desk receipt recorded while a statement import runs goes through between the import's
chunks, instead of waiting for the whole file.

Needs PostgreSQL's row locks (SQLite lets one writer in at a time whatever the code does);
deselected on SQLite. The order of events is asserted, never timings.
"""

import threading

import pytest
from django.db import connection
from django.utils import translation

from donations.models import Receipt, StatementImport
from donations.services import (
    receipt_record,
    statement_import_create,
    statement_import_run,
)
from donations.services import statements as import_service
from ledger.services import journal_verify
from tests.donations.helpers import statement

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_desk_receipt_commits_while_the_import_is_still_running(reference_data, monkeypatch, account, admin_user):
    # given a statement of six direct gifts, imported in chunks of two rows, and an import that
    # pauses after its first chunk has committed until the test lets it go on
    monkeypatch.setattr(import_service, "CHUNK", 2)
    imp = statement_import_create(
        account=account, file_name="vcb.csv", uploaded_by=admin_user, enqueue=False,
        content=statement(*[("08/09/2024", f"FT{n}", "", f"{n}00,000", "ung ho dong bao") for n in range(1, 7)]),
    )
    events: list[str] = []
    paused, go_on = threading.Event(), threading.Event()

    def after_chunk(*, import_id, rows_done):
        events.append(f"import committed {rows_done} rows")
        if rows_done == 2:
            paused.set()
            go_on.wait(timeout=60)

    monkeypatch.setattr(import_service, "_after_chunk", after_chunk)
    outcome: dict[str, object] = {}

    def run_import():
        try:
            outcome["import"] = statement_import_run(import_id=imp.pk)
            events.append("import finished")
        finally:
            connection.close()  # each thread has its own connection; do not leave it open

    def cash_desk():
        try:
            with translation.override("en"):
                outcome["desk"] = receipt_record(
                    campaign=account.campaign, channel=Receipt.Channel.CASH_DESK, amount=3_000_000,
                    recorded_by=admin_user, public_name="Nguyễn Thị Hoa",
                )
            events.append("desk receipt committed")
        finally:
            connection.close()

    # when the import runs in a worker thread and, once it is midway, the cash desk records a receipt
    importer = threading.Thread(target=run_import)
    importer.start()
    assert paused.wait(timeout=60), "the import never reached its first chunk"
    midway = StatementImport.objects.get(pk=imp.pk)
    cashier = threading.Thread(target=cash_desk)
    cashier.start()
    cashier.join(timeout=60)
    desk_finished_while_import_paused = not cashier.is_alive()
    go_on.set()
    importer.join(timeout=60)
    cashier.join(timeout=60)

    # then the receipt committed while the import was still running (between its chunks), and the
    # import then finished; nothing waited for the whole file
    assert (midway.status, midway.rows_done, midway.rows_read) == ("running", 2, 6)
    assert desk_finished_while_import_paused
    assert events == [
        "import committed 2 rows", "desk receipt committed", "import committed 4 rows", "import committed 6 rows",
        "import finished",
    ]
    # and the receipt numbers follow that order, each once, with exact amounts
    code = account.campaign.code
    assert list(Receipt.objects.order_by("sequence").values_list("number", "channel", "amount")) == [
        (f"{code}-000001", "bank", 100_000), (f"{code}-000002", "bank", 200_000),
        (f"{code}-000003", "cash_desk", 3_000_000),
        (f"{code}-000004", "bank", 300_000), (f"{code}-000005", "bank", 400_000),
        (f"{code}-000006", "bank", 500_000), (f"{code}-000007", "bank", 600_000),
    ]
    # and the journal chains them in that order: the chunk built before the desk receipt was built
    # again after it
    assert journal_verify(campaign=account.campaign).ok
    finished = outcome["import"]
    assert (finished.status, finished.rows_done, finished.direct, finished.credited_amount) == (
        "done", 6, 6, 2_100_000
    )
