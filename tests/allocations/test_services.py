"""The allocations services: never more than received, reversals, the two maps, disbursement, reports."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import translation

from allocations.models import Allocation, AllocationItem, DistributionReport
from allocations.selectors import (
    campaign_availability,
)
from allocations.services import (
    allocation_mark_disbursed,
    allocation_record,
    allocation_reverse,
    distribution_report_record,
    distribution_report_update,
    staff_create,
)
from tests.allocations.helpers import allocate, give_cash, give_goods
from tests.factories import CampaignFactory, category, province
from transparency.services import campaign_figures_compute

pytestmark = pytest.mark.usefixtures("english")


def cash_by_current_province(campaign) -> dict:
    """Cash allocated and disbursed per unit of today's map, as the public figures compute them."""
    provinces = campaign_figures_compute(campaign_id=campaign.pk).provinces
    return {pk: {name: row[name] for name in ("cash_allocated", "cash_disbursed")} for pk, row in provinces.items()}


def cash_allocated(campaign) -> int:
    return Allocation.objects.filter(campaign=campaign).aggregate(s=Sum("amount"))["s"] or 0


# --- cash guard --------------------------------------------------------------------------------


def test_cash_allocations_stop_exactly_at_what_was_received(campaign, central):
    # given 10.000.000 ₫ received at the cash desk
    give_cash(campaign, 10_000_000, by=central)

    # when 6.000.000 ₫ is allocated to Lào Cai
    first = allocate(campaign, to="15", amount=6_000_000, by=central, number="125/QĐ-BCTTW")

    # then it is recorded as planned cash
    assert (first.kind, first.amount, first.status, first.disbursed_on) == ("cash", 6_000_000, "planned", None)
    assert campaign_availability(campaign_id=campaign.pk).cash_available == 4_000_000

    # when one đồng more than what is left is allocated, it is refused and nothing is written
    with pytest.raises(ValidationError) as refused:
        allocate(campaign, to="19", amount=4_000_001, by=central, number="126/QĐ-BCTTW")
    assert refused.value.message_dict == {"amount": ["Only 4.000.000 ₫ of cash received is still unallocated."]}
    assert Allocation.objects.count() == 1

    # when exactly what is left is allocated, it is accepted
    last = allocate(campaign, to="19", amount=4_000_000, by=central, number="126/QĐ-BCTTW")

    # then the whole receipt is allocated, to the đồng
    assert last.amount == 4_000_000
    figures = campaign_availability(campaign_id=campaign.pk)
    assert (figures.cash_received, figures.cash_allocated, figures.cash_available) == (10_000_000, 10_000_000, 0)
    assert cash_allocated(campaign) == 10_000_000


def test_nothing_can_be_allocated_before_money_comes_in(campaign, central):
    with pytest.raises(ValidationError) as refused:
        allocate(campaign, to="15", amount=1, by=central)
    assert refused.value.message_dict == {"amount": ["Only 0 ₫ of cash received is still unallocated."]}


def test_an_allocation_is_either_cash_or_goods(campaign, central):
    give_cash(campaign, 1_000_000, by=central)
    with pytest.raises(ValidationError) as neither:
        allocate(campaign, to="15", by=central)
    with pytest.raises(ValidationError) as both:
        allocate(campaign, to="15", amount=1_000, goods={"rice": "1"}, by=central)
    with pytest.raises(ValidationError) as negative:
        allocate(campaign, to="15", amount=-5, by=central)
    assert neither.value.message_dict == {"amount": ["Enter either an amount of cash or goods items, not both."]}
    assert both.value.message_dict == {"amount": ["Enter either an amount of cash or goods items, not both."]}
    assert negative.value.message_dict == {"amount": ["The amount must be a positive number of đồng."]}
    assert Allocation.objects.count() == 0


# --- goods guard -------------------------------------------------------------------------------


