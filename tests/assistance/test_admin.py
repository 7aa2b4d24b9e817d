"""The staff side: ward scope by URL and in lists, decisions through their pages, the hotline's form,
the distribution page, the daily report and the signature list."""

import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from assistance.models import Handover, NeedRegistration
from assistance.services import handover_record, need_registration_verify
from tests.assistance.conftest import CCCD_AN, CCCD_BINH, CCCD_CUONG, ward

ADMIN = "/admin/assistance"


def change_url(registration) -> str:
    return f"{ADMIN}/needregistration/{registration.pk}/change/"


@pytest.fixture
def two_wards(registered):
    """A registration in Xã Bảo Hà and one in Phường Sa Pa (both Lào Cai)."""
    return registered(), registered(citizen_id=CCCD_BINH, full_name="Lò Thị Bình", ward=ward("03006"))


# --- scope -------------------------------------------------------------------------------------------


def test_a_ward_officer_lists_only_their_wards_registrations(staff_client, bao_ha_staff, two_wards):
    bao_ha, sa_pa = two_wards
    content = staff_client(bao_ha_staff).get(f"{ADMIN}/needregistration/").content.decode()
    assert bao_ha.code in content
    assert sa_pa.code not in content
    assert "0010****1234" in content  # the ID masked
    assert CCCD_AN not in content


@pytest.mark.parametrize("suffix", ["change/", "history/", "verify/", "reject/", "duplicate/"])
def test_a_ward_officer_cannot_open_another_wards_case_by_url(staff_client, bao_ha_staff, two_wards, suffix):
    _bao_ha, sa_pa = two_wards
    response = staff_client(bao_ha_staff).get(f"{ADMIN}/needregistration/{sa_pa.pk}/{suffix}")
    assert response.status_code == 403


def test_a_ward_officer_cannot_decide_another_wards_case_by_posting(staff_client, bao_ha_staff, two_wards):
    _bao_ha, sa_pa = two_wards
    response = staff_client(bao_ha_staff).post(f"{ADMIN}/needregistration/{sa_pa.pk}/verify/", {"note": ""})
    assert response.status_code == 403
    sa_pa.refresh_from_db()
    assert sa_pa.status == "received"


def test_provincial_staff_list_every_ward_of_their_province(staff_client, lao_cai_staff, thai_nguyen_staff, two_wards):
    bao_ha, sa_pa = two_wards
    content = staff_client(lao_cai_staff).get(f"{ADMIN}/needregistration/").content.decode()
    assert bao_ha.code in content and sa_pa.code in content
    content = staff_client(thai_nguyen_staff).get(f"{ADMIN}/needregistration/").content.decode()
    assert bao_ha.code not in content and sa_pa.code not in content


# --- decisions ----------------------------------------------------------------------------------------


def test_the_ward_verifies_through_its_page_and_sees_the_registry(staff_client, bao_ha_staff, two_wards):
    bao_ha, _sa_pa = two_wards
    client = staff_client(bao_ha_staff)
    page = client.get(change_url(bao_ha)).content.decode()
    assert "Verify" in page and "Reject" in page
    assert "Nothing yet: this person is in no programme of any campaign." in page

    response = client.post(f"{ADMIN}/needregistration/{bao_ha.pk}/verify/", {"note": "Đã xác minh tại nhà"})

    assert response.status_code == 302
    bao_ha.refresh_from_db()
    assert (bao_ha.status, bao_ha.decided_by, bao_ha.reason) == ("verified", bao_ha_staff, "Đã xác minh tại nhà")
    page = client.get(change_url(bao_ha)).content.decode()
    assert "Hỗ trợ hộ bị ảnh hưởng bởi lũ" in page  # now in the registry's history


