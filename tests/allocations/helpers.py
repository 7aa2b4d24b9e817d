"""Helpers of the allocations tests: put money and goods into a campaign, allocate them."""

import datetime
from decimal import Decimal

from allocations.services import allocation_record
from donations.services import receipt_record
from ledger.services import ItemLine
from tests.factories import category, province

DECISION_DATE = datetime.date(2024, 9, 20)

# Passwords of the staff the fixtures create (they pass Django's password validators).
PASSWORDS = {
    "trunguong": "Cuutro-TrungUong-2024",
    "laocai": "Cuutro-LaoCai-2024",
    "thainguyen": "Cuutro-ThaiNguyen-2024",
    "kiemtoan": "Cuutro-KiemToan-2024",
}


def give_cash(campaign, amount: int, *, by):
    return receipt_record(campaign=campaign, channel="cash_desk", amount=amount, recorded_by=by)


def give_goods(campaign, *, by, **quantities):
    """`give_goods(campaign, by=user, rice="1000")`: one goods receipt, a line per category slug."""
    items = [
        ItemLine(category=category(slug.replace("_", "-")), quantity=Decimal(q)) for slug, q in quantities.items()
    ]
    return receipt_record(campaign=campaign, channel="goods", items=items, recorded_by=by)


def allocate(campaign, *, to, by, amount=None, goods=None, number="125/QĐ-BCTTW", purpose="Hỗ trợ khẩn cấp", **kwargs):
    """Allocate cash (`amount`) or goods (`goods={"rice": "600"}`) to a province (a Province or a 2025 code)."""
    items = [ItemLine(category=category(slug), quantity=Decimal(q)) for slug, q in (goods or {}).items()]
    return allocation_record(
        campaign=campaign, province=province(to) if isinstance(to, str) else to, decision_number=number,
        decision_date=DECISION_DATE, purpose=purpose, recorded_by=by, amount=amount, items=items, **kwargs,
    )


def allocation_form(*, campaign, province, number, amount="1.000.000", kind="cash", goods=(), **overrides) -> dict:
    """POST data of the admin's allocation add page; `goods` is a list of (category, quantity text)."""
    data = {
        "campaign": campaign.pk,
        "province": province.pk,
        "decision_number": number,
        "decision_date": "2024-09-20",
        "purpose": "Hỗ trợ khẩn cấp hộ bị thiệt hại",
        "kind": kind,
        "amount": amount,
        "disbursed_on": "",
        "items-TOTAL_FORMS": "5",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "5",
    }
    for i, (item_category, quantity) in enumerate(goods):
        data[f"items-{i}-category"] = item_category.pk
        data[f"items-{i}-quantity"] = quantity
    return {**data, **overrides}


def report_form(*, allocation, commune="Xã Bảo Hà", **overrides) -> dict:
    """POST data of the admin's distribution report add page."""
    data = {
        "allocation": allocation.pk,
        "distributed_on": "2024-09-28",
        "commune": commune,
        "households": "12",
        "people": "47",
        "amount": "3.600.000",
        "goods": "",
        "note": "",
    }
    return {**data, **overrides}