def test_goods_allocations_are_limited_per_category(campaign, central):
    # given 1.000 kg of rice and 50 boxes of water received
    give_goods(campaign, by=central, rice="1000", drinking_water="50")

    # when 600 kg of rice go to Lào Cai
    rice = allocate(campaign, to="15", goods={"rice": "600"}, by=central)

    # then it is a goods allocation without an amount, with one line
    assert (rice.kind, rice.amount) == ("goods", None)
    assert list(rice.items.values_list("category__slug", "quantity")) == [("rice", Decimal("600.000"))]

    # when 401 kg more rice is asked for, it is refused with what is left of that category
    with pytest.raises(ValidationError) as refused:
        allocate(campaign, to="19", goods={"rice": "401"}, by=central, number="127/QĐ-BCTTW")
    assert refused.value.message_dict == {"items": ["Only 400 kg of Rice received is still unallocated."]}

    # and goods never received cannot be allocated at all
    with pytest.raises(ValidationError) as none_received:
        allocate(campaign, to="19", goods={"clothes": "1"}, by=central, number="128/QĐ-BCTTW")
    assert none_received.value.message_dict == {"items": ["Only 0 set of Clothes received is still unallocated."]}

    # when all the water and the last 400 kg of rice go to Thái Nguyên in one decision, it is accepted
    allocate(campaign, to="19", goods={"rice": "400", "drinking-water": "50"}, by=central, number="129/QĐ-BCTTW")

    # then nothing of either category is left, and no cash was touched
    figures = campaign_availability(campaign_id=campaign.pk)
    assert figures.goods_available(category("rice").pk) == Decimal("0")
    assert figures.goods_available(category("drinking-water").pk) == Decimal("0")
    assert (figures.cash_received, figures.cash_allocated) == (0, 0)
    assert AllocationItem.objects.count() == 3


# --- reversal ----------------------------------------------------------------------------------


def test_a_reversal_gives_back_what_the_allocation_took(campaign, central):
    # given everything received is allocated: 10.000.000 ₫ and 200 kg of rice
    give_cash(campaign, 10_000_000, by=central)
    give_goods(campaign, by=central, rice="200")
    cash = allocate(campaign, to="15", amount=10_000_000, by=central, number="130/QĐ-BCTTW")
    rice = allocate(campaign, to="15", goods={"rice": "200"}, by=central, number="131/QĐ-BCTTW")
    assert campaign_availability(campaign_id=campaign.pk).cash_available == 0

    # when both are reversed
    cash_reversal = allocation_reverse(allocation=cash, reason="Quyết định bị thay thế", recorded_by=central)
    rice_reversal = allocation_reverse(allocation=rice, reason="Nhập trùng", recorded_by=central)

    # then the reversals are entries of opposite sign pointing at the originals, which stay
    assert (cash_reversal.amount, cash_reversal.reverses_id, cash_reversal.reason) == (
        -10_000_000, cash.pk, "Quyết định bị thay thế")
    assert list(rice_reversal.items.values_list("quantity", flat=True)) == [Decimal("-200.000")]
    assert Allocation.objects.get(pk=cash.pk).amount == 10_000_000
    # and everything is available again
    figures = campaign_availability(campaign_id=campaign.pk)
    assert (figures.cash_allocated, figures.cash_available) == (0, 10_000_000)
    assert figures.goods_available(category("rice").pk) == Decimal("200")
    # and can be allocated again
    again = allocate(campaign, to="19", amount=10_000_000, by=central, number="132/QĐ-BCTTW")
    assert again.amount == 10_000_000
    assert cash_allocated(campaign) == 10_000_000


def test_an_allocation_is_reversed_once_and_a_reversal_never(campaign, central):
    give_cash(campaign, 5_000_000, by=central)
    original = allocate(campaign, to="15", amount=5_000_000, by=central)
    reversal = allocation_reverse(allocation=original, reason="Sai tỉnh", recorded_by=central)

    with pytest.raises(ValidationError) as twice:
        allocation_reverse(allocation=original, reason="Lần nữa", recorded_by=central)
    with pytest.raises(ValidationError) as of_reversal:
        allocation_reverse(allocation=reversal, reason="Hoàn tác", recorded_by=central)
    with pytest.raises(ValidationError) as no_reason:
        allocation_reverse(allocation=original, reason="  ", recorded_by=central)

    assert twice.value.message_dict == {"reverses": [f"Allocation {original.number} has already been reversed."]}
    assert of_reversal.value.message_dict == {"reverses": ["A reversal cannot itself be reversed."]}
    assert no_reason.value.message_dict == {"reason": [f"Say why {original.number} is reversed."]}
    assert Allocation.objects.count() == 2


# --- the two administrative maps ---------------------------------------------------------------


def test_a_2008_unit_is_refused_for_a_campaign_of_the_new_map(central):
    # given a campaign that started after the reorganisation of 1 July 2025, with money in
    campaign = CampaignFactory(starts_on=datetime.date(2025, 8, 1))
    give_cash(campaign, 5_000_000, by=central)

    # when an allocation names Yên Bái (a 2008 unit)
    with pytest.raises(ValidationError) as refused:
        allocate(campaign, to=province("15", set="2008"), amount=1_000_000, by=central)

    # then it is refused: only the 34 current units
    assert refused.value.message_dict == {"province": ["Campaigns since 1 July 2025 allocate to the 34 current units."]}
    assert Allocation.objects.count() == 0


