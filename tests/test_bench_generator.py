"""The national-size generator writes, at a small size, exactly what the services would have written."""

import datetime
import io

import pytest
from django.db.models import Count, Max, Min, Q, Sum

from allocations.models import Allocation, AllocationItem
from allocations.selectors import campaign_availability
from bench.generate_national import Refused, generate
from donations.models import Pledge, Receipt, ReceiptItem
from donations.services import pledge_status_refresh
from ledger.models import JournalEntry, JournalHead
from ledger.services import journal_verify
from transparency.models import CampaignTotals, GoodsTotals, ProvinceTotals

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def generated():
    out = io.StringIO()
    result = generate(receipts=2_000, pledges=300, allocations=60, seed=7, out=out)
    return result, out.getvalue()


def test_the_journal_verifies_and_counts_every_entry(generated):
    result, out = generated
    campaign = result.campaign

    # then ledger_verify said so, and the journal holds each receipt, allocation and disbursement once
    check = journal_verify(campaign=campaign)
    assert check.ok, check.problem
    assert out == f"{campaign.code}: OK, {check.entries} entries\n"
    disbursed = Allocation.objects.filter(campaign=campaign, status="disbursed", reverses=None).count()
    assert check.entries == 2_000 + 60 + disbursed == result.rows["journal entries"]
    assert JournalEntry.objects.filter(campaign=campaign).aggregate(first=Min("sequence"), last=Max("sequence")) == {
        "first": 1, "last": check.entries}
    # with a head for each day of the campaign, the last one at the end of the chain
    heads = JournalHead.objects.filter(campaign=campaign).order_by("day")
    assert heads.first().day == datetime.date(2025, 10, 1)
    assert heads.last().count == check.entries


def test_entries_are_numbered_per_campaign_in_the_order_they_happened(generated):
    campaign = generated[0].campaign
    receipts = list(Receipt.objects.filter(campaign=campaign).order_by("sequence").values_list(
        "sequence", "number", "received_at"))

    assert [r[0] for r in receipts] == list(range(1, 2_001))
    assert all(number == f"{campaign.code}-{seq:06d}" for seq, number, _at in receipts)
    assert [r[2] for r in receipts] == sorted(r[2] for r in receipts)
    allocations = Allocation.objects.filter(campaign=campaign).order_by("sequence")
    assert list(allocations.values_list("sequence", flat=True)) == list(range(1, 61))
    assert allocations.first().number == f"{campaign.code}-PB000001"


def test_the_campaign_looks_like_a_national_appeal(generated):
    campaign = generated[0].campaign
    receipts = Receipt.objects.filter(campaign=campaign)

    # 30 days of gifts, mostly 10.000–500.000 đồng, by bank, desk and goods, named as donors chose
    days = {r.date() for r in receipts.values_list("received_at", flat=True)}
    assert min(days) >= datetime.date(2025, 9, 30) and max(days) <= datetime.date(2025, 10, 31)
    cash = list(receipts.filter(kind="cash").values_list("amount", flat=True))
    assert sum(1 for a in cash if 10_000 <= a <= 500_000) / len(cash) > 0.75
    assert set(receipts.values_list("channel", flat=True)) == {"bank", "cash_desk", "goods"}
    assert receipts.filter(public_name="Nhà hảo tâm").exists()
    assert receipts.filter(public_name__regex=r"^[A-ZĐ][^ ]+( [A-ZĐ]\.)+$").exists()
    # allocations to provinces of today's map, some reversed, some disbursed after their decision
    allocations = Allocation.objects.filter(campaign=campaign)
    assert set(allocations.values_list("province__set", flat=True)) == {"2025"}
    reversals = allocations.filter(reverses__isnull=False).select_related("reverses")
    assert reversals.count() == 1
    assert all(r.amount == -r.reverses.amount and r.reverses.status == "planned" for r in reversals)
    disbursed = allocations.filter(status="disbursed", reverses=None)
    assert disbursed.exists()
    assert all(a.decision_date < a.disbursed_on for a in disbursed)


def test_pledge_statuses_are_what_their_receipts_make_them(generated):
    campaign = generated[0].campaign
    statuses = dict(Pledge.objects.filter(campaign=campaign).values_list("pk", "status"))
    assert len(statuses) == 300

    pledge_status_refresh(pledge_ids=list(statuses))

    assert dict(Pledge.objects.filter(campaign=campaign).values_list("pk", "status")) == statuses
    assert set(statuses.values()) == {"received", "partly_received", "pledged"}
    paid = Receipt.objects.filter(campaign=campaign, pledge__isnull=False)
    assert all(r.donor_id == r.pledge.donor_id and r.public_name == r.pledge.public_name
               for r in paid.select_related("pledge__donor"))
    # each pledge was last changed by its last receipt
    last = dict(paid.values_list("pledge_id").annotate(at=Max("received_at")))
    assert all(p.updated_at == last.get(p.pk, p.created_at) for p in Pledge.objects.filter(campaign=campaign))


def test_totals_equal_the_sums_and_nothing_is_overdrawn(generated):
    campaign = generated[0].campaign
    totals = CampaignTotals.objects.get(campaign=campaign)
    receipts = Receipt.objects.filter(campaign=campaign)
    allocations = Allocation.objects.filter(campaign=campaign)

    assert totals.cash_received == receipts.aggregate(s=Sum("amount"))["s"]
    assert totals.receipts == receipts.count() == 2_000
    assert totals.cash_allocated == allocations.aggregate(s=Sum("amount"))["s"]
    assert totals.cash_disbursed == allocations.filter(status="disbursed").aggregate(s=Sum("amount"))["s"]
    assert ProvinceTotals.objects.filter(campaign=campaign).aggregate(s=Sum("cash_allocated"))["s"] == totals.cash_allocated
    goods = {row["category_id"]: row for row in GoodsTotals.objects.filter(campaign=campaign).values()}
    for category, received in ReceiptItem.objects.filter(receipt__campaign=campaign).values_list(
            "category_id").annotate(q=Sum("quantity")):
        assert goods[category]["received"] == received
    available = campaign_availability(campaign_id=campaign.pk)
    assert available.cash_available >= 0
    assert all(available.goods_available(c) >= 0 for c in available.goods_received)
    assert AllocationItem.objects.filter(allocation__campaign=campaign).aggregate(n=Count("pk", filter=Q(quantity=0)))[
        "n"] == 0


def test_it_refuses_a_database_that_holds_receipts_unless_forced(generated):
    first = generated[0].campaign

    with pytest.raises(Refused, match="already holds receipts; run with --force"):
        generate(receipts=10, pledges=5, allocations=2, seed=7, out=io.StringIO())

    second = generate(receipts=10, pledges=5, allocations=2, seed=7, force=True, out=io.StringIO()).campaign
    assert second.code != first.code
    assert journal_verify(campaign=second).ok
    assert journal_verify(campaign=first).ok
