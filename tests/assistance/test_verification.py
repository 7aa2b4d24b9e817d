"""The ward decides: verify (into the one registry and the programme), reject with a reason, mark a
duplicate; only within the staff member's ward or province, every decision in the history."""

import pytest
from django.core.exceptions import ValidationError

from assistance.models import Beneficiary, Enrollment, NeedRegistration
from assistance.services import (
    need_register,
    need_registration_mark_duplicate,
    need_registration_reject,
    need_registration_verify,
)
from tests.assistance.conftest import CCCD_BINH, make_programme, need, ward

pytestmark = pytest.mark.usefixtures("english")


def test_verifying_adds_the_person_to_the_registry_and_the_programme(registered, bao_ha_staff):
    # given a registration from Xã Bảo Hà
    registration = registered()

    # when the ward's officer verifies it
    registration = need_registration_verify(registration=registration, user=bao_ha_staff, note="Đã đến tận nhà")

    # then the person is one beneficiary, enrolled once, and the decision says who, when, why
    beneficiary = Beneficiary.objects.get()
    assert (beneficiary.full_name, beneficiary.id_masked, beneficiary.birth_year) == ("Nguyễn Văn An", "0010****1234", 1999)
    assert beneficiary.id_hash == registration.id_hash
    enrollment = Enrollment.objects.get()
    assert (enrollment.beneficiary, enrollment.registration, enrollment.source) == (beneficiary, registration, "registration")
    assert (registration.status, registration.reason, registration.decided_by) == ("verified", "Đã đến tận nhà", bao_ha_staff)
    last = registration.history.order_by("history_date").last()
    assert (last.status, last.history_user, last.history_change_reason) == ("verified", bao_ha_staff, "Đã đến tận nhà")


def test_rejecting_needs_a_reason_that_the_person_will_see(registered, bao_ha_staff):
    registration = registered()
    with pytest.raises(ValidationError) as caught:
        need_registration_reject(registration=registration, user=bao_ha_staff, reason="  ")
    assert caught.value.message_dict == {"reason": ["Say why the registration is rejected; the person will see it."]}

    registration = need_registration_reject(registration=registration, user=bao_ha_staff, reason="Nhà không bị ảnh hưởng")

    assert (registration.status, registration.reason) == ("rejected", "Nhà không bị ảnh hưởng")
    assert not Beneficiary.objects.exists()


def test_a_decision_is_taken_once(registered, bao_ha_staff):
    registration = need_registration_reject(registration=registered(), user=bao_ha_staff, reason="Không đủ điều kiện")
    with pytest.raises(ValidationError) as caught:
        need_registration_verify(registration=registration, user=bao_ha_staff)
    assert caught.value.message_dict == {"status": [f"Registration {registration.code} was already decided: Rejected."]}


def test_a_second_registration_of_a_person_in_the_programme_becomes_a_duplicate(registered, bao_ha_staff):
    # given the same person registered twice (once by a relative, with another phone)
    first = need_registration_verify(registration=registered(), user=bao_ha_staff)
    second = registered(relative_name="Nguyễn Thị Bình", phone="0987000111")

    # when the second is verified as well
    second = need_registration_verify(registration=second, user=bao_ha_staff)

    # then there is still one beneficiary and one enrollment; the second points at the first
    assert Beneficiary.objects.count() == 1
    assert Enrollment.objects.count() == 1
    assert (second.status, second.duplicate_of, second.reason) == (
        "duplicate", first, f"Already registered in this programme ({first.code}).")


def test_a_person_of_an_earlier_campaign_is_found_in_the_registry(registered, bao_ha_staff, campaign):
    # given a person verified in an earlier programme
    need_registration_verify(registration=registered(), user=bao_ha_staff)
    later = make_programme(campaign)

    # when they register in another programme with a new phone and are verified
    registration = need_register(programme=later, data=need(phone="0977 888 999"))
    need_registration_verify(registration=registration, user=bao_ha_staff)

    # then the registry keeps one record with the latest phone, enrolled in both programmes
    beneficiary = Beneficiary.objects.get()
    assert beneficiary.phone == "0977888999"
    assert beneficiary.enrollments.count() == 2
    assert beneficiary.history.count() == 2  # created, then updated from the new registration