def test_a_2008_unit_is_accepted_for_a_campaign_of_2024(central):
    campaign = CampaignFactory(starts_on=datetime.date(2024, 9, 8))
    give_cash(campaign, 5_000_000, by=central)

    allocation = allocate(campaign, to=province("15", set="2008"), amount=1_000_000, by=central)

    assert (allocation.province.name, allocation.province.set, allocation.province.current.name) == (
        "Yên Bái", "2008", "Lào Cai")


def test_allocations_to_old_and_new_units_roll_up_to_todays_province(campaign, central):
    # given a 2024 campaign with 20.000.000 ₫ received
    give_cash(campaign, 20_000_000, by=central)
    lao_cai, thai_nguyen = province("15"), province("19")

    # when cash goes to Yên Bái (2008 code 15), Lào Cai (2008 code 10), Lào Cai (2025 code 15) and Thái Nguyên
    allocate(campaign, to=province("15", set="2008"), amount=3_000_000, by=central, number="140/QĐ")
    allocate(campaign, to=province("10", set="2008"), amount=2_000_000, by=central, number="141/QĐ")
    allocate(campaign, to=lao_cai, amount=1_000_000, by=central, number="142/QĐ")
    allocate(campaign, to=thai_nguyen, amount=500_000, by=central, number="143/QĐ")
    # and goods, which have no amount, go to Lào Cai as well
    give_goods(campaign, by=central, rice="100")
    allocate(campaign, to=lao_cai, goods={"rice": "100"}, by=central, number="144/QĐ")

    # then the three Lào Cai allocations sum under today's Lào Cai
    assert cash_by_current_province(campaign) == {
        lao_cai.pk: {"cash_allocated": 6_000_000, "cash_disbursed": 0},
        thai_nguyen.pk: {"cash_allocated": 500_000, "cash_disbursed": 0},
    }


def test_a_reversed_old_unit_allocation_leaves_the_roll_up(campaign, central):
    give_cash(campaign, 5_000_000, by=central)
    yen_bai = allocate(campaign, to=province("15", set="2008"), amount=3_000_000, by=central, number="150/QĐ")
    allocate(campaign, to=province("15"), amount=1_000_000, by=central, number="151/QĐ")

    allocation_reverse(allocation=yen_bai, reason="Nhập nhầm", recorded_by=central)

    assert cash_by_current_province(campaign) == {
        province("15").pk: {"cash_allocated": 1_000_000, "cash_disbursed": 0}}


# --- provincial staff --------------------------------------------------------------------------


PROVINCIAL_REFUSED = ["Allocations are decided by central staff; provincial staff report distributions."]


@pytest.mark.parametrize("to", ["15", "2008-15", "19"], ids=["own", "own-2008-unit", "other"])
def test_provincial_staff_never_allocate_the_central_pool(campaign, central, lao_cai_staff, to):
    # given 5.000.000 ₫ received
    give_cash(campaign, 5_000_000, by=central)
    target = province("15", set="2008") if to == "2008-15" else to

    # when Lào Cai's staff try to allocate all of it, even to their own province
    with pytest.raises(ValidationError) as refused:
        allocate(campaign, to=target, amount=5_000_000, by=lao_cai_staff, number="01/QĐ-LC")

    # then the service refuses and nothing is allocated
    assert refused.value.messages == PROVINCIAL_REFUSED
    assert cash_allocated(campaign) == 0


def test_provincial_staff_neither_disburse_nor_reverse(campaign, central, lao_cai_staff):
    give_cash(campaign, 5_000_000, by=central)
    allocation = allocate(campaign, to="15", amount=5_000_000, by=central)

    with pytest.raises(ValidationError) as disbursing:
        allocation_mark_disbursed(allocation=allocation, disbursed_on=datetime.date(2024, 9, 25), user=lao_cai_staff)
    with pytest.raises(ValidationError) as reversing:
        allocation_reverse(allocation=allocation, reason="Nhầm số tiền", recorded_by=lao_cai_staff)

    assert disbursing.value.messages == reversing.value.messages == PROVINCIAL_REFUSED
    allocation.refresh_from_db()
    assert (allocation.status, Allocation.objects.count()) == ("planned", 1)


# --- disbursement ------------------------------------------------------------------------------


