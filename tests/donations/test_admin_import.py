"""Staff admin of bank statements: upload, progress, summary, column mapping, and the queue's decisions."""

import html
import json
import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from donations.models import (
    BankTransaction,
    BankTransactionDecision,
    Pledge,
    Receipt,
    StatementColumnMapping,
    StatementImport,
)
from donations.services import (
    DonorData,
    PledgeData,
    pledge_create,
    statement_import_create,
    statement_import_run,
)
from relief_portal.celery import app as celery_app
from tests.donations.helpers import statement as vietcombank_csv
from tests.factories import ReceivingAccountFactory

UPLOAD_URL = "admin:donations_statementimport_add"

@pytest.fixture(autouse=True)
def eager_tasks():
    """Tasks run in process, whatever broker the environment configures."""
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved


@pytest.fixture
def staff_en(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


def staff_with(django_user_model, client, *codenames):
    user = django_user_model.objects.create_user(username="clerk", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="donations", codename__in=codenames)
    )
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


@pytest.fixture
def pledge(open_campaign):
    return pledge_create(
        campaign=open_campaign,
        donor=DonorData(kind="individual", full_name="Lê Văn Cường", phone="0987654321"),
        pledge=PledgeData(kind="cash", amount=500_000),
    )


@pytest.fixture
def statement(account, pledge):
    """Four rows: a matched credit, a direct gift, a credit with an unknown reference, and a debit."""
    code = account.campaign.code
    return vietcombank_csv(
        ("08/09/2024 09:15:02", "FT001", "", "500,000", f"MBVCB.698.{code} {pledge.reference}.CT tu 0011 LE VAN CUONG"),
        ("08/09/2024 10:00:00", "FT002", "", "250,000", "ung ho dong bao bao lu"),
        ("09/09/2024 11:20:00", "FT003", "", "1,000,000", f"{code} ZZZZ2222 ung ho"),
        ("09/09/2024 15:00:00", "FT004", "15,000", "", "Phi dich vu SMS"),
    )


