"""Every staff change is recorded — who, when, what changed — and visible to staff and auditors."""

import datetime

from django.urls import reverse

from allocations.models import Allocation, DistributionReport
from campaigns.models import Campaign
from tests.allocations.helpers import allocate, give_cash, report_form


def changes(new, old) -> set[tuple]:
    return {(change.field, change.old, change.new) for change in new.diff_against(old).changes}


def form_data(response) -> dict:
    """What the admin change form would post back unchanged: the form's values and its inlines' management forms."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
    return data


def test_mark_disbursed_is_in_the_allocations_history_with_who_and_what(campaign, central, admin_user, staff_client):
    # given a planned allocation to Lào Cai, recorded by central staff
    give_cash(campaign, 10_000_000, by=central)
    allocation = allocate(campaign, to="15", amount=10_000_000, by=central, number="125/QĐ-BCTTW")
    client = staff_client(admin_user)

    # when another staff member (the administrator) marks it disbursed in the admin
    response = client.post(
        reverse("admin:allocations_allocation_disburse", args=[allocation.pk]), {"disbursed_on": "2024-09-25"}
    )

    # then the latest historical record names them, and shows status and date before and after
    assert response.status_code == 302
    new, old = allocation.history.order_by("-history_date", "-history_id")[:2]
    assert (new.history_type, new.history_user) == ("~", admin_user)
    assert (old.history_type, old.history_user) == ("+", central)
    assert changes(new, old) == {
        ("status", "planned", "disbursed"),
        ("disbursed_on", None, datetime.date(2024, 9, 25)),
    }
    assert (new.amount, old.amount) == (10_000_000, 10_000_000)
    # and the history page shows it to staff
    page = client.get(reverse("admin:allocations_allocation_history", args=[allocation.pk])).content.decode()
    assert "<td>admin</td>" in page and "<td>trunguong</td>" in page


def test_a_campaigns_new_name_is_in_its_history_with_the_old_one(central, staff_client):
    # given a campaign created with its first name
    campaign = Campaign.objects.create(
        slug="lu-mien-trung-2025", code="LMT25", name="Ủng hộ đồng bào miền Trung", summary="Lũ lụt miền Trung.",
        description="Mô tả.", status=Campaign.Status.ACTIVE, starts_on=datetime.date(2025, 10, 28),
    )
    client = staff_client(central)
    change_url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])

    # when central staff rename it in the admin
    data = form_data(client.get(change_url))
    response = client.post(change_url, {**data, "name": "Ủng hộ đồng bào miền Trung khắc phục lũ lụt 2025"})

    # then the history holds the old and the new name, and who renamed it
    assert response.status_code == 302
    new, old = campaign.history.order_by("-history_date", "-history_id")[:2]
    assert (new.history_user, new.history_type) == (central, "~")
    assert changes(new, old) == {
        ("name", "Ủng hộ đồng bào miền Trung", "Ủng hộ đồng bào miền Trung khắc phục lũ lụt 2025"),
    }
    history = client.get(reverse("admin:campaigns_campaign_history", args=[campaign.pk])).content.decode()
    assert "trunguong" in history and "Ủng hộ đồng bào miền Trung khắc phục lũ lụt 2025" in history


def test_a_receipt_is_in_history_with_who_recorded_it(campaign, central):
    receipt = give_cash(campaign, 2_500_000, by=central)

    record = receipt.history.get()

    assert (record.history_type, record.history_user, record.amount, record.number) == (
        "+", central, 2_500_000, receipt.number)


def test_a_report_edit_is_in_history_with_before_and_after(campaign, central, lao_cai_staff, staff_client):
    give_cash(campaign, 10_000_000, by=central)
    allocation = allocate(campaign, to="15", amount=10_000_000, by=central)
    client = staff_client(lao_cai_staff)
    client.post(reverse("admin:allocations_distributionreport_add"), report_form(allocation=allocation))
    report = DistributionReport.objects.get()

    response = client.post(
        reverse("admin:allocations_distributionreport_change", args=[report.pk]),
        {**report_form(allocation=allocation), "people": "52"},
    )

    assert response.status_code == 302
    new, old = report.history.order_by("-history_date", "-history_id")[:2]
    assert (new.history_user, old.history_user) == (lao_cai_staff, lao_cai_staff)
    assert changes(new, old) == {("people", 47, 52)}


def test_auditors_read_history_but_change_nothing(campaign, central, auditor, staff_client):
    # given an allocation disbursed by central staff
    give_cash(campaign, 10_000_000, by=central)
    allocation = allocate(campaign, to="15", amount=10_000_000, by=central, number="125/QĐ-BCTTW")
    staff_client(central).post(
        reverse("admin:allocations_allocation_disburse", args=[allocation.pk]), {"disbursed_on": "2024-09-25"}
    )
    client = staff_client(auditor)
    campaign_url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])

    # when an auditor opens the histories, then tries to change things
    allocation_history = client.get(reverse("admin:allocations_allocation_history", args=[allocation.pk]))
    campaign_history = client.get(reverse("admin:campaigns_campaign_history", args=[campaign.pk]))
    version = allocation.history.order_by("history_date").first()
    one_version = client.get(
        reverse("admin:allocations_allocation_simple_history", args=[allocation.pk, version.history_id])
    )
    campaign_page = client.get(campaign_url)
    renamed = client.post(campaign_url, {**form_data(campaign_page), "name": "Tên khác"})
    reversed_ = client.post(reverse("admin:allocations_allocation_reverse", args=[allocation.pk]), {"reason": "Thử"})

    # then they read every history, and every change is refused
    assert (allocation_history.status_code, campaign_history.status_code, one_version.status_code) == (200, 200, 200)
    page = allocation_history.content.decode()
    assert "trunguong" in page and "Disbursed" in page
    assert campaign_page.status_code == 200
    assert (renamed.status_code, reversed_.status_code) == (403, 403)
    campaign.refresh_from_db()
    assert campaign.name == "Ủng hộ đồng bào bị ảnh hưởng bởi bão số 3"
    assert not Allocation.objects.filter(reverses=allocation).exists()
