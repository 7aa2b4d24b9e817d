"""The campaign dashboard in a real browser on a phone: the chart and the map are drawn, the page fits
the screen, and the province table sorts in place."""

import datetime

import pytest

from allocations.services import (
    allocation_mark_disbursed,
    allocation_record,
    distribution_report_record,
)
from donations.services import receipt_record
from tests.factories import CampaignFactory, province
from transparency.services import campaign_totals_refresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dashboard(reference_data, django_user_model):
    """Cash received on two days and allocated to Cà Mau, Cao Bằng and Cần Thơ, two of them disbursed."""
    staff = django_user_model.objects.create_superuser("trunguong", "tw@example.vn", "Cuutro-TrungUong-2024")
    campaign = CampaignFactory(slug="bao-so-3", code="BAO24")
    for day, amount in ((10, 60_000_000), (12, 40_000_000)):
        receipt_record(campaign=campaign, channel="cash_desk", amount=amount, recorded_by=staff,
                       received_at=datetime.datetime(2024, 9, day, 9, tzinfo=datetime.UTC))
    for code, amount, people in (("96", 20_000_000, 300), ("04", 30_000_000, 100), ("92", 10_000_000, 200)):
        allocation = allocation_record(campaign=campaign, province=province(code), amount=amount,
                                       decision_number=f"{code}/QĐ", decision_date=datetime.date(2024, 9, 14),
                                       purpose="Hỗ trợ khẩn cấp", recorded_by=staff)
        if code != "92":
            allocation_mark_disbursed(allocation=allocation, disbursed_on=datetime.date(2024, 9, 16), user=staff)
            distribution_report_record(allocation=allocation, distributed_on=datetime.date(2024, 9, 17),
                                       commune="Xã A", households=people // 4, people=people, reported_by=staff)
    campaign_totals_refresh(campaign_id=campaign.pk)
    return campaign


def box(locator) -> dict:
    return locator.evaluate("el => { const r = el.getBoundingClientRect(); return {w: r.width, h: r.height}; }")


def test_dashboard_on_a_phone_draws_the_chart_and_the_map(browser, live_server, dashboard, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/campaigns/{dashboard.slug}/")

        # the chart: its plot and each of its three lines take up room on the screen
        chart = page.get_by_test_id("chart")
        chart.scroll_into_view_if_needed()
        assert chart.get_attribute("role") == "img"
        plot = box(chart.locator("svg"))
        assert plot["w"] > 200 and plot["h"] > 100
        for series in ("received", "allocated", "disbursed"):
            line = box(chart.locator(f"path.line-{series}"))
            assert line["w"] > 100, series
        # the map: 34 squares drawn, the allocated ones shaded
        tile_map = page.get_by_test_id("map")
        tile_map.scroll_into_view_if_needed()
        assert box(tile_map)["w"] > 250 and box(tile_map)["h"] > 600
        assert tile_map.locator("a.tile rect").count() == 34
        assert box(tile_map.locator('a.tile[data-code="96"] rect'))["w"] > 30
        assert tile_map.locator('a.tile rect:not(.shade-0)').count() == 3
        # and the page fits the phone's width
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        screenshot(page, "dashboard-phone")
    finally:
        context.close()


def test_province_table_sorts_in_place(page, live_server, dashboard):
    page.goto(f"{live_server.url}/campaigns/{dashboard.slug}/")
    page.evaluate("() => { window.notReloaded = true; }")
    rows = page.locator("[data-testid=province-table] tbody th a")
    assert rows.all_inner_texts() == ["Cao Bằng", "Cà Mau", "Cần Thơ"]  # most allocated first

    # when the name header is clicked, the rows take Vietnamese alphabetical order without a reload
    page.click("th[data-sort-key=name] a")
    assert rows.all_inner_texts() == ["Cà Mau", "Cao Bằng", "Cần Thơ"]
    assert page.locator("th[data-sort-key=name]").get_attribute("aria-sort") == "ascending"
    assert page.locator("th[data-sort-key=allocated]").get_attribute("aria-sort") is None
    assert page.evaluate("() => window.notReloaded") is True
    assert page.url.endswith("?sort=name&order=asc#provinces")

    # and clicked again, the other way round; then by people reached
    page.click("th[data-sort-key=name] a")
    assert rows.all_inner_texts() == ["Cần Thơ", "Cao Bằng", "Cà Mau"]
    page.click("th[data-sort-key=people] a")
    assert rows.all_inner_texts() == ["Cà Mau", "Cao Bằng", "Cần Thơ"]  # 300, 100, 0 reported
    assert page.evaluate("() => window.notReloaded") is True
