"""The bank queue: one transfer split between pledges, suggested pledges, what staff typed kept after
an error, the queue count, and every date of a bank line in Vietnam's time."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse

from donations.models import BankTransaction
from donations.selectors import bank_queue_count
from donations.services import statement_import_create, statement_import_run
from tests.donations.helpers import statement


@pytest.fixture
def staff_en(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


def import_rows(account, user, *rows) -> dict[str, BankTransaction]:
    imp = statement_import_create(account=account, file_name="sao-ke.csv", content=statement(*rows), uploaded_by=user)
    statement_import_run(import_id=imp.pk)
    return {t.bank_reference: t for t in BankTransaction.objects.filter(statement_import=imp)}


def change_url(txn) -> str:
    return reverse("admin:donations_banktransaction_change", args=[txn.pk])


# --- the queue count ------------------------------------------------------------------------------


def test_bank_queue_count_counts_only_waiting_credits(staff_en, account, admin_user):
    code = account.campaign.code
    import_rows(account, admin_user,
                ("11/09/2024", "FT1", "", "100,000", f"{code} YYYY2222"),
                ("11/09/2024", "FT2", "", "100,000", "ung ho"),
                ("11/09/2024", "FT3", "15,000", "", "phi SMS"),
                ("11/09/2024", "FT4", "", "200,000", f"{code} XXXX3333 ung ho"))

    assert bank_queue_count() == 2
    listing = staff_en.get(reverse("admin:donations_banktransaction_changelist")).content.decode()
    assert "Queue (2 waiting)" in listing


# --- Vietnam's time -------------------------------------------------------------------------------


@pytest.mark.parametrize(("booked", "utc", "shown"), [
    ("31/12/2024 23:30:00", datetime.datetime(2024, 12, 31, 16, 30, tzinfo=datetime.UTC), "31/12/2024"),
    ("01/01/2025 00:30:00", datetime.datetime(2024, 12, 31, 17, 30, tzinfo=datetime.UTC), "01/01/2025"),
])
def test_a_bank_line_shows_its_vietnam_date_everywhere(staff_en, account, admin_user, booked, utc, shown):
    # given a transfer booked near midnight, Vietnam time (stored in UTC)
    txn = import_rows(account, admin_user, (booked, "FT0", "", "100,000", "ung ho"))["FT0"]
    assert txn.booked_at == utc
    time = booked[11:16]

    # then str(), the list row and the change page's title all give the Vietnamese date
    assert str(txn) == f"{shown} +100.000 ₫ ung ho"
    listing = staff_en.get(reverse("admin:donations_banktransaction_changelist")).content.decode()
    assert re.search(r'<th class="field-booked_at_short"><a href="[^"]+">%s %s</a></th>' % (shown, time), listing)
    page = staff_en.get(change_url(txn)).content.decode()
    assert re.search(r"<title>%s \+100\.000 ₫ ung ho \|" % shown, page)
    assert f"<h2>{shown} +100.000 ₫ ung ho</h2>" in page
    assert f"{shown} {time}" in page  # the decision panel's facts
