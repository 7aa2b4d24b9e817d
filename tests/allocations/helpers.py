"""Helpers of the allocations tests: put money and goods into a campaign, allocate them."""

import datetime
from decimal import Decimal

from allocations.services import AllocatedItem, allocation_record
from donations.services import ReceivedItem, receipt_record
from tests.factories import category, province

DECISION_DATE = datetime.date(2024, 9, 20)


def give_cash(campaign, amount: int, *, by):
    return receipt_record(campaign=campaign, channel="cash_desk", amount=amount, recorded_by=by)


def give_goods(campaign, *, by, **quantities):
    """`give_goods(campaign, by=user, rice="1000")`: one goods receipt, a line per category slug."""
    items = [ReceivedItem(category=category(slug.replace("_", "-")), quantity=Decimal(q)) for slug, q in quantities.items()]
    return receipt_record(campaign=campaign, channel="goods", items=items, recorded_by=by)


def allocate(campaign, *, to, by, amount=None, goods=None, number="125/QĐ-BCTTW", purpose="Hỗ trợ khẩn cấp", **kwargs):
    """Allocate cash (`amount`) or goods (`goods={"rice": "600"}`) to a province (a Province or a 2025 code)."""
    items = [AllocatedItem(category=category(slug), quantity=Decimal(q)) for slug, q in (goods or {}).items()]
    return allocation_record(
        campaign=campaign, province=province(to) if isinstance(to, str) else to, decision_number=number,
        decision_date=DECISION_DATE, purpose=purpose, recorded_by=by, amount=amount, items=items, **kwargs,
    )
