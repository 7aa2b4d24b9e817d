"""Who may do what, by direct URL and in the services: central staff, Lào Cai staff, auditors, on an
allocation of their own province (Lào Cai) and of another (Thái Nguyên); and the receipts provincial
staff record at their own points."""

import re
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from allocations.models import Allocation, DistributionReport
from allocations.services import distribution_report_record
from donations.models import Receipt
from donations.services import receipt_record, receipt_reverse
from tests.allocations.helpers import allocate, allocation_form, give_cash, report_form
from tests.factories import CampaignFactory, DropOffPointFactory, province

CHOICE_REFUSED = "Select a valid choice. That choice is not one of the available choices."


@dataclass
class World:
    campaign: object
    own: Allocation  # Lào Cai (2025)
    other: Allocation  # Thái Nguyên (2025)
    yen_bai: Allocation  # Yên Bái (2008), rolls up to Lào Cai
    own_report: DistributionReport
    other_report: DistributionReport
    users: dict


@pytest.fixture
def world(campaign, central, lao_cai_staff, auditor):
    give_cash(campaign, 100_000_000, by=central)
    own = allocate(campaign, to="15", amount=10_000_000, by=central, number="LC-01/QĐ")
    other = allocate(campaign, to="19", amount=10_000_000, by=central, number="TN-01/QĐ")
    yen_bai = allocate(campaign, to=province("15", set="2008"), amount=5_000_000, by=central, number="YB-2008/QĐ")

    def report(allocation, commune):
        return distribution_report_record(
            allocation=allocation, distributed_on=own.decision_date, commune=commune, households=5, people=20,
            reported_by=central,
        )

    return World(
        campaign=campaign, own=own, other=other, yen_bai=yen_bai,
        own_report=report(own, "Xã Bảo Hà"), other_report=report(other, "Xã Thần Sa"),
        users={"central": central, "provincial": lao_cai_staff, "auditor": auditor},
    )


def url(name: str, *args) -> str:
    return reverse(f"admin:allocations_{name}", args=args)


# --- the matrix --------------------------------------------------------------------------------
# action: {role: (status on Lào Cai's allocation, status on Thái Nguyên's)}

EXPECTED = {
    "list": {"central": (200, 200), "provincial": (200, 200), "auditor": (200, 200)},
    "change page": {"central": (200, 200), "provincial": (200, 403), "auditor": (200, 200)},
    # allocating the central pool, disbursing and reversing are central staff's decisions
    "add": {"central": (302, 302), "provincial": (403, 403), "auditor": (403, 403)},
    "mark disbursed": {"central": (302, 302), "provincial": (403, 403), "auditor": (403, 403)},
    "reverse": {"central": (302, 302), "provincial": (403, 403), "auditor": (403, 403)},
    "add report": {"central": (302, 302), "provincial": (302, 200), "auditor": (403, 403)},
    "history page": {"central": (200, 200), "provincial": (200, 403), "auditor": (200, 200)},
}
CASES = [
    pytest.param(role, action, where, codes[index], id=f"{role}-{action.replace(' ', '_')}-{where}")
    for action, by_role in EXPECTED.items()
    for role, codes in by_role.items()
    for index, where in enumerate(("own", "other"))
]


def act(client, world: World, action: str, target: Allocation):
    if action == "list":
        return client.get(url("allocation_changelist"))
    if action == "change page":
        return client.get(url("allocation_change", target.pk))
    if action == "add":
        return client.post(url("allocation_add"), allocation_form(
            campaign=world.campaign, province=target.province, number=f"ADD {target.decision_number}"))
    if action == "mark disbursed":
        return client.post(url("allocation_disburse", target.pk), {"disbursed_on": "2024-09-25"})
    if action == "reverse":
        return client.post(url("allocation_reverse", target.pk), {"reason": "Quyết định bị thay thế"})
    if action == "add report":
        return client.post(url("distributionreport_add"), report_form(allocation=target, commune="Xã Mới"))
    if action == "history page":
        return client.get(url("allocation_history", target.pk))
    raise AssertionError(action)


