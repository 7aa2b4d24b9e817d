"""pledge_create and the small helpers around it: references, phones, public names, money formats."""

import importlib
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from campaigns.models import Campaign
from campaigns.money import quantity, vnd, vnd_short
from donations import services
from donations.models import (
    ANONYMOUS_NAME,
    Donor,
    Pledge,
    PledgeItem,
    PublicDisplay,
    mask_name,
)
from donations.services import DonorData, PledgeData, pledge_create
from donations.validators import normalize_vn_mobile
from ledger.services import ItemLine
from tests.factories import (
    CampaignFactory,
    DonorFactory,
    PledgeFactory,
    ReceivingAccountFactory,
    category,
    province,
)

REFERENCE_RE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$")


@pytest.fixture(autouse=True)
def english():
    """Messages are compared with their English msgids, whatever the Vietnamese catalogue says."""
    with translation.override("en"):
        yield


def an_individual(**overrides) -> DonorData:
    fields = {
        "kind": Donor.Kind.INDIVIDUAL,
        "full_name": "Nguyễn Văn An",
        "phone": "+84 912 345 678",
        "email": "an.nguyen@example.vn",
        "address": "12 Ngõ Huế, Hai Bà Trưng",
        "province": province("01"),
    }
    return DonorData(**{**fields, **overrides})


def counts() -> tuple[int, int, int]:
    return Donor.objects.count(), Pledge.objects.count(), PledgeItem.objects.count()


# --- pledge_create -------------------------------------------------------------------------------


def test_cash_pledge_gets_a_reference_and_the_exact_transfer_content(open_campaign):
    # given an active campaign with a receiving account
    # when an individual pledges 500.000 ₫
    pledge = pledge_create(
        campaign=open_campaign, donor=an_individual(), pledge=PledgeData(kind="cash", amount=500_000)
    )

    # then the pledge has an 8-character reference from the unambiguous alphabet
    assert REFERENCE_RE.fullmatch(pledge.reference)
    # and the transfer content is the campaign code and the reference: ASCII, at most 19 characters
    assert pledge.transfer_content == f"{open_campaign.code} {pledge.reference}"
    assert pledge.transfer_content.isascii()
    assert len(pledge.transfer_content) <= 19
    # and what was saved is exactly what was pledged, with the phone normalised
    saved = Pledge.objects.select_related("donor").get(pk=pledge.pk)
    assert (saved.kind, saved.amount, saved.status, saved.source) == ("cash", 500_000, "pledged", "web")
    assert saved.reference == pledge.reference
    assert saved.donor.phone == "0912345678"
    assert saved.donor.full_name == "Nguyễn Văn An"
    assert saved.donor.public_display == PublicDisplay.MASKED
    assert saved.items.count() == 0
    assert counts() == (1, 1, 0)


def test_two_cash_pledges_get_different_references(open_campaign):
    # given two pledges to the same campaign
    first = pledge_create(campaign=open_campaign, donor=an_individual(), pledge=PledgeData(kind="cash", amount=100_000))
    second = pledge_create(campaign=open_campaign, donor=an_individual(), pledge=PledgeData(kind="cash", amount=100_000))

    # then each has its own reference and transfer content
    assert first.reference != second.reference
    assert first.transfer_content != second.transfer_content


def test_goods_pledge_saves_exactly_the_items(open_campaign):
    # given two item lines
    lines = [
        ItemLine(category=category("rice"), quantity=Decimal("250.5")),
        ItemLine(category=category("drinking-water"), quantity=Decimal("20"), estimated_value=2_000_000),
    ]

    # when an organisation pledges them
    pledge = pledge_create(
        campaign=open_campaign,
        donor=an_individual(kind="organization", organization_name="Công ty TNHH Vận tải Hoàng Long",
                            tax_code="0201567890", full_name="Phòng Hành chính"),
        pledge=PledgeData(kind="goods", items=lines, message="Lá lành đùm lá rách."),
    )

    # then the goods pledge has no amount and exactly those two lines
    saved = Pledge.objects.get(pk=pledge.pk)
    assert saved.kind == "goods"
    assert saved.amount is None
    assert saved.message == "Lá lành đùm lá rách."
    items = sorted(
        (i.category.slug, i.quantity, i.estimated_value) for i in saved.items.select_related("category")
    )
    assert items == [("drinking-water", Decimal("20.000"), 2_000_000), ("rice", Decimal("250.500"), None)]
    assert saved.donor.display_name == "Công ty TNHH Vận tải Hoàng Long"
    assert saved.donor.tax_code == "0201567890"
    assert counts() == (1, 1, 2)


