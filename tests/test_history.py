"""Every change staff make to data is kept — who, when, before, after — and the history page says it in
the reader's language: field labels, choice labels, names of related rows, whole values."""

import datetime
import html
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from allocations.models import CampaignCommittee, Committee, StaffMembership
from campaigns.models import Bank, Campaign, ItemCategory
from donations.models import Donor, Pledge
from donations.services import DonorData, PledgeData, donor_update, pledge_create
from tests.factories import CampaignFactory, category, province
from tests.donations.test_forms_and_pages import form_data
from tests.test_admin_side_doors import management
from tests.test_api import cash_body

LONG_ADDRESS = (
    "Số 12, ngõ 34, đường Nguyễn Thị Minh Khai, tổ dân phố số 7, phường Bến Nghé, quận 1 cũ, "
    "nay là phường Sài Gòn, Thành phố Hồ Chí Minh (gần chợ, hỏi nhà cô Ba bán bánh mì)"
)


def vietnamese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    return client


def changes_cell(page: str) -> str:
    """The "changes" cell of the newest version (the first row of the history table), tags removed."""
    row = re.search(r'<table id="change-history">.*?<tbody>\s*<tr>(.*?)</tr>', page, re.S).group(1)
    cell = re.findall(r"<td>(.*?)</td>", row, re.S)[3]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())


@pytest.fixture
def donor(open_campaign):
    pledge = pledge_create(
        campaign=open_campaign,
        donor=DonorData(kind="individual", full_name="Lê Văn Cường", phone="0912345678", address="Hà Đông",
                        province=province("01")),
        pledge=PledgeData(kind="cash", amount=200_000),
    )
    return pledge.donor


def test_a_donors_new_phone_is_in_the_history_page_in_vietnamese(donor, central, staff_client):
    # given a donor who pledged with 0912 345 678
    # when central staff correct the phone, the address (longer than 100 characters), the province
    # and how the name is shown, through the service
    donor.phone = "+84 98 765 43 21"
    donor.address = LONG_ADDRESS
    donor.province = province("15")
    donor.public_display = "full"
    donor_update(donor=donor, changed_by=central)

    # then the history page, in Vietnamese (the default), names the fields by their labels, the
    # province and the display choice by name, and shows every value in full
    page = vietnamese(staff_client(central)).get(reverse("admin:donations_donor_history", args=[donor.pk]))
    cell = changes_cell(page.content.decode())
    assert "Số điện thoại di động: 0912345678 → 0987654321" in cell
    assert f"Địa chỉ: Hà Đông → {LONG_ADDRESS}" in cell
    assert "Tỉnh/thành phố: Hà Nội → Lào Cai" in cell
    assert "Hiển thị công khai tên tôi dưới dạng: Tên viết tắt (Nguyễn V. A.) → Họ và tên" in cell
    assert "chars]" not in cell
    # and who changed it
    newest = donor.history.order_by("-history_id").first()
    assert (newest.history_user, newest.history_type, newest.phone) == (central, "~", "0987654321")


def test_staff_correct_a_donor_in_the_admin_checked_like_the_donors_own_entry(donor, central, staff_client):
    client = staff_client(central)
    url = reverse("admin:donations_donor_change", args=[donor.pk])
    data = {"kind": "individual", "full_name": "Lê Văn Cường", "organization_name": "", "tax_code": "",
            "phone": "098 765 4321", "email": "", "address": "Hà Đông", "province": province("01").pk,
            "public_display": "masked"}

    refused = client.post(url, {**data, "phone": "12345"})
    saved = client.post(url, data)

    assert refused.status_code == 200
    assert "Enter a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 or 09." in refused.content.decode()
    assert saved.status_code == 302
    donor.refresh_from_db()
    assert donor.phone == "0987654321"
    assert list(donor.history.order_by("history_id").values_list("history_user__username", "phone")) == [
        (None, "0912345678"), ("trunguong", "0987654321"),
    ]


def test_a_provinces_successor_link_is_in_its_history_from_before_history_started(central, staff_client):
    # given Yên Bái of the 2008 map, linked to Lào Cai by the data migration (its state recorded then)
    yen_bai = province("15", set="2008")
    assert yen_bai.history.get().successor == province("15")
    client = staff_client(central)
    url = reverse("admin:campaigns_province_change", args=[yen_bai.pk])

    # when central staff relink it to Tuyên Quang
    response = client.post(url, {"name": "Yên Bái", "kind": "province", "valid_from": "", "valid_to": "2025-06-30",
                                 "successor": province("08").pk})

    # then the history shows both links by name, and who changed it
    assert response.status_code == 302
    page = vietnamese(client).get(reverse("admin:campaigns_province_history", args=[yen_bai.pk])).content.decode()
    assert "Đơn vị kế thừa: Lào Cai → Tuyên Quang" in changes_cell(page)
    assert yen_bai.history.order_by("-history_id").first().history_user == central