@pytest.mark.parametrize(("role", "action", "where", "expected"), CASES)
def test_permission_matrix(world, staff_client, role, action, where, expected):
    # given a user of the role, and an allocation of their own province or of another
    client = staff_client(world.users[role])
    target = world.own if where == "own" else world.other

    # when they do the action by its URL
    response = act(client, world, action, target)

    # then the answer is exactly as expected
    assert response.status_code == expected
    # and the ledger changed only when the action was accepted
    done = expected == 302
    target.refresh_from_db()
    added = Allocation.objects.filter(decision_number=f"ADD {target.decision_number}").first()
    reversal = Allocation.objects.filter(reverses=target).first()
    new_report = DistributionReport.objects.filter(allocation=target, commune="Xã Mới").first()
    assert (added is not None) == (done and action == "add")
    assert (target.status == "disbursed") == (done and action == "mark disbursed")
    assert (reversal is not None) == (done and action == "reverse")
    assert (new_report is not None) == (done and action == "add report")
    if done:
        created = {"add": added, "mark disbursed": target, "reverse": reversal}.get(action)
        if created is not None:
            assert response["Location"] == url("allocation_change", created.pk)
        else:
            assert response["Location"] == url("distributionreport_change", new_report.pk)
    if expected == 200 and action in ("add", "add report"):
        # refused by the form: the other province is not among the choices
        assert CHOICE_REFUSED in response.content.decode()
    if expected == 200 and action in ("change page", "history page"):
        assert target.decision_number in response.content.decode()
    if action == "list":
        visible = role != "provincial" or where == "own"
        assert (target.decision_number in response.content.decode()) == visible


# --- what provincial staff never see -----------------------------------------------------------


