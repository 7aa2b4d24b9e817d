"""ledger.bulk writes exactly the rows the ORM writes: by COPY on PostgreSQL (when the suite runs
there), by bulk_create on SQLite. Each test writes the same rows both ways and compares every
column but the primary keys."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from campaigns.models import ItemCategory
from donations.models import BankTransaction, Donor, Pledge, PledgeItem, Receipt, StatementImport
from ledger.bulk import (
    bulk_insert,
    copies,
    history_insert,
    ids_reserve,
    objects_insert,
    objects_insert_linked,
    objects_prepare,
    objects_write,
)
from ledger.models import JournalEntry, Kind
from tests.factories import DonorFactory, PledgeFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Every character COPY's text format escapes, the one it reads as NULL, Vietnamese, and a journal bar.
AWKWARD = ["tab\there", "line\nfeed", "carriage\rreturn", "back\\slash", "\\N", "", "Nguyễn Văn Đức | 100%"]


def columns(model, pks, exclude=("id",)) -> list[dict]:
    rows = model.objects.filter(pk__in=pks).order_by("pk").values()
    return [{name: value for name, value in row.items() if name not in exclude} for row in rows]


@pytest.fixture
def statement_import(account, admin_user):
    return StatementImport.objects.create(account=account, file_name="x.csv", content=b"x", uploaded_by=admin_user)


def transaction_rows(account, statement_import) -> list[tuple]:
    moment = datetime.datetime(2024, 9, 8, 9, 15, 30, 123456, tzinfo=VN)
    created = datetime.datetime(2024, 9, 9, 1, 2, 3, 456789, tzinfo=datetime.UTC)
    return [
        (account.pk, statement_import.pk, n, moment + datetime.timedelta(minutes=n), 10**14 - n, text, text[:64],
         text[:120], "", f"checksum-{n}", BankTransaction.Status.DIRECT, "", "", created)
        for n, text in enumerate(AWKWARD)
    ]


FIELDS = ("account_id", "statement_import_id", "line", "booked_at", "amount", "description", "bank_reference",
          "payer_name", "payer_account", "checksum", "status", "queue_code", "queue_references", "created_at")


def test_bulk_insert_writes_what_bulk_create_writes(account, statement_import):
    # given the same rows (every character COPY escapes, a choice, aware times off UTC, big amounts)
    ours = transaction_rows(account, statement_import)
    theirs = transaction_rows(account, statement_import)
    theirs = [(*row[:9], f"orm-{row[9]}", *row[10:]) for row in theirs]  # the checksum is unique per account

    # when one set goes in by bulk_insert and the other by bulk_create
    ids = bulk_insert(model=BankTransaction, fields=FIELDS, rows=ours, returning_ids=True)
    orm = BankTransaction.objects.bulk_create([BankTransaction(**dict(zip(FIELDS, row))) for row in theirs])

    # then the rows are equal column for column, and the ids came back in the order of the rows
    written, expected = columns(BankTransaction, ids), columns(BankTransaction, [t.pk for t in orm])
    for row in expected:
        row["checksum"] = row["checksum"].removeprefix("orm-")
    assert written == expected
    assert [row["description"] for row in written] == AWKWARD
    assert list(BankTransaction.objects.filter(pk__in=ids).order_by("line").values_list("pk", flat=True)) == ids


def test_fields_left_out_get_their_defaults(account, statement_import):
    before = timezone.now()

    [new_id] = bulk_insert(
        model=BankTransaction, fields=[f for f in FIELDS if f not in ("queue_code", "created_at")],
        rows=[(account.pk, statement_import.pk, 7, before, 500, "ung ho", "", "", "", "c", "direct", "")],
        returning_ids=True,
    )

    row = BankTransaction.objects.get(pk=new_id)
    assert row.queue_code == "" and before <= row.created_at <= timezone.now()


def test_journal_rows_without_ids_and_a_wrong_row_refused(campaign):
    now = timezone.now()
    rows = [(campaign.pk, n, "receipt", f"X-{n:06d}", f"1|X|{n}|receipt", f"{n:064d}", now) for n in (1, 2)]

    assert bulk_insert(model=JournalEntry, fields=("campaign_id", "sequence", "event", "entry_number", "canonical",
                                                   "hash", "recorded_at"), rows=rows) == []

    assert list(JournalEntry.objects.order_by("sequence").values_list("sequence", "canonical", "recorded_at")) == [
        (1, "1|X|1|receipt", now), (2, "1|X|2|receipt", now),
    ]
    with pytest.raises((ValueError, TypeError)):
        bulk_insert(model=JournalEntry, fields=("campaign_id", "sequence"), rows=[(campaign.pk,)])


def receipts(campaign, admin_user, *, first: int, pledge, donor) -> list[Receipt]:
    at = datetime.datetime(2024, 9, 8, 21, 0, tzinfo=VN)
    return [
        Receipt(campaign=campaign, sequence=first + n, number=f"{campaign.code}-{first + n:06d}", kind=Kind.CASH,
                amount=100_000 * (n + 1), received_at=at, channel=Receipt.Channel.BANK_TRANSFER,
                pledge=pledge if n % 2 else None, donor=donor if n % 2 else None, public_name=name,
                search_name=name.lower(), recorded_by=admin_user, created_at=at)
        for n, name in enumerate(AWKWARD)
    ]


def assert_written_alike(ours, theirs, user):
    """Each of `ours` saved with its id, and the rows and their history rows as `theirs` (written by
    django-simple-history's bulk_create_with_history) but for ids and numbers."""
    assert all(r.pk and not r._state.adding for r in ours)
    differ = ("id", "sequence", "number")
    assert columns(Receipt, [r.pk for r in ours], differ) == columns(Receipt, [r.pk for r in theirs], differ)
    history = Receipt.history.model
    ours_history = columns(history, history.objects.filter(id__in=[r.pk for r in ours]).values("pk"),
                           (*differ, "history_id", "history_date"))
    theirs_history = columns(history, history.objects.filter(id__in=[r.pk for r in theirs]).values("pk"),
                             (*differ, "history_id", "history_date"))
    assert ours_history == theirs_history
    assert {(row["history_type"], row["history_user_id"], row["history_change_reason"]) for row in ours_history} == {
        ("+", user.pk, None)
    }
    assert sorted(history.objects.filter(id__in=[r.pk for r in ours]).values_list("id", flat=True)) == sorted(
        r.pk for r in ours)


def test_objects_insert_with_history_writes_what_bulk_create_with_history_writes(campaign, admin_user):
    donor = DonorFactory()
    pledge = PledgeFactory(campaign=campaign, donor=donor, amount=100_000)
    ours = receipts(campaign, admin_user, first=1, pledge=pledge, donor=donor)
    theirs = receipts(campaign, admin_user, first=101, pledge=pledge, donor=donor)

    objects_insert(objs=ours, with_history=True, history_user=admin_user)
    bulk_create_with_history(theirs, Receipt, default_user=admin_user)

    assert_written_alike(ours, theirs, admin_user)


def test_instances_with_ids_taken_ahead_are_made_ready_without_a_query(campaign, admin_user):
    # given receipts whose ids were taken ahead (from the table's sequence on PostgreSQL)
    donor = DonorFactory()
    pledge = PledgeFactory(campaign=campaign, donor=donor, amount=100_000)
    ours = receipts(campaign, admin_user, first=1, pledge=pledge, donor=donor)
    theirs = receipts(campaign, admin_user, first=101, pledge=pledge, donor=donor)
    ids = ids_reserve(model=Receipt, count=len(ours)) if copies(model=Receipt) else list(range(901, 901 + len(ours)))
    for receipt, receipt_id in zip(ours, ids, strict=True):
        receipt.pk = receipt_id

    # when they are made ready (rows and history rows), then written
    with CaptureQueriesContext(connection) as made_ready:
        prepared = objects_prepare(objs=ours, with_history=True, history_user=admin_user)
    objects_write(prepared)
    bulk_create_with_history(theirs, Receipt, default_user=admin_user)

    # then making them ready asked the database nothing, they keep their ids, and the rows and history
    # rows are those bulk_create_with_history writes
    assert len(made_ready) == 0
    assert [r.pk for r in ours] == ids
    assert_written_alike(ours, theirs, admin_user)


def test_an_instance_naming_its_own_history_user_keeps_it(campaign, admin_user, django_user_model):
    clerk = django_user_model.objects.create_user(username="clerk")
    entries = receipts(campaign, admin_user, first=1, pledge=None, donor=None)[:2]
    entries[1]._history_user = clerk

    objects_insert(objs=entries, with_history=True, history_user=admin_user)

    history = Receipt.history.model
    assert list(history.objects.order_by("id").values_list("history_user_id", flat=True)) == [admin_user.pk, clerk.pk]


def test_history_insert_alone_dates_the_rows_as_told(campaign, admin_user):
    entries = receipts(campaign, admin_user, first=1, pledge=None, donor=None)[:3]
    Receipt.objects.bulk_create(entries)
    when = datetime.datetime(2024, 9, 9, 8, 0, tzinfo=datetime.UTC)

    history_insert(objs=entries, user=admin_user, date=when)

    dated = Receipt.history.model.objects.order_by().values_list("history_date", "history_type").distinct()
    assert list(dated) == [(when, "+")]


def test_the_bulk_write_is_seen_by_execute_wrappers_and_the_query_log(campaign):
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    now = timezone.now()
    with CaptureQueriesContext(connection) as logged, connection.execute_wrapper(wrapper):
        bulk_insert(model=JournalEntry, fields=("campaign_id", "sequence", "event", "entry_number", "canonical",
                                                "hash", "recorded_at"),
                    rows=[(campaign.pk, 1, "receipt", "X-000001", "1|X|1", "0" * 64, now)])

    table = JournalEntry._meta.db_table
    assert any(table in sql for sql in seen)
    assert any(table in query["sql"] for query in logged.captured_queries)


@pytest.mark.postgres
def test_ids_are_reserved_from_the_tables_own_sequence(campaign):
    first = ids_reserve(model=JournalEntry, count=3)
    entry = JournalEntry.objects.create(campaign=campaign, sequence=1, event="receipt", entry_number="X-1",
                                        canonical="c", hash="h")

    assert first == sorted(first) and len(set(first)) == 3
    assert entry.pk > max(first)


@pytest.mark.parametrize("write", [lambda objs: objects_insert(objs=objs), Receipt.objects.bulk_create],
                         ids=["bulk write", "ORM"])
def test_a_second_entry_of_the_same_number_is_refused_by_the_database(write, campaign, admin_user):
    # given two receipts that differ in sequence but carry the same number, written behind the services' back
    first, second = receipts(campaign, admin_user, first=1, pledge=None, donor=None)[:2]
    second.number = first.number

    # then the database refuses them, by its unique constraint on the number
    with pytest.raises(IntegrityError, match="receipt_unique_number|UNIQUE constraint failed: donations_receipt.number"):
        with transaction.atomic():
            write([first, second])
    assert Receipt.objects.count() == 0


def linked_pledge(campaign, *, reference: str, items: int = 0):
    """A donor, their goods pledge of `items` lines (or a cash pledge) and its lines, none saved, each
    pointing to the one before it; every text field awkward."""
    donor = Donor(kind="individual", full_name=AWKWARD[0], phone="0912345678", email="a@b.vn", address=AWKWARD[3])
    pledge = Pledge(campaign=campaign, donor=donor, kind="goods" if items else "cash",
                    amount=None if items else 250_000, reference=reference, transfer_content=f"X {reference}",
                    message=AWKWARD[6])
    rice = ItemCategory.objects.get(slug="rice")
    lines = [PledgeItem(pledge=pledge, category=rice, quantity=Decimal(f"{n}.125")) for n in range(1, items + 1)]
    return donor, pledge, lines


def test_linked_instances_are_written_as_the_orm_writes_them(campaign):
    # given a donor, a goods pledge and its two lines, unsaved, and the same saved by the ORM
    ours = linked_pledge(campaign, reference="OURS2222", items=2)
    theirs = linked_pledge(campaign, reference="THEIRS22", items=2)
    donor, pledge, lines = theirs
    donor.save()
    pledge.donor = donor
    pledge.save()
    for line in lines:
        line.pledge = pledge
        line.save()

    # when ours are written together (on PostgreSQL in one statement)
    with CaptureQueriesContext(connection) as captured:
        objects_insert_linked(objs=[ours[0], ours[1], *ours[2]], with_history=(Donor, Pledge))

    # then each has its id and its links, and every column is what the ORM wrote but ids and dates
    donor, pledge, lines = ours
    if connection.vendor == "postgresql":
        assert [query["sql"].split(None, 1)[0] for query in captured.captured_queries] == [
            "SAVEPOINT", "WITH", "RELEASE"]
    assert pledge.donor_id == donor.pk and pledge.donor is donor
    assert [line.pledge_id for line in lines] == [pledge.pk] * 2 and lines[0].pledge is pledge
    assert not any(obj._state.adding for obj in (donor, pledge, *lines))
    differ = ("id", "donor_id", "pledge_id", "reference", "transfer_content", "created_at", "updated_at")
    for model, mine, other in [(Donor, [donor], [theirs[0]]), (Pledge, [pledge], [theirs[1]]),
                               (PledgeItem, lines, theirs[2])]:
        assert columns(model, [o.pk for o in mine], differ) == columns(model, [o.pk for o in other], differ)
    # and the donor and the pledge have the history rows the ORM's save writes: the same values
    for model, mine, other in [(Donor, donor, theirs[0]), (Pledge, pledge, theirs[1])]:
        history = model.history.model
        ours_rows = columns(history, history.objects.filter(id=mine.pk).values("pk"),
                            (*differ, "history_id", "history_date"))
        theirs_rows = columns(history, history.objects.filter(id=other.pk).values("pk"),
                              (*differ, "history_id", "history_date"))
        assert ours_rows == theirs_rows and len(ours_rows) == 1
        assert history.objects.get(id=mine.pk).created_at == mine.created_at
    assert Pledge.history.get(id=pledge.pk).reference == "OURS2222"


def test_a_linked_write_that_fails_leaves_nothing_and_the_transaction_usable(campaign):
    # given a pledge whose reference is taken
    PledgeFactory(campaign=campaign, reference="TAKEN222")
    donor, pledge, _lines = linked_pledge(campaign, reference="TAKEN222")
    before = (Donor.objects.count(), Donor.history.count(), Pledge.history.count())

    # when the donor and the pledge are written together, inside the test's transaction
    with pytest.raises(IntegrityError):
        objects_insert_linked(objs=[donor, pledge], with_history=(Donor, Pledge))

    # then not even the donor or a history row was kept, and the transaction goes on
    assert (Donor.objects.count(), Donor.history.count(), Pledge.history.count()) == before
    assert pledge.pk is None


def test_an_instance_may_only_point_to_one_written_before_it(campaign):
    donor, pledge, _lines = linked_pledge(campaign, reference="ORDER222")
    with pytest.raises(ValueError, match="donor"):
        objects_insert_linked(objs=[pledge, donor])