def test_mark_disbursed_sets_the_status_and_date_once(campaign, central):
    # given a planned allocation to Lào Cai
    give_cash(campaign, 5_000_000, by=central)
    allocation = allocate(campaign, to="15", amount=5_000_000, by=central)

    # when central staff mark it disbursed on 25/09/2024
    allocation_mark_disbursed(allocation=allocation, disbursed_on=datetime.date(2024, 9, 25), user=central)

    # then it is disbursed on that day, the amount untouched
    allocation.refresh_from_db()
    assert (allocation.status, allocation.disbursed_on, allocation.amount) == (
        "disbursed", datetime.date(2024, 9, 25), 5_000_000)
    # and it cannot be disbursed a second time
    with pytest.raises(ValidationError) as again:
        allocation_mark_disbursed(allocation=allocation, disbursed_on=datetime.date(2024, 9, 26), user=central)
    assert again.value.message_dict == {"status": ["This allocation is already disbursed."]}
    allocation.refresh_from_db()
    assert allocation.disbursed_on == datetime.date(2024, 9, 25)


def test_a_reversed_allocation_cannot_be_disbursed(campaign, central):
    give_cash(campaign, 5_000_000, by=central)
    allocation = allocate(campaign, to="15", amount=5_000_000, by=central)

    allocation_reverse(allocation=allocation, reason="Hủy quyết định", recorded_by=central)
    with pytest.raises(ValidationError) as reversed_:
        allocation_mark_disbursed(allocation=allocation, disbursed_on=datetime.date(2024, 9, 25), user=central)

    assert reversed_.value.message_dict == {"status": ["A reversed allocation cannot be disbursed."]}
    assert list(Allocation.objects.values_list("status", flat=True)) == ["planned", "planned"]


def test_an_allocation_recorded_as_already_disbursed_needs_the_date(campaign, central):
    give_cash(campaign, 5_000_000, by=central)
    with pytest.raises(ValidationError) as refused:
        allocate(campaign, to="15", amount=1_000_000, by=central, status="disbursed")
    done = allocate(campaign, to="15", amount=1_000_000, by=central, status="disbursed",
                    disbursed_on=datetime.date(2024, 9, 21))

    assert refused.value.message_dict == {"disbursed_on": ["Enter the date the allocation was disbursed."]}
    assert (done.status, done.disbursed_on) == ("disbursed", datetime.date(2024, 9, 21))


# --- distribution reports ----------------------------------------------------------------------


def test_a_distribution_report_records_who_was_reached(campaign, central, lao_cai_staff):
    # given 5.000.000 ₫ allocated to Yên Bái (now Lào Cai)
    give_cash(campaign, 5_000_000, by=central)
    allocation = allocate(campaign, to=province("15", set="2008"), amount=5_000_000, by=central)

    # when Lào Cai's staff report what they handed out in one commune
    report = distribution_report_record(
        allocation=allocation, distributed_on=datetime.date(2024, 9, 28), commune="  Xã Phúc Khánh ",
        households=12, people=47, amount=3_600_000, goods="12 thùng mì", note="Trao tại nhà văn hóa thôn",
        reported_by=lao_cai_staff,
    )

    # then the report is stored as given (names trimmed), with who reported it in its history
    saved = DistributionReport.objects.get(pk=report.pk)
    assert (saved.allocation, saved.distributed_on, saved.commune, saved.households, saved.people) == (
        allocation, datetime.date(2024, 9, 28), "Xã Phúc Khánh", 12, 47)
    assert (saved.amount, saved.goods, saved.note, saved.reported_by) == (
        3_600_000, "12 thùng mì", "Trao tại nhà văn hóa thôn", lao_cai_staff)
    assert saved.history.get().history_user == lao_cai_staff


def test_distribution_reports_are_refused_outside_scope_and_on_reversals(campaign, central, thai_nguyen_staff):
    give_cash(campaign, 8_000_000, by=central)
    allocation = allocate(campaign, to="15", amount=5_000_000, by=central)
    reversal = allocation_reverse(allocation=allocation, reason="Hủy", recorded_by=central)
    live = allocate(campaign, to="15", amount=3_000_000, by=central, number="200/QĐ-BCTTW")
    report = {"distributed_on": datetime.date(2024, 9, 28), "commune": "Xã Phúc Khánh", "households": 3, "people": 9}

    with pytest.raises(ValidationError) as other_province:
        distribution_report_record(allocation=live, reported_by=thai_nguyen_staff, **report)
    with pytest.raises(ValidationError) as on_reversal:
        distribution_report_record(allocation=reversal, reported_by=central, **report)
    with pytest.raises(ValidationError) as on_reversed:
        distribution_report_record(allocation=allocation, reported_by=central, **report)
    with pytest.raises(ValidationError) as fewer_people:
        distribution_report_record(allocation=live, reported_by=central, **{**report, "people": 2})

    assert other_province.value.message_dict == {"province": ["You can only record for your own province."]}
    assert on_reversal.value.message_dict == {"allocation": ["Report against the allocation, not its reversal."]}
    assert on_reversed.value.message_dict == {
        "allocation": ["This allocation was reversed; nothing can be reported against it."]}
    assert fewer_people.value.message_dict == {"__all__": ["People reached cannot be fewer than households."]}
    assert DistributionReport.objects.count() == 0