@pytest.mark.parametrize("status", [Campaign.Status.CLOSED, Campaign.Status.DRAFT])
def test_a_campaign_that_is_not_active_refuses_pledges_and_saves_nothing(db, status):
    # given a closed or draft campaign that still has an account
    campaign = CampaignFactory(status=status)
    ReceivingAccountFactory(campaign=campaign)
    before = counts()

    # when someone pledges cash to it
    with pytest.raises(ValidationError) as caught:
        pledge_create(campaign=campaign, donor=an_individual(), pledge=PledgeData(kind="cash", amount=500_000))

    # then the error is on "campaign" and neither a donor nor a pledge is saved
    assert caught.value.message_dict == {"campaign": ["This campaign is not accepting donations."]}
    assert counts() == before == (0, 0, 0)


def test_cash_pledge_to_a_campaign_without_an_account_is_refused(campaign):
    # given an active campaign with no receiving account yet
    # when someone pledges cash
    with pytest.raises(ValidationError) as caught:
        pledge_create(campaign=campaign, donor=an_individual(), pledge=PledgeData(kind="cash", amount=500_000))

    # then they are told why, and nothing is saved
    assert caught.value.message_dict == {"campaign": ["This campaign has no receiving bank account yet."]}
    assert counts() == (0, 0, 0)


def test_bad_phone_is_an_error_on_phone_and_nothing_is_saved(open_campaign):
    # when a donor gives a landline number
    with pytest.raises(ValidationError) as caught:
        pledge_create(
            campaign=open_campaign, donor=an_individual(phone="0212345678"),
            pledge=PledgeData(kind="cash", amount=500_000),
        )

    # then the only error is on the phone field
    assert caught.value.message_dict == {
        "phone": ["Enter a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 or 09."]
    }
    assert counts() == (0, 0, 0)


def test_donor_and_pledge_errors_are_reported_together(db):
    # given a closed campaign
    campaign = CampaignFactory(closed=True)

    # when a donor without a name and with a bad phone pledges goods without items
    with pytest.raises(ValidationError) as caught:
        pledge_create(
            campaign=campaign, donor=an_individual(full_name="  ", phone="abc"), pledge=PledgeData(kind="goods"),
        )

    # then every problem is reported, keyed by field
    assert set(caught.value.message_dict) == {"campaign", "items", "phone", "full_name"}
    assert caught.value.message_dict["full_name"] == ["Please enter your full name."]
    assert caught.value.message_dict["items"] == ["Add at least one item you will bring."]
    assert counts() == (0, 0, 0)


def test_a_province_of_the_old_map_is_refused_for_the_donor(open_campaign):
    # when a donor picks Yên Bái of the 2008 map
    with pytest.raises(ValidationError) as caught:
        pledge_create(
            campaign=open_campaign, donor=an_individual(province=province("15", set="2008")),
            pledge=PledgeData(kind="cash", amount=500_000),
        )

    # then the error is on province
    assert caught.value.message_dict == {"province": ["Choose a province on the current map."]}
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (999, "The amount must be at least 1,000 đồng."),
        (100_000_000_001, "The amount cannot exceed 100,000,000,000 đồng; for larger gifts please contact the committee."),
    ],
)
def test_cash_amount_outside_the_limits_is_refused(open_campaign, amount, message):
    # when the amount is below 1.000 ₫ or above 100 tỷ
    with pytest.raises(ValidationError) as caught:
        pledge_create(campaign=open_campaign, donor=an_individual(), pledge=PledgeData(kind="cash", amount=amount))

    # then the error names the limit and nothing is saved
    assert caught.value.message_dict == {"amount": [message]}
    assert counts() == (0, 0, 0)


def test_goods_line_with_zero_quantity_is_refused(open_campaign):
    # when a goods line has quantity 0
    with pytest.raises(ValidationError) as caught:
        pledge_create(
            campaign=open_campaign, donor=an_individual(),
            pledge=PledgeData(kind="goods", items=[ItemLine(category=category("rice"), quantity=Decimal("0"))]),
        )

    # then the error is on items, numbered by line, and nothing is saved
    assert list(caught.value.message_dict) == ["items"]
    assert caught.value.message_dict["items"][0].startswith("#1: ")
    assert counts() == (0, 0, 0)


