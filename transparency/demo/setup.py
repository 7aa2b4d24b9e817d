"""The demo's fixed cast: the two campaigns with their accounts and drop-off points, the admin and
the staff accounts, and the web-form pledges. Each is created once and never touched again (a
re-save would add entries to its history)."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from allocations.models import CampaignCommittee, Committee, StaffMembership
from allocations.services import staff_create
from campaigns.models import (
    Bank,
    Campaign,
    DropOffPoint,
    ItemCategory,
    Province,
    ProvinceSet,
    ReceivingAccount,
)
from donations.models import REFERENCE_ALPHABET, REFERENCE_LENGTH, Pledge, PublicDisplay
from donations.services import (
    DonorData,
    PledgeData,
    pledge_create,
)
from ledger.models import Kind
from ledger.services import ItemLine

from .people import ORGANISATIONS, person

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "cuutro-2024"
DEMO_STAFF = [
    # (username, password, role, 2025 province code)
    ("trunguong", "Cuutro-TrungUong-2024", "central", ""),
    ("laocai", "Cuutro-LaoCai-2024", "provincial", "15"),
    ("kiemtoan", "Cuutro-KiemToan-2024", "auditor", ""),
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
    "provinces": ["79", "74", "75", "01", "24", "27"],
    "account": ("970415", "113000001234", "Ủy ban Trung ương MTTQ Việt Nam", "VietinBank Hà Nội"),
    "dropoffs": [
        ("Ủy ban MTTQ Thành phố Hồ Chí Minh", "79", "55 Mạc Đĩnh Chi, Quận 1, TP. Hồ Chí Minh", "02838294110",
         "8:00–16:30"),
    ],
}

MESSAGES = ["Chung tay cùng bà con vùng lũ.", "Mong bà con sớm ổn định cuộc sống.", "", "Lá lành đùm lá rách.", ""]


def admin_ensure() -> AbstractBaseUser:
    """The demo superuser, with the printed password whatever it was changed to."""
    user, _created = get_user_model().objects.get_or_create(username=ADMIN_USERNAME, defaults={"email": "admin@example.vn"})
    user.is_staff = user.is_superuser = True
    user.set_password(ADMIN_PASSWORD)
    user.save()
    return user


def staff_ensure() -> dict[str, AbstractBaseUser]:
    """The demo staff by username, created once."""
    for username, password, role, province in DEMO_STAFF:
        if not StaffMembership.objects.filter(user__username=username).exists():
            staff_create(username=username, password=password, role=role, province_code=province)
    return {user.username: user for user in get_user_model().objects.filter(username__in=[s[0] for s in DEMO_STAFF])}


def campaign_ensure(spec: dict) -> Campaign:
    """The campaign with its account and drop-off points, created once."""
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
    for name, code, address, phone_number, hours in spec["dropoffs"]:
        point = DropOffPoint.objects.create(
            campaign=campaign, name=name, province=Province.objects.get(set=ProvinceSet.Y2025, code=code),
            address=address, phone=phone_number, opening_hours=hours,
        )
        point.categories.set(categories)
    return campaign


def pledges_ensure(campaign: Campaign, *, count: int) -> int:
    """`count` web-form pledges with fixed references (a fixed seed); returns how many were new."""
    rng = random.Random(f"demo-{campaign.code}")
    provinces = list(Province.objects.filter(set=ProvinceSet.Y2025).order_by("code"))
    categories = list(ItemCategory.objects.order_by("position"))
    created = 0
    for number in range(count):
        reference = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        donor, pledge = _demo_pledge(rng, number, provinces, categories)
        if Pledge.objects.filter(reference=reference).exists():
            continue
        pledge_create(campaign=campaign, donor=donor, pledge=pledge, source=Pledge.Source.WEB, reference=reference)
        created += 1
    return created


def _demo_pledge(rng, number, provinces, categories) -> tuple[DonorData, PledgeData]:
    phone = f"09{rng.randrange(10**7, 10**8)}"
    province = rng.choice(provinces)
    display = rng.choice([PublicDisplay.FULL, PublicDisplay.MASKED, PublicDisplay.MASKED, PublicDisplay.ANONYMOUS])
    if number % 6 == 5:
        org, tax = ORGANISATIONS[number % len(ORGANISATIONS)]
        donor = DonorData(kind="organization", organization_name=org, tax_code=tax, full_name="Phòng Hành chính",
                          phone=phone, province=province, public_display=PublicDisplay.FULL)
    else:
        donor = DonorData(kind="individual", full_name=person(rng).name, phone=phone, province=province,
                          email=f"demo{number}@example.vn" if number % 3 == 0 else "", public_display=display)
    message = rng.choice(MESSAGES)
    if number % 4 == 3:
        lines = [
            ItemLine(category=c, quantity=Decimal(rng.choice([10, 20, 50, 100, 250])),
                     estimated_value=rng.choice([None, 2_000_000, 5_500_000]))
            for c in rng.sample(categories, rng.choice([1, 2]))
        ]
        return donor, PledgeData(kind=Kind.GOODS, items=lines, message=message)
    amount = rng.choice([100_000, 200_000, 300_000, 500_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000,
                         50_000_000])
    return donor, PledgeData(kind=Kind.CASH, amount=amount, message=message)