def test_marking_a_duplicate_points_at_the_registration_that_stands(registered, bao_ha_staff):
    first, second = registered(), registered(citizen_id=CCCD_BINH)
    with pytest.raises(ValidationError) as caught:
        need_registration_mark_duplicate(registration=second, duplicate_of=second, user=bao_ha_staff)
    assert caught.value.message_dict == {"duplicate_of": ["Choose another registration of the same programme."]}

    second = need_registration_mark_duplicate(registration=second, duplicate_of=first, user=bao_ha_staff)

    assert (second.status, second.duplicate_of, second.reason) == ("duplicate", first, f"Duplicate of registration {first.code}.")


# --- scope -------------------------------------------------------------------------------------


@pytest.mark.parametrize("decide", [
    lambda r, u: need_registration_verify(registration=r, user=u),
    lambda r, u: need_registration_reject(registration=r, user=u, reason="Không đủ điều kiện"),
])
def test_a_ward_officer_cannot_decide_another_wards_case(registered, sa_pa_staff, decide):
    registration = registered()  # Xã Bảo Hà; the officer works for Phường Sa Pa
    with pytest.raises(ValidationError) as caught:
        decide(registration, sa_pa_staff)
    assert caught.value.message_dict == {"ward": ["You can only act for your own commune or ward."]}
    registration.refresh_from_db()
    assert registration.status == "received"


def test_provincial_staff_decide_for_every_ward_of_their_province(registered, lao_cai_staff, thai_nguyen_staff):
    registration = registered()
    with pytest.raises(ValidationError) as caught:
        need_registration_verify(registration=registration, user=thai_nguyen_staff)
    assert caught.value.message_dict == {"ward": ["You can only act for the communes and wards of your province."]}

    assert need_registration_verify(registration=registration, user=lao_cai_staff).status == "verified"


@pytest.mark.parametrize(("who", "message"), [("auditor", "Auditors can only read."), ("hotline", "Your role does not allow this.")])
def test_auditors_and_hotline_operators_do_not_decide(request, registered, who, message):
    user = request.getfixturevalue(who)
    with pytest.raises(ValidationError) as caught:
        need_registration_verify(registration=registered(), user=user)
    assert caught.value.messages == [message]
    assert NeedRegistration.objects.get().status == "received"


def test_the_registry_refuses_a_second_record_of_the_same_id(registered, bao_ha_staff):
    from django.db import IntegrityError, transaction

    need_registration_verify(registration=registered(), user=bao_ha_staff)
    existing = Beneficiary.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Beneficiary.objects.create(id_hash=existing.id_hash, id_masked=existing.id_masked, birth_year=1999,
                                   full_name="Bản sao", ward=ward("02989"), created_by=bao_ha_staff)


def test_staff_accounts_of_a_ward_and_of_the_hotline_are_created_by_command(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_assistance_staff", username="baoha2", password="Cuutro-Phuong-2024", role="ward", ward="02989",
                 stdout=out)
    assert out.getvalue().strip() == "Created baoha2: ward staff, Xã Bảo Hà."
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="baoha2")
    assert [g.name for g in user.groups.all()] == ["Ward staff"]
    assert (user.membership.role, user.membership.committee.province.code) == ("provincial", "15")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Give the 5-digit code of a commune or ward of the 2025 map."):
        call_command("create_assistance_staff", username="x", password="Cuutro-Phuong-2024", role="ward", ward="99999")


def test_the_demo_data_shows_every_step_and_loads_once(campaign, central, funded):
    from io import StringIO

    from django.core.management import call_command

    funded(2_000_000)  # Lào Cai can serve two people
    out = StringIO()
    call_command("seed_assistance_demo", stdout=out)
    assert "in Lào Cai: {'received': 4, 'verified': 1, 'rejected': 1, 'duplicate': 0, 'served': 2}" in out.getvalue()
    call_command("seed_assistance_demo", stdout=out)
    assert out.getvalue().strip().endswith("Assistance demo data already loaded.")
    assert NeedRegistration.objects.count() == 8
