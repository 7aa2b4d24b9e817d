"""A donor's whole journey in a real browser: campaign page → donate form → reference and how to give."""

import re

import pytest

from donations.models import Donor, Pledge
from tests.factories import (
    CampaignFactory,
    DropOffPointFactory,
    PledgeFactory,
    ReceivingAccountFactory,
    category,
    province,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE_RE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$")


@pytest.fixture
def live_campaign(reference_data):
    """An active campaign with a Vietcombank account and drop-off points in Hà Nội and Thái Nguyên.

    The provinces, banks and item categories come from the data migration (see reference_data).
    """
    campaign = CampaignFactory(name="Ủng hộ đồng bào bị ảnh hưởng bởi bão số 3", slug="bao-so-3", code="BAO24")
    ReceivingAccountFactory(campaign=campaign, account_number="0011001932418")
    DropOffPointFactory(campaign=campaign, name="Trụ sở Ủy ban Trung ương MTTQ Việt Nam", province=province("01"))
    DropOffPointFactory(campaign=campaign, name="Ủy ban MTTQ tỉnh Thái Nguyên", province=province("19"),
                        address="Số 4 đường Đội Cấn, Thái Nguyên")
    return campaign


def test_organisation_pledges_goods_and_sees_dropoff_points(page, live_server, live_campaign, screenshot):
    # given the campaign page
    page.goto(f"{live_server.url}/campaigns/{live_campaign.slug}/")
    assert page.locator("h1").inner_text() == "Ủng hộ đồng bào bị ảnh hưởng bởi bão số 3"

    # when an organisation in Thái Nguyên opens the form and fills in its details
    page.click(f'a[href="/campaigns/{live_campaign.slug}/donate/"]')
    page.wait_for_url(f"**/campaigns/{live_campaign.slug}/donate/")
    assert page.locator("#id_organization_name").is_hidden()  # shown only for organisations
    page.check('input[name="donor_kind"][value="organization"]')
    assert page.locator("#id_organization_name").is_visible()
    page.fill("#id_organization_name", "Công ty TNHH Vận tải Hoàng Long")
    page.fill("#id_tax_code", "0201567890")
    page.fill("#id_full_name", "Trần Thị Hạnh")
    page.fill("#id_phone", "0987 654 321")
    page.select_option("#id_province", label="Thái Nguyên")
    page.check('input[name="public_display"][value="full"]')

    # and chooses goods: two of the three lines shown, plus a third item on a line added with
    # the "Add another item" button
    page.check('input[name="kind"][value="goods"]')
    assert page.locator("#id_amount").is_hidden()
    assert page.locator(".item-line").count() == 3
    page.click("[data-add-line]")
    assert page.locator(".item-line").count() == 4
    assert page.locator('input[name="items-TOTAL_FORMS"]').input_value() == "4"
    page.select_option("#id_items-0-category", value=str(category("rice").pk))
    page.fill("#id_items-0-quantity", "500")
    page.select_option("#id_items-1-category", value=str(category("drinking-water").pk))
    page.fill("#id_items-1-quantity", "40")
    page.select_option("#id_items-3-category", value=str(category("medicine").pk))  # on the added line
    page.fill("#id_items-3-quantity", "12")
    page.click("button[type=submit].button-big")

    # then the pledge's page shows the reference and the drop-off points, Thái Nguyên's first
    page.wait_for_url(re.compile(r".*/pledges/[A-Z0-9]{8}/$"))
    reference = page.get_by_test_id("reference").inner_text().strip()
    assert REFERENCE_RE.fullmatch(reference)
    dropoffs = page.locator(".dropoff h3").all_inner_texts()
    assert len(dropoffs) == 2
    assert dropoffs[0].startswith("Ủy ban MTTQ tỉnh Thái Nguyên")
    assert dropoffs[1].startswith("Trụ sở Ủy ban Trung ương MTTQ Việt Nam")
    assert page.locator(".items-summary li").count() == 3
    assert page.get_by_test_id("vietqr").count() == 0
    # and exactly that was saved
    pledge = Pledge.objects.select_related("donor").get(reference=reference)
    assert (pledge.kind, pledge.donor.kind, pledge.donor.phone) == ("goods", Donor.Kind.ORGANIZATION, "0987654321")
    assert sorted((i.category.slug, int(i.quantity)) for i in pledge.items.all()) == [
        ("drinking-water", 40), ("medicine", 12), ("rice", 500)
    ]
    screenshot(page, "goods-organisation")


def test_individual_pledges_cash_on_a_phone_and_sees_the_vietqr(browser, live_server, live_campaign, screenshot):
    # given a phone-sized screen
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        # when an individual pledges 250.000 ₫ by bank transfer
        page.goto(f"{live_server.url}/campaigns/{live_campaign.slug}/donate/")
        assert page.locator("#items").is_hidden()  # goods lines only when goods are chosen
        page.fill("#id_full_name", "Nguyễn Văn An")
        page.fill("#id_phone", "+84 912 345 678")
        page.fill("#id_amount", "250.000")
        page.click("button[type=submit].button-big")

        # then the page shows the reference and the exact transfer content
        page.wait_for_url(re.compile(r".*/pledges/[A-Z0-9]{8}/$"))
        reference = page.get_by_test_id("reference").inner_text().strip()
        assert REFERENCE_RE.fullmatch(reference)
        assert page.get_by_test_id("transfer-content").inner_text().strip() == f"BAO24 {reference}"
        assert "250.000 ₫" in page.locator(".pay").inner_text()
        assert "0011001932418" in page.locator(".pay").inner_text()
        # and the VietQR image has loaded
        qr = page.get_by_test_id("vietqr")
        qr.scroll_into_view_if_needed()
        page.wait_for_function("el => el.complete", arg=qr.element_handle())
        assert qr.evaluate("el => el.naturalWidth") > 0
        assert page.evaluate("() => document.querySelector('[data-testid=vietqr]').naturalWidth") > 0
        # and the page fits the phone's width
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        pledge = Pledge.objects.select_related("donor").get(reference=reference)
        assert (pledge.amount, pledge.donor.phone) == (250_000, "0912345678")
        screenshot(page, "cash-phone")
    finally:
        context.close()


def test_donor_sees_errors_in_the_browser_and_nothing_is_saved(page, live_server, live_campaign, screenshot):
    # when a donor submits an invalid phone
    page.goto(f"{live_server.url}/campaigns/{live_campaign.slug}/donate/")
    page.fill("#id_full_name", "Nguyễn Văn An")
    page.fill("#id_phone", "0212345678")
    page.fill("#id_amount", "250.000")
    page.click("button[type=submit].button-big")

    # then the form comes back with the phone marked, the values kept and nothing saved
    assert page.locator("#field-phone.has-error .error").count() == 1
    assert page.locator("#id_phone").input_value() == "0212345678"
    assert page.locator("#id_amount").input_value() == "250.000"
    assert Pledge.objects.count() == 0
    screenshot(page, "form-error")


def test_donor_on_a_phone_copies_the_amount_and_sees_it_was_copied(browser, live_server, live_campaign, screenshot):
    # given a pledge of 1.250.000 ₫ opened on a phone-sized screen that lets the page use the clipboard
    pledge = PledgeFactory(campaign=live_campaign, amount=1_250_000)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="vi-VN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/pledges/{pledge.reference}/")

        # then the script has shown the three copy buttons, each named for what it copies
        copy_amount = page.get_by_role("button", name="Chép số tiền (chỉ gồm chữ số)")
        assert copy_amount.is_visible()
        assert page.locator(".copy-button:visible").count() == 3

        # when the donor taps the amount's copy button
        copy_amount.tap()

        # then the page confirms it beside the button, and the clipboard holds the digits only
        status = page.locator(".copy-row", has=copy_amount).get_by_role("status")
        status.get_by_text("Đã chép").wait_for()
        assert status.inner_text() == "Đã chép"
        assert page.evaluate("() => navigator.clipboard.readText()") == "1250000"

        # when they tap the transfer content's copy button
        page.get_by_role("button", name="Chép nội dung chuyển khoản").tap()

        # then the clipboard holds it exactly
        page.wait_for_function(
            "expected => navigator.clipboard.readText().then(t => t === expected)", arg=pledge.transfer_content
        )
        # and the QR image can be saved under the pledge's name, and the page fits the phone's width
        link = page.get_by_test_id("qr-download")
        assert link.get_attribute("download") == f"vietqr-{pledge.reference}.png"
        assert link.inner_text() == "Lưu ảnh QR"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        screenshot(page, "copy-phone")
    finally:
        context.close()


def test_the_unit_of_the_chosen_item_appears_beside_its_quantity(page, live_server, live_campaign):
    # given the donate form with goods chosen
    page.goto(f"{live_server.url}/campaigns/{live_campaign.slug}/donate/")
    page.check('input[name="kind"][value="goods"]')
    unit = page.locator('label.unit[for="id_items-0-quantity"]')
    assert unit.inner_text() == ""

    # when rice, then bottled water, is chosen on the first line
    page.select_option("#id_items-0-category", value=str(category("rice").pk))
    assert unit.inner_text() == "kg"
    page.select_option("#id_items-0-category", value=str(category("drinking-water").pk))

    # then the unit beside the quantity follows, and a line added later starts without one
    assert unit.inner_text() == "thùng"
    page.click("[data-add-line]")
    assert page.locator('label.unit[for="id_items-3-quantity"]').inner_text() == ""
    # and the person's name stops being required once the donor is an organisation
    assert page.locator("#field-full_name.required").count() == 1
    page.check('input[name="donor_kind"][value="organization"]')
    assert page.locator("#field-full_name.required").count() == 0
    assert page.locator("#id_full_name").get_attribute("aria-required") is None
    assert page.locator("#field-organization_name.required").count() == 1
