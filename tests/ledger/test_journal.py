"""The campaign journal: every ledger write is chained in the same transaction; anyone can re-check it."""

import datetime
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from allocations.services import allocation_mark_disbursed, allocation_reverse
from donations.models import Receipt
from donations.services import (
    receipt_reverse,
    statement_import_create,
    statement_import_run,
)
from ledger.journal import GENESIS
from ledger.models import JournalEntry, JournalHead
from ledger.services import journal_heads_record, journal_verify
from tests.allocations.helpers import allocate, give_cash, give_goods
from tests.donations.helpers import statement

VN = datetime.timezone(datetime.timedelta(hours=7))
pytestmark = pytest.mark.usefixtures("english")  # the checks word their findings in the active language


def chain_of(campaign) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(campaign=campaign).order_by("sequence"))


def recompute(entries) -> list[str]:
    """The hash rule as the README states it, written again with nothing but hashlib."""
    previous, hashes = "0" * 64, []
    for entry in entries:
        previous = hashlib.sha256((previous + entry.canonical).encode("utf-8")).hexdigest()
        hashes.append(previous)
    return hashes


def test_every_ledger_write_is_chained_in_order(campaign, admin_user):
    # given a receipt of cash at a set time, goods, a reversal, two allocations, a disbursement, a reversal
    cash = give_cash(campaign, 5_000_000, by=admin_user)
    goods = give_goods(campaign, by=admin_user, rice="1500.5")
    reversal = receipt_reverse(receipt=goods, reason="Ghi nhầm", recorded_by=admin_user)
    planned = allocate(campaign, to="15", amount=3_000_000, by=admin_user)
    at_once = allocate(campaign, to="04", amount=1_000_000, by=admin_user, number="126/QĐ",
                       status="disbursed", disbursed_on=datetime.date(2024, 9, 21))
    allocation_mark_disbursed(allocation=planned, disbursed_on=datetime.date(2024, 9, 22), user=admin_user)
    undone = allocation_reverse(allocation=at_once, reason="Thay quyết định", recorded_by=admin_user)

    entries = chain_of(campaign)

    # then the journal holds each event once, in the order it happened, numbered from 1
    assert [(e.sequence, e.event, e.entry_number) for e in entries] == [
        (1, "receipt", cash.number),
        (2, "receipt", goods.number),
        (3, "receipt_reversal", reversal.number),
        (4, "allocation", planned.number),
        (5, "allocation", at_once.number),
        (6, "disbursement", at_once.number),
        (7, "disbursement", planned.number),
        (8, "allocation_reversal", undone.number),
    ]
    code = campaign.code
    received = cash.received_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert entries[0].canonical == f"1|{code}|1|receipt|{cash.number}|{received}|cash|cash_desk|5000000||Nhà hảo tâm|||"
    assert entries[2].canonical.endswith(f"|goods|goods||rice:-1500.5:|{goods.public_name}||{goods.number}|")
    assert entries[5].canonical == f"1|{code}|6|disbursement|{at_once.number}||cash|||||2025:04||2024-09-21"
    assert entries[7].canonical == (
        f"1|{code}|8|allocation_reversal|{undone.number}|2024-09-20|cash||-1000000|||2025:04|{at_once.number}|")
    # and each hash follows from the previous one by the published rule, from the genesis value
    assert GENESIS == "0" * 64
    assert [e.hash for e in entries] == recompute(entries)
    assert journal_verify(campaign=campaign).ok


def test_a_row_altered_behind_the_services_back_is_caught_at_its_entry(campaign, admin_user):
    # given three receipts, chained
    receipts = [give_cash(campaign, amount, by=admin_user) for amount in (1_000_000, 2_000_000, 3_000_000)]
    out = io.StringIO()
    call_command("ledger_verify", "--campaign", campaign.code, stdout=out)
    assert out.getvalue() == f"{campaign.code}: OK, 3 entries\n"

    # when someone with database access turns the second receipt's 2.000.000 into 200.000
    with connection.cursor() as cursor:
        cursor.execute("UPDATE donations_receipt SET amount = 200000 WHERE id = %s", [receipts[1].pk])

    # then the check names that entry, and the command fails
    check = journal_verify(campaign=campaign)
    assert (check.ok, check.broken_at, check.entry_number) == (False, 2, receipts[1].number)
    assert check.problem == "the ledger row differs from what was journalled"
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 journal"):
        call_command("ledger_verify", stdout=out)
    assert f"{campaign.code}: BROKEN at entry 2 ({receipts[1].number})" in out.getvalue()


def test_an_edited_journal_line_breaks_the_chain_there(campaign, admin_user):
    for amount in (1_000_000, 2_000_000, 3_000_000):
        give_cash(campaign, amount, by=admin_user)
    third = JournalEntry.objects.get(campaign=campaign, sequence=3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_journalentry SET canonical = %s WHERE id = %s",
                       [third.canonical.replace("3000000", "300000"), third.pk])
    check = journal_verify(campaign=campaign)
    assert (check.broken_at, check.problem) == (3, "the hash does not follow from the previous entry and this entry's text")


def test_an_entry_inserted_without_the_journal_is_reported(campaign, admin_user):
    first = give_cash(campaign, 1_000_000, by=admin_user)
    JournalEntry.objects.filter(campaign=campaign).delete()
    check = journal_verify(campaign=campaign)
    assert (check.ok, check.entry_number, check.problem) == (False, first.number, "entry missing from the journal")


