"""The two provincial maps loaded by the data migration: 63 units until 30 June 2025, 34 from 1 July."""

import datetime

import pytest

from campaigns.models import Province, ProvinceSet


def test_both_maps_are_loaded(db):
    assert Province.objects.filter(set=ProvinceSet.Y2008).count() == 63
    assert Province.objects.filter(set=ProvinceSet.Y2025).count() == 34
    assert Province.objects.count() == 97


def test_every_2008_unit_has_a_successor_on_the_2025_map(db):
    old = Province.objects.filter(set="2008").select_related("successor")
    assert all(p.successor is not None and p.successor.set == "2025" for p in old)
    # and every current unit is the successor of at least one old unit
    assert Province.objects.filter(set="2025", predecessors__isnull=True).count() == 0


def test_current_units_have_no_successor_and_are_their_own_current(db):
    current = Province.objects.filter(set="2025")
    assert not current.filter(successor__isnull=False).exists()
    hanoi = current.get(code="01")
    assert hanoi.current == hanoi


@pytest.mark.parametrize(
    ("old_code", "old_name", "new_code", "new_name"),
    [
        ("02", "Hà Giang", "08", "Tuyên Quang"),
        ("93", "Hậu Giang", "92", "Cần Thơ"),
        ("15", "Yên Bái", "15", "Lào Cai"),
        ("06", "Bắc Kạn", "19", "Thái Nguyên"),
        ("04", "Cao Bằng", "04", "Cao Bằng"),
        ("01", "Hà Nội", "01", "Hà Nội"),
    ],
)
def test_successors(db, old_code, old_name, new_code, new_name):
    old = Province.objects.get(set="2008", code=old_code)
    assert old.name == old_name
    assert (old.successor.code, old.successor.name) == (new_code, new_name)
    assert old.current == old.successor


def test_merged_units_roll_up(db):
    # Tuyên Quang (2025) took over Hà Giang and the old Tuyên Quang
    tuyen_quang = Province.objects.get(set="2025", code="08")
    assert {p.name for p in tuyen_quang.predecessors.all()} == {"Hà Giang", "Tuyên Quang"}


def test_validity_dates(db):
    assert set(Province.objects.filter(set="2008").values_list("valid_to", flat=True)) == {datetime.date(2025, 6, 30)}
    assert set(Province.objects.filter(set="2025").values_list("valid_from", flat=True)) == {datetime.date(2025, 7, 1)}


def test_province_names(db):
    assert str(Province.objects.get(set="2008", code="15")) == "Yên Bái (2008)"
    assert str(Province.objects.get(set="2025", code="15")) == "Lào Cai"
    assert Province.objects.filter(set="2025", kind="city").count() == 6
