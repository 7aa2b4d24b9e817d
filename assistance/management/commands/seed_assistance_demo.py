"""Demo data of the assistance work, on top of `seed_demo`: a programme of the first active campaign,
its distribution points, a ward officer, a hotline operator and people at every step. Safe to run
again: nothing is created twice."""

import datetime
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from allocations.models import Allocation
from allocations.selectors import province_q
from assistance import citizen_id
from assistance.models import (
    DistributionPoint,
    NeedRegistration,
    ProgrammeGoods,
    SupportProgramme,
    Ward,
)
from assistance.services import (
    NeedData,
    assistance_staff_create,
    handover_record,
    need_register,
    need_registration_reject,
    need_registration_verify,
)
from campaigns.models import Campaign, ItemCategory, Province
from ledger.services import ItemLine

PASSWORD = "Cuutro-Phuong-2024"
PEOPLE = [
    ("Nguyễn Văn An", "0912345601"), ("Lò Thị Bình", "0912345602"), ("Hoàng Văn Cường", "0912345603"),
    ("Đặng Thị Dung", "0912345604"), ("Vàng A Giàng", "0912345605"), ("Trần Thị Hà", "0912345606"),
    ("Phạm Văn Hùng", "0912345607"), ("Bùi Thị Lan", "0912345608"),
]


class Command(BaseCommand):
    help = "Load demo data of the assistance work (after seed_demo)."

    @transaction.atomic
    def handle(self, *args, **options):
        campaign = Campaign.objects.active().order_by("-starts_on").first()
        if campaign is None:
            raise CommandError("No active campaign: run seed_demo first.")
        province = next((p for p in Province.objects.filter(set="2025").order_by("code")
                         if Allocation.objects.filter(province_q(province=p), campaign=campaign, kind="cash").exists()),
                        Province.objects.get(set="2025", code="15"))
        wards = list(Ward.objects.filter(province=province).order_by("sort_key")[:2])
        programme, created = SupportProgramme.objects.get_or_create(campaign=campaign, name="Hỗ trợ hộ bị ảnh hưởng", defaults={
            "eligibility": "Hộ có nhà bị sập, bị cuốn trôi hoặc hư hỏng nặng; hộ có người bị thương.",
            "cash_per_person": 1_000_000, "opens_on": campaign.starts_on,
        })
        if not created:
            self.stdout.write("Assistance demo data already loaded.")
            return
        programme.provinces.set([province])
        ProgrammeGoods.objects.create(programme=programme, category=ItemCategory.objects.get(slug="rice"), quantity=10)
        point = DistributionPoint.objects.create(programme=programme, ward=wards[0], name=f"Nhà văn hóa {wards[0].name}",
                                                 address=f"Trung tâm {wards[0].name}")
        officer = assistance_staff_create(username="canbophuong", password=PASSWORD, role="ward", ward_code=wards[0].code)
        assistance_staff_create(username="tongdai", password=PASSWORD, role="hotline")
        rng = random.Random(2024)
        registrations = []
        for n, (name, phone) in enumerate(PEOPLE):
            digits = f"{rng.choice(sorted(citizen_id.PROVINCE_CODES))}{rng.choice('01')}{rng.randint(40, 99)}{n:06d}"
            registrations.append(need_register(programme=programme, data=NeedData(
                full_name=name, phone=phone, citizen_id=digits, ward=wards[1 if n % 2 and len(wards) > 1 else 0],
                address=f"Thôn {n + 1}", household_size=1 + n % 5, needs=["food", "cash"][: 1 + n % 2],
            )))
        rice = ItemCategory.objects.get(slug="rice")
        for registration in registrations[:5]:
            if registration.ward_id == officer.ward_assignment.ward_id:
                registration = need_registration_verify(registration=registration, user=officer, note="Đã xác minh")
            else:
                continue
            try:
                handover_record(enrollment=registration.enrollment, point=point, recorded_by=officer, amount=1_000_000,
                                items=[ItemLine(category=rice, quantity=Decimal(10))],
                                handed_at=timezone.now() - datetime.timedelta(hours=1))
            except ValidationError:
                break  # the province's allocation is spent: the others wait, as in life
        waiting = [r for r in registrations[5:] if r.ward_id == officer.ward_assignment.ward_id]
        if waiting:
            need_registration_reject(registration=waiting[0], user=officer, reason="Nhà không bị ảnh hưởng")
        counts = {s: NeedRegistration.objects.filter(programme=programme, status=s).count()
                  for s in NeedRegistration.Status.values}
        self.stdout.write(self.style.SUCCESS(
            f"Programme “{programme.name}” in {province.name}: {counts}. Logins (password {PASSWORD}): "
            f"canbophuong (ward officer of {wards[0].name}), tongdai (hotline)."
        ))
