"""Races on PostgreSQL: two verifications of the same person at once make one beneficiary; two staff
handing out a province's last money at once cannot overdraw it. Deselected on SQLite."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import translation

from assistance.models import Beneficiary, Enrollment, Handover, NeedRegistration
from assistance.selectors import province_cash_left
from assistance.services import handover_record, need_register, need_registration_verify
from tests.assistance.conftest import CCCD_BINH, CCCD_CUONG, need
from tests.factories import province

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(calls: dict) -> dict:
    """Run each call on its own connection, all released at the same moment; their results or errors."""
    barrier = threading.Barrier(len(calls), timeout=30)
    outcomes: dict = {}

    def run(name, call):
        try:
            with translation.override("en"):
                barrier.wait()
                outcomes[name] = call()
        except Exception as exc:  # noqa: BLE001 - a ValidationError is expected; anything else fails the test
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_two_verifications_of_the_same_id_at_once_make_one_beneficiary(reference_data, programme, bao_ha_staff,
                                                                        lao_cai_staff):
    # given the same person registered twice (by themselves and by a relative)
    first = need_register(programme=programme, data=need())
    second = need_register(programme=programme, data=need(relative_name="Nguyễn Thị Bình", phone="0987000111"))

    # when the ward and the province verify them at the same moment
    outcomes = race({
        "ward": lambda: need_registration_verify(registration=first, user=bao_ha_staff),
        "province": lambda: need_registration_verify(registration=second, user=lao_cai_staff),
    })

    # then the database kept exactly one beneficiary, enrolled once; the other registration is a duplicate
    assert all(isinstance(o, NeedRegistration) for o in outcomes.values()), outcomes
    assert Beneficiary.objects.count() == 1
    assert Enrollment.objects.count() == 1
    assert sorted(NeedRegistration.objects.values_list("status", flat=True)) == ["duplicate", "verified"]


def test_two_staff_racing_for_a_provinces_last_money_cannot_overdraw(reference_data, campaign, programme, bao_ha_point,
                                                                      bao_ha_staff, lao_cai_staff, funded):
    # given Lào Cai was allocated 1.500.000 ₫ and two verified people are each owed 1.000.000 ₫
    funded(1_500_000)
    people = [
        need_registration_verify(registration=need_register(programme=programme, data=need(citizen_id=cccd)),
                                 user=bao_ha_staff).enrollment
        for cccd in (CCCD_BINH, CCCD_CUONG)
    ]

    # when two staff hand each of them 1.000.000 ₫ at the same moment
    outcomes = race({
        "ward": lambda: handover_record(enrollment=people[0], point=bao_ha_point, recorded_by=bao_ha_staff,
                                        amount=1_000_000),
        "province": lambda: handover_record(enrollment=people[1], point=bao_ha_point, recorded_by=lao_cai_staff,
                                            amount=1_000_000),
    })

    # then exactly one succeeds and the other is told what was left
    successes = [o for o in outcomes.values() if isinstance(o, list)]
    refusals = [o for o in outcomes.values() if isinstance(o, ValidationError)]
    assert (len(successes), len(refusals)) == (1, 1), outcomes
    assert refusals[0].message_dict == {"amount": ["Only 500.000 ₫ of what Lào Cai was allocated is left to hand out."]}
    assert Handover.objects.aggregate(s=Sum("amount"))["s"] == 1_000_000
    assert province_cash_left(campaign_id=campaign.pk, province=province("15")) == 500_000
