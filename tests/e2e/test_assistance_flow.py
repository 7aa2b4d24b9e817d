"""People helped, in a real browser: a person registers a need on a phone; at a distribution point a
ward officer finds a verified person by citizen ID and records the handover."""

import re

import pytest

from assistance.models import Handover, NeedRegistration
from assistance.services import need_register, need_registration_verify
from tests.allocations.helpers import allocate, give_cash
from tests.assistance.conftest import PASSWORD, make_programme, need
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def live_programme(reference_data):
    campaign = CampaignFactory(name="Ủng hộ đồng bào bị ảnh hưởng bởi bão số 3", slug="bao-so-3", code="BAO24")
    return make_programme(campaign)


def test_a_person_registers_a_need_on_a_phone(browser, live_server, live_programme, screenshot):
    context = browser.new_context(locale="vi-VN", **PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)

    # given the need form of the campaign
    page.goto(f"{live_server.url}/campaigns/bao-so-3/help/")
    assert page.locator("h1").inner_text() == "Đề nghị hỗ trợ"

    # when a relative fills it in: the communes of Lào Cai load once the province is chosen
    page.fill("#id_full_name", "Nguyễn Văn An")
    page.fill("#id_citizen_id", "001099001234")
    page.fill("#id_phone", "0912 345 678")
    page.fill("#id_relative_name", "Nguyễn Thị Hoa")
    page.select_option("#id_province", value="15")
    page.wait_for_function("() => document.querySelectorAll('#id_ward option').length > 90")
    page.select_option("#id_ward", label="Xã Bảo Hà")
    page.fill("#id_address", "Thôn Bảo Vinh")
    page.fill("#id_household_size", "4")
    page.check('input[name="needs"][value="food"]')
    page.check('input[name="needs"][value="cash"]')
    screenshot(page, "assistance-register-phone")
    page.click("button[type=submit].button-big")

    # then the tracking page shows the code and the status, and nothing of the person
    page.wait_for_url(re.compile(r".*/help/[A-Z0-9]{8}/\?new=1$"))
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert page.get_by_test_id("status").inner_text().strip().lower() == "đã tiếp nhận"
    body = page.content()
    assert "Nguyễn Văn An" not in body and "0912" not in body and "001099001234" not in body
    screenshot(page, "assistance-tracking-phone")
    registration = NeedRegistration.objects.get(code=code)
    assert (registration.ward.name, registration.relative_name, registration.needs) == ("Xã Bảo Hà", "Nguyễn Thị Hoa", ["food", "cash"])
    context.close()


def test_errors_show_next_to_the_fields_and_nothing_is_saved(page, live_server, live_programme):
    page.goto(f"{live_server.url}/campaigns/bao-so-3/help/")
    page.fill("#id_full_name", "Nguyễn Văn An")
    page.fill("#id_citizen_id", "123")
    page.click("button[type=submit].button-big")
    assert "Số căn cước công dân (CCCD) gồm đúng 12 chữ số." in page.locator("#field-citizen_id").inner_text()
    assert NeedRegistration.objects.count() == 0


def test_a_ward_officer_hands_over_at_a_distribution_point(browser, live_server, live_programme, screenshot):
    # given a verified person of Xã Bảo Hà, Lào Cai funded, and the ward's officer
    from allocations.services import staff_create
    from assistance.models import DistributionPoint
    from assistance.services import assistance_staff_create
    from tests.assistance.conftest import ward

    central = staff_create(username="trunguong", password=PASSWORD, role="central")
    give_cash(live_programme.campaign, 5_000_000, by=central)
    allocate(live_programme.campaign, to="15", amount=5_000_000, by=central)
    officer = assistance_staff_create(username="baoha", password=PASSWORD, role="ward", ward_code="02989")
    point = DistributionPoint.objects.create(programme=live_programme, ward=ward("02989"), name="Nhà văn hóa xã Bảo Hà",
                                             address="Thôn Bảo Vinh")
    need_registration_verify(registration=need_register(programme=live_programme, data=need()), user=officer)

    context = browser.new_context(locale="vi-VN", **PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/assistance/handover/distribute/")
    page.fill("#id_username", "baoha")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/admin/assistance/handover/distribute/"

    # when the officer picks the point and types the person's citizen ID
    page.select_option("#id_point", value=str(point.pk))
    page.fill("#id_q", "001 099 001 234")
    page.click("input[name=search]")
    card = page.get_by_test_id("person-card")
    assert "Nguyễn Văn An · 0010****1234 · 1999" in card.locator("h2").inner_text()
    assert card.get_by_test_id("left").all_inner_texts() == ["1.000.000 ₫", "10"]
    screenshot(page, "assistance-distribute-phone")

    # and records the handover prefilled with what is owed
    page.click("input[name=record]")
    page.wait_for_url(re.compile(r".*/distribute/\?point=\d+&enrollment=\d+$"))

    # then the person is served and the ledger holds the two entries
    assert "Đã trao cho Nguyễn Văn An" in page.locator(".messagelist").inner_text()
    assert page.get_by_test_id("served").is_visible()
    screenshot(page, "assistance-handed-over-phone")
    assert sorted(Handover.objects.values_list("kind", "amount", "recorded_by__username")) == [
        ("cash", 1_000_000, "baoha"), ("goods", None, "baoha")]
    context.close()
