"""A campaign with a bit of everything in its ledgers, recorded through the services: receipts of cash
and goods (one reversed), allocations to units of both maps (one reversed, one disbursed, one of goods
disbursed at once) and a distribution report."""

import datetime
import zoneinfo
from decimal import Decimal

from allocations.models import Allocation
from allocations.services import (
    allocation_mark_disbursed,
    allocation_record,
    allocation_reverse,
    distribution_report_record,
)
from campaigns.models import ProvinceSet
from donations.services import receipt_record, receipt_reverse
from ledger.services import ItemLine
from tests.factories import CampaignFactory, DonorFactory, category, province

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DECIDED = datetime.date(2024, 9, 20)


def yagi_campaign(**overrides):
    return CampaignFactory(**{
        "slug": "bao-yagi-2024", "code": "YAGI24", "name": "Ủng hộ đồng bào bị ảnh hưởng bởi bão Yagi",
        "province_set": ProvinceSet.Y2008, "starts_on": datetime.date(2024, 9, 8), **overrides,
    })


def record_ledgers(campaign, *, by) -> dict:
    """Receipts YAGI24-000001…4 and allocations YAGI24-PB000001…5 (see the module docstring)."""
    donor = DonorFactory(full_name="Nguyễn Văn An", public_display="masked")
    entries = {
        "cash": receipt_record(campaign=campaign, channel="cash_desk", amount=300_000_000, donor=donor,
                               received_at=datetime.datetime(2024, 9, 10, 9, 0, tzinfo=VN), recorded_by=by),
        # received today, like its reversal
        "mistake": receipt_record(campaign=campaign, channel="cash_desk", amount=5_000_000, recorded_by=by),
        "goods": receipt_record(
            campaign=campaign, channel="goods", recorded_by=by, public_name="Công ty Cổ phần Sao Mai",
            items=[ItemLine(category=category("rice"), quantity=Decimal("1500.5"), estimated_value=30_000_000),
                   ItemLine(category=category("drinking-water"), quantity=Decimal("200"))],
            received_at=datetime.datetime(2024, 9, 11, 8, 15, tzinfo=VN),
        ),
    }
    entries["mistake_reversal"] = receipt_reverse(receipt=entries["mistake"], reason="Ghi nhầm", recorded_by=by)

    def allocate(to, number, **what):
        return allocation_record(campaign=campaign, province=to, decision_number=number, decision_date=DECIDED,
                                 purpose="Hỗ trợ khẩn cấp", recorded_by=by, **what)

    entries["yen_bai"] = allocate(province("15", ProvinceSet.Y2008), "125/QĐ-BCTTW", amount=100_000_000)
    entries["lao_cai"] = allocate(province("10", ProvinceSet.Y2008), "126/QĐ-BCTTW", amount=50_000_000)
    entries["cao_bang"] = allocate(province("04"), "127/QĐ-BCTTW", amount=20_000_000)
    entries["rice"] = allocate(
        province("08"), "128/QĐ-BCTTW", status=Allocation.Status.DISBURSED, disbursed_on=datetime.date(2024, 9, 22),
        items=[ItemLine(category=category("rice"), quantity=Decimal("500"), estimated_value=10_000_000)],
    )
    entries["yen_bai"] = allocation_mark_disbursed(
        allocation=entries["yen_bai"], disbursed_on=datetime.date(2024, 9, 25), user=by)
    entries["cao_bang_reversal"] = allocation_reverse(
        allocation=entries["cao_bang"], reason="Thay bằng quyết định khác", recorded_by=by)
    entries["report"] = distribution_report_record(
        allocation=entries["yen_bai"], distributed_on=datetime.date(2024, 9, 28), commune="Xã Bảo Hà",
        households=12, people=47, amount=3_600_000, reported_by=by, note="Danh sách hộ lưu tại xã",
    )
    return entries
