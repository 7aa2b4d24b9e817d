"""`manage.py create_staff`: a login in the committee and group of its role."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from allocations.models import StaffMembership

User = get_user_model()


def create_staff(**options) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("create_staff", stdout=out, **options)
    return out.getvalue().strip()


@pytest.mark.parametrize(
    ("role", "province", "group", "committee"),
    [
        ("central", "", "Central staff", "Ủy ban Trung ương MTTQ Việt Nam"),
        ("provincial", "15", "Provincial staff", "Ủy ban MTTQ Việt Nam tỉnh Lào Cai"),
        ("auditor", "", "Auditors", "Ủy ban Trung ương MTTQ Việt Nam"),
    ],
)
def test_each_role_gets_its_committee_and_group(db, role, province, group, committee):
    # when a staff account of the role is created
    output = create_staff(username=f"nv-{role}", password="Cuutro-NhanVien-2024", role=role, province=province)

    # then it is a staff login (not a superuser) with the right password, in its group and committee
    user = User.objects.get(username=f"nv-{role}")
    assert (user.is_staff, user.is_superuser, user.is_active) == (True, False, True)
    assert user.check_password("Cuutro-NhanVien-2024")
    assert list(user.groups.values_list("name", flat=True)) == [group]
    membership = StaffMembership.objects.select_related("committee__province").get(user=user)
    assert (membership.role, membership.committee.name) == (role, committee)
    role_label = {"central": "Central staff", "provincial": "Provincial staff", "auditor": "Auditor"}[role]
    assert output == f"Created nv-{role}: {role_label}, {committee}."


def test_provincial_staff_belong_to_lao_cai_of_the_2025_map(db):
    create_staff(username="laocai", password="Cuutro-LaoCai-2024", role="provincial", province="15")

    membership = StaffMembership.objects.select_related("committee__province").get(user__username="laocai")

    assert (membership.committee.level, membership.committee.province.name, membership.committee.province.set) == (
        "provincial", "Lào Cai", "2025")
    assert membership.user.groups.get().name == "Provincial staff"
    assert membership.user.has_perm("donations.add_receipt")
    assert membership.user.has_perm("allocations.add_distributionreport")
    assert not membership.user.has_perm("allocations.add_allocation")
    assert not membership.user.has_perm("allocations.delete_allocation")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"role": "provincial", "province": "99"}, "Give the code of a province of the 2025 map."),
        ({"role": "provincial", "province": ""}, "Give the code of a province of the 2025 map."),
        ({"role": "central", "province": "15"}, "Only provincial staff belong to a province."),
    ],
    ids=["unknown-code", "no-code", "central-with-province"],
)
def test_a_bad_province_is_refused(db, options, message):
    with pytest.raises(CommandError) as refused:
        create_staff(username="nv-moi", password="Cuutro-NhanVien-2024", **options)

    assert str(refused.value) == message
    assert not User.objects.filter(username="nv-moi").exists()


def test_a_taken_username_is_refused(db):
    create_staff(username="laocai", password="Cuutro-LaoCai-2024", role="provincial", province="15")

    with pytest.raises(CommandError) as refused:
        create_staff(username="laocai", password="Cuutro-Khac-2024", role="auditor")

    assert str(refused.value) == "This username is taken."
    assert User.objects.get(username="laocai").membership.role == "provincial"


def test_a_weak_password_is_refused(db):
    with pytest.raises(CommandError) as refused:
        create_staff(username="nv-moi", password="123", role="auditor")

    assert "This password is too short. It must contain at least 8 characters." in str(refused.value)
    assert not User.objects.filter(username="nv-moi").exists()
