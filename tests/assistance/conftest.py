"""Fixtures of the assistance tests: a programme of 1.000.000 ₫ and 10 kg of rice per person in Lào Cai
and Thái Nguyên, its distribution points, staff of a ward, and people who register."""

import datetime
from decimal import Decimal

import pytest

from assistance.models import DistributionPoint, ProgrammeGoods, SupportProgramme, Ward
from assistance.services import NeedData, assistance_staff_create, need_register
from tests.allocations.helpers import allocate, give_cash
from tests.factories import category, province

PASSWORD = "Cuutro-Phuong-2024"

# Valid citizen IDs: Hà Nội 1999 (man), Lào Cai 1985 (woman), Thái Nguyên 2003 (man).
CCCD_AN = "001099001234"
CCCD_BINH = "010185004567"
CCCD_CUONG = "019203007890"


def ward(code: str) -> Ward:
    return Ward.objects.get(code=code)


def need(**overrides) -> NeedData:
    """A need as a person in Xã Bảo Hà (Lào Cai) types it; any field overridden."""
    values = {
        "full_name": "Nguyễn Văn An", "phone": "0912 345 678", "citizen_id": CCCD_AN, "ward": ward("02989"),
        "address": "Thôn Bảo Vinh", "household_size": 4, "needs": ["food", "cash"],
        "description": "Nhà bị lũ cuốn trôi.",
    }
    return NeedData(**{**values, **overrides})


def make_programme(campaign, *, cash=1_000_000, rice="10", provinces=("15", "19"), **kwargs) -> SupportProgramme:
    programme = SupportProgramme.objects.create(
        campaign=campaign, name="Hỗ trợ hộ bị ảnh hưởng bởi lũ", eligibility="Hộ có nhà bị sập, trôi hoặc hư hỏng nặng.",
        cash_per_person=cash, opens_on=kwargs.pop("opens_on", datetime.date(2024, 9, 10)), **kwargs,
    )
    programme.provinces.set([province(code) for code in provinces])
    if rice:
        ProgrammeGoods.objects.create(programme=programme, category=category("rice"), quantity=Decimal(rice))
    return programme


@pytest.fixture
def programme(campaign):
    return make_programme(campaign)


@pytest.fixture
def bao_ha_point(programme):
    return DistributionPoint.objects.create(
        programme=programme, ward=ward("02989"), name="Nhà văn hóa xã Bảo Hà", address="Thôn Bảo Vinh, xã Bảo Hà")


@pytest.fixture
def bao_ha_staff(db):
    return assistance_staff_create(username="baoha", password=PASSWORD, role="ward", ward_code="02989")


@pytest.fixture
def sa_pa_staff(db):
    return assistance_staff_create(username="sapa", password=PASSWORD, role="ward", ward_code="03006")


@pytest.fixture
def hotline(db):
    return assistance_staff_create(username="tongdai", password=PASSWORD, role="hotline")


@pytest.fixture
def registered(programme):
    """`registered(**overrides)`: a need registered on the web."""

    def make(**overrides):
        return need_register(programme=programme, data=need(**overrides))

    return make


@pytest.fixture
def funded(campaign, central):
    """`funded(amount, to="15")`: the campaign receives and allocates `amount` to a province."""

    def fund(amount: int, to: str = "15"):
        give_cash(campaign, amount, by=central)
        return allocate(campaign, to=to, amount=amount, by=central, number=f"{amount}/QĐ-{to}")

    return fund
