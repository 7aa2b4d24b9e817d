"""Loads realistic demo data. Safe to run again: everything is keyed and nothing is duplicated."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from allocations.models import Allocation, CampaignCommittee, Committee, StaffMembership
from allocations.selectors import campaign_availability
from allocations.services import (
    allocation_mark_disbursed,
    allocation_record,
    staff_create,
)
from campaigns.models import (
    Bank,
    Campaign,
    DropOffPoint,
    ItemCategory,
    Province,
    ProvinceSet,
    ReceivingAccount,
)
from donations.models import (
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    Pledge,
    PublicDisplay,
    Receipt,
)
from donations.services import (
    DonorData,
    PledgeData,
    pledge_create,
    receipt_record,
)
from ledger.models import Kind
from ledger.services import ItemLine

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "cuutro-2024"
DEMO_STAFF = [
    # (username, password, role, 2025 province code)
    ("trunguong", "Cuutro-TrungUong-2024", "central", ""),
    ("laocai", "Cuutro-LaoCai-2024", "provincial", "15"),
    ("kiemtoan", "Cuutro-KiemToan-2024", "auditor", ""),
]
# (2008 province code, share of the cash received, decision number, purpose, disbursed)
DEMO_ALLOCATIONS = [
    ("15", 20, "125/QĐ-BCTTW", "Hỗ trợ hộ có nhà bị sập, trôi do lũ quét", True),
    ("10", 20, "126/QĐ-BCTTW", "Hỗ trợ khẩn cấp thôn Làng Nủ, Bảo Yên", True),
    ("04", 10, "127/QĐ-BCTTW", "Hỗ trợ khắc phục sạt lở đất", False),
    ("22", 10, "128/QĐ-BCTTW", "Hỗ trợ ngư dân bị thiệt hại tàu thuyền, lồng bè", False),
]

YAGI = {
    "slug": "bao-yagi-2024",
    "code": "YAGI24",
    "name": "Ủng hộ đồng bào khắc phục hậu quả bão số 3 (Yagi) năm 2024",
    "summary": "Cứu trợ khẩn cấp và tái thiết sau bão Yagi, lũ quét và sạt lở đất ở các tỉnh miền Bắc.",
    "description": (
        "Ngày 7/9/2024, bão số 3 (Yagi) đổ bộ vào Quảng Ninh và Hải Phòng với sức gió cấp 12–14, "
        "sau đó hoàn lưu bão gây mưa lớn, lũ quét và sạt lở đất ở Lào Cai, Yên Bái, Cao Bằng, "
        "Thái Nguyên và nhiều tỉnh miền Bắc.\n\n"
        "Ban Cứu trợ Trung ương – Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam kêu gọi đồng bào, "
        "chiến sĩ cả nước và kiều bào ở nước ngoài chung tay ủng hộ. Mọi khoản đóng góp được công khai "
        "tại cổng thông tin này, từ lúc nhận đến lúc phân bổ về từng tỉnh."
    ),
    "status": Campaign.Status.ACTIVE,
    "starts_on": datetime.date(2024, 9, 8),
    "ends_on": None,
    "target_amount": 1_500_000_000_000,
    "province_set": ProvinceSet.Y2008,
    "provinces": ["15", "10", "04", "19", "22", "31", "08", "24", "25"],
    "account": ("970436", "0011001932418", "Ban Cứu trợ Trung ương", "Sở giao dịch Vietcombank"),
    "dropoffs": [
        ("Trụ sở Ủy ban Trung ương MTTQ Việt Nam", "01", "46 Tràng Thi, Hoàn Kiếm, Hà Nội", "02439287437",
         "7:30–17:00 các ngày trong tuần"),
        ("Ủy ban MTTQ tỉnh Thái Nguyên", "19", "Số 4 đường Đội Cấn, Thái Nguyên", "02083855227",
         "7:30–11:30 và 13:30–17:00"),
        ("Ủy ban MTTQ thành phố Hải Phòng", "31", "Số 18 Hoàng Diệu, Hồng Bàng, Hải Phòng", "02253842562",
         "7:30–17:00, cả thứ Bảy"),
        ("Ủy ban MTTQ tỉnh Lào Cai", "15", "Đại lộ Trần Hưng Đạo, Bắc Lệnh, Lào Cai", "02143840326",
         "7:00–17:00"),
    ],
}

COVID = {
    "slug": "ung-ho-phong-chong-covid-19",
    "code": "COVID21",
    "name": "Ủng hộ phòng, chống dịch COVID-19",
    "summary": "Quỹ vắc-xin và hỗ trợ người dân, lực lượng tuyến đầu trong đại dịch COVID-19.",
    "description": (
        "Cuộc vận động ủng hộ phòng, chống dịch COVID-19 đã khép lại. Số liệu tiếp nhận và phân bổ "
        "được giữ lại để mọi người tra cứu."
    ),
    "status": Campaign.Status.CLOSED,
    "starts_on": datetime.date(2021, 5, 1),
    "ends_on": datetime.date(2022, 12, 31),
    "target_amount": None,
    "province_set": ProvinceSet.Y2008,
    "provinces": ["79", "74", "75", "01"],
    "account": ("970415", "113000001234", "Ủy ban Trung ương MTTQ Việt Nam", "VietinBank Hà Nội"),
    "dropoffs": [
        ("Ủy ban MTTQ Thành phố Hồ Chí Minh", "79", "55 Mạc Đĩnh Chi, Quận 1, TP. Hồ Chí Minh", "02838294110",
         "8:00–16:30"),
    ],
}

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quốc", "Ngọc", "Hữu", "Thanh", "Gia"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phương", "Quân",
         "Sơn", "Thảo", "Trang", "Tuấn", "Yến"]
ORGS = [
    ("Công ty Cổ phần Thực phẩm Sao Mai", "0101234567"),
    ("Hội doanh nhân trẻ tỉnh Bắc Ninh", "2300123456"),
    ("Trường THPT Chu Văn An", "0100345678"),
    ("Công ty TNHH Vận tải Hoàng Long", "0201567890"),
]
MESSAGES = ["Chung tay cùng bà con vùng lũ.", "Mong bà con sớm ổn định cuộc sống.", "", "Lá lành đùm lá rách.", ""]


class Command(BaseCommand):
    help = "Load demo campaigns, accounts, drop-off points and pledges (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--pledges", type=int, default=36, help="pledges per active campaign")

    @transaction.atomic
    def handle(self, *args, pledges: int, **options):
        admin = self._admin()
        yagi = self._campaign(YAGI)
        self._campaign(COVID)
        created = self._pledges(yagi, count=pledges)
        self._staff()
        receipts = self._receipts(yagi, admin)
        allocations = self._allocations(yagi, admin)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {created} new pledges, {receipts} new receipts, {allocations} new allocations."
        ))
        self.stdout.write(f"Admin: http://127.0.0.1:8000/admin/  user: {ADMIN_USERNAME}  password: {ADMIN_PASSWORD}")
        for username, password, role, province in DEMO_STAFF:
            self.stdout.write(f"  {role} staff{' (' + province + ')' if province else ''}: {username} / {password}")

    def _campaign(self, spec: dict) -> Campaign:
        """Create the campaign with its account and drop-off points once; never touch it again
        (a re-save would add entries to its history)."""
        existing = Campaign.objects.filter(slug=spec["slug"]).first()
        if existing is not None:
            return existing
        fields = {k: spec[k] for k in ("slug", "code", "name", "summary", "description", "status", "starts_on",
                                      "ends_on", "target_amount", "province_set")}
        campaign = Campaign.objects.create(**fields)
        campaign.provinces.set(Province.objects.filter(set=spec["province_set"], code__in=spec["provinces"]))
        CampaignCommittee.objects.create(campaign=campaign, committee=Committee.objects.get(level="central"))
        bin_, number, holder, branch = spec["account"]
        ReceivingAccount.objects.create(
            campaign=campaign, bank=Bank.objects.get(bin=bin_), account_number=number,
            account_holder=holder, branch=branch, is_primary=True,
        )
        categories = list(ItemCategory.objects.all())
        for name, code, address, phone, hours in spec["dropoffs"]:
            point = DropOffPoint.objects.create(
                campaign=campaign, name=name, province=Province.objects.get(set=ProvinceSet.Y2025, code=code),
                address=address, phone=phone, opening_hours=hours,
            )
            point.categories.set(categories)
        return campaign

    def _pledges(self, campaign: Campaign, *, count: int) -> int:
        rng = random.Random(f"demo-{campaign.code}")
        provinces = list(Province.objects.filter(set=ProvinceSet.Y2025).order_by("code"))
        categories = list(ItemCategory.objects.order_by("position"))
        created = 0
        for number in range(count):
            reference = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
            donor, pledge = self._demo_pledge(rng, number, provinces, categories)
            if Pledge.objects.filter(reference=reference).exists():
                continue
            pledge_create(campaign=campaign, donor=donor, pledge=pledge, source=Pledge.Source.WEB, reference=reference)
            created += 1
        return created

    def _demo_pledge(self, rng, number, provinces, categories) -> tuple[DonorData, PledgeData]:
        phone = f"09{rng.randrange(10**7, 10**8)}"
        province = rng.choice(provinces)
        display = rng.choice([PublicDisplay.FULL, PublicDisplay.MASKED, PublicDisplay.MASKED, PublicDisplay.ANONYMOUS])
        if number % 6 == 5:
            org, tax = ORGS[number % len(ORGS)]
            donor = DonorData(kind="organization", organization_name=org, tax_code=tax, full_name="Phòng Hành chính",
                              phone=phone, province=province, public_display=PublicDisplay.FULL)
        else:
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            donor = DonorData(kind="individual", full_name=name, phone=phone, province=province,
                              email=f"demo{number}@example.vn" if number % 3 == 0 else "", public_display=display)
        message = rng.choice(MESSAGES)
        if number % 4 == 3:
            lines = [
                ItemLine(category=c, quantity=Decimal(rng.choice([10, 20, 50, 100, 250])),
                         estimated_value=rng.choice([None, 2_000_000, 5_500_000]))
                for c in rng.sample(categories, rng.choice([1, 2]))
            ]
            return donor, PledgeData(kind=Kind.GOODS, items=lines, message=message)
        amount = rng.choice([100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 50_000_000])
        return donor, PledgeData(kind=Kind.CASH, amount=amount, message=message)

    def _admin(self):
        User = get_user_model()
        user, _ = User.objects.get_or_create(username=ADMIN_USERNAME, defaults={"email": "admin@example.vn"})
        user.is_staff = user.is_superuser = True
        user.set_password(ADMIN_PASSWORD)
        user.save()
        return user

    def _staff(self) -> None:
        for username, password, role, province in DEMO_STAFF:
            if not StaffMembership.objects.filter(user__username=username).exists():
                staff_create(username=username, password=password, role=role, province_code=province)

    def _receipts(self, campaign: Campaign, admin) -> int:
        """Two pledges in three received at the cash desk or drop-off, plus a few walk-in gifts."""
        if Receipt.objects.filter(campaign=campaign).exists():
            return 0
        count = 0
        for number, pledge in enumerate(Pledge.objects.filter(campaign=campaign).order_by("reference")):
            if number % 3 == 2:
                continue
            if pledge.kind == Kind.CASH:
                amount = pledge.amount if number % 5 else pledge.amount // 2
                receipt_record(campaign=campaign, channel="cash_desk", amount=amount, pledge=pledge, recorded_by=admin)
            else:
                items = [ItemLine(category=i.category, quantity=i.quantity, estimated_value=i.estimated_value)
                         for i in pledge.items.all()]
                receipt_record(campaign=campaign, channel="goods", items=items, pledge=pledge, recorded_by=admin)
            count += 1
        for amount, name in ((300_000_000, "Tập đoàn Bưu chính Viễn thông"), (25_000_000, ""), (1_500_000, "")):
            receipt_record(campaign=campaign, channel="cash_desk", amount=amount, public_name=name, recorded_by=admin)
            count += 1
        return count

    def _allocations(self, campaign: Campaign, admin) -> int:
        if Allocation.objects.filter(campaign=campaign).exists():
            return 0
        received = campaign_availability(campaign_id=campaign.pk).cash_received
        for code, share, decision, purpose, disbursed in DEMO_ALLOCATIONS:
            allocation = allocation_record(
                campaign=campaign, province=Province.objects.get(set=ProvinceSet.Y2008, code=code),
                amount=received * share // 100 // 1000 * 1000, decision_number=decision,
                decision_date=datetime.date(2024, 9, 15), purpose=purpose, recorded_by=admin,
            )
            if disbursed:
                allocation_mark_disbursed(allocation=allocation, disbursed_on=datetime.date(2024, 9, 20), user=admin)
        return len(DEMO_ALLOCATIONS)
