"""Commune lists: duplicates inside the file and against the registry are reported; a rejected file adds nothing."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from assistance.models import Beneficiary, Enrollment, ListImport
from assistance.services import beneficiary_list_import, need_registration_verify
from tests.assistance.conftest import (
    CCCD_AN,
    CCCD_BINH,
    CCCD_CUONG,
    make_programme,
    ward,
)

pytestmark = pytest.mark.usefixtures("english")

HEADER = ["STT", "Họ và tên", "Số CCCD", "Số điện thoại", "Địa chỉ", "Số nhân khẩu"]


def xlsx(*rows, header=HEADER) -> BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def run(programme, user, file, ward_code="02989"):
    return beneficiary_list_import(programme=programme, ward=ward(ward_code), file=file, file_name="ds-bao-ha.xlsx", user=user)


def test_a_good_list_adds_new_people_links_known_ones_and_skips_those_in_the_programme(
    programme, campaign, registered, bao_ha_staff
):
    # given An is already in this programme, and Bình in the registry from an earlier programme
    need_registration_verify(registration=registered(), user=bao_ha_staff)
    earlier = make_programme(campaign)
    from assistance.services import need_register
    from tests.assistance.conftest import need
    need_registration_verify(registration=need_register(programme=earlier, data=need(citizen_id=CCCD_BINH,
                             full_name="Lò Thị Bình")), user=bao_ha_staff)

    # when the commune's list names An, Bình and Cường
    result = run(programme, bao_ha_staff, xlsx(
        [1, "Nguyễn Văn An", CCCD_AN, "0912345678", "Thôn Bảo Vinh", 4],
        [2, "Lò Thị Bình", int(CCCD_BINH), "987654321", "Thôn Bảo Ân", 3],
        [3, "Hoàng Văn Cường", CCCD_CUONG, None, "", None],
    ))

    # then Cường is new, Bình is linked to her record, An is reported and not added again
    assert not result.rejected
    assert (result.rows, result.added) == (3, 1)
    assert result.linked == [(3, "Lò Thị Bình", "0101****4567")]
    assert result.skipped == [(2, "Nguyễn Văn An", "0010****1234")]
    assert Beneficiary.objects.count() == 3
    assert Enrollment.objects.filter(programme=programme).count() == 3
    cuong = Beneficiary.objects.get(full_name="Hoàng Văn Cường")
    assert (cuong.id_masked, cuong.birth_year, cuong.household_size, cuong.ward.code) == ("0192****7890", 2003, 1, "02989")
    bình = Beneficiary.objects.get(full_name="Lò Thị Bình")
    assert Enrollment.objects.get(programme=programme, beneficiary=bình).source == "list"
    record = ListImport.objects.get()
    assert (record.rows, record.added, record.linked, record.skipped) == (3, 1, 1, 1)
    # and the IDs were never stored as typed
    assert CCCD_CUONG not in repr(list(Beneficiary.objects.values())) + repr(list(Beneficiary.history.values()))


def test_duplicates_inside_the_file_reject_it_whole(programme, bao_ha_staff):
    result = run(programme, bao_ha_staff, xlsx(
        [1, "Nguyễn Văn An", CCCD_AN, "", "", 1],
        [2, "Hoàng Văn Cường", CCCD_CUONG, "", "", 1],
        [3, "Nguyễn Văn An", "001 099 001 234", "", "", 1],
    ))
    assert result.rejected
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (4, "citizen_id", "The same citizen ID as row 2.")]
    assert not Beneficiary.objects.exists() and not Enrollment.objects.exists() and not ListImport.objects.exists()


def test_every_bad_row_is_reported_with_its_column_and_nothing_is_added(programme, bao_ha_staff):
    result = run(programme, bao_ha_staff, xlsx(
        [1, "", CCCD_AN, "", "", 1],
        [2, "Hoàng Văn Cường", "12345", "0123", "", 99],
        [3, "Lò Thị Bình", CCCD_BINH, "", "", 2],
    ))
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (2, "full_name", "The name is missing."),
        (3, "citizen_id", "A citizen ID (CCCD) has exactly 12 digits."),
        (3, "phone", "Enter a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 or 09."),
        (3, "household_size", "A household has 1 to 50 people."),
    ]
    assert not Beneficiary.objects.exists()


@pytest.mark.parametrize(("file", "message"), [
    (BytesIO(b"not a spreadsheet"), "This is not an XLSX file (Excel 2007 or later)."),
    (xlsx(header=["Tên", "Ghi chú"]), "No column “ho va ten” in the first row."),
    (xlsx(), "The list has no rows."),
])
def test_a_file_that_is_not_a_list_says_why(programme, bao_ha_staff, file, message):
    result = run(programme, bao_ha_staff, file)
    assert result.problems[0].message == message
    assert not ListImport.objects.exists()


def test_a_ward_officer_imports_only_for_their_ward(programme, sa_pa_staff):
    with pytest.raises(ValidationError) as caught:
        run(programme, sa_pa_staff, xlsx([1, "Nguyễn Văn An", CCCD_AN, "", "", 1]))
    assert caught.value.message_dict == {"ward": ["You can only act for your own commune or ward."]}


def test_the_admin_imports_a_list_and_shows_what_it_did(staff_client, bao_ha_staff, programme):
    client = staff_client(bao_ha_staff)
    assert client.get("/admin/assistance/listimport/add/").status_code == 200
    file = xlsx([1, "Nguyễn Văn An", CCCD_AN, "", "", 1], [2, "Nguyễn Văn An", CCCD_AN, "", "", 1])
    file.name = "ds.xlsx"
    page = client.post("/admin/assistance/listimport/add/", {"programme": programme.pk, "ward": "02989", "file": file})
    content = page.content.decode()
    assert "The list was rejected: nothing was added." in content
    assert "The same citizen ID as row 2." in content
    assert CCCD_AN not in content


def test_a_good_list_uploaded_in_the_admin_is_added_by_a_task(staff_client, bao_ha_staff, programme, registered,
                                                               django_capture_on_commit_callbacks):
    from assistance.services import beneficiary_list_import_run

    need_registration_verify(registration=registered(), user=bao_ha_staff)  # An is already in the programme
    client = staff_client(bao_ha_staff)
    file = xlsx([1, "Nguyễn Văn An", CCCD_AN, "", "", 1], [2, "Hoàng Văn Cường", CCCD_CUONG, "0356111222", "", 2])
    file.name = "ds.xlsx"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/assistance/listimport/add/", {"programme": programme.pk, "ward": "02989",
                                                                     "file": file})

    # then the list was checked, queued and (tasks run eagerly here) added once the request committed
    record = ListImport.objects.get()
    assert response["Location"] == f"/admin/assistance/listimport/{record.pk}/change/"
    assert (record.status, record.rows, record.added, record.linked, record.skipped) == ("done", 2, 1, 0, 1)
    assert record.pending_rows is None  # the checked rows are dropped once added
    assert record.known_rows == [[2, "Nguyễn Văn An", "0010****1234", True]]
    page = client.get(response["Location"]).content.decode()
    assert "Already in the programme (not added again): 1" in page and "0010****1234" in page
    assert CCCD_AN not in page and CCCD_CUONG not in page
    # and running the task again changes nothing
    assert beneficiary_list_import_run(list_import_id=record.pk).status == "done"
    assert Enrollment.objects.filter(programme=programme).count() == 2
