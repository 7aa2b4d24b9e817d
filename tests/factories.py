"""factory_boy factories for the foundation.

Provinces, banks and item categories are reference data loaded by a data migration
(campaigns/migrations/0002_reference_data.py): factories fetch them, never create them.
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from campaigns.models import (
    Bank,
    Campaign,
    DropOffPoint,
    ItemCategory,
    Province,
    ProvinceSet,
    ReceivingAccount,
)
from donations.models import Donor, Pledge, PledgeItem, PublicDisplay
from donations.services import pledge_reference_generate, transfer_content_for
from ledger.models import Kind

# Campaign codes must match ^[A-Z2-9]{3,8}$: no 0 or 1, so sequence numbers are spelled in this alphabet.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def province(code: str, set: str = ProvinceSet.Y2025) -> Province:
    return Province.objects.get(set=set, code=code)


def bank(bin: str) -> Bank:
    return Bank.objects.get(bin=bin)


def category(slug: str) -> ItemCategory:
    return ItemCategory.objects.get(slug=slug)


def campaign_code(n: int) -> str:
    """0 → TEST22, 1 → TEST23, … always 6 characters of [A-Z2-9]."""
    base = len(CODE_ALPHABET)
    return "TEST" + CODE_ALPHABET[(n // base) % base] + CODE_ALPHABET[n % base]


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"chien-dich-thu-{n}")
    name = factory.Sequence(lambda n: f"Chiến dịch cứu trợ thử nghiệm {n}")
    summary = "Cứu trợ khẩn cấp cho bà con vùng lũ."
    description = "Mô tả chiến dịch.\n\nMọi khoản đóng góp được công khai."
    status = Campaign.Status.ACTIVE
    starts_on = datetime.date(2024, 9, 8)
    ends_on = None
    target_amount = 1_297_000_000
    code = factory.Sequence(campaign_code)
    province_set = ProvinceSet.Y2025

    class Params:
        closed = factory.Trait(status=Campaign.Status.CLOSED, ends_on=datetime.date(2024, 12, 31))
        draft = factory.Trait(status=Campaign.Status.DRAFT)

    @factory.post_generation
    def provinces(self, create, extracted, **kwargs):
        if create and extracted:
            self.provinces.set(extracted)


class ReceivingAccountFactory(DjangoModelFactory):
    class Meta:
        model = ReceivingAccount

    campaign = factory.SubFactory(CampaignFactory)
    bank = factory.LazyFunction(lambda: bank("970436"))  # Vietcombank
    account_number = factory.Sequence(lambda n: f"00110019{n:05d}")
    account_holder = "Ban Cứu trợ Trung ương"
    branch = "Sở giao dịch Vietcombank"
    is_primary = True


class DropOffPointFactory(DjangoModelFactory):
    class Meta:
        model = DropOffPoint
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Điểm tiếp nhận số {n}")
    province = factory.LazyFunction(lambda: province("01"))  # Hà Nội
    address = factory.Sequence(lambda n: f"{n + 1} Tràng Thi, Hoàn Kiếm, Hà Nội")
    phone = "02439287437"
    opening_hours = "7:30–17:00 các ngày trong tuần"

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            self.categories.set(extracted if extracted is not None else ItemCategory.objects.all())


class DonorFactory(DjangoModelFactory):
    class Meta:
        model = Donor

    kind = Donor.Kind.INDIVIDUAL
    full_name = "Nguyễn Văn An"
    organization_name = ""
    tax_code = ""
    phone = factory.Sequence(lambda n: f"0987{n:06d}")
    email = factory.Sequence(lambda n: f"donor{n}@example.vn")
    address = "12 Ngõ Huế, Hai Bà Trưng"
    province = factory.LazyFunction(lambda: province("01"))
    public_display = PublicDisplay.MASKED

    class Params:
        organization = factory.Trait(
            kind=Donor.Kind.ORGANIZATION,
            organization_name="Công ty Cổ phần Thực phẩm Sao Mai",
            tax_code="0101234567",
            full_name="Phòng Hành chính",
        )


class PledgeFactory(DjangoModelFactory):
    """A cash pledge of 500.000 ₫ by default; `goods=True` for an in-kind pledge (add PledgeItemFactory rows)."""

    class Meta:
        model = Pledge

    campaign = factory.SubFactory(CampaignFactory)
    donor = factory.SubFactory(DonorFactory)
    kind = Kind.CASH
    amount = 500_000
    reference = factory.LazyFunction(pledge_reference_generate)
    transfer_content = factory.LazyAttribute(
        lambda o: transfer_content_for(campaign_code=o.campaign.code, reference=o.reference)
    )
    status = Pledge.Status.PLEDGED
    source = Pledge.Source.WEB
    message = ""
    # A cancelled pledge says when and why, as `pledge_cancel` records it (a constraint insists).
    cancelled_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == Pledge.Status.CANCELLED else None)
    cancellation_reason = factory.LazyAttribute(
        lambda o: "Nhà hảo tâm huỷ" if o.status == Pledge.Status.CANCELLED else ""
    )

    class Params:
        goods = factory.Trait(kind=Kind.GOODS, amount=None)


class PledgeItemFactory(DjangoModelFactory):
    class Meta:
        model = PledgeItem

    pledge = factory.SubFactory(PledgeFactory, goods=True)
    category = factory.LazyFunction(lambda: category("rice"))
    quantity = Decimal("100")
    estimated_value = None