def rechain(campaign, changes: dict[int, str]) -> None:
    """Rewrite journal lines' texts (by sequence) and every hash after them by the published rule, as
    someone who knows the rule would to hide an edit."""
    previous = GENESIS
    for entry in chain_of(campaign):
        entry.canonical = changes.get(entry.sequence, entry.canonical)
        previous = entry.hash = hashlib.sha256((previous + entry.canonical).encode("utf-8")).hexdigest()
        JournalEntry.objects.filter(pk=entry.pk).update(canonical=entry.canonical, hash=entry.hash)


def test_an_altered_goods_line_is_caught_at_its_entry(campaign, admin_user):
    # given a cash receipt and a goods receipt of 1500.5 kg of rice, chained
    give_cash(campaign, 1_000_000, by=admin_user)
    goods = give_goods(campaign, by=admin_user, rice="1500.5")
    assert journal_verify(campaign=campaign).ok

    # when someone turns the rice into 150.5 kg in the database
    goods.items.update(quantity="150.5")

    # then the check names the goods receipt
    check = journal_verify(campaign=campaign)
    assert (check.broken_at, check.entry_number, check.problem) == (
        2, goods.number, "the ledger row differs from what was journalled")


def test_a_journal_line_rewritten_with_its_chain_is_still_caught(campaign, admin_user):
    # given three receipts, chained
    receipts = [give_cash(campaign, amount, by=admin_user) for amount in (1_000_000, 2_000_000, 3_000_000)]
    lines = {entry.sequence: entry.canonical for entry in chain_of(campaign)}

    # when the second line says 200.000 and every hash after it is recomputed
    rechain(campaign, {2: lines[2].replace("|2000000|", "|200000|")})
    # then the chain holds but the line differs from the ledger
    check = journal_verify(campaign=campaign)
    assert (check.broken_at, check.entry_number, check.problem) == (
        2, receipts[1].number, "the ledger row differs from what was journalled")

    # when instead the third line claims to be the fourth (its text's sequence), the chain recomputed
    rechain(campaign, {2: lines[2], 3: lines[3].replace(f"|{campaign.code}|3|", f"|{campaign.code}|4|")})
    check = journal_verify(campaign=campaign)
    assert (check.broken_at, check.problem) == (3, "the ledger row differs from what was journalled")

    # when a line names an entry no ledger holds
    rechain(campaign, {3: lines[3].replace(receipts[2].number, receipts[2].number + "9")})
    JournalEntry.objects.filter(campaign=campaign, sequence=3).update(entry_number=receipts[2].number + "9")
    check = journal_verify(campaign=campaign)
    assert (check.broken_at, check.entry_number, check.problem) == (
        3, receipts[2].number + "9", "no such entry in the ledger")


def test_a_removed_journal_line_leaves_a_gap_that_is_caught(campaign, admin_user):
    for amount in (1_000_000, 2_000_000, 3_000_000):
        give_cash(campaign, amount, by=admin_user)
    JournalEntry.objects.filter(campaign=campaign, sequence=2).delete()
    check = journal_verify(campaign=campaign)
    assert (check.broken_at, check.problem) == (3, "sequence 3 where 2 was expected")


def test_daily_heads_are_recorded_once_per_finished_day(campaign, admin_user):
    # given two entries on 30 September (Vietnam time) and one on 1 October
    for amount in (1_000_000, 2_000_000, 3_000_000):
        give_cash(campaign, amount, by=admin_user)
    days = {1: datetime.datetime(2024, 9, 30, 9, tzinfo=VN), 2: datetime.datetime(2024, 9, 30, 23, 50, tzinfo=VN),
            3: datetime.datetime(2024, 10, 1, 0, 10, tzinfo=VN)}
    for sequence, moment in days.items():
        JournalEntry.objects.filter(campaign=campaign, sequence=sequence).update(recorded_at=moment)
    hashes = dict(JournalEntry.objects.filter(campaign=campaign).values_list("sequence", "hash"))

    # when the heads are recorded up to 30 September, then again up to 1 October
    assert journal_heads_record(until=datetime.date(2024, 9, 30)) == 1
    assert journal_heads_record(until=datetime.date(2024, 10, 1)) == 1
    assert journal_heads_record(until=datetime.date(2024, 10, 1)) == 0

    # then each day's head is its last entry's count and hash
    heads = list(JournalHead.objects.filter(campaign=campaign).values_list("day", "count", "hash"))
    assert heads == [(datetime.date(2024, 9, 30), 2, hashes[2]), (datetime.date(2024, 10, 1), 3, hashes[3])]
    assert journal_verify(campaign=campaign).ok
    # and a head that no longer matches the chain is caught
    JournalHead.objects.filter(campaign=campaign, count=2).update(hash="f" * 64)
    assert journal_verify(campaign=campaign).problem == "the head recorded for 30/09/2024 does not match the chain"


def test_a_statement_import_chains_every_receipt_it_writes(account, admin_user):
    content = statement(
        ("09/09/2024", "FT1", "", "500.000", "UNG HO BAO LU"),
        ("09/09/2024", "FT2", "", "200.000", "IBFT NGUYEN VAN AN chuyen tien"),
        ("10/09/2024", "FT3", "50.000", "", "PHI SMS"),
    )
    imp = statement_import_create(account=account, file_name="sk.csv", content=content, uploaded_by=admin_user)
    statement_import_run(import_id=imp.pk)
    receipts = list(Receipt.objects.filter(campaign=account.campaign).order_by("sequence"))
    entries = chain_of(account.campaign)
    assert [e.entry_number for e in entries] == [r.number for r in receipts]
    assert [e.canonical.split("|")[7:9] for e in entries] == [["bank", "500000"], ["bank", "200000"]]
    assert journal_verify(campaign=account.campaign).ok
