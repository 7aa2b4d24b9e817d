"""GET /api/v1/campaigns/<slug>/ledger/: the public ledger as JSON, cursor-paged, documented, with
the API's error shape and nothing private."""

import json

import pytest
import yaml
from django.urls import reverse

from tests.transparency.test_ledger import (  # noqa: F401 - fixtures
    JSON_URL,
    account_for_yagi,
    few,
    receive,
    staff,
    ties,
    yagi,
)
from transparency.services import campaign_totals_refresh

API = "/api/v1/campaigns/bao-yagi/ledger/"


def test_first_page_lists_receipts_with_public_fields_only(en_client, few):
    response = en_client.get(API, {"size": 25})

    assert response.status_code == 200
    assert response.json() == {
        "count": 5,
        "count_capped": False,
        "next": None,
        "previous": None,
        "results": [
            {"number": "YAGI24-000005", "received_at": "2024-09-09T17:20:00+07:00", "kind": "cash",
             "channel": "cash_desk", "amount": -5_000_000, "goods": [], "public_name": "Trần Thị Hạnh",
             "reverses": "YAGI24-000004", "reversed_by": None},
            {"number": "YAGI24-000004", "received_at": "2024-09-09T16:45:00+07:00", "kind": "cash",
             "channel": "cash_desk", "amount": 5_000_000, "goods": [], "public_name": "Trần Thị Hạnh",
             "reverses": None, "reversed_by": "YAGI24-000005"},
            {"number": "YAGI24-000003", "received_at": "2024-09-09T14:00:00+07:00", "kind": "goods",
             "channel": "goods", "amount": None,
             "goods": [{"category": "rice", "quantity": "1500.500", "unit": "kg", "estimated_value": None},
                       {"category": "drinking-water", "quantity": "20.000", "unit": "thung",
                        "estimated_value": None}],
             "public_name": "Công ty Cổ phần Thực phẩm Sao Mai", "reverses": None, "reversed_by": None},
            {"number": "YAGI24-000002", "received_at": "2024-09-08T10:15:00+07:00", "kind": "cash",
             "channel": "cash_desk", "amount": 2_000_000, "goods": [], "public_name": "Nguyễn Văn Bình",
             "reverses": None, "reversed_by": None},
            {"number": "YAGI24-000001", "received_at": "2024-09-08T00:30:00+07:00", "kind": "cash",
             "channel": "bank", "amount": 500_000, "goods": [], "public_name": "Nguyễn Văn An",
             "reverses": None, "reversed_by": None},
        ],
    }


def test_api_rows_are_the_json_download_rows(client, few):
    api = client.get(API, {"sort": "oldest"}).json()["results"]
    download = json.loads(b"".join(client.get(JSON_URL, {"sort": "oldest"}).streaming_content))["receipts"]
    assert api == download


def test_filters_are_the_page_filters(en_client, few):
    body = en_client.get(API, {"q": "nguyen van", "amount": "500.000", "date_to": "2024-09-08"}).json()
    assert [row["number"] for row in body["results"]] == ["YAGI24-000001"]
    assert (body["count"], body["count_capped"]) == (1, False)
    body = en_client.get(API, {"number": "K7M3PQ9X"}).json()
    assert [row["number"] for row in body["results"]] == ["YAGI24-000001"]


@pytest.mark.parametrize("sort", ["newest", "oldest", "largest", "smallest"])
def test_cursor_pages_forwards_and_back_across_ties(client, ties, sort):
    everything = [row["number"] for row in client.get(API, {"sort": sort, "size": 100}).json()["results"]]
    assert len(everything) == 61

    # forwards, following `next` URLs
    pages, url = [], f"http://testserver{API}?sort={sort}&size=25"
    while url:
        body = client.get(url).json()
        pages.append([row["number"] for row in body["results"]])
        last, url = body, body["next"]
    assert sum(pages, []) == everything
    assert [len(page) for page in pages] == [25, 25, 11]

    # and back, following `previous` URLs from the last page
    back, url = [], last["previous"]
    while url:
        body = client.get(url).json()
        back.insert(0, [row["number"] for row in body["results"]])
        url = body["previous"]
    assert back == pages[:-1]


def test_next_url_keeps_the_search(client, ties):
    body = client.get(API, {"amount": "500000", "sort": "largest", "size": 25}).json()
    assert body["next"].startswith(f"http://testserver{API}?amount=500000&sort=largest&size=25&cursor=")
    assert body["count"] == 55