def options(html: str, name: str) -> list[str]:
    """The labels of a <select name=...>, without the empty choice."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    labels = [label.strip() for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
              if value]
    return labels


def test_lists_and_dropdowns_never_show_another_province_to_provincial_staff(world, staff_client, lao_cai_staff):
    client = staff_client(lao_cai_staff)

    # the allocation list: Lào Cai's and Yên Bái's (2008, now Lào Cai), not Thái Nguyên's
    listing = client.get(url("allocation_changelist")).content.decode()
    assert "LC-01/QĐ" in listing and "YB-2008/QĐ" in listing
    assert "TN-01/QĐ" not in listing
    assert "1 allocation" not in listing and "2 allocations" in listing
    # not even by searching for it
    searched = client.get(url("allocation_changelist"), {"q": "TN-01"}).content.decode()
    assert "TN-01/QĐ" not in searched and "0 allocations" in searched

    # and no way to allocate: no add button, the add page refused
    assert url("allocation_add") not in listing
    assert client.get(url("allocation_add")).status_code == 403

    # the report add page offers their allocations only
    report_page = client.get(url("distributionreport_add")).content.decode()
    assert [label.split(" · ")[0] for label in options(report_page, "allocation")] == ["YB-2008/QĐ", "LC-01/QĐ"]
    assert "TN-01/QĐ" not in report_page

    # the report list shows their commune, not Thái Nguyên's; its pages answer 403
    reports = client.get(url("distributionreport_changelist")).content.decode()
    assert "Xã Bảo Hà" in reports and "Xã Thần Sa" not in reports
    assert "TN-01/QĐ" not in reports
    assert client.get(url("distributionreport_change", world.other_report.pk)).status_code == 403
    assert client.get(url("distributionreport_history", world.other_report.pk)).status_code == 403
    assert client.post(url("distributionreport_change", world.other_report.pk), {}).status_code == 403


def test_central_staff_see_every_province(world, staff_client, central):
    client = staff_client(central)

    listing = client.get(url("allocation_changelist")).content.decode()
    add_page = client.get(url("allocation_add")).content.decode()

    assert all(number in listing for number in ("LC-01/QĐ", "TN-01/QĐ", "YB-2008/QĐ"))
    assert "3 allocations" in listing
    assert len(options(add_page, "province")) == 34 + 63


def test_a_2008_yen_bai_allocation_is_lao_cais(world, staff_client, lao_cai_staff):
    client = staff_client(lao_cai_staff)

    page = client.get(url("allocation_change", world.yen_bai.pk))
    history = client.get(url("allocation_history", world.yen_bai.pk))
    report = client.post(url("distributionreport_add"), report_form(allocation=world.yen_bai, commune="Xã Văn Chấn"))

    assert page.status_code == 200
    assert "Yên Bái (2008) → Lào Cai" in page.content.decode()
    assert "5.000.000 ₫" in page.content.decode()
    assert history.status_code == 200
    assert report.status_code == 302
    assert DistributionReport.objects.get(commune="Xã Văn Chấn").allocation == world.yen_bai


def test_one_historical_version_of_another_province_is_refused(world, staff_client, lao_cai_staff):
    version = world.other.history.get()
    client = staff_client(lao_cai_staff)

    response = client.get(url("allocation_simple_history", world.other.pk, version.history_id))

    assert response.status_code == 403


def test_an_unknown_allocation_is_not_found(world, staff_client, lao_cai_staff):
    client = staff_client(lao_cai_staff)
    missing = Allocation.objects.order_by("-pk").first().pk + 1

    assert client.post(url("allocation_disburse", missing), {"disbursed_on": "2024-09-25"}).status_code == 404
    assert client.post(url("allocation_reverse", missing), {"reason": "x"}).status_code == 404
    assert client.get(url("allocation_history", missing)).status_code == 404


# --- the ledger is append-only for everyone ----------------------------------------------------


@pytest.mark.parametrize("role", ["central", "provincial", "auditor"])
def test_no_one_edits_or_deletes_an_allocation(world, staff_client, role):
    client = staff_client(world.users[role])
    version = world.own.history.get()

    edited = client.post(url("allocation_change", world.own.pk), {"amount": "1", "status": "disbursed"})
    deleted = client.post(url("allocation_delete", world.own.pk), {"post": "yes"})
    reverted = client.post(url("allocation_simple_history", world.own.pk, version.history_id), {})
    report_deleted = client.post(url("distributionreport_delete", world.own_report.pk), {"post": "yes"})

    assert (edited.status_code, deleted.status_code, reverted.status_code, report_deleted.status_code) == (
        403, 403, 403, 403)
    world.own.refresh_from_db()
    assert (world.own.amount, world.own.status) == (10_000_000, "planned")
    assert DistributionReport.objects.filter(pk=world.own_report.pk).exists()


def test_auditors_see_no_buttons_to_change_anything(world, staff_client, auditor, central):
    auditor_list = staff_client(auditor).get(url("allocation_changelist")).content.decode()
    auditor_page = staff_client(auditor).get(url("allocation_change", world.own.pk)).content.decode()
    central_page = staff_client(central).get(url("allocation_change", world.own.pk)).content.decode()

    assert url("allocation_add") not in auditor_list
    assert url("allocation_disburse", world.own.pk) not in auditor_page
    assert url("allocation_reverse", world.own.pk) not in auditor_page
    assert url("allocation_history", world.own.pk) in auditor_page
    assert url("allocation_disburse", world.own.pk) in central_page
    assert url("allocation_reverse", world.own.pk) in central_page


@pytest.mark.parametrize(("role", "expected"), [("central", 200), ("provincial", 403), ("auditor", 403)])
def test_only_central_staff_manage_staff_accounts(world, staff_client, role, expected):
    client = staff_client(world.users[role])

    assert client.get(url("staffmembership_changelist")).status_code == expected
    assert client.get(url("staffmembership_add")).status_code == expected


# --- provincial staff record what their own points received ------------------------------------


@pytest.fixture
def points(campaign):
    """Where the campaign receives: Lào Cai's cash desk, a point in Yên Bái (2008, now Lào Cai), Thái Nguyên's."""
    return {
        "lao_cai": DropOffPointFactory(campaign=campaign, name="Quầy tiếp nhận MTTQ tỉnh Lào Cai", province=province("15")),
        "yen_bai": DropOffPointFactory(campaign=campaign, name="Điểm tiếp nhận Yên Bái",
                                       province=province("15", set="2008")),
        "thai_nguyen": DropOffPointFactory(campaign=campaign, name="Quầy tiếp nhận MTTQ tỉnh Thái Nguyên",
                                           province=province("19")),
    }


def desk_form(campaign, point, amount="2.000.000", **overrides) -> dict:
    """POST data of the receipts admin's add page: cash handed in at a desk."""
    data = {
        "campaign": campaign.pk, "channel": "cash_desk", "point": point.pk if point else "", "pledge_reference": "",
        "public_name": "Nhà hảo tâm", "amount": amount, "received_at_0": "2024-09-10", "received_at_1": "09:30",
        "note": "", "items-TOTAL_FORMS": "5", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "5",
    }
    return {**data, **overrides}


@pytest.mark.parametrize("where", ["lao_cai", "yen_bai"])
def test_provincial_staff_record_a_desk_receipt_at_a_point_of_their_province(campaign, points, staff_client,
                                                                              lao_cai_staff, where):
    client = staff_client(lao_cai_staff)

    response = client.post(reverse("admin:donations_receipt_add"), desk_form(campaign, points[where]))

    receipt = Receipt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:donations_receipt_change", args=[receipt.pk])
    assert (receipt.point, receipt.amount, receipt.channel, receipt.recorded_by) == (
        points[where], 2_000_000, "cash_desk", lao_cai_staff)


