"""The public ledger in a real browser on a phone: search a name typed without diacritics, download the CSV."""

import csv
import io
from pathlib import Path

import pytest

from tests.factories import CampaignFactory
from tests.transparency.test_ledger import receive
from transparency.services import campaign_totals_refresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_ledger(reference_data, django_user_model):
    staff = django_user_model.objects.create_user("thuquy", password="Cuutro-ThuQuy-2024", is_staff=True)
    campaign = CampaignFactory(slug="bao-yagi", code="YAGI24",
                               name="Ủng hộ đồng bào khắc phục hậu quả bão số 3 (Yagi) năm 2024")
    receive(campaign, staff, 500_000, name="Nguyễn Văn An", at="08/09/2024 09:15")
    receive(campaign, staff, 2_000_000, name="Nguyễn Văn Bình", at="08/09/2024 10:00")
    receive(campaign, staff, 1_000_000, name="Trần Thị Hạnh", at="09/09/2024 08:30")
    receive(campaign, staff, goods={"rice": "250"}, name="Công ty Cổ phần Thực phẩm Sao Mai", at="09/09/2024 14:00")
    campaign_totals_refresh(campaign_id=campaign.pk)
    return campaign


def test_search_without_diacritics_on_a_phone_then_download_the_csv(browser, live_server, live_ledger, screenshot):
    context = browser.new_context(locale="vi-VN", viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    try:
        # given the ledger on a phone: every receipt, nothing wider than the screen
        page.goto(f"{live_server.url}/campaigns/bao-yagi/ledger/")
        assert page.locator("h1").inner_text() == "Ủng hộ đồng bào khắc phục hậu quả bão số 3 (Yagi) năm 2024"
        assert page.locator("h2").first.inner_text() == "Sổ tiếp nhận đóng góp"
        assert page.locator('.tabs a[aria-current="page"]').inner_text() == "Sổ tiếp nhận"
        assert page.get_by_test_id("ledger-row").count() == 4
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # when a reader types a name without diacritics and searches
        page.fill("#id_q", "nguyen van an")
        page.get_by_role("button", name="Tìm kiếm").click()
        page.wait_for_url("**/ledger/?q=nguyen+van+an*")

        # then only that donor's receipt is listed, written as the donor wrote it
        rows = page.get_by_test_id("ledger-row")
        assert rows.count() == 1
        assert rows.first.locator(".ledger-name").inner_text().strip() == "Nguyễn Văn An"
        assert rows.first.locator(".ledger-amount").inner_text().strip() == "500.000 ₫"
        assert page.get_by_test_id("ledger-count").inner_text().strip() == "Tìm thấy 1 khoản"
        assert page.input_value("#id_q") == "nguyen van an"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "ledger-search-phone")

        # and the CSV download holds that search, readable by Excel (UTF-8 with a BOM)
        with page.expect_download() as download:
            page.get_by_test_id("download-csv").click()
        assert download.value.suggested_filename.startswith("bao-yagi-ledger-")
        content = Path(download.value.path()).read_bytes().decode("utf-8")
        assert content.startswith("\ufeff")
        assert list(csv.reader(io.StringIO(content[1:]))) == [
            ["number", "time", "kind", "channel", "amount", "goods", "public_name", "reverses"],
            ["YAGI24-000001", "2024-09-08T09:15:00+07:00", "cash", "cash_desk", "500000", "", "Nguyễn Văn An", ""],
        ]
    finally:
        context.close()