def upload(client, account, content: bytes, django_capture_on_commit_callbacks, name="sao-ke-vcb.csv"):
    """Post the file, let the task run when the upload commits, then follow to the page staff land on."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(UPLOAD_URL), {"account": account.pk, "file": SimpleUploadedFile(name, content)})
    if response.status_code != 302:
        return response
    return client.get(response["Location"])


def summary_rows(page: str) -> dict[str, str]:
    return dict(re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', page))


# --- upload, summary, progress --------------------------------------------------------------------


def test_upload_imports_and_the_change_page_shows_the_summary(
    staff_en, admin_user, account, pledge, statement, django_capture_on_commit_callbacks
):
    # given a Vietcombank statement with a matched, a direct, a queued credit and a debit
    # when staff upload it in the admin (the task runs after commit)
    response = upload(staff_en, account, statement, django_capture_on_commit_callbacks)

    # then the import is stored with its uploader and finished
    imp = StatementImport.objects.get()
    assert (imp.status, imp.uploaded_by, imp.file_name, imp.layout) == (
        "done", admin_user, "sao-ke-vcb.csv", "vietcombank"
    )
    # and staff land on its change page, which shows the exact figures
    assert response.request["PATH_INFO"] == reverse("admin:donations_statementimport_change", args=[imp.pk])
    page = response.content.decode()
    assert summary_rows(page) == {
        "Rows read": "4",
        "Credits (money in)": "3",
        "Debits (money out)": "1",
        "Matched to pledges": "1",
        "Direct donations": "1",
        "Queued for staff": "1",
        "Already imported (skipped)": "0",
        "Lines skipped (balances, totals, blank)": "1",
        "New credits": "1.750.000 ₫",
    }
    assert "data-import-progress" not in page  # finished: no progress bar
    assert "?statement_import__id__exact=%d&amp;status__exact=queued" % imp.pk in page
    # and the ledger holds exactly the two settled credits
    assert sorted(Receipt.objects.values_list("amount", flat=True)) == [250_000, 500_000]
    assert Pledge.objects.get(pk=pledge.pk).status == "received"


def test_uploading_the_same_statement_again_warns_and_confirmed_adds_nothing(
    staff_en, account, statement, django_capture_on_commit_callbacks
):
    # given a statement uploaded and imported at 08:05 on 10/09/2024, Vietnam time
    upload(staff_en, account, statement, django_capture_on_commit_callbacks)
    first = StatementImport.objects.get()
    StatementImport.objects.filter(pk=first.pk).update(created_at=datetime(2024, 9, 10, 1, 5, tzinfo=UTC))

    # when staff upload the very same file for the same account
    with django_capture_on_commit_callbacks(execute=True):
        warned = staff_en.post(
            reverse(UPLOAD_URL), {"account": account.pk, "file": SimpleUploadedFile("lan-2.csv", statement)}
        )

    # then nothing is stored yet: the page names the earlier import (file, date, who, status) and asks
    assert warned.status_code == 200
    assert StatementImport.objects.count() == 1
    assert warned.context["adminform"].form.non_field_errors() == [
        "This file is identical to “sao-ke-vcb.csv”, uploaded on 10/09/2024 08:05 by admin (Done). Importing it "
        "again adds nothing new: rows already imported are skipped. To import it all the same, tick "
        "“Import it anyway” and save."
    ]
    page = warned.content.decode()
    assert 'type="checkbox" name="import_anyway"' in page
    assert f'name="same_file_sha256" value="{first.content_sha256}"' in page

    # when they tick “Import it anyway” and upload again, without choosing the file a second time
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = staff_en.post(
            reverse(UPLOAD_URL),
            {"account": account.pk, "import_anyway": "on", "same_file_sha256": first.content_sha256},
        )
    second = StatementImport.objects.exclude(pk=first.pk).get()
    summary = staff_en.get(confirmed["Location"])

    # then the file is imported again and adds nothing new: every row was already known
    assert confirmed["Location"] == reverse("admin:donations_statementimport_change", args=[second.pk])
    assert (second.file_name, second.content_sha256, second.status) == ("sao-ke-vcb.csv", first.content_sha256, "done")
    rows = summary_rows(summary.content.decode())
    assert (rows["Rows read"], rows["Already imported (skipped)"], rows["Credits (money in)"]) == ("4", "4", "0")
    assert rows["New credits"] == "0 ₫"
    assert BankTransaction.objects.count() == 4
    assert Receipt.objects.count() == 2


def test_the_same_file_for_another_account_is_not_a_repeat(
    staff_en, account, statement, django_capture_on_commit_callbacks
):
    # given a statement imported for one account
    upload(staff_en, account, statement, django_capture_on_commit_callbacks)
    other = ReceivingAccountFactory(campaign=account.campaign, account_number="0071000999999")

    # when the same file is uploaded for another account
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_en.post(
            reverse(UPLOAD_URL), {"account": other.pk, "file": SimpleUploadedFile("vcb.csv", statement)}
        )

    # then no warning: it is stored and imported (and rejected, being another account's statement)
    assert response.status_code == 302
    assert StatementImport.objects.get(account=other).status == "rejected"


def test_progress_endpoint_returns_the_exact_counts(staff_en, admin_user, account, statement):
    # given a finished import
    imp = statement_import_create(account=account, file_name="vcb.csv", content=statement, uploaded_by=admin_user)
    statement_import_run(import_id=imp.pk)

    # when the page polls its progress
    response = staff_en.get(reverse("admin:donations_statementimport_progress", args=[imp.pk]))

    # then the JSON carries the status, the rows done and the summary from the model
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content) == {
        "status": "done", "status_display": "Done", "finished": True, "done": 4, "total": 4,
        "rows_read": 4, "credits": 3, "debits": 1, "matched": 1, "direct": 1, "queued": 1, "duplicates": 0,
        "skipped_lines": 1, "credited_amount": 1_750_000, "error": "",
    }


def test_a_running_import_shows_a_progress_bar_fed_by_the_endpoint(staff_en, admin_user, account, statement):
    # given an import the worker is halfway through (its committed progress is on the import)
    imp = statement_import_create(account=account, file_name="vcb.csv", content=statement, uploaded_by=admin_user)
    StatementImport.objects.filter(pk=imp.pk).update(
        status="running", rows_read=5_000, rows_done=2_000, heartbeat_at=timezone.now()
    )

    # when staff look at it
    page = staff_en.get(reverse("admin:donations_statementimport_change", args=[imp.pk])).content.decode()
    data = json.loads(staff_en.get(reverse("admin:donations_statementimport_progress", args=[imp.pk])).content)

    # then the page has a progress bar that polls the endpoint, and the endpoint says how far it got
    progress_url = reverse("admin:donations_statementimport_progress", args=[imp.pk])
    assert f'data-url="{progress_url}"' in page
    assert 'max="5000" value="2000"' in page
    assert "/static/js/import_progress.js" in page
    assert (data["status"], data["done"], data["total"], data["finished"]) == ("running", 2_000, 5_000, False)


def test_a_waiting_import_reports_no_progress_yet(staff_en, admin_user, account, statement):
    imp = statement_import_create(account=account, file_name="vcb.csv", content=statement, uploaded_by=admin_user)

    data = json.loads(staff_en.get(reverse("admin:donations_statementimport_progress", args=[imp.pk])).content)

    assert (data["status"], data["done"], data["total"], data["finished"]) == ("pending", 0, 0, False)


def test_staff_without_the_add_permission_cannot_upload(
    client, django_user_model, account, statement, django_capture_on_commit_callbacks
):
    # given a staff member who may only look at imports
    staff_with(django_user_model, client, "view_statementimport")

    # when they open the upload page or post a file
    page = client.get(reverse(UPLOAD_URL))
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(
            reverse(UPLOAD_URL), {"account": account.pk, "file": SimpleUploadedFile("a.csv", statement)}
        )

    # then both are refused and nothing is stored
    assert (page.status_code, posted.status_code) == (403, 403)
    assert StatementImport.objects.count() == 0


def test_only_csv_and_xlsx_files_are_accepted(staff_en, account, django_capture_on_commit_callbacks):
    response = upload(staff_en, account, b"%PDF-1.4", django_capture_on_commit_callbacks, name="sao-ke.pdf")

    assert response.context["adminform"].form.errors["file"] == [
        "Upload the statement as .csv or .xlsx (this file is “.pdf”)."
    ]
    assert StatementImport.objects.count() == 0


def test_an_import_can_be_seen_but_never_changed_or_deleted(staff_en, admin_user, account, statement):
    imp = statement_import_create(account=account, file_name="vcb.csv", content=statement, uploaded_by=admin_user)
    statement_import_run(import_id=imp.pk)

    delete = staff_en.post(reverse("admin:donations_statementimport_delete", args=[imp.pk]), {"post": "yes"})
    change = staff_en.post(reverse("admin:donations_statementimport_change", args=[imp.pk]), {"file_name": "x.csv"})
    listing = staff_en.get(reverse("admin:donations_statementimport_changelist")).content.decode()

    assert (delete.status_code, change.status_code) == (403, 403)
    assert StatementImport.objects.get(pk=imp.pk).file_name == "vcb.csv"
    assert "vcb.csv" in listing and "delete_selected" not in listing


# --- a bank we do not know: rejected, mapped, imported again --------------------------------------


def test_unknown_layout_is_rejected_and_links_to_a_column_mapping(
    staff_en, account, pledge, django_capture_on_commit_callbacks
):
    # given a statement of a bank whose column names the importer does not know
    content = (
        "Thoi diem,Chi tiet,Gia tri\n"
        f"08/09/2024,ung ho {pledge.campaign.code} {pledge.reference},500000\n"
        "09/09/2024,ung ho,200000\n"
    ).encode()

    # when staff upload it
    response = upload(staff_en, account, content, django_capture_on_commit_callbacks, name="khac.csv")

    # then it is rejected, the reason is shown prominently and nothing is imported
    imp = StatementImport.objects.get()
    page = response.content.decode()
    assert (imp.status, imp.error_code, imp.error_params) == ("rejected", "unknown_layout", {})
    assert 'class="import-error">Unknown layout:' in page
    assert "Map the columns of this bank's statements" in page
    assert BankTransaction.objects.count() == 0
    # and the page links to mapping this account's columns, with the file's headers as hints
    mapping_add = reverse("admin:donations_statementcolumnmapping_add") + f"?account={account.pk}&amp;import={imp.pk}"
    assert mapping_add in page
    retry_url = reverse("admin:donations_statementimport_retry", args=[imp.pk])
    assert page.index(f'action="{retry_url}"') < page.index('id="statementimport_form"')  # not a nested form
    hints = staff_en.get(mapping_add.replace("&amp;", "&")).content.decode()
    assert '<option value="Chi tiet">' in hints

    # when staff map the columns and import the same file again
    staff_en.post(mapping_add.replace("&amp;", "&"), {
        "account": account.pk, "date": "Thoi diem", "description": "Chi tiet", "amount": "Gia tri",
        "credit": "", "debit": "", "reference": "", "balance": "",
    })
    assert StatementColumnMapping.objects.filter(account=account).exists()
    with django_capture_on_commit_callbacks(execute=True):
        retried = staff_en.post(retry_url)
    again = staff_en.get(retried["Location"])

    # then the new import reads both credits and settles the pledge
    second = StatementImport.objects.exclude(pk=imp.pk).get()
    assert (second.status, second.layout, second.rows_read, second.matched, second.direct) == (
        "done", "custom", 2, 1, 1
    )
    assert summary_rows(again.content.decode())["New credits"] == "700.000 ₫"


def rejected_import(admin_user, account, code: str, params: dict) -> StatementImport:
    return StatementImport.objects.create(
        account=account, file_name="sao-ke.csv", content=b"x", uploaded_by=admin_user, status="rejected",
        error_code=code, error_params=params,
    )


def test_a_rejection_is_shown_in_the_readers_language(admin_client, admin_user, account):
    # given an import rejected for a date it could not read
    imp = rejected_import(admin_user, account, "bad_date", {
        "line": 12, "column": "Ngày giao dịch/Transaction Date", "value": "09/13/2024",
    })
    page_url = reverse("admin:donations_statementimport_change", args=[imp.pk])
    list_url = reverse("admin:donations_statementimport_changelist")
    progress_url = reverse("admin:donations_statementimport_progress", args=[imp.pk])

    # when staff read it in English and in Vietnamese
    seen = {}
    for language in ("en", "vi"):
        admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        seen[language] = (
            admin_client.get(page_url).content.decode(),
            admin_client.get(list_url).content.decode(),
            json.loads(admin_client.get(progress_url).content)["error"],
        )

    # then the change page, the list and the progress data all word it in the reader's language
    english = (
        "Line 12, column “Ngày giao dịch/Transaction Date”: cannot read the date “09/13/2024” (expected dd/mm/yyyy)."
    )
    vietnamese = (
        "Dòng 12, cột “Ngày giao dịch/Transaction Date”: không đọc được ngày “09/13/2024” "
        "(định dạng đúng là dd/mm/yyyy)."
    )
    for language, text in (("en", english), ("vi", vietnamese)):
        page, listing, progress = seen[language]
        assert f'<p class="import-error">{html.escape(text)}</p>' in page
        assert f'<td class="field-error_text">{html.escape(text)}</td>' in listing
        assert progress == text
    # and a bad value is not a problem of columns: a mapping is offered, not asked for
    assert "Add a column mapping for this account" in seen["en"][0]


@pytest.mark.parametrize("code, params", [
    ("unknown_layout", {}),
    ("missing_column", {"line": 3, "bank": "Vietcombank", "column": "Số tiền ghi có/Credit"}),
    ("ambiguous_column", {"line": 1, "field": "amount", "columns": ["PS Có", "Dư cuối"]}),
])
def test_a_file_whose_columns_were_not_understood_offers_the_column_mapping(
    admin_client, admin_user, account, code, params
):
    # given an import rejected because its columns were not understood, read by staff in Vietnamese
    imp = rejected_import(admin_user, account, code, params)
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"

    # when they open it
    page = admin_client.get(reverse("admin:donations_statementimport_change", args=[imp.pk])).content.decode()

    # then, recognised by its code whatever the language, it offers to map this bank's columns
    mapping_add = reverse("admin:donations_statementcolumnmapping_add") + f"?account={account.pk}&amp;import={imp.pk}"
    assert f'<a class="button" href="{mapping_add}">Cấu hình cột cho sao kê của ngân hàng này</a>' in page


def test_a_rejection_stored_as_text_before_codes_stays_readable(staff_en, admin_user, account):
    # given an import rejected before reasons were stored as codes (its text kept by the migration)
    imp = rejected_import(admin_user, account, "legacy", {"text": "Dòng 5: không đọc được số tiền “500k”."})

    # when staff open it
    page = staff_en.get(reverse("admin:donations_statementimport_change", args=[imp.pk])).content.decode()

    # then they read the text as it was stored
    assert '<p class="import-error">Dòng 5: không đọc được số tiền “500k”.</p>' in page


def test_a_mapping_that_cannot_describe_a_statement_is_refused(staff_en, account):
    response = staff_en.post(reverse("admin:donations_statementcolumnmapping_add"), {
        "account": account.pk, "date": "Ngay", "description": "Dien giai", "amount": "So tien", "credit": "Co",
        "debit": "", "reference": "", "balance": "",
    })

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "The column mapping needs either one signed amount column or credit/debit columns."
    ]
    assert not StatementColumnMapping.objects.exists()


# --- the queue ---------------------------------------------------------------------------------------


@pytest.fixture
def queued(account, admin_user, statement):
    imp = statement_import_create(account=account, file_name="vcb.csv", content=statement, uploaded_by=admin_user)
    statement_import_run(import_id=imp.pk)
    return BankTransaction.objects.get(bank_reference="FT003")


def decide(client, name, txn, **data):
    return client.post(reverse(f"admin:donations_banktransaction_{name}", args=[txn.pk]), data, follow=True)


def test_queue_link_lists_the_waiting_transactions(staff_en, queued):
    listing = staff_en.get(reverse("admin:donations_banktransaction_changelist")).content.decode()
    assert "?status__exact=queued" in listing and "Queue (1 waiting)" in listing

    queue = staff_en.get(reverse("admin:donations_banktransaction_changelist") + "?status__exact=queued")
    assert list(queue.context["cl"].result_list) == [queued]
    assert "1.000.000 ₫" in queue.content.decode()


def test_assign_to_a_pledge(staff_en, admin_user, queued, open_campaign):
    # given a queued credit of 1.000.000 ₫ and the pledge it was meant for
    other = pledge_create(
        campaign=open_campaign, donor=DonorData(kind="individual", full_name="Phạm Thu Hà", phone="0911222333"),
        pledge=PledgeData(kind="cash", amount=1_000_000),
    )
    page = staff_en.get(reverse("admin:donations_banktransaction_change", args=[queued.pk])).content.decode()
    assign_url = reverse("admin:donations_banktransaction_assign", args=[queued.pk])
    assert page.index(f'action="{assign_url}"') < page.index('id="banktransaction_form"')  # not a nested form

    # when staff assign it by reference
    response = decide(staff_en, "assign", queued, reference=other.reference.lower(), note="Khách gõ sai mã")

    # then the decision is logged with who made it, the transaction is matched and the pledge settled
    decision = BankTransactionDecision.objects.get(transaction=queued)
    assert (decision.decision, decision.pledge, decision.note, decision.decided_by) == (
        "assign", other, "Khách gõ sai mã", admin_user
    )
    assert BankTransaction.objects.get(pk=queued.pk).status == "matched"
    receipt = Receipt.objects.get(bank_transaction=queued)
    assert (receipt.amount, receipt.pledge) == (1_000_000, other)
    assert Pledge.objects.get(pk=other.pk).status == "received"
    page = response.content.decode()
    assert f"Assigned to pledge {other.reference}: receipt {receipt.number}." in page
    assert "Khách gõ sai mã" in page  # the decision log on the change page


def test_confirm_as_direct_donation(staff_en, admin_user, queued):
    decide(staff_en, "confirm_direct", queued, note="Ủng hộ không qua đăng ký")

    decision = BankTransactionDecision.objects.get(transaction=queued)
    assert (decision.decision, decision.pledge, decision.decided_by) == ("direct", None, admin_user)
    assert BankTransaction.objects.get(pk=queued.pk).status == "direct"
    assert list(Receipt.objects.filter(bank_transaction=queued).values_list("amount", "pledge")) == [(1_000_000, None)]


def test_mark_not_a_donation(staff_en, admin_user, queued):
    decide(staff_en, "not_donation", queued, note="Hoàn tiền")

    decision = BankTransactionDecision.objects.get(transaction=queued)
    assert (decision.decision, decision.note, decision.decided_by) == ("not_donation", "Hoàn tiền", admin_user)
    assert BankTransaction.objects.get(pk=queued.pk).status == "not_donation"
    assert not Receipt.objects.filter(bank_transaction=queued).exists()


def test_a_wrong_reference_is_a_message_not_a_server_error(staff_en, queued):
    response = decide(staff_en, "assign", queued, reference="ZZZZ3333")

    assert response.status_code == 200
    assert "No pledge has this reference." in response.content.decode()
    assert BankTransaction.objects.get(pk=queued.pk).status == "queued"
    assert not BankTransactionDecision.objects.exists()


def test_a_decided_transaction_cannot_be_decided_again(staff_en, queued):
    decide(staff_en, "not_donation", queued)

    response = decide(staff_en, "confirm_direct", queued)

    assert "This transaction has already been decided." in response.content.decode()
    assert BankTransactionDecision.objects.count() == 1
    assert BankTransaction.objects.get(pk=queued.pk).status == "not_donation"


def test_queue_decisions_need_the_change_permission(client, django_user_model, queued):
    # given a staff member who may only look at bank transactions
    staff_with(django_user_model, client, "view_banktransaction")
    page = client.get(reverse("admin:donations_banktransaction_change", args=[queued.pk]))
    assert page.status_code == 200
    assert reverse("admin:donations_banktransaction_assign", args=[queued.pk]) not in page.content.decode()

    # when they post each decision anyway
    codes = [
        client.post(reverse(f"admin:donations_banktransaction_{name}", args=[queued.pk]), data).status_code
        for name, data in (("assign", {"reference": "ABCD2345"}), ("confirm_direct", {}), ("not_donation", {}))
    ]

    # then every one is refused and nothing changes
    assert codes == [403, 403, 403]
    assert BankTransaction.objects.get(pk=queued.pk).status == "queued"
    assert not BankTransactionDecision.objects.exists()


def test_decisions_are_post_only(staff_en, queued):
    response = staff_en.get(reverse("admin:donations_banktransaction_not_donation", args=[queued.pk]))

    assert response.status_code == 405
    assert BankTransaction.objects.get(pk=queued.pk).status == "queued"