def test_provincial_staff_are_refused_another_provinces_point(campaign, points, staff_client, lao_cai_staff, english):
    client = staff_client(lao_cai_staff)

    by_form = client.post(reverse("admin:donations_receipt_add"), desk_form(campaign, points["thai_nguyen"]))
    with pytest.raises(ValidationError) as by_service:
        receipt_record(campaign=campaign, channel="cash_desk", amount=2_000_000, point=points["thai_nguyen"],
                       recorded_by=lao_cai_staff)

    assert by_form.status_code == 200 and CHOICE_REFUSED in by_form.content.decode()
    assert by_service.value.message_dict == {"point": ["You can only record what a point of your own province received."]}
    assert not Receipt.objects.exists()


def test_provincial_staff_say_which_point_received_it(campaign, points, staff_client, lao_cai_staff, english):
    client = staff_client(lao_cai_staff)

    by_form = client.post(reverse("admin:donations_receipt_add"), desk_form(campaign, None))
    with pytest.raises(ValidationError) as by_service:
        receipt_record(campaign=campaign, channel="cash_desk", amount=2_000_000, recorded_by=lao_cai_staff)

    assert by_form.status_code == 200 and "This field is required." in by_form.content.decode()
    assert by_service.value.message_dict == {
        "point": ["Choose the drop-off point or cash desk of your province that received it."]}
    assert not Receipt.objects.exists()


def test_a_point_of_another_campaign_is_refused(campaign, points, central, english):
    elsewhere = DropOffPointFactory(campaign=CampaignFactory(), province=province("15"))

    with pytest.raises(ValidationError) as refused:
        receipt_record(campaign=campaign, channel="cash_desk", amount=1_000_000, point=elsewhere, recorded_by=central)

    assert refused.value.message_dict == {"point": ["This drop-off point belongs to another campaign."]}


def test_the_desk_form_offers_provincial_staff_their_points_only(campaign, points, staff_client, lao_cai_staff, central):
    own = staff_client(lao_cai_staff).get(reverse("admin:donations_receipt_add")).content.decode()
    everyone = staff_client(central).get(reverse("admin:donations_receipt_add")).content.decode()

    assert options(own, "point") == [
        f"Quầy tiếp nhận MTTQ tỉnh Lào Cai · Lào Cai · {campaign.code}",
        f"Điểm tiếp nhận Yên Bái · Yên Bái · {campaign.code}",
    ]
    assert len(options(everyone, "point")) == 3


def test_provincial_staff_see_only_what_their_provinces_points_received(campaign, points, staff_client, lao_cai_staff,
                                                                        central):
    # given cash received at Lào Cai's desk, at Yên Bái's point, at Thái Nguyên's, and by bank transfer
    at = {name: receipt_record(campaign=campaign, channel="cash_desk", amount=amount, point=points.get(name),
                               recorded_by=central)
          for name, amount in (("lao_cai", 1_000_000), ("yen_bai", 2_000_000), ("thai_nguyen", 3_000_000),
                               ("bank", 4_000_000))}
    client = staff_client(lao_cai_staff)

    listing = client.get(reverse("admin:donations_receipt_changelist")).content.decode()
    other = client.get(reverse("admin:donations_receipt_change", args=[at["thai_nguyen"].pk]))
    printed = client.get(reverse("admin:donations_receipt_acknowledgement", args=[at["thai_nguyen"].pk]))
    with pytest.raises(ValidationError):
        receipt_reverse(receipt=at["thai_nguyen"], reason="Nhầm", recorded_by=lao_cai_staff)

    shown = set(re.findall(rf"{campaign.code}-\d{{6}}", listing))
    assert shown == {at["lao_cai"].number, at["yen_bai"].number}
    assert "2 receipts" in listing
    assert other.status_code == 302 and at["thai_nguyen"].number not in client.get(other["Location"]).content.decode()
    assert printed.status_code == 404
    assert not Receipt.objects.filter(reverses=at["thai_nguyen"]).exists()
    central_listing = staff_client(central).get(reverse("admin:donations_receipt_changelist")).content.decode()
    assert "4 receipts" in central_listing


def test_provincial_staff_reverse_a_receipt_of_their_own_point(campaign, points, lao_cai_staff):
    receipt = receipt_record(campaign=campaign, channel="cash_desk", amount=1_000_000, point=points["lao_cai"],
                             recorded_by=lao_cai_staff)

    reversal = receipt_reverse(receipt=receipt, reason="Đếm trùng tại quầy", recorded_by=lao_cai_staff)

    assert (reversal.amount, reversal.point, reversal.recorded_by) == (-1_000_000, points["lao_cai"], lao_cai_staff)
