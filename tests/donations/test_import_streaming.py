"""The import parses the file once without holding it: that reading rejects a bad file whole
(wherever the bad row is, with the same precedence as before) and spools the rows to a temporary
file, read back to write them in chunks with bulk writes (COPY on PostgreSQL) whose rows, history
and journal are what the ORM would write."""

import pytest
from django.db.models import F
from django.utils import timezone, translation

from donations.models import BankTransaction, Receipt, StatementImport
from donations.services import statement_import_create, statement_import_run
from donations.services import statements as import_service
from donations.services.statements import transaction_checksum
from donations.statements import parse_statement
from ledger.services import journal_verify
from tests.donations.helpers import statement
from tests.factories import PledgeFactory, ReceivingAccountFactory

GOOD = ("08/09/2024 09:00:00", "FT1", "", "500,000", "MBVCB.1.K7M3PQ9X.ung ho")


@pytest.fixture(autouse=True)
def _english_and_small_chunks(monkeypatch):
    monkeypatch.setattr(import_service, "CHUNK", 2)
    with translation.override("en"):
        yield


def run(account, user, *rows) -> StatementImport:
    imp = statement_import_create(account=account, file_name="vcb.csv", content=statement(*rows), uploaded_by=user,
                                  enqueue=False)
    return statement_import_run(import_id=imp.pk)


def test_a_file_rejected_on_its_last_row_writes_nothing(account, admin_user):
    # given five good rows (three chunks of two) and a last row dated in the future
    rows = [(f"0{n}/09/2024 10:00:00", f"FT{n}", "", "100,000", "ung ho") for n in range(8, 10)] * 2
    imp = run(account, admin_user, *rows, GOOD, ("01/01/2099", "FT9", "", "100,000", "ung ho"))

    # then the whole file is rejected at that row, and no chunk of it was written
    assert (imp.status, imp.error_code, imp.error_params["line"]) == ("rejected", "date_in_future", 12)
    assert (imp.rows_done, BankTransaction.objects.count(), Receipt.objects.count()) == (0, 0, 0)


def test_an_unreadable_row_is_reported_before_an_earlier_row_out_of_bounds(account, admin_user):
    # given a row dated before the campaign, then further down a row whose date cannot be read
    imp = run(account, admin_user, GOOD, ("01/09/2024", "FT2", "", "100,000", "truoc chien dich"),
              GOOD, ("31/02/2024", "FT4", "", "100,000", "ngay sai"))

    # then the unreadable row is the reason, as when the whole file was read before checking bounds
    assert (imp.status, imp.error_code, imp.error_params["line"]) == ("rejected", "bad_date", 10)
    assert BankTransaction.objects.count() == 0


def test_a_statement_of_another_account_is_reported_before_rows_out_of_bounds(account, admin_user):
    content = statement(("01/09/2024", "FT2", "", "100,000", "truoc chien dich")).replace(b"0011001932418",
                                                                                           b"0071000999999")
    imp = statement_import_create(account=account, file_name="vcb.csv", content=content, uploaded_by=admin_user,
                                  enqueue=False)

    imp = statement_import_run(import_id=imp.pk)

    assert (imp.status, imp.error_code) == ("rejected", "wrong_account")


def test_checksums_number_identical_rows_across_chunks_as_transaction_checksum_does(account, admin_user):
    # given three identical transfers and two others, in chunks of two
    same = ("08/09/2024", "", "", "200,000", "ung ho  mien bac")
    rows = [same, GOOD, same, ("09/09/2024", "FT7", "20,000", "", "Phi"), same]

    imp = run(account, admin_user, *rows)

    # then each row is kept, with the checksum `transaction_checksum` gives it (identical rows numbered 1, 2, 3)
    parsed = parse_statement(content=statement(*rows), filename="vcb.csv").rows
    occurrence = {}
    expected = []
    for row in parsed:
        key = (row.booked_at, row.bank_reference, row.amount, row.description.upper())
        occurrence[key] = occurrence.get(key, 0) + 1
        expected.append((row.line, transaction_checksum(account_id=account.pk, row=row, occurrence=occurrence[key])))
    assert (imp.status, imp.rows_read) == ("done", 5)
    assert list(BankTransaction.objects.order_by("line").values_list("line", "checksum")) == expected