def test_reference_collision_draws_a_new_reference(open_campaign, monkeypatch):
    # given a pledge that already holds reference AAAA2222
    existing = PledgeFactory(campaign=open_campaign, reference="AAAA2222")
    drawn = iter(["AAAA2222", "BBBB3333"])
    # patch the name where pledge_create looks it up (donations.services may be a package)
    monkeypatch.setattr(
        importlib.import_module(pledge_create.__module__), "pledge_reference_generate", lambda: next(drawn)
    )

    # when a new pledge first draws the taken reference, then a free one
    pledge = pledge_create(
        campaign=open_campaign, donor=an_individual(), pledge=PledgeData(kind="cash", amount=200_000)
    )

    # then the unique constraint made it draw again and it got the free one
    assert pledge.reference == "BBBB3333"
    assert pledge.transfer_content == f"{open_campaign.code} BBBB3333"
    assert Pledge.objects.get(reference="BBBB3333").amount == 200_000
    assert Pledge.objects.get(reference="AAAA2222").pk == existing.pk
    assert Pledge.objects.count() == 2
    assert next(drawn, "exhausted") == "exhausted"


def test_reference_generator_uses_only_the_unambiguous_alphabet():
    # when many references are drawn
    references = {services.pledge_reference_generate() for _ in range(500)}

    # then each is 8 characters without 0, O, 1, I or L
    assert all(REFERENCE_RE.fullmatch(r) for r in references)
    assert len(references) == 500


def test_transfer_content_is_code_space_reference():
    assert services.transfer_content_for(campaign_code="YAGI24", reference="K7M3PQ9X") == "YAGI24 K7M3PQ9X"
    assert len(services.transfer_content_for(campaign_code="ABCDEFGH", reference="K7M3PQ9X")) == 17


# --- phone numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("(+84) 387 654 321", "0387654321"),
        ("0587654321", "0587654321"),
        ("0787654321", "0787654321"),
        ("0887654321", "0887654321"),
    ],
)
def test_phone_numbers_are_normalised(typed, normalised):
    assert normalize_vn_mobile(typed) == normalised


@pytest.mark.parametrize("typed", ["0212345678", "091234567", "abc", "", "09123456789", "+84 212 345 678", "1912345678"])
def test_invalid_phone_numbers_are_refused(typed):
    with pytest.raises(ValidationError) as caught:
        normalize_vn_mobile(typed)
    assert caught.value.code == "invalid_phone"


# --- public names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Văn An", "Nguyễn V. A."),
        ("Trần Thị Thu Hà", "Trần T. T. H."),
        ("  Lê   Đức  ", "Lê Đ."),
        ("Mai", "Mai"),
        ("Đặng ánh", "Đặng Á."),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("display", "public_name"),
    [
        (PublicDisplay.FULL, "Nguyễn Văn An"),
        (PublicDisplay.MASKED, "Nguyễn V. A."),
        (PublicDisplay.ANONYMOUS, "Nhà hảo tâm"),
    ],
)
def test_public_name_follows_the_donors_choice(db, display, public_name):
    # given an individual donor who chose how to be shown
    donor = DonorFactory(full_name="Nguyễn Văn An", public_display=display)
    pledge = PledgeFactory(donor=donor)

    # then the donor and the pledge show that name
    assert donor.public_name == public_name
    assert pledge.public_name == public_name


def test_anonymous_name_is_nha_hao_tam():
    assert ANONYMOUS_NAME == "Nhà hảo tâm"


def test_organisation_public_name_uses_the_organisation(db):
    donor = DonorFactory(organization=True, public_display=PublicDisplay.MASKED)
    assert donor.public_name == "Công T. C. P. T. P. S. M."
    donor.public_display = PublicDisplay.FULL
    assert donor.public_name == "Công ty Cổ phần Thực phẩm Sao Mai"


# --- money formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(1_297_000_000, "1.297.000.000 ₫"), (500_000, "500.000 ₫"), (1_000, "1.000 ₫"), (999, "999 ₫"),
     (0, "0 ₫"), (-2_500_000, "-2.500.000 ₫"), (None, ""), ("", "")],
)
def test_vnd(value, text):
    assert vnd(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(1_297_000_000, "1,297 tỷ đồng"), (2_000_000_000, "2 tỷ đồng"),
     (45_000_000, "45 triệu đồng"), (1_250_000, "1,25 triệu đồng"), (500_000, "500.000 đồng"), (None, "")],
)
def test_vnd_short(value, text):
    assert vnd_short(value) == text


def test_vnd_short_groups_thousands_of_ty():
    # given the Yagi campaign's target of 1.500 tỷ đồng
    # then it reads as Vietnamese write it, grouped like every other amount
    assert vnd_short(1_500_000_000_000) == "1.500 tỷ đồng"


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("1500.500"), "1.500,5"), (Decimal("100.000"), "100"), (Decimal("0.250"), "0,25")],
)
def test_quantity(value, text):
    assert quantity(value) == text
