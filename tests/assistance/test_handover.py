"""Handovers at a distribution point: within the entitlement, within the province's cash allocation,
each a ledger entry in the campaign's journal, corrected only by a reversal."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assistance.models import DistributionPoint, Handover
from assistance.selectors import province_cash_left
from assistance.services import (
    handover_record,
    handover_reverse,
    need_registration_verify,
)
from ledger.models import JournalEntry
from ledger.services import ItemLine, journal_verify
from tests.assistance.conftest import CCCD_BINH, make_programme, ward
from tests.factories import category, province

pytestmark = pytest.mark.usefixtures("english")

HANDED_AT = timezone.make_aware(datetime.datetime(2024, 9, 25, 9, 30))


def rice(kg: str) -> list[ItemLine]:
    return [ItemLine(category=category("rice"), quantity=Decimal(kg))]


@pytest.fixture
def person(registered, bao_ha_staff):
    """The enrollment of a verified person of Xã Bảo Hà."""
    return need_registration_verify(registration=registered(), user=bao_ha_staff).enrollment


def test_a_full_handover_is_two_ledger_entries_and_serves_the_person(person, bao_ha_point, bao_ha_staff, funded, campaign):
    # given Lào Cai was allocated 5.000.000 ₫
    funded(5_000_000)

    # when the person receives 1.000.000 ₫ and 10 kg of rice at the point
    cash, goods = handover_record(enrollment=person, point=bao_ha_point, recorded_by=bao_ha_staff,
                                  amount=1_000_000, items=rice("10"), handed_at=HANDED_AT)

    # then two numbered entries of the campaign's ledger were recorded
    assert (cash.kind, cash.amount, cash.number) == ("cash", 1_000_000, f"{campaign.code}-CP000001")
    assert (goods.kind, goods.amount, goods.number) == ("goods", None, f"{campaign.code}-CP000002")
    assert [(i.category.slug, i.quantity) for i in goods.items.all()] == [("rice", Decimal("10.000"))]
    assert (cash.province, cash.ward, cash.point, cash.recorded_by) == (province("15"), ward("02989"), bao_ha_point, bao_ha_staff)
    # and the person is served; Lào Cai has 4.000.000 ₫ left to hand out
    person.refresh_from_db()
    assert person.served_at == HANDED_AT
    assert person.registration.status == "served"
    assert province_cash_left(campaign_id=campaign.pk, province=province("15")) == 4_000_000
    # and both are in the journal, with the province and the day but nothing of the person
    lines = list(JournalEntry.objects.filter(event="handover").order_by("sequence").values_list("canonical", flat=True))
    assert lines == [
        f"1|{campaign.code}|3|handover|{campaign.code}-CP000001|2024-09-25T02:30:00Z|cash||1000000|||2025:15||2024-09-25",
        f"1|{campaign.code}|4|handover|{campaign.code}-CP000002|2024-09-25T02:30:00Z|goods|||rice:10:||2025:15||2024-09-25",
    ]
    assert journal_verify(campaign=campaign).ok


def test_a_handover_beyond_the_entitlement_is_refused(person, bao_ha_point, bao_ha_staff, funded):
    funded(5_000_000)
    handover_record(enrollment=person, point=bao_ha_point, recorded_by=bao_ha_staff, amount=600_000, items=rice("10"))

    # when a second handover would go beyond 1.000.000 ₫ and 10 kg
    with pytest.raises(ValidationError) as caught:
        handover_record(enrollment=person, point=bao_ha_point, recorded_by=bao_ha_staff, amount=500_000, items=rice("1"))

    # then it is refused, saying what is left, and nothing is saved
    assert caught.value.message_dict == {
        "amount": ["This person is entitled to 1.000.000 ₫ and has already received 600.000 ₫: at most 400.000 ₫ more."],
        "items": ["This person is entitled to 10 kg of Rice and has already received 10: at most 0 more."],
    }
    assert Handover.objects.count() == 2
    person.refresh_from_db()
    assert person.served_at is None  # 400.000 ₫ still owed


def test_a_handover_beyond_the_provinces_allocation_is_refused(person, bao_ha_point, bao_ha_staff, funded, campaign):
    # given Lào Cai was allocated 700.000 ₫ only, and Thái Nguyên more (which does not count for Lào Cai)
    funded(700_000)
    funded(9_000_000, to="19")

    with pytest.raises(ValidationError) as caught:
        handover_record(enrollment=person, point=bao_ha_point, recorded_by=bao_ha_staff, amount=1_000_000)

    assert caught.value.message_dict == {"amount": ["Only 700.000 ₫ of what Lào Cai was allocated is left to hand out."]}
    assert not Handover.objects.exists()
    assert JournalEntry.objects.filter(event="handover").count() == 0


def test_allocations_to_the_old_units_count_for_their_successor(person, bao_ha_point, bao_ha_staff, campaign, central):
    # given a 2024 allocation to Yên Bái (2008), which is part of Lào Cai since July 2025
    from tests.allocations.helpers import allocate, give_cash

    give_cash(campaign, 2_000_000, by=central)
    allocate(campaign, to=province("15", set="2008"), amount=2_000_000, by=central)

    handover_record(enrollment=person, point=bao_ha_point, recorded_by=bao_ha_staff, amount=1_000_000)

    assert province_cash_left(campaign_id=campaign.pk, province=province("15")) == 1_000_000


def test_goods_only_handovers_do_not_draw_on_cash(person, bao_ha_point, bao_ha_staff):
    [goods] = handover_record(enrollment=person, point=bao_ha_point, recorded_by=bao_ha_staff, items=rice("10"))
    assert goods.kind == "goods"


def test_a_handover_outside_the_ward_or_at_another_programmes_point_is_refused(
    person, bao_ha_point, sa_pa_staff, bao_ha_staff, funded, campaign
):
    funded(5_000_000)
    with pytest.raises(ValidationError) as caught:
        handover_record(enrollment=person, point=bao_ha_point, recorded_by=sa_pa_staff, amount=1_000_000)
    assert caught.value.message_dict == {"ward": ["You can only act for your own commune or ward."]}

    other = DistributionPoint.objects.create(programme=make_programme(campaign), ward=ward("02989"), name="Khác", address="x")
    with pytest.raises(ValidationError) as caught:
        handover_record(enrollment=person, point=other, recorded_by=bao_ha_staff, amount=1_000_000)
    assert caught.value.message_dict == {"point": ["This distribution point belongs to another programme."]}
    assert not Handover.objects.exists()


@pytest.mark.parametrize(("amount", "items", "errors"), [
    (None, [], {"amount": ["Enter the cash or the goods handed over."]}),
    (0, [], {"amount": ["The amount must be a positive number of đồng."]}),
    (-5, [], {"amount": ["The amount must be a positive number of đồng."]}),
])
def test_a_handover_of_nothing_is_refused(person, bao_ha_point, bao_ha_staff, amount, items, errors):
    with pytest.raises(ValidationError) as caught:
        handover_record(enrollment=person, point=bao_ha_point, recorded_by=bao_ha_staff, amount=amount, items=items)
    assert caught.value.message_dict == errors


def test_a_reversed_handover_is_owed_again(person, bao_ha_point, bao_ha_staff, funded, campaign):
    funded(1_000_000)
    cash, _goods = handover_record(enrollment=person, point=bao_ha_point, recorded_by=bao_ha_staff,
                                   amount=1_000_000, items=rice("10"))

    reversal = handover_reverse(handover=cash, reason="Ghi nhầm người nhận", recorded_by=bao_ha_staff)

    assert (reversal.amount, reversal.reverses, reversal.number) == (-1_000_000, cash, f"{campaign.code}-CP000003")
    person.refresh_from_db()
    assert person.served_at is None
    assert person.registration.status == "verified"
    assert province_cash_left(campaign_id=campaign.pk, province=province("15")) == 1_000_000
    assert JournalEntry.objects.filter(event="handover_reversal").count() == 1
    assert journal_verify(campaign=campaign).ok
    # and the money can be handed over again
    handover_record(enrollment=person, point=bao_ha_point, recorded_by=bao_ha_staff, amount=1_000_000)
    person.refresh_from_db()
    assert person.served_at is not None


def test_a_programme_without_cash_refuses_cash(campaign, bao_ha_staff, funded):
    from assistance.services import need_register
    from tests.assistance.conftest import need

    programme = make_programme(campaign, cash=None)
    point = DistributionPoint.objects.create(programme=programme, ward=ward("02989"), name="Điểm", address="x")
    registration = need_register(programme=programme, data=need(citizen_id=CCCD_BINH))
    enrollment = need_registration_verify(registration=registration, user=bao_ha_staff).enrollment
    funded(1_000_000)
    with pytest.raises(ValidationError) as caught:
        handover_record(enrollment=enrollment, point=point, recorded_by=bao_ha_staff, amount=1_000)
    assert caught.value.message_dict == {"amount": ["This programme gives no cash."]}
