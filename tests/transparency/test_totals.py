"""Transparency totals: derived from the ledgers on every committed change, re-checked periodically."""

import datetime
from decimal import Decimal

import pytest

from allocations.services import allocation_mark_disbursed, allocation_reverse
from campaigns.models import ProvinceSet
from donations.services import receipt_reverse
from tests.allocations.helpers import allocate, give_cash, give_goods
from tests.factories import (
    CampaignFactory,
    category,
    province,
)
from transparency.models import CampaignTotals, GoodsTotals, ProvinceTotals
from transparency.services import campaign_totals_reconcile, campaign_totals_refresh


@pytest.fixture
def yagi(db):
    return CampaignFactory(slug="yagi", province_set=ProvinceSet.Y2008, starts_on=datetime.date(2024, 9, 8),
                           target_amount=1_000_000_000)


def test_every_committed_ledger_change_refreshes_the_totals(yagi, admin_user, django_capture_on_commit_callbacks):
    # given receipts (one reversed), goods, and allocations to two 2008 units of today's Lào Cai and to Cao Bằng
    with django_capture_on_commit_callbacks(execute=True):
        give_cash(yagi, 300_000_000, by=admin_user)
        mistake = give_cash(yagi, 5_000_000, by=admin_user)
        receipt_reverse(receipt=mistake, reason="Ghi nhầm", recorded_by=admin_user)
        give_goods(yagi, by=admin_user, rice="1500.5")
        yen_bai = allocate(yagi, to=province("15", ProvinceSet.Y2008), amount=100_000_000, by=admin_user)
        allocate(yagi, to=province("10", ProvinceSet.Y2008), amount=50_000_000, by=admin_user, number="126/QĐ")
        cao_bang = allocate(yagi, to=province("04", ProvinceSet.Y2008), amount=20_000_000, by=admin_user, number="127/QĐ")
        allocate(yagi, to=province("15"), goods={"rice": "500"}, by=admin_user, number="128/QĐ")
        allocation_mark_disbursed(allocation=yen_bai, disbursed_on=datetime.date(2024, 9, 25), user=admin_user)
        allocation_reverse(allocation=cao_bang, reason="Thay bằng quyết định khác", recorded_by=admin_user)

    # then the stored totals equal the ledger sums, old units rolled up to today's map; the reversed
    # receipt and allocation are not counted as receipts or allocations
    totals = CampaignTotals.objects.get(campaign=yagi)
    assert (totals.cash_received, totals.receipts, totals.cash_allocated, totals.cash_disbursed) == (
        300_000_000, 2, 150_000_000, 100_000_000)
    assert (totals.allocations, totals.donors) == (3, 2)
    assert totals.cash_available == 150_000_000
    per_province = {(t.province.set, t.province.name): (t.cash_allocated, t.cash_disbursed)
                    for t in ProvinceTotals.objects.select_related("province")}
    assert per_province == {("2025", "Lào Cai"): (150_000_000, 100_000_000), ("2025", "Cao Bằng"): (0, 0)}
    goods = {g.category.slug: (g.received, g.allocated) for g in GoodsTotals.objects.select_related("category")}
    assert goods == {"rice": (Decimal("1500.500"), Decimal("500.000"))}


def test_reconcile_repairs_drift_and_reports_it(yagi, admin_user):
    # given totals written once, then the ledger moves on without a refresh (a lost task)
    give_cash(yagi, 10_000_000, by=admin_user)
    campaign_totals_refresh(campaign_id=yagi.pk)
    give_cash(yagi, 2_500_000, by=admin_user)

    # when the periodic reconcile runs, it reports the campaign and repairs it; a second run finds nothing
    assert campaign_totals_reconcile() == [yagi.pk]
    assert CampaignTotals.objects.get(campaign=yagi).cash_received == 12_500_000
    assert campaign_totals_reconcile() == []


def test_reconcile_repairs_a_lost_goods_refresh(yagi, admin_user, caplog):
    # given goods received and allocated, then the goods table loses its last refresh
    give_goods(yagi, by=admin_user, rice="1000", drinking_water="200")
    allocate(yagi, to=province("15"), goods={"rice": "600"}, by=admin_user)
    campaign_totals_refresh(campaign_id=yagi.pk)
    GoodsTotals.objects.filter(campaign=yagi, category=category("rice")).update(allocated=0)

    # when the reconcile runs, it names the goods table, repairs it, and a second run finds nothing
    assert campaign_totals_reconcile() == [yagi.pk]
    assert f"transparency goods of campaign {yagi.pk} drifted" in caplog.text
    goods = {g.category.slug: (g.received, g.allocated) for g in GoodsTotals.objects.filter(campaign=yagi)
             .select_related("category")}
    assert goods == {"rice": (Decimal("1000.000"), Decimal("600.000")), "drinking-water": (Decimal("200.000"), Decimal("0.000"))}
    assert campaign_totals_reconcile() == []


def test_a_broker_outage_loses_nothing(yagi, admin_user, monkeypatch, django_capture_on_commit_callbacks):
    # given a broker that refuses every task
    def refuse(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr("transparency.receivers.campaign_totals_refresh_task.apply_async", refuse)

    # when staff record a receipt, it is saved and no error reaches them
    with django_capture_on_commit_callbacks(execute=True):
        give_cash(yagi, 1_000_000, by=admin_user)
    assert not CampaignTotals.objects.filter(campaign=yagi).exists()

    # and the periodic reconcile catches up
    assert campaign_totals_reconcile() == [yagi.pk]
    assert CampaignTotals.objects.get(campaign=yagi).cash_received == 1_000_000

