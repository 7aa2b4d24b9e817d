"""The allocation and report add pages: what staff type, what the services say back, what is still available."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from allocations.models import Allocation, DistributionReport, StaffMembership
from allocations.services import allocation_reverse
from tests.allocations.helpers import (
    allocate,
    allocation_form,
    give_cash,
    give_goods,
    report_form,
)
from tests.factories import CampaignFactory, category, province

ADD_URL = reverse("admin:allocations_allocation_add")


def field_errors(response, field: str) -> list[str]:
    return list(response.context["adminform"].form.errors.get(field, []))


def test_the_add_page_shows_what_each_campaign_still_has(campaign, central, staff_client):
    # given 100.000.000 ₫ and 1.000 kg of rice received, 25.000.000 ₫ and 300 kg allocated
    give_cash(campaign, 100_000_000, by=central)
    give_goods(campaign, by=central, rice="1000", drinking_water="50")
    allocate(campaign, to="15", amount=25_000_000, by=central)
    allocate(campaign, to="15", goods={"rice": "300"}, by=central)
    closed = CampaignFactory(closed=True, name="Chiến dịch đã kết thúc")

    # when central staff open the add page
    response = staff_client(central).get(ADD_URL)

    # then above the form a table shows, per active campaign, the cash and goods still available
    html = response.content.decode()
    start = html.index('id="allocation-availability"')
    table = html[start:html.index("</table>", start)]
    assert start < html.index('name="decision_number"')
    assert [row["campaign"] for row in response.context["availability"]] == [campaign]
    row = response.context["availability"][0]
    assert (row["cash_received"], row["cash_allocated"], row["cash_available"]) == (100_000_000, 25_000_000, 75_000_000)
    assert "100.000.000 ₫" in table and "25.000.000 ₫" in table and "75.000.000 ₫" in table
    assert "Rice: <strong>700 kg</strong>" in table
    assert "Bottled drinking water: <strong>50 box</strong>" in table
    assert closed.name not in table


def test_a_cash_allocation_typed_with_dots_is_recorded(campaign, central, staff_client):
    give_cash(campaign, 10_000_000, by=central)
    client = staff_client(central)

    response = client.post(ADD_URL, allocation_form(
        campaign=campaign, province=province("15"), number="125/QĐ-BCTTW", amount="1.000.000"))

    allocation = Allocation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:allocations_allocation_change", args=[allocation.pk])
    assert (allocation.amount, allocation.kind, allocation.status, allocation.recorded_by) == (
        1_000_000, "cash", "planned", central)
    assert allocation.decision_number == "125/QĐ-BCTTW"
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert messages == ["Allocation 125/QĐ-BCTTW to Lào Cai recorded: 1.000.000 ₫."]


def test_more_than_available_is_refused_on_the_amount_field(campaign, central, staff_client):
    give_cash(campaign, 10_000_000, by=central)
    allocate(campaign, to="15", amount=6_000_000, by=central)

    response = staff_client(central).post(ADD_URL, allocation_form(
        campaign=campaign, province=province("19"), number="126/QĐ-BCTTW", amount="4.000.001"))

    assert response.status_code == 200
    assert field_errors(response, "amount") == ["Only 4.000.000 ₫ of cash received is still unallocated."]
    assert Allocation.objects.count() == 1


def test_a_2008_unit_for_a_new_campaign_is_refused_on_the_province_field(central, staff_client):
    campaign = CampaignFactory(starts_on="2025-08-01")
    give_cash(campaign, 10_000_000, by=central)

    response = staff_client(central).post(ADD_URL, allocation_form(
        campaign=campaign, province=province("15", set="2008"), number="01/QĐ"))

    assert field_errors(response, "province") == ["Campaigns since 1 July 2025 allocate to the 34 current units."]
    assert Allocation.objects.count() == 0


def test_goods_lines_are_recorded_and_checked(campaign, central, staff_client):
    # (quantities are typed as the page's language writes them: English here, `1,000` and `2.5`)
    give_goods(campaign, by=central, rice="1000", drinking_water="50")
    client = staff_client(central)

    too_much = client.post(ADD_URL, allocation_form(
        campaign=campaign, province=province("15"), number="127/QĐ", kind="goods", amount="",
        goods=[(category("rice"), "1,001")]))
    accepted = client.post(ADD_URL, allocation_form(
        campaign=campaign, province=province("15"), number="128/QĐ", kind="goods", amount="",
        goods=[(category("rice"), "1,000"), (category("drinking-water"), "20")]))

    assert too_much.status_code == 200
    assert list(too_much.context["adminform"].form.non_field_errors()) == [
        "Only 1000 kg of Rice received is still unallocated."]
    assert accepted.status_code == 302
    allocation = Allocation.objects.get()
    assert (allocation.kind, allocation.amount, allocation.decision_number) == ("goods", None, "128/QĐ")
    assert sorted((i.category.slug, str(i.quantity)) for i in allocation.items.all()) == [
        ("drinking-water", "20.000"), ("rice", "1000.000")]


def test_cash_and_goods_are_not_mixed_in_one_allocation(campaign, central, staff_client):
    give_cash(campaign, 10_000_000, by=central)
    client = staff_client(central)

    cash_with_goods = client.post(ADD_URL, allocation_form(
        campaign=campaign, province=province("15"), number="129/QĐ", goods=[(category("rice"), "10")]))
    cash_without_amount = client.post(ADD_URL, allocation_form(
        campaign=campaign, province=province("15"), number="130/QĐ", amount=""))
    bad_amount = client.post(ADD_URL, allocation_form(
        campaign=campaign, province=province("15"), number="131/QĐ", amount="1.000.00"))

    assert list(cash_with_goods.context["adminform"].form.non_field_errors()) == [
        "A cash allocation has no goods lines; clear them or choose goods."]
    assert field_errors(cash_without_amount, "amount") == ["Enter the amount of cash allocated."]
    assert field_errors(bad_amount, "amount") == ["Enter the amount in whole đồng, for example 500.000."]
    assert Allocation.objects.count() == 0


def test_an_allocation_already_disbursed_is_recorded_with_its_date(campaign, central, staff_client):
    give_cash(campaign, 10_000_000, by=central)

    response = staff_client(central).post(ADD_URL, allocation_form(
        campaign=campaign, province=province("15"), number="132/QĐ", disbursed_on="2024-09-22"))

    assert response.status_code == 302
    assert Allocation.objects.values_list("status", "disbursed_on").get() == (
        "disbursed", datetime.date(2024, 9, 22))


def test_mark_disbursed_and_reverse_pages(campaign, central, staff_client):
    give_cash(campaign, 10_000_000, by=central)
    allocation = allocate(campaign, to="15", amount=10_000_000, by=central, number="133/QĐ")
    client = staff_client(central)
    disburse_url = reverse("admin:allocations_allocation_disburse", args=[allocation.pk])
    reverse_url = reverse("admin:allocations_allocation_reverse", args=[allocation.pk])

    form_page = client.get(disburse_url)
    no_date = client.post(disburse_url, {"disbursed_on": ""})
    disbursed = client.post(disburse_url, {"disbursed_on": "25/09/2024"})
    again = client.post(disburse_url, {"disbursed_on": "26/09/2024"})
    no_reason = client.post(reverse_url, {"reason": ""})
    reversed_ = client.post(reverse_url, {"reason": "Quyết định bị thay thế"})
    twice = client.post(reverse_url, {"reason": "Lần nữa"})

    assert form_page.status_code == 200 and "133/QĐ" in form_page.content.decode()
    assert list(no_date.context["form"].errors["disbursed_on"]) == ["This field is required."]
    assert disbursed.status_code == 302
    assert list(again.context["form"].non_field_errors()) == ["This allocation is already disbursed."]
    assert list(no_reason.context["form"].errors["reason"]) == ["This field is required."]
    assert reversed_.status_code == 302
    assert twice.status_code == 302
    assert [str(m) for m in get_messages(twice.wsgi_request)][-1] == (
        f"Allocation {allocation.number} has already been reversed.")
    allocation.refresh_from_db()
    assert (allocation.status, str(allocation.disbursed_on)) == ("disbursed", "2024-09-25")
    reversal = Allocation.objects.get(reverses=allocation)
    assert (reversal.amount, reversal.reason, reversal.recorded_by) == (-10_000_000, "Quyết định bị thay thế", central)
    listing = client.get(reverse("admin:allocations_allocation_changelist")).content.decode()
    assert f"↩ reverses {allocation.number}" in listing and "✕ reversed" in listing


def test_a_report_is_added_through_the_service_and_edited_in_place(campaign, central, lao_cai_staff, staff_client):
    give_cash(campaign, 10_000_000, by=central)
    allocation = allocate(campaign, to="15", amount=10_000_000, by=central, number="134/QĐ")
    client = staff_client(lao_cai_staff)

    added = client.post(reverse("admin:allocations_distributionreport_add"), report_form(allocation=allocation))
    report = DistributionReport.objects.get()
    change_url = reverse("admin:allocations_distributionreport_change", args=[report.pk])
    fewer_people = client.post(change_url, {**report_form(allocation=allocation), "people": "3"})
    too_much = client.post(change_url, {**report_form(allocation=allocation), "amount": "10.000.001"})
    changed = client.post(change_url, {**report_form(allocation=allocation), "people": "52", "amount": "4.000.000"})

    assert added.status_code == 302 and added["Location"] == change_url
    assert fewer_people.status_code == 200
    assert too_much.status_code == 200
    assert "Only 10.000.000 ₫ of this allocation is not yet reported." in too_much.content.decode()
    assert changed.status_code == 302
    report.refresh_from_db()
    assert (report.allocation, report.commune, report.households, report.people, report.amount, report.reported_by) == (
        allocation, "Xã Bảo Hà", 12, 52, 4_000_000, lao_cai_staff)


@pytest.mark.parametrize("role", ["central", "provincial"])
def test_a_reversed_allocation_is_not_offered_for_reports(campaign, central, lao_cai_staff, staff_client, role):
    give_cash(campaign, 10_000_000, by=central)
    kept = allocate(campaign, to="15", amount=4_000_000, by=central, number="135/QĐ")
    cancelled = allocate(campaign, to="15", amount=6_000_000, by=central, number="136/QĐ")
    allocation_reverse(allocation=cancelled, reason="Hủy", recorded_by=central)
    user = central if role == "central" else lao_cai_staff

    form = staff_client(user).get(reverse("admin:allocations_distributionreport_add")).context["adminform"].form

    assert list(form.fields["allocation"].queryset) == [kept]


def test_central_staff_create_a_staff_account_in_the_admin(central, staff_client):
    client = staff_client(central)
    add_url = reverse("admin:allocations_staffmembership_add")

    no_province = client.post(add_url, {
        "username": "thainguyen", "password": "Cuutro-ThaiNguyen-2024", "role": "provincial", "province": ""})
    weak = client.post(add_url, {"username": "kiemtoan2", "password": "123", "role": "auditor", "province": ""})
    created = client.post(add_url, {
        "username": "thainguyen", "password": "Cuutro-ThaiNguyen-2024", "role": "provincial",
        "province": province("19").pk,
    })

    assert no_province.context["adminform"].form.errors == {
        "province": ["Give the code of a province of the 2025 map."]}
    assert weak.context["adminform"].form.errors["password"] == [
        "This password is too short. It must contain at least 8 characters.", "This password is too common.",
        "This password is entirely numeric."]
    assert created.status_code == 302
    membership = StaffMembership.objects.select_related("committee__province", "user").get(user__username="thainguyen")
    assert (membership.role, membership.committee.province.name) == ("provincial", "Thái Nguyên")
    assert membership.user.groups.get().name == "Provincial staff"


def test_the_add_page_speaks_vietnamese_by_default(campaign, central, client):
    client.force_login(central)

    html = client.get(ADD_URL).content.decode()

    assert 'id="allocation-availability"' in html and 'name="items-0-quantity"' in html