def test_pages_cost_a_fixed_number_of_queries(client, yagi, ties, django_assert_max_num_queries):
    campaign_totals_refresh(campaign_id=yagi.pk)
    url = f"{API}?sort=largest&size=25"
    while url:
        with django_assert_max_num_queries(7):
            body = client.get(url).json()
        url = body["next"]


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("amount=%C2%B9%C2%B2%C2%B3", "amount: Enter the amount in whole đồng, for example 500.000."),
        ("amount=99999999999999999999", "amount: Enter an amount between 1 ₫ and 100.000.000.000 ₫."),
        ("q=%00", "q: Remove the invisible or broken characters from this text."),
        ("q=%ED%A0%80", "q: Remove the invisible or broken characters from this text."),
        ("date_from=01/01/0001", "date_from: Enter a date between 01/01/2000 and 31/12/2099."),
        ("date_from=2024-09-10&date_to=2024-09-08", "date_to: The end date is before the start date."),
        ("cursor=garbage", "cursor: This page link is not valid any more. Start again from the first page."),
        ("size=7", "size: Select a valid choice. 7 is not one of the available choices."),
        ("q=" + "x" * 10_000, "q: Ensure this value has at most 100 characters (it has 10000)."),
        ("&".join(f"x{n}=1" for n in range(2_000)), "query: This query has too many parameters."),
        ("amount=abc&sort=up", "amount: Enter the amount in whole đồng, for example 500.000. "
                               "sort: Select a valid choice. up is not one of the available choices."),
    ],
)
def test_bad_input_is_a_400_in_the_open_data_error_shape(en_client, yagi, query, detail):
    response = en_client.get(f"{API}?{query}")
    assert response.status_code == 400
    body = response.json()  # the API's one error shape
    assert (body["status"], body["code"], body["detail"]) == (400, "parse_error", detail)


def test_bad_input_speaks_vietnamese_by_default(client, yagi):
    assert client.get(API, {"date_from": "31/02/2024"}).json()["detail"] == (
        "date_from: Nhập ngày theo dạng ngày/tháng/năm, ví dụ 08/09/2024.")


def test_unknown_campaign_is_404_in_the_api_error_shape(en_client, db):
    response = en_client.get("/api/v1/campaigns/khong-co/ledger/")
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no public campaign at this address."


def test_read_only(client, yagi):
    assert client.post(API, {}).status_code == 405
    assert client.delete(API).status_code == 405


def test_schema_documents_the_ledger(client, db):
    schema = yaml.safe_load(client.get(reverse("schema")).content)
    operation = schema["paths"]["/api/v1/campaigns/{slug}/ledger/"]["get"]
    assert [p["name"] for p in operation["parameters"]] == [
        "amount", "cursor", "date_from", "date_to", "number", "q", "size", "slug", "sort",
    ]
    sort = next(p for p in operation["parameters"] if p["name"] == "sort")
    assert sort["schema"]["enum"] == ["largest", "newest", "oldest", "smallest"]
    assert set(operation["responses"]) == {"200", "400", "404", "429"}
    assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApiError"
    }
    page = schema["components"]["schemas"]["LedgerPage"]
    assert set(page["properties"]) == {"count", "count_capped", "next", "previous", "results"}
    receipt = schema["components"]["schemas"]["LedgerReceipt"]
    assert set(receipt["properties"]) == {
        "number", "received_at", "kind", "channel", "amount", "goods", "public_name", "reverses", "reversed_by",
    }


def test_no_personal_data_in_the_api(client, yagi, staff, account_for_yagi):
    from tests.factories import DonorFactory, PledgeFactory

    donor = DonorFactory(full_name="Lê Thị Thu Trang", phone="0987654321", email="trang.le@example.vn",
                         address="12 Ngõ Huế, Hai Bà Trưng", tax_code="")
    receive(yagi, staff, 300_000, channel="bank",
            pledge=PledgeFactory(campaign=yagi, donor=donor, amount=300_000, reference="EFGH6789"))
    body = client.get(API).content.decode()
    assert "Lê T. T. T." in body
    for private in ("Lê Thị Thu Trang", "0987654321", "trang.le@example.vn", "12 Ngõ Huế", "EFGH6789"):
        assert private not in body
