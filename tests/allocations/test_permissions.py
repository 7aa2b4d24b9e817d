"""Who may do what in the allocations admin, by direct URL: central staff, Lào Cai staff, auditors,
on an allocation of their own province (Lào Cai) and of another (Thái Nguyên)."""

import re
from dataclasses import dataclass

import pytest
from django.urls import reverse

from allocations.models import Allocation, DistributionReport
from allocations.services import distribution_report_record
from tests.allocations.helpers import allocate, allocation_form, give_cash, report_form
from tests.factories import province

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
    "add": {"central": (302, 302), "provincial": (302, 200), "auditor": (403, 403)},
    "mark disbursed": {"central": (302, 302), "provincial": (302, 403), "auditor": (403, 403)},
    "reverse": {"central": (302, 302), "provincial": (302, 403), "auditor": (403, 403)},
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

    # the add page offers Lào Cai and its two 2008 predecessors only
    add_page = client.get(url("allocation_add")).content.decode()
    assert options(add_page, "province") == ["Lào Cai", "Lào Cai (2008) → Lào Cai", "Yên Bái (2008) → Lào Cai"]
    assert "Thái Nguyên" not in add_page

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
    disbursed = client.post(url("allocation_disburse", world.yen_bai.pk), {"disbursed_on": "2024-09-25"})

    assert page.status_code == 200
    assert "Yên Bái (2008) → Lào Cai" in page.content.decode()
    assert "5.000.000 ₫" in page.content.decode()
    assert history.status_code == 200
    assert disbursed.status_code == 302
    world.yen_bai.refresh_from_db()
    assert world.yen_bai.status == "disbursed"


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