def test_receipts_written_in_bulk_have_their_history_and_journal(account, admin_user):
    # given a statement of a matched credit, direct gifts and a debit, imported in chunks of two
    PledgeFactory(campaign=account.campaign, amount=500_000, reference="K7M3PQ9X")
    imp = run(account, admin_user, GOOD, ("08/09/2024 10:00:00", "FT2", "", "250,000",
                                          "CT tu 0011004000123 NGUYEN THI HOA toi 0011001932418 ung ho"),
              ("08/09/2024 11:00:00", "FT3", "20,000", "", "Phi"), ("08/09/2024", "", "", "100,000", "ung ho"))
    assert (imp.status, imp.matched, imp.direct, imp.debits) == ("done", 1, 2, 1)

    # then every receipt has one "created" history row by the uploader holding the receipt's values
    receipts = Receipt.objects.order_by("sequence")
    assert [(r.number, r.amount, r.public_name) for r in receipts] == [
        (f"{account.campaign.code}-000001", 500_000, receipts[0].pledge.donor.public_name),
        (f"{account.campaign.code}-000002", 250_000, "Nguyen T. H."),
        (f"{account.campaign.code}-000003", 100_000, "Nhà hảo tâm"),
    ]
    history = Receipt.history.model.objects.order_by("sequence")
    tracked = [field.attname for field in Receipt._meta.concrete_fields]
    assert [tuple(getattr(h, name) for name in tracked) for h in history] == [
        tuple(getattr(r, name) for name in tracked) for r in receipts
    ]
    assert {(h.history_type, h.history_user_id, h.history_change_reason) for h in history} == {
        ("+", admin_user.pk, None)
    }
    # and each receipt points at its own bank transaction, received when it was booked
    assert not receipts.exclude(bank_transaction__booked_at=F("received_at")).exists()
    # and the journal chains every receipt and checks against the ledger
    check = journal_verify(campaign=account.campaign)
    assert (check.ok, check.entries) == (True, 3)


def test_the_file_is_parsed_once(monkeypatch, account, admin_user):
    # given a good statement of five rows (three chunks of two)
    readings = []
    read_statement = import_service.read_statement

    def counted(**kwargs):
        readings.append(kwargs["filename"])
        return read_statement(**kwargs)

    monkeypatch.setattr(import_service, "read_statement", counted)
    rows = [(f"08/09/2024 0{n}:00:00", f"FT{n}", "", "100,000", f"ung ho {n}") for n in range(1, 6)]

    # when it is imported
    imp = run(account, admin_user, *rows)

    # then it was parsed once, and every row of it was written from the spooled rows
    assert readings == ["vcb.csv"]
    assert (imp.status, imp.rows_read, imp.rows_done, imp.direct) == ("done", 5, 5, 5)
    assert list(BankTransaction.objects.order_by("line").values_list("bank_reference", "description")) == [
        (f"FT{n}", f"ung ho {n}") for n in range(1, 6)
    ]


def test_a_bank_receipt_is_built_as_the_model_builds_it(account):
    # given the values of a matched credit's receipt
    moment = timezone.now()
    given = {"amount": 500_000, "received_at": moment, "pledge_id": 7, "donor_id": 9, "public_name": "Nguyễn V. A."}

    # when the import's maker builds it, and the model's constructor builds the same
    built = import_service._ReceiptMaker(now=moment)(transaction_id=3, **given)
    expected = Receipt(kind="cash", channel=Receipt.Channel.BANK_TRANSFER, created_at=moment, bank_transaction_id=3,
                       **given)

    # then every field holds the same value, and both are new unsaved instances
    for field in Receipt._meta.concrete_fields:
        assert getattr(built, field.attname) == getattr(expected, field.attname), field.attname
    assert (built._state.adding, built._state.db, built.pk) == (True, None, None)


@pytest.mark.parametrize("slice_size", [1, 7, 4 * 2**20])
def test_the_stored_file_is_read_back_whole_in_slices(monkeypatch, account, admin_user, slice_size):
    from donations import selectors

    content = statement(GOOD, ("08/09/2024", "", "", "100,000", "Nguyễn Văn Đức ủng hộ"))
    imp = statement_import_create(account=account, file_name="vcb.csv", content=content, uploaded_by=admin_user,
                                  enqueue=False)
    monkeypatch.setattr(selectors, "STATEMENT_CONTENT_SLICE", slice_size)

    assert selectors.statement_import_content(statement_import=imp) == content


def test_known_checksums_are_those_of_the_account_only(account, admin_user):
    # given a statement imported into the account, and a transaction with another checksum on another account
    run(account, admin_user, GOOD, ("08/09/2024", "", "", "100,000", "ung ho"))
    mine = list(BankTransaction.objects.order_by("line").values_list("checksum", flat=True))
    other = ReceivingAccountFactory(campaign=account.campaign, account_number="0071000999999")
    elsewhere = BankTransaction.objects.create(
        account=other, statement_import=StatementImport.objects.get(), line=1, booked_at=timezone.now(),
        amount=1, description="x", checksum="f" * 64, status=BankTransaction.Status.DIRECT,
    )

    # when a chunk's checksums are looked up: the account's two, the other account's, and one nobody has
    found = import_service._known_checksums(account_id=account.pk, checksums=[*mine, elsewhere.checksum, "0" * 64])

    # then only the account's own are known
    assert found == set(mine)
    assert import_service._known_checksums(account_id=account.pk, checksums=[]) == set()
