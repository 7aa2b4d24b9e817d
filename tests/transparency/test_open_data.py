"""Open data: the API's figures, allocations and journal, their CSV files, the HXL 3W file; cached per
figures version, a fixed number of queries each, errors in one shape; and the published figures
always equal the sums over the ledgers."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.settings import api_settings

from allocations.models import Allocation
from allocations.selectors import campaign_availability
from allocations.services import (
    allocation_mark_disbursed,
    allocation_record,
    allocation_reverse,
    distribution_report_record,
)
from campaigns.models import ItemCategory, Province
from donations.models import Receipt
from donations.services import receipt_record, receipt_reverse
from ledger.models import JournalEntry, JournalHead
from ledger.services import ItemLine, journal_heads_record
from tests.factories import CampaignFactory, category, province
from tests.transparency.ledgers import DECIDED, VN, record_ledgers, yagi_campaign
from transparency.exports import csv_safe
from transparency.models import CampaignTotals, DailyTotals
from transparency.services import campaign_totals_refresh

API = "/api/v1/campaigns/bao-yagi-2024"
FILES = "/campaigns/bao-yagi-2024"
BOM = "\ufeff"


@pytest.fixture
def yagi(db):
    return yagi_campaign()


@pytest.fixture
def ledgers(yagi, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return record_ledgers(yagi, by=admin_user)


def csv_of(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM))))


def local_iso(moment) -> str:
    return timezone.localtime(moment).isoformat()


# --- the figures ---------------------------------------------------------------------------------


def test_totals_answer_every_headline_figure(client, ledgers, yagi):
    response = client.get(f"{API}/totals/")

    totals = CampaignTotals.objects.get(campaign=yagi)
    head = JournalEntry.objects.filter(campaign=yagi).latest("sequence")
    assert response.status_code == 200
    assert response.json() == {
        "campaign": "bao-yagi-2024", "code": "YAGI24",
        "cash_pledged": 0, "cash_received": 300_000_000, "cash_allocated": 150_000_000,
        "cash_available": 150_000_000, "cash_disbursed": 100_000_000, "cash_reported": 3_600_000,
        "goods_value_received": 30_000_000, "receipts": 2, "donors": 2, "allocations": 3,
        "households_reached": 12, "people_reached": 47,
        "journal_entries": 11, "journal_hash": head.hash, "last_entry_at": local_iso(head.recorded_at),
        "version": totals.version, "refreshed_at": local_iso(totals.refreshed_at),
    }


def test_totals_of_a_campaign_with_nothing_recorded_are_zero(client, yagi):
    body = client.get(f"{API}/totals/").json()

    assert (body["cash_received"], body["receipts"], body["journal_entries"], body["journal_hash"]) == (0, 0, 0, "")
    assert (body["last_entry_at"], body["refreshed_at"], body["version"]) == (None, None, 0)


def test_provinces_roll_the_2008_map_up_to_today(client, ledgers):
    response = client.get(f"{API}/provinces/")

    # Yên Bái and Lào Cai (2008) are today's Lào Cai; Cao Bằng's only allocation was reversed
    assert response.json() == [
        {"code": "15", "name": "Lào Cai", "cash_allocated": 150_000_000, "cash_disbursed": 100_000_000,
         "cash_reported": 3_600_000, "goods_value_allocated": 0, "allocations": 2, "households_reached": 12,
         "people_reached": 47, "goods": []},
        {"code": "04", "name": "Cao Bằng", "cash_allocated": 0, "cash_disbursed": 0, "cash_reported": 0,
         "goods_value_allocated": 0, "allocations": 0, "households_reached": 0, "people_reached": 0, "goods": []},
        {"code": "08", "name": "Tuyên Quang", "cash_allocated": 0, "cash_disbursed": 0, "cash_reported": 0,
         "goods_value_allocated": 10_000_000, "allocations": 1, "households_reached": 0, "people_reached": 0,
         "goods": [{"category": "rice", "unit": "kg", "allocated": "500.000", "distributed": "500.000"}]},
    ]


def test_goods_answer_quantities_and_values_per_category(client, ledgers):
    assert client.get(f"{API}/goods/").json() == [
        {"category": "rice", "name_vi": "Gạo", "name_en": "Rice", "unit": "kg", "received": "1500.500",
         "allocated": "500.000", "distributed": "500.000", "value_received": 30_000_000, "value_allocated": 10_000_000},
        {"category": "drinking-water", "name_vi": "Nước uống đóng chai", "name_en": "Bottled drinking water",
         "unit": "thung", "received": "200.000", "allocated": "0.000", "distributed": "0.000",
         "value_received": 0, "value_allocated": 0},
    ]


def test_daily_answer_has_running_totals(client, ledgers):
    today = timezone.localdate().isoformat()  # a receipt and its reversal, both recorded today

    assert client.get(f"{API}/daily/").json() == [
        {"day": "2024-09-10", "received": 300_000_000, "allocated": 0, "disbursed": 0, "receipts": 1,
         "received_to_date": 300_000_000, "allocated_to_date": 0, "disbursed_to_date": 0},
        {"day": "2024-09-11", "received": 0, "allocated": 0, "disbursed": 0, "receipts": 1,
         "received_to_date": 300_000_000, "allocated_to_date": 0, "disbursed_to_date": 0},
        {"day": "2024-09-20", "received": 0, "allocated": 150_000_000, "disbursed": 0, "receipts": 0,
         "received_to_date": 300_000_000, "allocated_to_date": 150_000_000, "disbursed_to_date": 0},
        {"day": "2024-09-25", "received": 0, "allocated": 0, "disbursed": 100_000_000, "receipts": 0,
         "received_to_date": 300_000_000, "allocated_to_date": 150_000_000, "disbursed_to_date": 100_000_000},
        {"day": today, "received": 0, "allocated": 0, "disbursed": 0, "receipts": 0,
         "received_to_date": 300_000_000, "allocated_to_date": 150_000_000, "disbursed_to_date": 100_000_000},
    ]


def test_categories_name_what_a_goods_pledge_can_bring(client, db):
    response = client.get("/api/v1/categories/")

    body = response.json()
    assert response.status_code == 200
    assert body[:2] == [
        {"slug": "rice", "name_vi": "Gạo", "name_en": "Rice", "unit": "kg"},
        {"slug": "instant-food", "name_vi": "Mì và thực phẩm ăn liền", "name_en": "Instant noodles and ready food",
         "unit": "thung"},
    ]
    assert [c["slug"] for c in body] == list(ItemCategory.objects.values_list("slug", flat=True))


# --- the allocation ledger -------------------------------------------------------------------------


def test_allocations_answer_every_allocation_with_its_reports_and_reversal(client, ledgers):
    body = client.get(f"{API}/allocations/").json()

    assert (body["next"], body["previous"]) == (None, None)
    assert [a["number"] for a in body["results"]] == [f"YAGI24-PB00000{n}" for n in range(1, 6)]
    yen_bai, _lao_cai, cao_bang, rice, reversal = body["results"]
    assert yen_bai == {
        "sequence": 1, "number": "YAGI24-PB000001", "decision_number": "125/QĐ-BCTTW", "decision_date": "2024-09-20",
        "province": {"set": "2008", "code": "15", "name": "Yên Bái", "current_code": "15", "current_name": "Lào Cai"},
        "purpose": "Hỗ trợ khẩn cấp", "kind": "cash", "amount": 100_000_000, "items": [], "status": "disbursed",
        "disbursed_on": "2024-09-25", "reverses": None, "reversed_by": None,
        "reports": [{"distributed_on": "2024-09-28", "commune": "Xã Bảo Hà", "households": 12, "people": 47,
                     "amount": 3_600_000, "goods": ""}],
    }
    assert (cao_bang["reversed_by"], reversal["reverses"], reversal["amount"]) == (
        "YAGI24-PB000005", "YAGI24-PB000003", -20_000_000)
    assert rice["items"] == [{"category": "rice", "unit": "kg", "quantity": "500.000", "estimated_value": 10_000_000}]
    assert (rice["amount"], rice["province"]["current_name"]) == (None, "Tuyên Quang")
    # what staff keep to themselves stays out: a report's note, the reason for a reversal, who recorded
    assert "Danh sách hộ" not in str(body) and "Thay bằng" not in str(body) and "recorded_by" not in str(body)


def test_allocations_are_cursor_paginated_in_ledger_order(client, ledgers):
    first = client.get(f"{API}/allocations/", {"limit": 2}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    pages = [[a["number"][-1] for a in page["results"]] for page in (first, second, third)]
    assert pages == [["1", "2"], ["3", "4"], ["5"]]
    assert third["next"] is None


def test_an_invalid_cursor_is_a_404_in_the_error_shape(en_client, ledgers):
    response = en_client.get(f"{API}/allocations/", {"cursor": "not-a-cursor"})

    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": "Invalid cursor", "errors": {}}


# --- the journal -----------------------------------------------------------------------------------


def test_journal_answers_every_entry_with_its_hash(client, ledgers, yagi):
    body = client.get(f"{API}/journal/", {"limit": 3}).json()

    first = JournalEntry.objects.get(campaign=yagi, sequence=1)
    assert body["results"][0] == {
        "sequence": 1, "event": "receipt", "entry_number": "YAGI24-000001",
        "canonical": "1|YAGI24|1|receipt|YAGI24-000001|2024-09-10T02:00:00Z|cash|cash_desk|300000000||Nguyễn V. A.|||",
        "hash": first.hash, "recorded_at": local_iso(first.recorded_at),
    }
    events = []
    page = body
    while True:
        events += [(e["sequence"], e["event"], e["entry_number"]) for e in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    assert events == [
        (1, "receipt", "YAGI24-000001"), (2, "receipt", "YAGI24-000002"), (3, "receipt", "YAGI24-000003"),
        (4, "receipt_reversal", "YAGI24-000004"), (5, "allocation", "YAGI24-PB000001"),
        (6, "allocation", "YAGI24-PB000002"), (7, "allocation", "YAGI24-PB000003"),
        (8, "allocation", "YAGI24-PB000004"), (9, "disbursement", "YAGI24-PB000004"),
        (10, "disbursement", "YAGI24-PB000001"), (11, "allocation_reversal", "YAGI24-PB000005"),
    ]


def test_journal_heads_answer_each_recorded_day(client, ledgers, yagi):
    journal_heads_record(until=timezone.localdate())

    head = JournalHead.objects.get(campaign=yagi)
    assert client.get(f"{API}/journal/heads/").json() == [
        {"day": head.day.isoformat(), "count": 11, "hash": JournalEntry.objects.get(campaign=yagi, sequence=11).hash},
    ]


# --- CSV files -------------------------------------------------------------------------------------


def test_totals_csv_is_the_api_answer_with_a_bom(client, ledgers):
    response = client.get(f"{FILES}/totals.csv")

    rows = csv_of(response)
    answer = client.get(f"{API}/totals/").json()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="bao-yagi-2024-totals.csv"'
    assert rows[0] == list(answer)
    assert rows[1] == [str(value) for value in answer.values()]
    assert rows[1][:5] == ["bao-yagi-2024", "YAGI24", "0", "300000000", "150000000"]


def test_figures_csv_files(client, ledgers):
    provinces = csv_of(client.get(f"{FILES}/provinces.csv"))
    province_goods = csv_of(client.get(f"{FILES}/province-goods.csv"))
    goods = csv_of(client.get(f"{FILES}/goods.csv"))
    daily = csv_of(client.get(f"{FILES}/daily.csv"))
    categories = csv_of(client.get("/categories.csv"))

    assert provinces[:2] == [
        ["code", "name", "cash_allocated", "cash_disbursed", "cash_reported", "goods_value_allocated", "allocations",
         "households_reached", "people_reached"],
        ["15", "Lào Cai", "150000000", "100000000", "3600000", "0", "2", "12", "47"],
    ]
    assert province_goods == [["code", "name", "category", "unit", "allocated", "distributed"],
                              ["08", "Tuyên Quang", "rice", "kg", "500.000", "500.000"]]
    assert goods[1] == ["rice", "Gạo", "Rice", "kg", "1500.500", "500.000", "500.000", "30000000", "10000000"]
    assert daily[0][-3:] == ["received_to_date", "allocated_to_date", "disbursed_to_date"]
    assert daily[-1][-3:] == ["300000000", "150000000", "100000000"]
    assert categories[1] == ["rice", "Gạo", "Rice", "kg"]


def test_allocations_csv_is_streamed_one_row_per_allocation(client, ledgers):
    response = client.get(f"{FILES}/allocations.csv")

    rows = csv_of(response)
    assert response.streaming
    assert rows[0] == [
        "sequence", "number", "decision_number", "decision_date", "province_set", "province_code", "province_name",
        "current_code", "current_name", "purpose", "kind", "amount", "goods", "status", "disbursed_on", "reverses",
        "reversed_by", "reports", "households", "people", "amount_reported",
    ]
    assert rows[1] == ["1", "YAGI24-PB000001", "125/QĐ-BCTTW", "2024-09-20", "2008", "15", "Yên Bái", "15", "Lào Cai",
                       "Hỗ trợ khẩn cấp", "cash", "100000000", "", "disbursed", "2024-09-25", "", "", "1", "12",
                       "47", "3600000"]
    assert rows[4][11:13] == ["", "rice:500:10000000"]
    # a reversal's negative amount is a number, not a formula: it is written as it is
    assert rows[5][1:2] + rows[5][11:12] + rows[5][15:16] == ["YAGI24-PB000005", "-20000000", "YAGI24-PB000003"]
    assert len(rows) == 6


def test_journal_csv_and_heads_csv(client, ledgers, yagi):
    journal_heads_record(until=timezone.localdate())

    journal = client.get(f"{FILES}/journal.csv")
    heads = client.get(f"{FILES}/journal-heads.csv")

    rows, head_rows = csv_of(journal), csv_of(heads)
    first = JournalEntry.objects.get(campaign=yagi, sequence=1)
    assert journal.streaming
    assert journal["Content-Disposition"] == 'attachment; filename="bao-yagi-2024-journal.csv"'
    assert rows[0] == ["sequence", "event", "entry_number", "recorded_at", "canonical", "hash"]
    recorded_at = timezone.localtime(first.recorded_at).isoformat(timespec="seconds")
    assert rows[1] == ["1", "receipt", "YAGI24-000001", recorded_at, first.canonical, first.hash]
    assert len(rows) == 12
    assert head_rows == [["day", "count", "hash"], [timezone.localdate().isoformat(), "11", rows[11][5]]]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+84 912", "'+84 912"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-20000000", "-20000000"),
        ("-1.5", "-1.5"),
        (-5, "-5"),
        (Decimal("-2.500"), "-2.500"),
        ("Nguyễn V. A.", "Nguyễn V. A."),
        (None, ""),
    ],
)
def test_csv_safe_neutralises_formulas_and_keeps_numbers(value, cell):
    assert csv_safe(value) == cell


def test_a_formula_typed_by_staff_is_neutralised_in_every_file(client, yagi, admin_user,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        receipt_record(campaign=yagi, channel="cash_desk", amount=1_000_000, recorded_by=admin_user)
        allocation_record(campaign=yagi, province=province("15"), decision_number="@1/QĐ", decision_date=DECIDED,
                          purpose="=HYPERLINK(\"http://x\",\"Bấm\")", recorded_by=admin_user, amount=500_000)

    allocations = csv_of(client.get(f"{FILES}/allocations.csv"))
    three_w = csv_of(client.get(f"{FILES}/3w.csv"))

    assert allocations[1][2] == "'@1/QĐ" and allocations[1][9] == "'=HYPERLINK(\"http://x\",\"Bấm\")"
    assert three_w[2][8] == "'@1/QĐ"


# --- the 3W file in HXL ----------------------------------------------------------------------------


def test_3w_file_has_the_hxl_hashtag_row_and_a_row_per_allocation_line(client, ledgers, yagi):
    response = client.get(f"{FILES}/3w.csv")

    rows = csv_of(response)
    assert rows[:2] == [
        ["Organisation", "Sector", "Sector code", "Province", "Province code", "Date", "Status", "Allocation",
         "Decision", "Reverses", "Quantity", "Unit", "Value (VND)", "Currency", "People reached", "Households reached"],
        ["#org", "#sector", "#sector+code", "#adm1+name", "#adm1+code", "#date", "#status", "#activity+code",
         "#meta+decision", "#meta+reverses", "#output+num", "#output+unit", "#value", "#currency", "#reached",
         "#reached+households"],
    ]
    org = "Ủy ban Trung ương MTTQ Việt Nam"
    assert rows[2:] == [
        [org, "Tiền mặt", "cash", "Lào Cai", "15", "2024-09-25", "disbursed", "YAGI24-PB000001", "125/QĐ-BCTTW", "",
         "", "", "100000000", "VND", "47", "12"],
        [org, "Tiền mặt", "cash", "Lào Cai", "15", "2024-09-20", "planned", "YAGI24-PB000002", "126/QĐ-BCTTW", "",
         "", "", "50000000", "VND", "0", "0"],
        [org, "Tiền mặt", "cash", "Cao Bằng", "04", "2024-09-20", "planned", "YAGI24-PB000003", "127/QĐ-BCTTW", "",
         "", "", "20000000", "VND", "0", "0"],
        [org, "Gạo", "rice", "Tuyên Quang", "08", "2024-09-22", "disbursed", "YAGI24-PB000004", "128/QĐ-BCTTW", "",
         "500", "kg", "10000000", "VND", "0", "0"],
        [org, "Tiền mặt", "cash", "Cao Bằng", "04", "2024-09-20", "planned", "YAGI24-PB000005", "127/QĐ-BCTTW",
         "YAGI24-PB000003", "", "", "-20000000", "VND", "0", "0"],
    ]
    # each column sums to the published figure
    totals = client.get(f"{API}/totals/").json()
    assert sum(int(r[12]) for r in rows[2:] if r[2] == "cash") == totals["cash_allocated"]
    assert sum(int(r[14]) for r in rows[2:]) == totals["people_reached"]


def test_3w_is_in_the_api_too(client, ledgers):
    api = client.get(f"{API}/3w/")
    file = client.get(f"{FILES}/3w.csv")

    assert api.status_code == 200
    assert api["Content-Type"] == "text/csv; charset=utf-8"
    assert api.content == file.content


# --- caching, queries, errors, schema ----------------------------------------------------------------

ANSWERS = ["totals/", "provinces/", "goods/", "daily/", "allocations/", "journal/", "journal/heads/", "3w/"]


@pytest.mark.parametrize("answer", ANSWERS)
def test_each_answer_runs_a_fixed_number_of_queries_whatever_the_size(client, yagi, admin_user, answer,
                                                                        django_capture_on_commit_callbacks):
    def queries_to_answer() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            assert client.get(f"{API}/{answer}").status_code == 200
        with CaptureQueriesContext(connection) as warm:
            assert client.get(f"{API}/{answer}").status_code == 200
        # the campaign by its slug and the figures version (read from the cache once a refresh stored it)
        assert len(warm) <= 2
        return len(cold)

    # given a small campaign, then one with many more receipts and allocations
    with django_capture_on_commit_callbacks(execute=True):
        receipt_record(campaign=yagi, channel="cash_desk", amount=50_000_000, recorded_by=admin_user)
        allocation_record(campaign=yagi, province=province("15"), decision_number="1/QĐ", decision_date=DECIDED,
                          purpose="Hỗ trợ", recorded_by=admin_user, amount=1_000_000)
    small = queries_to_answer()
    old_map = list(Province.objects.filter(set="2008").order_by("code")[:20])
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(20):
            receipt_record(campaign=yagi, channel="cash_desk", amount=100_000 + n, recorded_by=admin_user,
                           received_at=timezone.now() - datetime.timedelta(days=n))
            allocation_record(campaign=yagi, province=old_map[n],
                              decision_number=f"{n}/QĐ", decision_date=DECIDED + datetime.timedelta(days=n),
                              purpose="Hỗ trợ", recorded_by=admin_user, amount=1_000_000)
    large = queries_to_answer()

    # then the number of queries is the same, and small
    assert small == large <= 6


def test_a_refresh_makes_every_cached_answer_stale_at_once(client, yagi, admin_user,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        receipt_record(campaign=yagi, channel="cash_desk", amount=1_000_000, recorded_by=admin_user)
    assert client.get(f"{API}/totals/").json()["cash_received"] == 1_000_000
    assert len(csv_of(client.get(f"{FILES}/daily.csv"))) == 2

    with django_capture_on_commit_callbacks(execute=True):
        receipt_record(campaign=yagi, channel="cash_desk", amount=2_000_000, recorded_by=admin_user,
                       received_at=timezone.now() - datetime.timedelta(days=3))

    assert client.get(f"{API}/totals/").json()["cash_received"] == 3_000_000
    assert len(csv_of(client.get(f"{FILES}/daily.csv"))) == 3


def test_a_cache_outage_still_answers(client, ledgers, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)

    response = client.get(f"{API}/totals/")
    assert (response.status_code, response.json()["cash_received"]) == (200, 300_000_000)
    assert client.get(f"{FILES}/journal.csv").status_code == 200


@pytest.mark.parametrize("answer", ANSWERS)
def test_an_unknown_or_draft_campaign_is_a_404_with_a_message(en_client, db, answer):
    CampaignFactory(slug="ban-nhap", draft=True)

    for slug in ("khong-co", "ban-nhap"):
        response = en_client.get(f"/api/v1/campaigns/{slug}/{answer}")
        assert response.status_code == 404
        assert response.json()["detail"] == "There is no public campaign at this address."


def test_errors_speak_vietnamese_by_default(client, yagi):
    unknown = client.get("/api/v1/campaigns/khong-co/totals/")
    bad_cursor = client.get(f"{API}/journal/", {"cursor": "khong-phai"})

    assert unknown.json()["detail"] == "Không có chiến dịch công khai nào ở địa chỉ này."
    assert bad_cursor.json()["detail"] == "Con trỏ trang không hợp lệ"


@pytest.mark.parametrize("path", ["totals.csv", "allocations.csv", "journal.csv", "3w.csv"])
def test_files_of_an_unknown_campaign_are_a_404(client, db, path):
    assert client.get(f"/campaigns/khong-co/{path}").status_code == 404


def test_writes_are_refused_in_the_error_shape(en_client, yagi):
    response = en_client.post(f"{API}/totals/", {})

    assert response.status_code == 405
    assert response.json() == {
        "status": 405, "code": "method_not_allowed", "detail": "Method \"POST\" not allowed.", "errors": {}
    }


def test_reads_are_throttled_per_address_in_the_error_shape(en_client, yagi, settings, monkeypatch):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**api_settings.DEFAULT_THROTTLE_RATES, "open_data": "2/hour"}}

    statuses = [en_client.get(f"{API}/totals/").status_code for _ in range(3)]
    response = en_client.get(f"{API}/goods/")

    assert statuses == [200, 200, 429]
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many requests: try again in ")
    assert resolve(f"{API}/goods/").func.view_class.throttle_classes[0].scope == "open_data"


def test_the_schema_documents_every_open_data_endpoint_and_its_errors(client, db):
    content = client.get("/api/schema/").content.decode()

    for path in ("totals", "provinces", "goods", "daily", "allocations", "journal", "journal/heads", "3w"):
        assert f"\n  /api/v1/campaigns/{{slug}}/{path}/:\n" in content
    assert "\n  /api/v1/categories/:\n" in content
    assert "\n    ApiError:\n" in content
    assert "$ref: '#/components/schemas/ApiError'" in content
    assert "PaginatedAllocationList" in content and "PaginatedJournalEntryList" in content


# --- the sum of the ledger is the published total, to the đồng --------------------------------------

POOL = [("15", "2008"), ("10", "2008"), ("02", "2008"), ("15", "2025"), ("04", "2025"), ("08", "2025")]
GOODS = ["rice", "drinking-water", "medicine"]
START = datetime.date(2024, 9, 8)

money = st.integers(min_value=1, max_value=2_000_000_000)
# a day of the campaign and a minute of it (Vietnam time), or None: now
when = st.none() | st.tuples(st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=24 * 60 - 1))
share = st.integers(min_value=1, max_value=100)
pick = st.integers(min_value=0, max_value=1_000)
gifts = st.one_of(
    st.tuples(st.just("cash"), money, when, st.sampled_from(["cash_desk", "bank"])),
    st.tuples(st.just("goods"), st.sampled_from(GOODS),
              st.decimals(min_value=Decimal("0.001"), max_value=Decimal(100_000), places=3),
              st.none() | st.integers(min_value=0, max_value=500_000_000), when),
)
allocations = st.one_of(
    st.tuples(st.just("allocate_cash"), st.sampled_from(POOL), share, st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("allocate_goods"), st.sampled_from(POOL), st.sampled_from(GOODS), share,
              st.none() | st.integers(min_value=0, max_value=100_000_000)),
)
changes = st.one_of(
    gifts,
    allocations,
    allocations,
    st.tuples(st.just("reverse_receipt"), pick),
    st.tuples(st.just("reverse_allocation"), pick),
    st.tuples(st.just("disburse"), pick, st.integers(min_value=0, max_value=10)),
    st.tuples(st.just("report"), pick, st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=500),
              st.none() | share),
)
# gifts and allocations first, so that most ledgers have something to change, then any change in any order
operations = st.builds(
    lambda *parts: [step for part in parts for step in part],
    st.lists(gifts, min_size=1, max_size=4), st.lists(allocations, min_size=1, max_size=3),
    st.lists(changes, min_size=2, max_size=12),
)


def received_at(moment: tuple[int, int] | None) -> datetime.datetime | None:
    if moment is None:
        return None
    day, minute = moment
    midnight = datetime.datetime.combine(START + datetime.timedelta(days=day), datetime.time(), tzinfo=VN)
    return midnight + datetime.timedelta(minutes=minute)


def run(campaign, steps, user) -> None:
    """Apply generated steps through the services; a step the services refuse writes nothing."""
    receipts, allocations = [], []
    for step in steps:
        kind, *args = step
        try:
            if kind == "cash":
                amount, moment, channel = args
                receipts.append(receipt_record(campaign=campaign, channel=channel, amount=amount,
                                               received_at=received_at(moment), recorded_by=user))
            elif kind == "goods":
                slug, quantity, value, moment = args
                receipts.append(receipt_record(
                    campaign=campaign, channel="goods", recorded_by=user, received_at=received_at(moment),
                    items=[ItemLine(category=category(slug), quantity=quantity, estimated_value=value)]))
            elif kind == "reverse_receipt" and receipts:
                # a reversal is received when it is recorded (today): only today's receipts are reversed
                # here, see test_a_receipt_reversed_on_a_later_day_keeps_the_daily_figures
                todays = [r for r in receipts if timezone.localtime(r.received_at).date() == timezone.localdate()]
                if todays:
                    receipts.append(receipt_reverse(receipt=todays[args[0] % len(todays)], reason="Sai",
                                                    recorded_by=user))
            elif kind == "allocate_cash":
                (code, year), percent, day = args
                available = campaign_availability(campaign_id=campaign.pk).cash_available
                if available > 0:
                    allocations.append(allocation_record(
                        campaign=campaign, province=province(code, year), decision_number=f"{len(allocations)}/QĐ",
                        decision_date=START + datetime.timedelta(days=day), purpose="Hỗ trợ", recorded_by=user,
                        amount=max(1, available * percent // 100)))
            elif kind == "allocate_goods":
                (code, year), slug, percent, value = args
                left = campaign_availability(campaign_id=campaign.pk).goods_available(category(slug).pk)
                quantity = (left * percent / 100).quantize(Decimal("0.001"), rounding="ROUND_DOWN")
                if quantity > 0:
                    allocations.append(allocation_record(
                        campaign=campaign, province=province(code, year), decision_number=f"{len(allocations)}/QĐ",
                        decision_date=START, purpose="Hỗ trợ", recorded_by=user,
                        items=[ItemLine(category=category(slug), quantity=quantity, estimated_value=value)]))
            elif kind == "reverse_allocation" and allocations:
                allocations.append(allocation_reverse(allocation=allocations[args[0] % len(allocations)],
                                                      reason="Sai", recorded_by=user))
            elif kind == "disburse" and allocations:
                allocation = allocations[args[0] % len(allocations)]
                allocation_mark_disbursed(allocation=allocation, user=user,
                                          disbursed_on=allocation.decision_date + datetime.timedelta(days=args[1]))
            elif kind == "report" and allocations:
                allocation = allocations[args[0] % len(allocations)]
                households, more_people, percent = args[1:]
                amount = allocation.amount * percent // 100 if percent and allocation.amount else None
                distribution_report_record(allocation=allocation, distributed_on=START, commune="Xã Bảo Hà",
                                           households=households, people=households + more_people, amount=amount,
                                           reported_by=user)
        except ValidationError:
            pass


def ledger_sums(campaign) -> dict:
    """Every published figure, summed in Python over the ledger rows as they stand."""
    receipts = list(Receipt.objects.filter(campaign=campaign).prefetch_related("items"))
    allocations = list(Allocation.objects.filter(campaign=campaign).select_related("province")
                       .prefetch_related("items__category", "reports"))
    sign = {True: -1, False: 1}
    totals = {
        "cash_received": sum(r.amount or 0 for r in receipts),
        "receipts": sum(sign[r.is_reversal] for r in receipts),
        "goods_value_received": sum(i.estimated_value or 0 for r in receipts for i in r.items.all()),
        "cash_allocated": sum(a.amount or 0 for a in allocations),
        "cash_disbursed": sum(a.amount or 0 for a in allocations if a.status == "disbursed"),
        "allocations": sum(sign[a.is_reversal] for a in allocations),
        "cash_reported": sum(p.amount or 0 for a in allocations for p in a.reports.all()),
        "households_reached": sum(p.households for a in allocations for p in a.reports.all()),
        "people_reached": sum(p.people for a in allocations for p in a.reports.all()),
    }
    provinces: dict[str, dict] = {}
    for a in allocations:
        row = provinces.setdefault(a.province.current.code, dict.fromkeys(
            ("cash_allocated", "cash_disbursed", "goods_value_allocated", "allocations", "cash_reported",
             "households_reached", "people_reached"), 0))
        row["cash_allocated"] += a.amount or 0
        row["cash_disbursed"] += (a.amount or 0) if a.status == "disbursed" else 0
        row["goods_value_allocated"] += sum(i.estimated_value or 0 for i in a.items.all())
        row["allocations"] += sign[a.is_reversal]
        row["cash_reported"] += sum(p.amount or 0 for p in a.reports.all())
        row["households_reached"] += sum(p.households for p in a.reports.all())
        row["people_reached"] += sum(p.people for p in a.reports.all())
    goods: dict[str, dict] = {}
    lines = [(i, None) for r in receipts for i in r.items.all()] + [(i, a) for a in allocations for i in a.items.all()]
    for item, allocation in lines:
        row = goods.setdefault(item.category.slug, dict.fromkeys(
            ("received", "allocated", "distributed", "value_received", "value_allocated"), 0))
        if allocation is None:
            row["received"] += item.quantity
            row["value_received"] += item.estimated_value or 0
        else:
            row["allocated"] += item.quantity
            row["distributed"] += item.quantity if allocation.status == "disbursed" else 0
            row["value_allocated"] += item.estimated_value or 0
    days: dict[str, dict] = {}

    def day(date) -> dict:
        return days.setdefault(date.isoformat(), dict.fromkeys(("received", "allocated", "disbursed", "receipts"), 0))

    for r in receipts:
        day(timezone.localtime(r.received_at).date())["received"] += r.amount or 0
        day(timezone.localtime(r.received_at).date())["receipts"] += sign[r.is_reversal]
    for a in allocations:
        if a.kind == "cash":
            day(a.decision_date)["allocated"] += a.amount
            if a.status == "disbursed":
                day(a.disbursed_on)["disbursed"] += a.amount
    running = dict.fromkeys(("received", "allocated", "disbursed"), 0)
    for date in sorted(days):
        for name in running:
            running[name] += days[date][name]
            days[date][f"{name}_to_date"] = running[name]
    return {"totals": totals, "provinces": provinces, "goods": goods, "daily": days}


def all_pages(client, url: str) -> list[dict]:
    results = []
    while url:
        page = client.get(url).json()
        results += page["results"]
        url = page["next"]
    return results


@hypothesis_settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=operations)
def test_every_published_total_is_the_sum_of_the_ledgers(client, admin_user, steps):
    # given a campaign whose ledgers were written by random steps through the services
    campaign = CampaignFactory(province_set="2008", starts_on=START)
    run(campaign, steps, admin_user)

    # when its figures are refreshed
    campaign_totals_refresh(campaign_id=campaign.pk)

    # then every stored table, API answer and file says exactly what the ledgers sum to
    expected = ledger_sums(campaign)
    api = f"/api/v1/campaigns/{campaign.slug}"
    totals = client.get(f"{api}/totals/").json()
    assert {name: totals[name] for name in expected["totals"]} == expected["totals"]
    assert totals["cash_available"] == expected["totals"]["cash_received"] - expected["totals"]["cash_allocated"]
    assert totals["journal_entries"] == JournalEntry.objects.filter(campaign=campaign).count()

    provinces = {p.pop("code"): p for p in client.get(f"{api}/provinces/").json()}
    for row in provinces.values():
        del row["name"], row["goods"]
    assert provinces == expected["provinces"]
    assert sum(p["cash_allocated"] for p in provinces.values()) == totals["cash_allocated"]

    goods = {g["category"]: {name: Decimal(g[name]) if name in ("received", "allocated", "distributed") else g[name]
                             for name in expected["goods"].get(g["category"], {})}
             for g in client.get(f"{api}/goods/").json()}
    assert goods == expected["goods"]

    daily = {d.pop("day"): d for d in client.get(f"{api}/daily/").json()}
    assert daily == expected["daily"]
    if daily:
        last = daily[max(daily)]
        assert (last["received_to_date"], last["allocated_to_date"], last["disbursed_to_date"]) == (
            totals["cash_received"], totals["cash_allocated"], totals["cash_disbursed"])

    allocations = all_pages(client, f"{api}/allocations/?limit=3")
    assert sum(a["amount"] or 0 for a in allocations) == totals["cash_allocated"]
    three_w = csv_of(client.get(f"/campaigns/{campaign.slug}/3w.csv"))[2:]
    assert sum(int(r[12]) for r in three_w if r[2] == "cash") == totals["cash_allocated"]
    assert sum(int(r[14]) for r in three_w) == totals["people_reached"]
    assert sum(int(r[12] or 0) for r in three_w if r[2] != "cash") == sum(
        p["goods_value_allocated"] for p in provinces.values())


def test_a_receipt_reversed_on_a_later_day_keeps_the_daily_figures(yagi, admin_user):
    # given a receipt of an earlier day, reversed today
    receipt = receipt_record(campaign=yagi, channel="cash_desk", amount=1_000_000, recorded_by=admin_user,
                             received_at=timezone.now() - datetime.timedelta(days=2))
    receipt_reverse(receipt=receipt, reason="Ghi nhầm", recorded_by=admin_user)

    # when the figures are refreshed, today's row carries the reversal
    campaign_totals_refresh(campaign_id=yagi.pk)
    today = DailyTotals.objects.get(campaign=yagi, day=timezone.localdate())
    assert (today.received, today.receipts, today.received_to_date) == (-1_000_000, -1, 0)