def test_a_current_unit_gets_no_successor(central, staff_client):
    lao_cai = province("15")
    response = staff_client(central).post(
        reverse("admin:campaigns_province_change", args=[lao_cai.pk]),
        {"name": "Lào Cai", "kind": "province", "valid_from": "2025-07-01", "valid_to": "", "successor": lao_cai.pk},
    )

    assert response.status_code == 200
    assert "Only a unit of the 63-unit map has a successor." in response.content.decode()
    lao_cai.refresh_from_db()
    assert lao_cai.successor is None


# --- reference data: each change names who made it ---------------------------------------------


def central_committee():
    return Committee.objects.get(level="central")


# (a row of reference data, the admin POST that changes it, the change expected in its history)
EDITS = [
    pytest.param(
        lambda c: Bank.objects.get(bin="970436"),
        lambda row, c: {"short_name": row.short_name, "name": "Ngân hàng TMCP Ngoại thương Việt Nam (VCB)",
                        "bin": row.bin},
        lambda c: {"name": "Ngân hàng TMCP Ngoại thương Việt Nam (VCB)"}, id="bank"),
    pytest.param(
        lambda c: category("rice"),
        lambda row, c: {"slug": row.slug, "name_vi": "Gạo tẻ", "name_en": row.name_en, "unit": row.unit,
                        "position": row.position},
        lambda c: {"name_vi": "Gạo tẻ"}, id="itemcategory"),
    pytest.param(
        lambda c: c.accounts.get(),
        lambda row, c: {"campaign": c.pk, "bank": row.bank_id, "account_number": row.account_number,
                        "account_holder": row.account_holder, "branch": "Chi nhánh Hà Nội", "is_primary": "on"},
        lambda c: {"branch": "Chi nhánh Hà Nội"}, id="receivingaccount"),
    pytest.param(
        lambda c: c.dropoff_points.get(province__code="01"),
        lambda row, c: {"campaign": c.pk, "name": row.name, "province": row.province_id, "address": row.address,
                        "phone": row.phone, "opening_hours": "7:00–21:00 hằng ngày",
                        "categories": list(row.categories.values_list("pk", flat=True))},
        lambda c: {"opening_hours": "7:00–21:00 hằng ngày"}, id="dropoffpoint"),
    pytest.param(
        lambda c: central_committee(),
        lambda row, c: {"name": "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam"},
        lambda c: {"name": "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam"}, id="committee"),
    pytest.param(
        lambda c: CampaignCommittee.objects.create(campaign=c, committee=central_committee()),
        lambda row, c: {"campaign": c.pk, "committee": Committee.objects.get(province__code="15").pk},
        lambda c: {"committee": Committee.objects.get(province__code="15").pk}, id="campaigncommittee"),
]


@pytest.mark.parametrize(("row_of", "data_of", "expected_of"), EDITS)
def test_reference_data_changes_keep_who_and_what(open_campaign, central, staff_client, row_of, data_of, expected_of):
    # given a row of reference data
    row = row_of(open_campaign)
    opts = row._meta
    client = staff_client(central)

    # when central staff change it in the admin
    response = client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]), data_of(row, open_campaign)
    )

    # then its newest history record names them and holds exactly that change
    assert response.status_code == 302
    newest, previous = row.history.order_by("-history_id")[:2]
    assert (newest.history_user, newest.history_type) == (central, "~")
    assert {change.field: change.new for change in newest.diff_against(previous).changes} == expected_of(open_campaign)
    page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[row.pk]))
    assert page.status_code == 200 and "<td>trunguong</td>" in page.content.decode()


def test_a_drop_off_points_accepted_categories_are_in_its_history(open_campaign, central, staff_client):
    point = open_campaign.dropoff_points.get(province__code="01")
    client = staff_client(central)
    data = {"campaign": open_campaign.pk, "name": point.name, "province": point.province_id, "address": point.address,
            "phone": point.phone, "opening_hours": point.opening_hours,
            "categories": [category("rice").pk, category("drinking-water").pk]}

    client.post(reverse("admin:campaigns_dropoffpoint_change", args=[point.pk]), data)

    page = vietnamese(client).get(reverse("admin:campaigns_dropoffpoint_history", args=[point.pk])).content.decode()
    everything = ", ".join(c.name_vi for c in ItemCategory.objects.order_by("pk"))
    assert changes_cell(page) == f"Danh mục tiếp nhận: {everything} → Gạo, Nước uống đóng chai"


def test_a_new_staff_account_is_in_the_memberships_history(central, staff_client):
    client = staff_client(central)

    client.post(reverse("admin:allocations_staffmembership_add"),
                {"username": "tuyenquang", "password": "Cuutro-TuyenQuang-2024", "role": "provincial", "province": province("08").pk})

    membership = StaffMembership.objects.get(user__username="tuyenquang")
    record = membership.history.get()
    assert (record.history_type, record.history_user, record.role) == ("+", central, "provincial")


# --- campaigns: who renamed it, and a transfer code that cannot change -------------------------


def campaign_form(campaign, **changes) -> dict:
    data = {
        "slug": campaign.slug, "name": campaign.name, "summary": campaign.summary, "description": campaign.description,
        "status": campaign.status, "starts_on": campaign.starts_on.isoformat(), "ends_on": "",
        "target_amount": campaign.target_amount, "code": campaign.code, "province_set": campaign.province_set,
        **management("accounts", 0, 0), **management("dropoff_points", 0, 0),
    }
    return {**data, **changes}