def test_reports_never_hand_out_more_cash_than_the_allocation_sent(campaign, central):
    # given an allocation of 3.000.000 ₫ of which 2.000.000 ₫ are already reported
    give_cash(campaign, 3_000_000, by=central)
    allocation = allocate(campaign, to="15", amount=3_000_000, by=central)
    report = {"distributed_on": datetime.date(2024, 9, 28), "households": 10, "people": 30}
    distribution_report_record(allocation=allocation, commune="Xã A", amount=2_000_000, reported_by=central, **report)

    # when a second report claims 1.000.001 ₫, then it is refused with what is left
    with pytest.raises(ValidationError) as too_much:
        distribution_report_record(allocation=allocation, commune="Xã B", amount=1_000_001, reported_by=central, **report)
    assert too_much.value.message_dict == {"amount": ["Only 1.000.000 ₫ of this allocation is not yet reported."]}

    # and exactly what is left is accepted
    distribution_report_record(allocation=allocation, commune="Xã B", amount=1_000_000, reported_by=central, **report)
    assert DistributionReport.objects.aggregate(total=Sum("amount"))["total"] == 3_000_000


def test_disbursement_date_lies_between_decision_and_today(campaign, central):
    give_cash(campaign, 1_000_000, by=central)
    allocation = allocate(campaign, to="15", amount=1_000_000, by=central)
    message = {"disbursed_on": [
        f"The disbursement date must be between the decision date ({allocation.decision_date:%d/%m/%Y}) and today."]}

    for wrong in (allocation.decision_date - datetime.timedelta(days=1), datetime.date.today() + datetime.timedelta(days=2)):
        with pytest.raises(ValidationError) as refused:
            allocation_mark_disbursed(allocation=allocation, disbursed_on=wrong, user=central)
        assert refused.value.message_dict == message
    allocation.refresh_from_db()
    assert (allocation.status, allocation.disbursed_on) == ("planned", None)


def test_an_auditor_cannot_allocate_even_through_the_service(db):
    # given an auditor and a campaign
    auditor = staff_create(username="kiem-toan", password="Cuutro-KiemToan-2024", role="auditor")
    campaign = CampaignFactory()

    # when the auditor tries to allocate, then it is refused before anything is written
    with translation.override("en"), pytest.raises(ValidationError, match="Auditors can only read."):
        allocation_record(
            campaign=campaign, province=province("15"), amount=1_000, decision_number="1/QĐ",
            decision_date=datetime.date(2024, 9, 15), purpose="Thử", recorded_by=auditor,
        )
    assert Allocation.objects.count() == 0


def test_a_corrected_report_is_checked_like_a_new_one(campaign, central):
    # given an allocation of 3.000.000 ₫ fully reported in two reports
    give_cash(campaign, 3_000_000, by=central)
    allocation = allocate(campaign, to="15", amount=3_000_000, by=central)
    report = {"distributed_on": datetime.date(2024, 9, 28), "households": 10, "people": 30}
    first = distribution_report_record(allocation=allocation, commune="Xã A", amount=1_000_000, reported_by=central, **report)
    distribution_report_record(allocation=allocation, commune="Xã B", amount=2_000_000, reported_by=central, **report)

    # when the first is corrected upward, it is refused; corrected downward, it is saved with who changed it
    with pytest.raises(ValidationError) as too_much:
        distribution_report_update(report=first, data={"amount": 1_000_001}, changed_by=central)
    assert too_much.value.message_dict == {"amount": ["Only 1.000.000 ₫ of this allocation is not yet reported."]}
    first.refresh_from_db()
    assert first.amount == 1_000_000
    distribution_report_update(report=first, data={"amount": 900_000}, changed_by=central)
    first.refresh_from_db()
    assert first.amount == 900_000
    assert first.history.first().history_user == central