def test_rejecting_without_a_reason_says_so(staff_client, bao_ha_staff, two_wards):
    bao_ha, _ = two_wards
    response = staff_client(bao_ha_staff).post(f"{ADMIN}/needregistration/{bao_ha.pk}/reject/", {"reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    bao_ha.refresh_from_db()
    assert bao_ha.status == "received"


def test_the_history_shows_who_decided_and_why(staff_client, bao_ha_staff, two_wards):
    bao_ha, _ = two_wards
    client = staff_client(bao_ha_staff)
    client.post(f"{ADMIN}/needregistration/{bao_ha.pk}/reject/", {"reason": "Không thuộc diện hỗ trợ"})
    page = client.get(f"{ADMIN}/needregistration/{bao_ha.pk}/history/").content.decode()
    assert "baoha" in page
    assert "Không thuộc diện hỗ trợ" in page


def test_the_hotline_enters_a_registration_taken_by_phone(staff_client, hotline, programme):
    client = staff_client(hotline)
    assert client.get(f"{ADMIN}/needregistration/add/").status_code == 200
    response = client.post(f"{ADMIN}/needregistration/add/", {
        "programme": programme.pk, "full_name": "Hoàng Văn Cường", "citizen_id": CCCD_CUONG, "phone": "0356111222",
        "province": "19", "ward": "05809", "address": "Xóm Chùa", "household_size": "2", "needs": ["medical"],
    })
    registration = NeedRegistration.objects.get()
    assert response.status_code == 302
    assert (registration.channel, registration.entered_by, registration.ward.code) == ("hotline", hotline, "05809")
    # and the hotline decides nothing
    assert client.get(f"{ADMIN}/needregistration/{registration.pk}/verify/").status_code == 403


# --- distribution -------------------------------------------------------------------------------------


@pytest.fixture
def verified(registered, bao_ha_staff, funded):
    funded(5_000_000)
    return need_registration_verify(registration=registered(), user=bao_ha_staff).enrollment


def test_staff_find_a_person_by_id_and_hand_over(staff_client, bao_ha_staff, verified, bao_ha_point):
    client = staff_client(bao_ha_staff)
    page = client.post(f"{ADMIN}/handover/distribute/", {"point": bao_ha_point.pk, "q": "001 099 001 234", "search": "1"})
    content = page.content.decode()
    assert "Nguyễn Văn An · 0010****1234 · 1999" in content
    assert "1.000.000 ₫" in content  # left to hand over, prefilled

    prefix = f"e{verified.pk}"
    response = client.post(f"{ADMIN}/handover/distribute/", {
        "record": "1", "enrollment": verified.pk, "point": bao_ha_point.pk, f"{prefix}-point": bao_ha_point.pk,
        f"{prefix}-amount": "1.000.000", f"{prefix}-goods_rice": "10",
    })
    assert response.status_code == 302
    assert "enrollment=" in response["Location"] and CCCD_AN not in response["Location"]
    assert sorted(Handover.objects.values_list("kind", "amount")) == [("cash", 1_000_000), ("goods", None)]
    content = client.get(response["Location"]).content.decode()
    assert "Everything this person is entitled to has been handed over." in content


def test_the_distribution_page_refuses_beyond_the_entitlement(staff_client, bao_ha_staff, verified, bao_ha_point):
    client = staff_client(bao_ha_staff)
    prefix = f"e{verified.pk}"
    response = client.post(f"{ADMIN}/handover/distribute/", {
        "record": "1", "enrollment": verified.pk, "point": bao_ha_point.pk, f"{prefix}-point": bao_ha_point.pk,
        f"{prefix}-amount": "2.000.000",
    })
    assert response.status_code == 200
    assert ("This person is entitled to 1.000.000 ₫ and has already received 0 ₫: at most 1.000.000 ₫ more."
            in response.content.decode())
    assert not Handover.objects.exists()


def test_a_phone_finds_the_person_too(staff_client, bao_ha_staff, verified, bao_ha_point):
    content = staff_client(bao_ha_staff).post(
        f"{ADMIN}/handover/distribute/", {"point": bao_ha_point.pk, "q": "0912345678", "search": "1"}).content.decode()
    assert "Nguyễn Văn An" in content


def test_an_unknown_id_finds_nobody(staff_client, bao_ha_staff, verified, bao_ha_point):
    content = staff_client(bao_ha_staff).post(
        f"{ADMIN}/handover/distribute/", {"point": bao_ha_point.pk, "q": CCCD_BINH, "search": "1"}).content.decode()
    assert "Nobody in the registry has this citizen ID or phone number." in content


# --- reports -------------------------------------------------------------------------------------------


def test_the_daily_report_equals_the_handover_records(staff_client, central, bao_ha_staff, programme, bao_ha_point,
                                                       registered, funded):
    # given three registrations: one served in full, one served in part, one rejected; one still waiting
    funded(10_000_000)
    people = [need_registration_verify(registration=registered(citizen_id=cccd), user=bao_ha_staff).enrollment
              for cccd in (CCCD_AN, CCCD_BINH)]
    from assistance.services import need_registration_reject
    need_registration_reject(registration=registered(citizen_id=CCCD_CUONG), user=bao_ha_staff, reason="Không đủ điều kiện")
    from decimal import Decimal

    from ledger.services import ItemLine
    from tests.factories import category
    handover_record(enrollment=people[0], point=bao_ha_point, recorded_by=bao_ha_staff, amount=1_000_000,
                    items=[ItemLine(category=category("rice"), quantity=Decimal("10"))])
    handover_record(enrollment=people[1], point=bao_ha_point, recorded_by=bao_ha_staff, amount=400_000)

    # when central staff download today's report
    client = staff_client(central)
    response = client.get(f"{ADMIN}/handover/report/", {"programme": programme.pk, "format": "xlsx"})

    # then its figures are those of the records
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(min_row=3, values_only=True)]
    header, bao_ha, province_total, total = rows[0], rows[1], rows[2], rows[3]
    assert header[:11] == ["Province", "Commune or ward", "Ward code", "Registered", "Registered that day",
                           "Rejected or duplicate", "Verified", "Served", "Omissions", "Cash handed over (đồng)",
                           "Cash handed over that day (đồng)"]
    assert header[11] == "Rice (kg)"
    assert bao_ha == ["Lào Cai", "Xã Bảo Hà", "02989", 3, 3, 1, 2, 1, 0, 1_400_000, 1_400_000, 10]
    assert total[3:] == bao_ha[3:] and province_total[3:] == bao_ha[3:]
    cash = sum(Handover.objects.values_list("amount", flat=True).exclude(amount=None))
    assert bao_ha[9] == cash
    assert response["Content-Disposition"].startswith('attachment; filename="bao-cao-ngay-')
    # and no phone or ID is in the export
    text = repr(rows)
    assert "0912345678" not in text and "0010****1234" not in text

    # and the page shows the same figures
    page = client.get(f"{ADMIN}/handover/report/", {"programme": programme.pk}).content.decode()
    assert "1.400.000 ₫" in page


def test_the_report_and_the_signature_list_of_an_earlier_day(staff_client, central, programme, verified, bao_ha_point):
    handover_record(enrollment=verified, point=bao_ha_point, recorded_by=central, amount=1_000_000)
    yesterday = (verified.enrolled_at.astimezone() - datetime.timedelta(days=1)).date()
    client = staff_client(central)
    page = client.get(f"{ADMIN}/handover/report/", {"programme": programme.pk, "day": yesterday.isoformat()})
    assert page.context["day"] == yesterday
    assert page.context["report"].total.figures["cash"] == 0  # nothing was handed over before today
    sheet = client.get(f"{ADMIN}/distributionpoint/{bao_ha_point.pk}/signatures/", {"day": yesterday.isoformat()})
    assert sheet.context["day"] == yesterday and sheet.context["handed"] == []


def test_omissions_are_people_verified_long_ago_and_not_served(central, programme, registered, bao_ha_staff):
    from assistance.reports import daily_report_get

    enrollment = need_registration_verify(registration=registered(), user=bao_ha_staff).enrollment
    today = enrollment.enrolled_at.astimezone().date()
    report = daily_report_get(programme=programme, day=today, user=central)
    assert report.total.figures["omissions"] == 0
    later = daily_report_get(programme=programme, day=today + datetime.timedelta(days=programme.omission_days), user=central)
    assert later.total.figures["omissions"] == 1


def test_the_signature_list_of_a_point_and_day(staff_client, bao_ha_staff, verified, bao_ha_point, registered):
    waiting = need_registration_verify(registration=registered(citizen_id=CCCD_BINH, full_name="Đặng Thị Bình"),
                                       user=bao_ha_staff).enrollment
    from decimal import Decimal

    from ledger.services import ItemLine
    from tests.factories import category
    handover_record(enrollment=verified, point=bao_ha_point, recorded_by=bao_ha_staff, amount=1_000_000,
                    items=[ItemLine(category=category("rice"), quantity=Decimal("10"))])
    page = staff_client(bao_ha_staff).get(f"{ADMIN}/distributionpoint/{bao_ha_point.pk}/signatures/").content.decode()
    handed, still = page.split("Still to receive")
    assert "Nguyễn Văn An" in handed and "1.000.000 ₫" in handed and "10 kg Rice" in handed
    assert "Đặng Thị Bình" in still and waiting.beneficiary.id_masked in still
    assert "1.000.000 ₫" in still and "10 kg Rice" in still  # what she is still owed
    assert CCCD_AN not in page and "0912345678" not in page


def test_a_ward_officer_cannot_open_another_wards_point(staff_client, sa_pa_staff, bao_ha_point):
    response = staff_client(sa_pa_staff).get(f"{ADMIN}/distributionpoint/{bao_ha_point.pk}/signatures/")
    assert response.status_code == 403


def test_handover_pages_answer_staff_of_every_role(staff_client, central, auditor, lao_cai_staff, verified, bao_ha_point):
    for user in (central, lao_cai_staff):
        assert staff_client(user).get(f"{ADMIN}/handover/distribute/").status_code == 200
    assert staff_client(auditor).get(f"{ADMIN}/handover/distribute/").status_code == 403
    assert staff_client(auditor).get(f"{ADMIN}/handover/report/").status_code == 200
    for url in ("needregistration", "beneficiary", "handover", "listimport", "supportprogramme", "distributionpoint", "ward"):
        assert staff_client(central).get(f"{ADMIN}/{url}/").status_code == 200, url