def creation_row(obj) -> dict:
    """What the history holds of an object's creation: its tracked fields, how, by whom, why."""
    row = obj.history.get()
    tracked = {field.attname: getattr(row, field.attname) for field in type(obj).history.model.tracked_fields}
    return {**tracked, "how": (row.history_type, row.history_user, row.history_change_reason)}


def test_a_new_pledge_and_its_donor_each_have_their_creation_in_their_history(
    open_campaign, central, client, staff_client
):
    # when a donor pledges through the API, and a staff member signed in pledges through the donate form
    response = client.post("/api/v1/pledges/", json.dumps(cash_body(open_campaign)), content_type="application/json")
    by_api = Pledge.objects.get(reference=response.json()["reference"])
    response = staff_client(central).post(f"/campaigns/{open_campaign.slug}/donate/", form_data())
    by_form = Pledge.objects.get(reference=response["Location"].rstrip("/").rsplit("/", 1)[1])

    # then each pledge and each donor has one history row, of its creation, holding every tracked field
    # as saved, by nobody for the donor and by the signed-in user for the form, without a reason
    for pledge, user in ((by_api, None), (by_form, central)):
        for obj in (Pledge.objects.get(pk=pledge.pk), Donor.objects.get(pk=pledge.donor_id)):
            expected = {field.attname: getattr(obj, field.attname) for field in type(obj).history.model.tracked_fields}
            assert creation_row(obj) == {**expected, "how": ("+", user, None)}


def test_a_campaigns_code_cannot_change_once_a_pledge_carries_it(open_campaign, central, staff_client):
    # given a campaign a donor pledged to: the transfer content "<CODE> <REFERENCE>" carries its code
    pledge = pledge_create(campaign=open_campaign, donor=DonorData(kind="individual", full_name="An", phone="0912345678"),
                           pledge=PledgeData(kind="cash", amount=100_000))
    old_code = open_campaign.code
    client = staff_client(central)

    # when central staff change the code in the admin
    response = client.post(reverse("admin:campaigns_campaign_change", args=[open_campaign.pk]),
                           campaign_form(open_campaign, code="MOI25"))

    # then the form says why, and the code, the pledge's transfer content and the history are unchanged
    assert response.status_code == 200
    assert (f"The transfer code {old_code} cannot change: pledges or receipts of this campaign already carry it."
            in response.content.decode())
    open_campaign.refresh_from_db()
    assert open_campaign.code == old_code
    assert pledge.transfer_content.startswith(f"{old_code} ")
    assert open_campaign.history.count() == 1


def test_a_campaign_without_pledges_or_receipts_may_change_its_code(central, staff_client):
    campaign = CampaignFactory(status=Campaign.Status.DRAFT, starts_on=datetime.date(2025, 11, 1))
    client = staff_client(central)

    response = client.post(reverse("admin:campaigns_campaign_change", args=[campaign.pk]),
                           campaign_form(campaign, code="MOI25"))

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.code == "MOI25"
    newest = campaign.history.order_by("-history_id").first()
    assert (newest.history_user, newest.code) == (central, "MOI25")


def test_donors_are_neither_added_nor_deleted_in_the_admin(donor, central, staff_client):
    client = staff_client(central)

    assert client.get(reverse("admin:donations_donor_add")).status_code == 403
    assert client.post(reverse("admin:donations_donor_delete", args=[donor.pk]), {"post": "yes"}).status_code == 403
    assert Donor.objects.filter(pk=donor.pk).exists()


def test_every_history_page_and_past_version_opens_for_central_staff(open_campaign, donor, central, staff_client):
    # given one row of every model whose admin keeps a history page
    from allocations.services import distribution_report_record
    from donations.models import StatementColumnMapping
    from tests.allocations.helpers import allocate, give_cash

    give_cash(open_campaign, 1_000_000, by=central)
    allocation = allocate(open_campaign, to="15", amount=1_000_000, by=central)
    report = distribution_report_record(allocation=allocation, distributed_on=datetime.date(2024, 9, 28),
                                        commune="Xã Bảo Hà", households=3, people=9, reported_by=central)
    mapping = StatementColumnMapping.objects.create(account=open_campaign.accounts.get(), date="Ngày",
                                                    description="Nội dung", credit="Có")
    rows = [
        province("15"), Bank.objects.first(), category("rice"), open_campaign, open_campaign.accounts.get(),
        open_campaign.dropoff_points.first(), donor, donor.pledges.get(), mapping, central_committee(),
        CampaignCommittee.objects.create(campaign=open_campaign, committee=central_committee()),
        central.membership, allocation, report,
    ]
    client = staff_client(central)

    for row in rows:
        opts = row._meta
        # when central staff open its history and its first recorded version
        history = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[row.pk]))
        first = row.history.order_by("history_id").first()
        version = client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[row.pk, first.history_id]))

        # then both open, and the version has nothing to save
        assert (opts.model_name, history.status_code, version.status_code) == (opts.model_name, 200, 200)
        assert 'name="_save"' not in version.content.decode()
