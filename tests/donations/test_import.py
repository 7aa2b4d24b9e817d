"""Bank statement import: idempotence, matching, the queue, and what a bad file leaves behind."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from donations.models import (
    BankTransaction,
    BankTransactionDecision,
    Pledge,
    Receipt,
    StatementColumnMapping,
    StatementImport,
)
from donations.services import (
    bank_transaction_assign,
    bank_transaction_confirm_direct,
    bank_transaction_mark_not_donation,
    pledge_cancel,
    receipt_reverse,
    statement_import_create,
    statement_import_run,
)
from tests.donations.helpers import HEADER, statement
from tests.factories import CampaignFactory, PledgeFactory, ReceivingAccountFactory


def run_import(account, content: bytes, user, name="sao-ke.csv") -> StatementImport:
    imp = statement_import_create(account=account, file_name=name, content=content, uploaded_by=user)
    return statement_import_run(import_id=imp.pk)


@pytest.fixture(autouse=True)
def _english():
    # Messages stored for staff are in the active language; assert on the English originals.
    with translation.override("en"):
        yield


@pytest.fixture
def pledges(open_campaign):
    return {
        "an": PledgeFactory(campaign=open_campaign, amount=500_000, reference="K7M3PQ9X"),
        "binh": PledgeFactory(campaign=open_campaign, amount=1_000_000, reference="AB23CD45"),
        "cuong": PledgeFactory(campaign=open_campaign, amount=2_000_000, reference="EF67GH89"),
        "dung": PledgeFactory(campaign=open_campaign, amount=300_000, reference="JK23MN45"),
    }


def test_credits_are_matched_through_bank_noise(account, pledges, admin_user):
    # given transfers whose content carries a reference wrapped in each bank's own noise
    code = account.campaign.code
    content = statement(
        ("08/09/2024 09:15:02", "FT24252001", "", "500,000",
         f"MBVCB.6986253876.{code} K7M3PQ9X.CT tu 0011004123456 NGUYEN VAN AN toi 0011001932418"),
        ("08/09/2024", "FT24252002", "", "1,000,000", f"IBFT {code.lower()}-ab23-cd45 ung ho dong bao"),
        ("09/09/2024", "FT24253003", "", "2.000.000", "FT24253123456789 ủng hộ EF67GH89 bão lũ"),
    )

    # when the statement is imported
    imp = run_import(account, content, admin_user)

    # then each credit settles its pledge for the exact amount, and the summary says so
    assert (imp.status, imp.rows_read, imp.credits, imp.matched, imp.direct, imp.queued) == ("done", 3, 3, 3, 0, 0)
    assert imp.credited_amount == 3_500_000
    settled = {r.pledge.reference: r.amount for r in Receipt.objects.select_related("pledge")}
    assert settled == {"K7M3PQ9X": 500_000, "AB23CD45": 1_000_000, "EF67GH89": 2_000_000}
    assert set(Pledge.objects.filter(reference__in=settled).values_list("status", flat=True)) == {"received"}
    receipt = Receipt.objects.get(pledge__reference="K7M3PQ9X")
    assert receipt.channel == "bank" and receipt.number == f"{code}-000001"
    assert receipt.bank_transaction.payer_name == "Nguyen Van An"
    assert receipt.bank_transaction.payer_account == "0011004123456"


def test_reimport_and_overlap_add_nothing_twice(account, pledges, admin_user):
    # given a statement already imported
    first = statement(
        ("08/09/2024", "FT1", "", "500,000", "K7M3PQ9X"),
        ("08/09/2024", "FT2", "", "250,000", "ung ho"),
    )
    run_import(account, first, admin_user)

    # when the same file comes again, then an overlapping one with one new row
    again = run_import(account, first, admin_user)
    overlap = run_import(account, statement(
        ("08/09/2024", "FT2", "", "250,000", "ung ho"),
        ("09/09/2024", "FT3", "", "100,000", "ung ho them"),
    ), admin_user)

    # then only the new row is added and each import says how many it already knew
    assert (again.duplicates, again.credits, again.credited_amount) == (2, 0, 0)
    assert (overlap.duplicates, overlap.credits, overlap.direct) == (1, 1, 1)
    assert BankTransaction.objects.count() == 3
    assert sorted(Receipt.objects.values_list("amount", flat=True)) == [100_000, 250_000, 500_000]


def test_identical_rows_in_one_file_are_different_transfers(account, admin_user):
    # given two donors sending the same amount with the same words on the same day, no bank reference
    content = statement(
        ("08/09/2024", "", "", "200,000", "ung ho mien bac"),
        ("08/09/2024", "", "", "200,000", "ung ho mien bac"),
    )

    # when imported twice
    imp = run_import(account, content, admin_user)
    again = run_import(account, content, admin_user)

    # then both transfers count once each, and the second import adds nothing
    assert (imp.credits, imp.direct, imp.duplicates) == (2, 2, 0)
    assert (again.credits, again.duplicates) == (0, 2)
    assert list(Receipt.objects.values_list("amount", flat=True)) == [200_000, 200_000]
    assert set(Receipt.objects.values_list("public_name", flat=True)) == {"Nhà hảo tâm"}


def test_partial_and_over_payment(account, pledges, admin_user):
    # given a pledge of 1.000.000 paid 400.000 and one of 300.000 paid 350.000
    run_import(account, statement(
        ("08/09/2024", "FT1", "", "400,000", "AB23CD45"),
        ("08/09/2024", "FT2", "", "350,000", "JK23MN45"),
    ), admin_user)

    # then the first is partly received and the second received, with the full 350.000 kept
    binh, dung = Pledge.objects.get(reference="AB23CD45"), Pledge.objects.get(reference="JK23MN45")
    assert binh.status == "partly_received"
    assert dung.status == "received"
    assert Receipt.objects.get(pledge=dung).amount == 350_000

    # when the rest of the first arrives, it is received
    run_import(account, statement(("10/09/2024", "FT3", "", "600,000", "AB23CD45 lan 2")), admin_user)
    binh.refresh_from_db()
    assert binh.status == "received"


def test_several_references_split_only_when_amounts_add_up(account, pledges, admin_user):
    # given one transfer paying two pledges exactly, and one whose amounts do not add up
    run_import(account, statement(
        ("08/09/2024", "FT1", "", "1,500,000", "K7M3PQ9X AB23CD45 gia dinh"),
        ("08/09/2024", "FT2", "", "2,000,000", "EF67GH89 JK23MN45"),
    ), admin_user)

    # then the first is split into two receipts of the pledged amounts; the second waits for staff
    split = dict(Receipt.objects.values_list("pledge__reference", "amount"))
    assert split == {"K7M3PQ9X": 500_000, "AB23CD45": 1_000_000}
    queued = BankTransaction.objects.get(bank_reference="FT2")
    assert queued.status == "queued"
    assert queued.queue_reason == (
        "Several references (EF67GH89, JK23MN45) whose pledged amounts do not add up to the transfer.")
    assert not queued.receipts.exists()


def test_other_campaign_and_cancelled_references_are_queued(account, pledges, admin_user):
    # given a pledge of another campaign and a cancelled pledge of this one
    other = PledgeFactory(campaign=CampaignFactory(), reference="PQ23RS45")
    pledge_cancel(pledge=Pledge.objects.get(reference="JK23MN45"), reason="Nhà hảo tâm báo hủy", cancelled_by=admin_user)

    imp = run_import(account, statement(
        ("08/09/2024", "FT1", "", "500,000", f"{other.reference} ung ho"),
        ("08/09/2024", "FT2", "", "300,000", "JK23MN45"),
        ("08/09/2024", "FT3", "", "100,000", f"{account.campaign.code} ZZZZ2222 ung ho"),
    ), admin_user)

    # then all three wait for staff, each with its reason, and nothing is counted
    assert (imp.credits, imp.queued, imp.matched, imp.direct) == (3, 3, 0, 0)
    reasons = {t.bank_reference: t.queue_reason for t in BankTransaction.objects.all()}
    assert reasons == {
        "FT1": "Reference PQ23RS45 belongs to another campaign.",
        "FT2": "Reference JK23MN45 is a cancelled pledge.",
        "FT3": "Unknown reference ZZZZ2222.",
    }
    assert Receipt.objects.count() == 0


def test_debits_are_stored_not_counted(account, admin_user):
    imp = run_import(account, statement(
        ("08/09/2024", "FT1", "20,000", "", "Phi dich vu SMS Banking"),
        ("08/09/2024", "FT2", "", "100,000", "ung ho"),
    ), admin_user)

    assert (imp.rows_read, imp.debits, imp.credits, imp.credited_amount) == (2, 1, 1, 100_000)
    debit = BankTransaction.objects.get(bank_reference="FT1")
    assert (debit.amount, debit.status) == (-20_000, "debit")
    assert list(Receipt.objects.values_list("amount", flat=True)) == [100_000]


@pytest.mark.parametrize(
    "body, code, params",
    [
        ("a,b,c\n1,2,3\n", "unknown_layout", {}),
        (HEADER + '1,31/02/2024,FT1,,"100,000",,ung ho\n', "bad_date",
         {"line": 8, "column": "Ngày giao dịch/Transaction Date", "value": "31/02/2024"}),
        (HEADER + '1,08/09/2024,FT1,,"100.000,5",,ung ho\n', "fraction",
         {"line": 8, "column": "Số tiền ghi có/Credit", "value": "100.000,5"}),
    ],
)
def test_bad_file_is_rejected_whole(account, admin_user, body, code, params):
    # given a file with one good row before the bad one
    content = body.replace(HEADER, HEADER + '0,08/09/2024,FT0,,"500,000",,ung ho truoc\n').encode()

    imp = run_import(account, content, admin_user)

    # then it is rejected with the reason and the place stored, and nothing of it is saved
    imp.refresh_from_db()
    assert (imp.status, imp.error_code, imp.error_params) == ("rejected", code, params)
    assert BankTransaction.objects.count() == 0 and Receipt.objects.count() == 0


def test_rejection_is_stored_as_a_code_and_worded_in_the_readers_language(account, admin_user):
    # given a statement rejected while the worker ran in English
    content = (HEADER + '1,31/02/2024,FT1,,"100,000",,ung ho\n').encode()
    imp = run_import(account, content, admin_user)
    imp.refresh_from_db()

    # when it is read in English and in Vietnamese
    english = imp.error_text
    with translation.override("vi"):
        vietnamese = imp.error_text

    # then each reader gets the sentence in their own language
    assert english == (
        "Line 7, column “Ngày giao dịch/Transaction Date”: cannot read the date “31/02/2024” (expected dd/mm/yyyy)."
    )
    assert vietnamese == (
        "Dòng 7, cột “Ngày giao dịch/Transaction Date”: không đọc được ngày “31/02/2024” "
        "(định dạng đúng là dd/mm/yyyy)."
    )


def test_statement_of_another_account_is_rejected(account, admin_user):
    content = statement(("08/09/2024", "FT1", "", "100,000", "ung ho")).replace(b"0011001932418", b"0071000999999")
    imp = run_import(account, content, admin_user)
    imp.refresh_from_db()
    assert imp.status == "rejected"
    assert (imp.error_code, imp.error_params) == ("wrong_account", {"found": "0071000999999", "expected": "0011001932418"})
    assert imp.error_text == "This statement is for account 0071000999999, not 0011001932418."
    assert BankTransaction.objects.count() == 0


def test_command_prints_summary_and_fails_on_bad_file(account, pledges, admin_user, tmp_path, capsys):
    good = tmp_path / "vcb.csv"
    good.write_bytes(statement(("08/09/2024", "FT1", "", "500,000", "K7M3PQ9X"),
                               ("08/09/2024", "FT2", "30,000", "", "phi")))
    call_command("import_bank_statement", str(good), account="0011001932418")
    out = capsys.readouterr().out
    assert "rows read:          2" in out and "matched to pledges: 1" in out and "new credits:        500.000 đồng" in out

    bad = tmp_path / "bad.csv"
    bad.write_bytes(HEADER.encode("utf-8") + "1,08/09/2024,FT9,,100000,,Chuyển tiền".encode("cp1258", "replace") + b"\xd2\xf5")
    with pytest.raises(CommandError, match="Rejected bad.csv"):
        call_command("import_bank_statement", str(bad), account="0011001932418")


def test_reversal_restores_the_pledge(account, pledges, admin_user):
    run_import(account, statement(("08/09/2024", "FT1", "", "500,000", "K7M3PQ9X")), admin_user)
    original = Receipt.objects.get()

    reversal = receipt_reverse(receipt=original, reason="Nhầm tài khoản", recorded_by=admin_user)

    assert (reversal.amount, reversal.reverses, reversal.reason) == (-500_000, original, "Nhầm tài khoản")
    assert Pledge.objects.get(reference="K7M3PQ9X").status == "pledged"
    assert sum(Receipt.objects.values_list("amount", flat=True)) == 0
    with pytest.raises(Exception, match="already been reversed"):
        receipt_reverse(receipt=original, reason="again", recorded_by=admin_user)


def test_queue_decisions_are_logged(account, pledges, admin_user):
    run_import(account, statement(
        ("08/09/2024", "FT1", "", "1,000,000", "EF67GH89 JK23MN45"),
        ("08/09/2024", "FT2", "", "300,000", f"{account.campaign.code} ZZZZ2222"),
        ("08/09/2024", "FT3", "", "50,000", f"{account.campaign.code} YYYY2222 hoan tien"),
        ("08/09/2024", "FT4", "", "500,000", "ung ho khong ghi ma"),
    ), admin_user)
    txn = {t.bank_reference: t for t in BankTransaction.objects.all()}

    bank_transaction_assign(txn=txn["FT1"], reference="ef67gh89", decided_by=admin_user, note="Gọi điện xác nhận")
    bank_transaction_confirm_direct(txn=txn["FT2"], decided_by=admin_user)
    bank_transaction_mark_not_donation(txn=txn["FT3"], decided_by=admin_user, note="Hoàn tiền")
    bank_transaction_assign(txn=txn["FT4"], reference="K7M3PQ9X", decided_by=admin_user)

    statuses = dict(BankTransaction.objects.values_list("bank_reference", "status"))
    assert statuses == {"FT1": "matched", "FT2": "direct", "FT3": "not_donation", "FT4": "matched"}
    assert list(BankTransactionDecision.objects.order_by("pk").values_list("decision", "decided_by__username")) == [
        ("assign", admin_user.username), ("direct", admin_user.username),
        ("not_donation", admin_user.username), ("assign", admin_user.username),
    ]
    assert Pledge.objects.get(reference="EF67GH89").status == "partly_received"
    # the direct receipt of FT4 was reversed and replaced by one settling the pledge
    assert list(Receipt.objects.filter(bank_transaction=txn["FT4"]).order_by("sequence").values_list("amount", "pledge__reference")) == [
        (500_000, None), (-500_000, None), (500_000, "K7M3PQ9X"),
    ]
    assert Pledge.objects.get(reference="K7M3PQ9X").status == "received"
    # exact ledger total: every decided credit once, the not-a-donation one never
    assert sum(Receipt.objects.values_list("amount", flat=True)) == 1_000_000 + 300_000 + 500_000


def test_column_mapping_is_used_only_for_an_unknown_layout(account, admin_user):
    # given an account whose staff mapped the columns of another bank's export
    StatementColumnMapping.objects.create(
        account=account, date="Thời gian", description="Nội dung chuyển khoản", amount="Số tiền (VND)",
        reference="Mã giao dịch",
    )
    custom = (
        "LỊCH SỬ GIAO DỊCH,,,,\n"
        "Thời gian,Số tiền (VND),Mã giao dịch,Nội dung chuyển khoản,Số dư sau giao dịch\n"
        '08/09/2024 21:03:11,"+2,000,000",TT24252A1B2C3D,ung ho bao lu,"7,000,000"\n'
        '09/09/2024 12:00:00,"-15,000",TT24253PHI0001,Phi quan ly tai khoan,"6,985,000"\n'
    ).encode()

    # when that file and then a regular Vietcombank statement are imported
    mapped = run_import(account, custom, admin_user, name="khac.csv")
    regular = run_import(account, statement(("10/09/2024", "FT1", "", "100,000", "ung ho")), admin_user)

    # then the mapping reads the first, and the known layout still reads the second
    assert (mapped.status, mapped.layout, mapped.credits, mapped.debits, mapped.credited_amount) == (
        "done", "custom", 1, 1, 2_000_000)
    assert (regular.status, regular.layout, regular.credits) == ("done", "vietcombank", 1)


def test_column_mapping_is_used_when_the_columns_could_not_be_told_apart(account, admin_user):
    # given an account with mapped columns, and an export whose money in and out have unfamiliar names
    StatementColumnMapping.objects.create(
        account=account, date="Ngày GD", description="Nội dung", credit="Tiền vào", debit="Tiền ra",
    )
    content = (
        "STT,Ngày GD,Nội dung,Tiền vào,Tiền ra\n"
        '1,08/09/2024,ung ho bao lu,"2,000,000",\n'
        '2,09/09/2024,Phi SMS,,"11,000"\n'
    ).encode()

    # when it is imported
    imp = run_import(account, content, admin_user, name="khac.csv")

    # then the mapping reads it
    assert (imp.status, imp.layout, imp.credits, imp.debits, imp.credited_amount) == (
        "done", "custom", 1, 1, 2_000_000)
    assert sorted(BankTransaction.objects.values_list("amount", flat=True)) == [-11_000, 2_000_000]


@pytest.fixture
def before_rejection_codes(transactional_db):
    """The schema just before rejections were stored as codes; the latest schema again afterwards."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    added = next(key for key in graph.nodes if key[0] == "donations" and key[1].endswith("_statement_import_error_code"))
    before = next(key for key in graph.nodes[added].dependencies if key[0] == "donations")
    executor.migrate([before])
    yield executor.loader.project_state([before]).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()  # the next test starts from a flushed database


def test_migration_keeps_rejections_stored_as_text_readable(reference_data, before_rejection_codes, admin_user):
    # given imports rejected before codes existed: one with its text (in the worker's language), one done
    old = before_rejection_codes.get_model("donations", "StatementImport")
    account = ReceivingAccountFactory(campaign=CampaignFactory())
    text = "Dòng 5, cột “Có”: không đọc được số tiền “500k”."
    rejected = old.objects.create(
        account_id=account.pk, file_name="a.csv", content=b"x", status="rejected", error=text,
        uploaded_by_id=admin_user.pk,
    )
    done = old.objects.create(account_id=account.pk, file_name="b.csv", content=b"x", status="done",
                              uploaded_by_id=admin_user.pk)

    # when the database is migrated
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    # then the old text is kept as a "legacy" reason and shown as it was; the finished import has none
    stored = {imp.pk: imp for imp in StatementImport.objects.all()}
    assert (stored[rejected.pk].error_code, stored[rejected.pk].error_params) == ("legacy", {"text": text})
    assert stored[rejected.pk].error_text == text
    assert (stored[done.pk].error_code, stored[done.pk].error_params, stored[done.pk].error_text) == ("", {}, "")
