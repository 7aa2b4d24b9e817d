"""seed_demo tells the story of two campaigns through the services, the same every time; running it
again changes nothing.

The demo is loaded once for the module (a few seconds) inside a transaction rolled back at the end;
each test runs in its own savepoint on top of it.
"""

import datetime
import importlib
import io
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.test import TestCase
from django.utils import timezone

from allocations.models import Allocation, AllocationItem, DistributionReport
from campaigns.models import Campaign, DropOffPoint, ReceivingAccount
from campaigns.money import vnd
from donations.models import (
    BankTransaction,
    BankTransactionDecision,
    Donor,
    Pledge,
    PledgeItem,
    Receipt,
    ReceiptItem,
    StatementImport,
)
from donations.services import pledge_status_refresh
from ledger.models import JournalEntry
from ledger.services import journal_verify
from transparency.models import CampaignTotals, GoodsTotals

YAGI_DAYS = [datetime.date(2024, 9, 8) + datetime.timedelta(days=n) for n in range(20)]


def every_table(*, history: bool = False) -> dict[str, int]:
    """Row counts of every model of the project, so any table the command grows is covered.

    The audit-trail tables (django-simple-history `Historical…` models) are left out unless asked for.
    """
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if history or not model.__name__.startswith("Historical")
    }


def snapshot() -> dict[str, int]:
    return {
        "campaigns": Campaign.objects.count(),
        "accounts": ReceivingAccount.objects.count(),
        "dropoff_points": DropOffPoint.objects.count(),
        "donors": Donor.objects.count(),
        "pledges": Pledge.objects.count(),
        "pledge_items": PledgeItem.objects.count(),
        "users": get_user_model().objects.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """What seed_demo printed, with its data in place (and the totals its commit would refresh)."""
    with django_db_blocker.unblock(), transaction.atomic():
        # A transactional test run before this module flushed the data migrations' reference data.
        importlib.import_module("campaigns.migrations.0002_reference_data").load(apps, None)
        importlib.import_module("allocations.migrations.0002_committees_and_groups").load(apps, None)
        out = io.StringIO()
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
    # The browser tests' Playwright runs tests in contexts of their own: close this one's connection
    # so that the test database can be dropped at the end.
    connection.close()


@pytest.fixture
def yagi(seeded, db) -> Campaign:
    return Campaign.objects.get(slug="bao-yagi-2024")


@pytest.fixture
def covid(seeded, db) -> Campaign:
    return Campaign.objects.get(slug="ung-ho-phong-chong-covid-19")


def local(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


# --- running it again --------------------------------------------------------------------------


def test_seed_demo_is_idempotent(seeded, db):
    # given the demo data loaded once
    first, tables = snapshot(), every_table()
    references = set(Pledge.objects.values_list("reference", flat=True))
    assert "Demo data ready: 240 new pledges, 3511 new receipts, 31 new allocations." in seeded

    # when it is loaded again
    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    # then nothing new was created, in any table
    assert "Demo data ready: 0 new pledges, 0 new receipts, 0 new allocations." in out.getvalue()
    assert snapshot() == first
    assert every_table() == tables
    assert first["campaigns"] == 2
    assert first["accounts"] == 2
    assert first["dropoff_points"] == 5
    assert first["pledges"] == 240
    assert first["donors"] == 240
    assert first["pledge_items"] == PledgeItem.objects.filter(pledge__kind="goods").count() >= 60
    assert get_user_model().objects.filter(username="admin").count() == 1
    assert set(Pledge.objects.values_list("reference", flat=True)) == references


def test_running_seed_demo_again_writes_no_audit_trail(seeded, db):
    # given the demo data loaded once
    history = {k: v for k, v in every_table(history=True).items() if ".Historical" in k}
    assert history, "no audit-trail tables found"

    # when it is loaded again
    call_command("seed_demo", stdout=io.StringIO())

    # then nothing changed, so no change was recorded
    assert {k: v for k, v in every_table(history=True).items() if ".Historical" in k} == history


def test_the_summary_tells_the_story(seeded):
    assert "YAGI24: 3.000 transfers (15 waiting for staff), 3.087 receipts, 76,158 tỷ đồng received; " \
           "20 allocations (15 disbursed), 51,59 tỷ đồng allocated; 47 distribution reports." in seeded
    assert "COVID21: 400 transfers (0 waiting for staff), 424 receipts, 47,047 tỷ đồng received; " \
           "11 allocations (11 disbursed), 45,9 tỷ đồng allocated; 32 distribution reports." in seeded


# --- the campaigns and pledges ---------------------------------------------------------------------


def test_seed_demo_pledges_are_consistent(yagi):
    # every pledge belongs to Yagi, cash ones have an amount, goods ones have items
    assert set(Pledge.objects.values_list("campaign_id", flat=True)) == {yagi.pk}
    cash = Pledge.objects.filter(kind="cash")
    goods = Pledge.objects.filter(kind="goods")
    assert cash.count() + goods.count() == 240
    assert goods.count() == 60  # every 4th pledge (numbers 3, 7, …, 239)
    assert not cash.filter(amount__isnull=True).exists()
    assert all(p.items.exists() for p in goods)
    assert all(p.transfer_content == f"YAGI24 {p.reference}" for p in Pledge.objects.all())
    assert Donor.objects.filter(kind="organization").count() == 40  # every 6th pledge


def test_pledges_stand_where_their_receipts_put_them(yagi):
    # given the statuses the story left
    statuses = dict(Pledge.objects.values_list("pk", "status"))

    # when they are recomputed from the receipts
    pledge_status_refresh(pledge_ids=list(statuses))

    # then none moves, and the story left pledges in every state
    assert dict(Pledge.objects.values_list("pk", "status")) == statuses
    by_status = dict(Pledge.objects.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    assert by_status == {"received": 176, "partly_received": 12, "pledged": 52}


def test_yagi_campaign(yagi):
    # then it is the active 2024 campaign with its code, Vietcombank account and the 2008 provinces
    assert yagi.code == "YAGI24"
    assert yagi.status == Campaign.Status.ACTIVE
    assert yagi.target_amount == 1_500_000_000_000
    assert yagi.province_set == "2008"
    account = yagi.accounts.select_related("bank").get()
    assert (account.bank.short_name, account.bank.bin, account.account_number) == (
        "Vietcombank", "970436", "0011001932418"
    )
    assert account.account_holder == "Ban Cứu trợ Trung ương"
    provinces = {p.name for p in yagi.provinces.all()}
    assert {"Yên Bái", "Lào Cai", "Cao Bằng", "Thái Nguyên", "Quảng Ninh", "Hải Phòng"} <= provinces
    assert len(provinces) == 9
    assert set(yagi.provinces.values_list("set", flat=True)) == {"2008"}
    assert yagi.dropoff_points.count() == 4


# --- Yagi: the statements, the desk and the queue --------------------------------------------------


def test_yagi_receives_a_vietcombank_statement_a_day(yagi):
    imports = StatementImport.objects.filter(account__campaign=yagi).order_by("file_name")

    # then one statement a day for the 20 days, each read as Vietcombank's and fully imported
    assert [i.file_name for i in imports] == [f"SaoKe_0011001932418_{day:%Y%m%d}.csv" for day in YAGI_DAYS]
    assert {(i.status, i.layout, i.duplicates, i.skipped_lines) for i in imports} == {("done", "vietcombank", 0, 4)}
    figures = imports.aggregate(credits=Sum("credits"), debits=Sum("debits"), matched=Sum("matched"),
                                direct=Sum("direct"), queued=Sum("queued"), rows=Sum("rows_read"))
    assert figures == {"credits": 3000, "debits": 13, "matched": 133, "direct": 2840, "queued": 27, "rows": 3013}
    # transfers were booked on the days of their statement, and giving peaked after Làng Nủ (10 September)
    per_day = {day: 0 for day in YAGI_DAYS}
    for booked in BankTransaction.objects.filter(account__campaign=yagi, amount__gt=0).values_list("booked_at", flat=True):
        per_day[local(booked)] += 1
    assert max(per_day, key=per_day.get) in (datetime.date(2024, 9, 11), datetime.date(2024, 9, 12))
    assert min(per_day.values()) > 0


def test_yagi_transfers_look_like_real_ones(yagi):
    transfers = BankTransaction.objects.filter(account__campaign=yagi, amount__gt=0)
    texts = list(transfers.values_list("description", flat=True))
    amounts = list(transfers.values_list("amount", flat=True))

    # then the banks' own wrappings are there, donors' references among them
    for shape in (r"^MBVCB\.\d{10}\..*\.CT tu \d{13} [A-Z ]+ toi 0011001932418 BAN CUU TRO TRUNG UONG$", r"^IBFT ",
                  r"^FT24\d{12} ", r"^ZP24\d{11} ", r"^NHAN TU \d{14} ", r"YAGI24 [2-9A-Z]{8}", r"^[A-Z ]+ chuyen khoan$"):
        assert any(re.search(shape, text) for text in texts), shape
    # most gifts are 10.000–500.000 đồng in round numbers; a few companies give billions
    small = [a for a in amounts if 10_000 <= a <= 500_000]
    assert len(small) / len(amounts) > 0.8
    assert sum(1 for a in small if a % 10_000 == 0) / len(small) > 0.85
    assert sum(1 for a in amounts if a >= 500_000_000) == 16
    # the payer's name is read from Vietcombank's own transfers only, and shown masked
    named = Receipt.objects.filter(campaign=yagi, channel="bank", pledge=None).exclude(public_name="Nhà hảo tâm")
    assert named.exists()
    assert all(re.fullmatch(r"[A-Z][a-z]+( [A-Z]\.)+", name) for name in named.values_list("public_name", flat=True))


def test_every_yagi_credit_became_a_receipt_or_waits(yagi):
    credits = BankTransaction.objects.filter(account__campaign=yagi, amount__gt=0)

    # then each settled credit has its receipt(s) for exactly its amount, each waiting one has none
    settled = credits.exclude(status="queued").annotate(received=Sum("receipts__amount"))
    assert all(t.received == t.amount for t in settled)
    assert not Receipt.objects.filter(bank_transaction__status="queued").exists()
    assert Receipt.objects.filter(campaign=yagi, channel="bank").count() == 2988  # 2985 settled, 3 for two pledges
    assert not Receipt.objects.filter(campaign=yagi, reverses__isnull=False).exists()
    # debits are the allocations paid out, word for word
    debits = BankTransaction.objects.filter(account__campaign=yagi, status="debit")
    assert sorted(-t.amount for t in debits) == sorted(
        Allocation.objects.filter(campaign=yagi, kind="cash", status="disbursed", disbursed_on__lte=YAGI_DAYS[-1])
        .values_list("amount", flat=True))
    assert debits.filter(description="Chuyen tien ho tro Lao Cai theo QD 126/QD-BCTTW").exists()


def test_the_queue_holds_what_the_import_could_not_settle(yagi):
    # then staff decided some: mistyped references found, money for goods pledges taken as gifts
    decisions = BankTransactionDecision.objects.filter(transaction__account__campaign=yagi)
    assert dict(decisions.values("decision").annotate(n=Count("pk")).values_list("decision", "n")) == {
        "assign": 5, "direct": 7}
    assert all(d.decided_by.username == "trunguong" for d in decisions)
    for decision in decisions.filter(decision="assign").select_related("transaction", "pledge"):
        assert decision.transaction.status == "matched"
        assert decision.transaction.receipts.get().pledge == decision.pledge
    # and the rest still waits, each for a reason staff can read
    waiting = BankTransaction.objects.filter(account__campaign=yagi, status="queued")
    assert dict(waiting.values("queue_code").annotate(n=Count("pk")).values_list("queue_code", "n")) == {
        "unknown_reference": 12, "amounts_differ": 2, "goods_pledge": 1}
    assert waiting.filter(description__contains="COVID21 ").exists()


def test_the_desk_took_cash_and_goods(yagi):
    desk = Receipt.objects.filter(campaign=yagi, channel="cash_desk")
    goods = Receipt.objects.filter(campaign=yagi, channel="goods")

    assert desk.count() == 47
    assert goods.count() == 52
    assert desk.filter(public_name="Trường THPT Chu Văn An", amount=52_350_000).exists()
    assert goods.filter(public_name="Tổng công ty Hàng hải Hạ Long", items__category__slug="gift-packages",
                        items__quantity=2_500).exists()
    # everything was received during the 20 days, at the desk's opening hours
    for received in (desk | goods).values_list("received_at", flat=True):
        assert local(received) in YAGI_DAYS
        assert 8 <= timezone.localtime(received).hour <= 16


# --- Yagi: what went out ---------------------------------------------------------------------------


def test_yagi_allocations_follow_the_decisions(yagi):
    allocations = Allocation.objects.filter(campaign=yagi).select_related("province")

    # then 19 decisions (one replaced by another), cash and goods, to the 2008 provinces
    originals = allocations.filter(reverses__isnull=True)
    assert originals.count() == 19
    assert sorted(set(a.province.code for a in originals)) == ["04", "08", "10", "15", "19", "22", "24", "25", "31"]
    assert {a.kind for a in originals} == {"cash", "goods"}
    assert originals.get(decision_number="126/QĐ-BCTTW").decision_date == datetime.date(2024, 9, 10)
    replaced = originals.get(decision_number="141/QĐ-BCTTW")
    assert replaced.reversed_by.reason == "Thay bằng Quyết định 155/QĐ-BCTTW: mở rộng hỗ trợ sang huyện Lục Ngạn."
    assert replaced.reversed_by.amount == -replaced.amount
    # decisions are round sums taken from what had come in; 15 were paid out after their decision
    assert all(a.amount % 1_000_000 == 0 for a in originals.filter(kind="cash"))
    disbursed = originals.filter(status="disbursed")
    assert disbursed.count() == 15
    assert all(a.decision_date < a.disbursed_on <= datetime.date(2024, 9, 28) for a in disbursed)
    assert set(originals.filter(status="planned").values_list("decision_number", flat=True)) == {
        "141/QĐ-BCTTW", "170/QĐ-BCTTW", "171/QĐ-BCTTW", "175/QĐ-BCTTW"}
    # and goods allocated never exceed goods received
    for slug, allocated in AllocationItem.objects.filter(allocation__campaign=yagi).values_list(
            "category__slug").annotate(q=Sum("quantity")):
        received = ReceiptItem.objects.filter(receipt__campaign=yagi, category__slug=slug).aggregate(q=Sum("quantity"))
        assert allocated <= received["q"]


def test_provinces_report_what_reached_each_commune(yagi):
    reports = DistributionReport.objects.filter(allocation__campaign=yagi).select_related("allocation", "reported_by")

    assert reports.count() == 47
    # only disbursed allocations are reported on, after they were paid, never beyond what they sent
    assert {r.allocation.status for r in reports} == {"disbursed"}
    assert all(r.distributed_on > r.allocation.disbursed_on for r in reports)
    for allocation in Allocation.objects.filter(campaign=yagi, kind="cash", status="disbursed"):
        assert 0 < allocation.reports.aggregate(s=Sum("amount"))["s"] <= allocation.amount
    assert all(r.goods and r.amount is None for r in reports.filter(allocation__kind="goods"))
    assert all(r.people >= r.households > 0 for r in reports)
    # Lào Cai's own staff report for Lào Cai and Yên Bái (today's Lào Cai), central staff for the others
    lao_cai = reports.filter(Q(allocation__province__code__in=["10", "15"]))
    assert set(lao_cai.values_list("reported_by__username", flat=True)) == {"laocai"}
    assert set(reports.exclude(pk__in=lao_cai).values_list("reported_by__username", flat=True)) == {"trunguong"}
    assert reports.filter(commune="Xã Phúc Khánh, huyện Bảo Yên").exists()


# --- COVID-19: the closed campaign's history ------------------------------------------------------


def test_covid_campaign_is_closed(covid):
    assert (covid.code, covid.status) == ("COVID21", Campaign.Status.CLOSED)
    assert covid.accounts.get().bank.bin == "970415"
    assert covid.pledges.count() == 0


def test_covid_history_is_dated_2021_and_fully_disbursed(covid):
    imports = StatementImport.objects.filter(account__campaign=covid).order_by("file_name")
    receipts = Receipt.objects.filter(campaign=covid)
    allocations = Allocation.objects.filter(campaign=covid)

    # then five monthly VietinBank histories, read as VietinBank's
    assert [i.file_name for i in imports] == [f"LichSuGiaoDich_113000001234_2021{m:02d}.csv" for m in range(5, 10)]
    assert {(i.status, i.layout) for i in imports} == {("done", "vietinbank")}
    # receipts and allocations dated in 2021, every allocation disbursed and reported
    assert receipts.count() == 424
    assert {local(at).year for at in receipts.values_list("received_at", flat=True)} == {2021}
    assert {d.year for d in allocations.values_list("decision_date", flat=True)} == {2021}
    assert set(allocations.values_list("status", flat=True)) == {"disbursed"}
    assert {d.year for d in allocations.values_list("disbursed_on", flat=True)} == {2021}
    assert not allocations.filter(reports__isnull=True).exists()
    assert DistributionReport.objects.filter(allocation__campaign=covid).count() == 32


# --- the journal and the public figures -------------------------------------------------------------


def test_the_journals_verify(yagi, covid):
    for campaign in (yagi, covid):
        check = journal_verify(campaign=campaign)
        assert check.ok, check.problem
        receipts = Receipt.objects.filter(campaign=campaign).count()
        allocations = Allocation.objects.filter(campaign=campaign).aggregate(
            n=Count("pk"), paid=Count("pk", filter=Q(status="disbursed", reverses=None)))
        assert check.entries == receipts + allocations["n"] + allocations["paid"]
        assert JournalEntry.objects.filter(campaign=campaign).count() == check.entries


def test_public_totals_equal_the_ledger_sums(yagi, covid):
    for campaign in (yagi, covid):
        totals = CampaignTotals.objects.get(campaign=campaign)
        allocations = Allocation.objects.filter(campaign=campaign)
        assert totals.cash_received == Receipt.objects.filter(campaign=campaign).aggregate(s=Sum("amount"))["s"]
        assert totals.cash_allocated == allocations.aggregate(s=Sum("amount"))["s"]
        assert totals.cash_disbursed == allocations.filter(status="disbursed").aggregate(s=Sum("amount"))["s"]
        received = dict(ReceiptItem.objects.filter(receipt__campaign=campaign).values_list("category_id")
                        .annotate(q=Sum("quantity")))
        assert dict(GoodsTotals.objects.filter(campaign=campaign).values_list("category_id", "received")) == received
    assert CampaignTotals.objects.get(campaign=yagi).cash_received == 76_157_843_783


# --- pages and logins --------------------------------------------------------------------------------


def test_seeded_campaign_pages_work(yagi, client):
    client.cookies["django_language"] = "en"
    yagi_page = client.get("/campaigns/bao-yagi-2024/").content.decode()
    assert "0011001932418" in yagi_page
    assert f'data-testid="cash-received">{vnd(76_157_843_783)}</dd>' in yagi_page
    reference = Pledge.objects.filter(kind="cash", status="pledged").values_list("reference", flat=True).first()
    pledge_page = client.get(f"/pledges/{reference}/")
    assert f'data-testid="transfer-content">YAGI24 {reference}</dd>' in pledge_page.content.decode()


def test_admin_user_can_log_in(seeded, client, db):
    # given the demo admin account
    client.cookies["django_language"] = "en"

    # when the admin logs in on the admin login page
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "cuutro-2024"})

    # then they land on the admin index
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "Site administration" in index.content.decode()
    user = get_user_model().objects.get(username="admin")
    assert user.is_staff and user.is_superuser


def test_admin_login_with_a_wrong_password_fails(seeded, client, db):
    assert client.login(username="admin", password="wrong") is False
    assert client.login(username="admin", password="cuutro-2024") is True
