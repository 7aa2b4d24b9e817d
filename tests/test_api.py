"""The REST API under /api/v1/: pledging, public reads without personal data, provinces, throttling, docs."""

import datetime
import importlib
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from rest_framework import serializers
from rest_framework.settings import api_settings

from campaigns.models import ItemCategory
from donations.models import Donor, Pledge, PledgeItem
from donations.services import pledge_create
from donations.vietqr import vietqr_payload
from tests.factories import (
    CampaignFactory,
    DonorFactory,
    PledgeFactory,
    PledgeItemFactory,
    ReceivingAccountFactory,
)

PLEDGES = "/api/v1/pledges/"
REFERENCE_RE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$")


def cash_body(for_campaign, **overrides) -> dict:
    body = {
        "campaign": for_campaign.slug,
        "kind": "cash",
        "amount": 500_000,
        "message": "Chung tay cùng bà con vùng lũ.",
        "donor": {
            "kind": "individual",
            "full_name": "Nguyễn Văn An",
            "phone": "+84 912 345 678",
            "email": "an.nguyen@example.vn",
            "address": "12 Ngõ Huế, Hai Bà Trưng",
            "province": "01",
        },
    }
    body.update(overrides)
    return body


def goods_body(for_campaign, **overrides) -> dict:
    body = {
        "campaign": for_campaign.slug,
        "kind": "goods",
        "items": [
            {"category": "rice", "quantity": "250.5"},
            {"category": "drinking-water", "quantity": 20, "estimated_value": 2_000_000},
        ],
        "donor": {
            "kind": "organization",
            "organization_name": "Công ty TNHH Vận tải Hoàng Long",
            "tax_code": "0201567890",
            "full_name": "Trần Thị Hạnh",
            "phone": "0987654321",
            "email": "hanh.tran@hoanglong.vn",
            "address": "88 Lạch Tray, Ngô Quyền",
            "province": "19",
            "public_display": "full",
        },
    }
    body.update(overrides)
    return body


def post(client, body):
    return client.post(PLEDGES, json.dumps(body), content_type="application/json")


def nothing_saved() -> bool:
    return (Donor.objects.count(), Pledge.objects.count(), PledgeItem.objects.count()) == (0, 0, 0)


def created_at(pledge) -> str:
    return serializers.DateTimeField().to_representation(pledge.created_at)


# --- POST /api/v1/pledges/ -------------------------------------------------------------------------


def test_cash_pledge_returns_the_reference_and_how_to_pay(en_client, open_campaign, account):
    # when an individual pledges 500.000 ₫ through the API
    response = post(en_client, cash_body(open_campaign))

    # then the pledge is created with a fresh reference
    assert response.status_code == 201
    body = response.json()
    assert REFERENCE_RE.fullmatch(body["reference"])
    pledge = Pledge.objects.select_related("donor").get(reference=body["reference"])
    assert (pledge.amount, pledge.source, pledge.donor.phone) == (500_000, "api", "0912345678")
    transfer_content = f"{open_campaign.code} {pledge.reference}"
    # and the body is exactly the public pledge plus the payment details
    assert body == {
        "reference": pledge.reference,
        "campaign": "bao-so-3",
        "kind": "cash",
        "amount": 500_000,
        "items": [],
        "transfer_content": transfer_content,
        "status": "pledged",
        "public_name": "Nguyễn V. A.",
        "created_at": created_at(pledge),
        "vietqr": vietqr_payload(
            bank_bin="970436", account_number="0011001932418", amount=500_000, purpose=transfer_content
        ),
        "qr_png": f"http://testserver/pledges/{pledge.reference}/qr.png",
        "qr_svg": f"http://testserver/pledges/{pledge.reference}/qr.svg",
        "account": {
            "bank_name": "Vietcombank",
            "bank_bin": "970436",
            "account_number": "0011001932418",
            "account_holder": "Ban Cứu trợ Trung ương",
            "branch": "Sở giao dịch Vietcombank",
        },
        "dropoff_points": [],
    }
    assert "5406500000" in body["vietqr"]
    # and no contact data is echoed back
    for private in ("0912345678", "912 345 678", "an.nguyen@example.vn", "12 Ngõ Huế"):
        assert private not in response.content.decode()


def test_goods_pledge_returns_items_and_dropoff_points(en_client, open_campaign):
    # when an organisation pledges two kinds of goods
    response = post(en_client, goods_body(open_campaign))

    # then the body lists the goods and where to bring them, and no payment details
    assert response.status_code == 201
    body = response.json()
    pledge = Pledge.objects.get(reference=body["reference"])
    all_categories = list(ItemCategory.objects.order_by("position", "slug").values_list("slug", flat=True))
    assert all_categories[:4] == ["rice", "instant-food", "drinking-water", "medicine"]
    assert body == {
        "reference": pledge.reference,
        "campaign": "bao-so-3",
        "kind": "goods",
        "amount": None,
        "items": [
            {"category": "rice", "quantity": "250.500", "unit": "kg", "estimated_value": None},
            {"category": "drinking-water", "quantity": "20.000", "unit": "thung", "estimated_value": 2_000_000},
        ],
        "transfer_content": f"{open_campaign.code} {pledge.reference}",
        "status": "pledged",
        "public_name": "Công ty TNHH Vận tải Hoàng Long",
        "created_at": created_at(pledge),
        "vietqr": None,
        "qr_png": None,
        "qr_svg": None,
        "account": None,
        # the donor lives in Thái Nguyên (19): the drop-off point there comes first
        "dropoff_points": [
            {
                "name": "Ủy ban MTTQ tỉnh Thái Nguyên",
                "province": "Thái Nguyên",
                "address": "Số 4 đường Đội Cấn, Thái Nguyên",
                "phone": "02439287437",
                "opening_hours": "7:30–17:00 các ngày trong tuần",
                "categories": all_categories,
            },
            {
                "name": "Trụ sở Ủy ban Trung ương MTTQ Việt Nam",
                "province": "Hà Nội",
                "address": "46 Tràng Thi, Hoàn Kiếm, Hà Nội",
                "phone": "02439287437",
                "opening_hours": "7:30–17:00 các ngày trong tuần",
                "categories": all_categories,
            },
        ],
    }
    assert sorted((i.category.slug, str(i.quantity)) for i in pledge.items.all()) == [
        ("drinking-water", "20.000"), ("rice", "250.500")
    ]
    for private in ("0987654321", "hanh.tran@hoanglong.vn", "88 Lạch Tray", "0201567890", "Trần Thị Hạnh"):
        assert private not in response.content.decode()


PHONE_MESSAGE = "Enter a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 or 09."

BAD_BODIES = [
    pytest.param(
        lambda c: cash_body(c, donor={**cash_body(c)["donor"], "phone": "0212345678"}),
        {"donor": {"phone": [PHONE_MESSAGE]}}, id="phone",
    ),
    pytest.param(
        lambda c: cash_body(c, donor={**cash_body(c)["donor"], "email": "an@@example"}),
        {"donor": {"email": ["Enter a valid email address."]}}, id="email",
    ),
    pytest.param(
        lambda c: cash_body(c, donor={**cash_body(c)["donor"], "full_name": ""}),
        {"donor": {"full_name": ["Please enter your full name."]}}, id="name-missing",
    ),
    pytest.param(
        lambda c: cash_body(c, amount=0), {"amount": ["The amount must be at least 1,000 đồng."]}, id="amount-0",
    ),
    pytest.param(
        lambda c: cash_body(c, amount=-5), {"amount": ["The amount must be at least 1,000 đồng."]},
        id="amount-negative",
    ),
    pytest.param(
        lambda c: cash_body(c, amount=1000.5), {"amount": ["A valid integer is required."]}, id="amount-fractional",
    ),
    pytest.param(
        lambda c: cash_body(c, amount=999_999_999_999_999),
        {"amount": ["The amount cannot exceed 100,000,000,000 đồng; for larger gifts please contact the committee."]},
        id="amount-absurd",
    ),
    pytest.param(
        lambda c: cash_body(c, amount=None), {"amount": ["Please enter the amount you will transfer."]},
        id="amount-missing",
    ),
    pytest.param(
        lambda c: goods_body(c, items=[]), {"items": ["Add at least one item you will bring."]}, id="no-items",
    ),
    pytest.param(
        lambda c: goods_body(c, items=[{"category": "rice", "quantity": 0}]),
        {"items": {"0": {"quantity": ["The quantity must be greater than zero."]}}}, id="quantity-0",
    ),
    pytest.param(
        lambda c: goods_body(c, items=[{"category": "caviar", "quantity": 1}]),
        {"items": {"0": {"category": ["Unknown item category “caviar”."]}}}, id="unknown-category",
    ),
    pytest.param(
        lambda c: cash_body(c, donor={**cash_body(c)["donor"], "province": "99"}),
        {"donor": {"province": ["Unknown province code “99” (use a code of the 2025 map)."]}},
        id="unknown-province",
    ),
    pytest.param(
        lambda c: cash_body(c, donor={**cash_body(c)["donor"], "province": "93"}),
        {"donor": {"province": ["Unknown province code “93” (use a code of the 2025 map)."]}},
        id="province-of-the-2008-map",
    ),
    pytest.param(
        lambda c: cash_body(c, campaign="khong-co-chien-dich-nay"), {"campaign": ["Unknown campaign."]},
        id="unknown-campaign",
    ),
    pytest.param(
        lambda c: cash_body(c, message="<script>alert(1)</script>"),
        {"message": ["Please write plain text without HTML tags."]}, id="html-message",
    ),
    pytest.param(
        lambda c: cash_body(c, kind="bitcoin"), {"kind": ["\"bitcoin\" is not a valid choice."]}, id="kind",
    ),
]


@pytest.mark.parametrize(("make_body", "errors"), BAD_BODIES)
def test_bad_pledge_is_a_400_per_field_and_saves_nothing(en_client, open_campaign, make_body, errors):
    # when a pledge with one bad field is posted
    response = post(en_client, make_body(open_campaign))

    # then the answer is 400 with exactly that field's message, and nothing is saved
    assert response.status_code == 400
    assert response.json() == {
        "status": 400, "code": "invalid", "detail": "The request has errors: see “errors” for each field.",
        "errors": errors,
    }
    assert nothing_saved()


@pytest.mark.parametrize(
    ("status", "errors"),
    [
        ("closed", {"campaign": ["This campaign is not accepting donations."]}),
        ("draft", {"campaign": ["Unknown campaign."]}),
    ],
)
def test_pledge_to_a_campaign_that_is_not_active_is_refused(en_client, db, status, errors):
    # given a closed or draft campaign with an account
    campaign = CampaignFactory(status=status)
    ReceivingAccountFactory(campaign=campaign)

    # when a pledge is posted to it
    response = post(en_client, cash_body(campaign))

    # then it is refused and nothing is saved
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert nothing_saved()


def test_malformed_json_is_a_400(en_client, open_campaign):
    response = en_client.post(PLEDGES, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert nothing_saved()


# --- what one pledge costs: a fixed number of queries, one transaction, one commit ------------------


def statements(captured) -> list[str]:
    """The first word of each statement: SELECT, INSERT, BEGIN, COMMIT, SAVEPOINT..."""
    return [query["sql"].split(None, 1)[0].upper() for query in captured.captured_queries]


ON_POSTGRES = connection.vendor == "postgresql"


def test_a_pledge_costs_a_fixed_number_of_queries(en_client, open_campaign, django_assert_num_queries):
    # the first cash pledge a process takes reads the provinces and the campaign with its provinces,
    # accounts and drop-off points (and their categories), then kept for a few seconds (campaigns.cached); writes
    # the donor, the pledge and their history rows — on PostgreSQL in one statement, elsewhere in four
    # — here inside the test's transaction, so within a savepoint and its release; and reads nothing back
    write = 3 if ON_POSTGRES else 6
    with django_assert_num_queries(1 + 5 + write):
        assert post(en_client, cash_body(open_campaign)).status_code == 201
    # the next one only writes
    with django_assert_num_queries(write):
        assert post(en_client, cash_body(open_campaign)).status_code == 201

    # a goods pledge of two lines reads the item categories (once, then kept too) and writes as above
    # and the lines (on PostgreSQL in the same statement, elsewhere one insert each); the drop-off
    # points of its answer are the campaign's as kept
    write = 3 if ON_POSTGRES else 8
    with django_assert_num_queries(1 + write):
        assert post(en_client, goods_body(open_campaign)).status_code == 201
    with django_assert_num_queries(write):
        assert post(en_client, goods_body(open_campaign)).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_a_pledge_is_written_in_one_transaction_committed_once(reference_data, en_client, open_campaign):
    # when a pledge is posted as in production (no transaction around the request)
    with CaptureQueriesContext(connection) as captured:
        response = post(en_client, cash_body(open_campaign))

    # then six reads (provinces; campaign, its provinces, accounts, drop-off points and their
    # categories) come before the write of the donor, the pledge and their history: on
    # PostgreSQL one statement, which commits on its own; elsewhere one transaction of four inserts,
    # committed once; never a savepoint
    assert response.status_code == 201
    if ON_POSTGRES:
        assert statements(captured) == ["SELECT"] * 6 + ["WITH"]
    else:
        assert statements(captured) == ["SELECT"] * 6 + ["BEGIN"] + ["INSERT"] * 4 + ["COMMIT"]
    pledge = Pledge.objects.get(reference=response.json()["reference"])
    assert (pledge.history.count(), pledge.donor.history.count()) == (1, 1)
    assert pledge.history.get().history_type == pledge.donor.history.get().history_type == "+"


@pytest.mark.django_db(transaction=True)
def test_a_reference_taken_meanwhile_is_drawn_again_and_nothing_of_the_first_try_is_kept(
    reference_data, en_client, open_campaign, monkeypatch
):
    # given a pledge that holds reference AAAA2222, and a new pledge that first draws it, then BBBB3333
    existing = PledgeFactory(campaign=open_campaign, reference="AAAA2222")
    drawn = iter(["AAAA2222", "BBBB3333"])
    monkeypatch.setattr(importlib.import_module(pledge_create.__module__), "pledge_reference_generate",
                        lambda: next(drawn))

    # when it is posted
    with CaptureQueriesContext(connection) as captured:
        response = post(en_client, cash_body(open_campaign))

    # then the unique constraint refused the first write, which was undone as a whole (on PostgreSQL
    # one statement, elsewhere a rolled-back transaction), and it was done again with the free reference
    assert response.status_code == 201
    if ON_POSTGRES:
        assert statements(captured) == ["SELECT"] * 6 + ["WITH", "SELECT", "WITH"]
    else:
        assert statements(captured).count("ROLLBACK") == 1
        assert statements(captured).count("COMMIT") == 1
    assert response.json()["reference"] == "BBBB3333"
    # and nothing of the first try is kept: one new donor, one new pledge, one history row each
    pledge = Pledge.objects.select_related("donor").get(reference="BBBB3333")
    assert pledge.donor.phone == "0912345678"
    assert Donor.objects.exclude(pk=existing.donor_id).get() == pledge.donor
    assert Pledge.objects.exclude(pk=existing.pk).get() == pledge
    assert (Donor.history.count(), Pledge.history.count()) == (2, 2)
    assert Pledge.objects.get(reference="AAAA2222").donor_id == existing.donor_id


# --- public reads contain no personal data ---------------------------------------------------------


@pytest.fixture
def private_pledge(open_campaign):
    """A goods pledge by an organisation whose contact data must never be shown."""
    donor = DonorFactory(
        organization=True, phone="0977123456", email="lien.he@saomai.vn", address="27 Phố Bí Mật, Ba Đình",
        tax_code="0109876543", full_name="Lê Thị Liên Hệ", public_display="masked",
    )
    pledge = PledgeFactory(campaign=open_campaign, donor=donor, goods=True, reference="K7M3PQ9X")
    PledgeItemFactory(pledge=pledge, quantity="100")
    return pledge


PRIVATE = ("0977123456", "0977 123 456", "lien.he@saomai.vn", "27 Phố Bí Mật", "0109876543", "Lê Thị Liên Hệ")


def test_pledge_detail_shows_status_and_no_contact_data(en_client, private_pledge, open_campaign):
    # when the pledge is read by its reference (in lower case)
    response = en_client.get(f"{PLEDGES}k7m3pq9x/")

    # then it shows the public fields only
    assert response.status_code == 200
    assert response.json() == {
        "reference": "K7M3PQ9X",
        "campaign": "bao-so-3",
        "kind": "goods",
        "amount": None,
        "items": [{"category": "rice", "quantity": "100.000", "unit": "kg", "estimated_value": None}],
        "transfer_content": f"{open_campaign.code} K7M3PQ9X",
        "status": "pledged",
        "public_name": "Công T. C. P. T. P. S. M.",
        "created_at": created_at(private_pledge),
    }
    content = response.content.decode()
    for private in PRIVATE:
        assert private not in content


def test_unknown_pledge_is_404(client, db):
    assert client.get(f"{PLEDGES}ZZZZ2222/").status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/campaigns/", "/api/v1/campaigns/bao-so-3/"])
def test_campaign_reads_contain_no_donor_data(en_client, private_pledge, url):
    response = en_client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert "bao-so-3" in content
    for private in PRIVATE:
        assert private not in content


def test_campaign_list_is_paginated_and_hides_drafts(en_client, open_campaign):
    # given an active, a closed and a draft campaign
    CampaignFactory(closed=True, slug="da-ket-thuc")
    CampaignFactory(draft=True, slug="ban-nhap")

    # when the list is read
    body = en_client.get("/api/v1/campaigns/").json()

    # then the public ones are listed, without the draft
    assert body["count"] == 2
    assert body["next"] is None
    assert sorted(c["slug"] for c in body["results"]) == ["bao-so-3", "da-ket-thuc"]
    assert next(c for c in body["results"] if c["slug"] == "bao-so-3") == {
        "slug": "bao-so-3",
        "name": "Ủng hộ đồng bào bị ảnh hưởng bởi bão số 3",
        "summary": "Cứu trợ khẩn cấp cho bà con vùng lũ.",
        "status": "active",
        "starts_on": "2024-09-08",
        "ends_on": None,
        "target_amount": 1_297_000_000,
        "code": open_campaign.code,
        "province_set": "2025",
        "provinces": [],
    }
    assert en_client.get("/api/v1/campaigns/ban-nhap/").status_code == 404


def test_campaign_list_is_newest_first(en_client, open_campaign):
    # given the active 2024 campaign and a campaign that ran and closed in 2021
    CampaignFactory(closed=True, slug="covid-2021", starts_on=datetime.date(2021, 5, 1),
                    ends_on=datetime.date(2022, 12, 31))

    # when the list is read
    body = en_client.get("/api/v1/campaigns/").json()

    # then it is newest first, as the endpoint documents (and the open campaign leads)
    assert [c["slug"] for c in body["results"]] == ["bao-so-3", "covid-2021"]


def test_campaign_detail_lists_accounts_and_dropoffs(en_client, open_campaign):
    body = en_client.get("/api/v1/campaigns/bao-so-3/").json()

    assert body["accounts"] == [{
        "bank_name": "Vietcombank",
        "bank_bin": "970436",
        "account_number": "0011001932418",
        "account_holder": "Ban Cứu trợ Trung ương",
        "branch": "Sở giao dịch Vietcombank",
    }]
    assert [(d["name"], d["province"]) for d in body["dropoff_points"]] == [
        ("Trụ sở Ủy ban Trung ương MTTQ Việt Nam", "Hà Nội"),
        ("Ủy ban MTTQ tỉnh Thái Nguyên", "Thái Nguyên"),
    ]
    assert body["description"] == "Mô tả chiến dịch.\n\nMọi khoản đóng góp được công khai."


# --- provinces -------------------------------------------------------------------------------------


def test_provinces_of_the_2025_map(client, db):
    response = client.get("/api/v1/provinces/", {"set": "2025"})

    body = response.json()
    assert response.status_code == 200
    assert len(body) == 34
    assert {p["set"] for p in body} == {"2025"}
    assert all(p["successor"] is None for p in body)
    assert {"set": "2025", "code": "15", "name": "Lào Cai", "kind": "province", "valid_from": "2025-07-01",
            "valid_to": None, "successor": None} in body


def test_provinces_default_to_the_2025_map(client, db):
    assert len(client.get("/api/v1/provinces/").json()) == 34


def test_provinces_of_the_2008_map_point_to_their_successor(client, db):
    response = client.get("/api/v1/provinces/", {"set": "2008"})

    body = response.json()
    assert response.status_code == 200
    assert len(body) == 63
    by_code = {p["code"]: p for p in body}
    assert by_code["15"] == {"set": "2008", "code": "15", "name": "Yên Bái", "kind": "province",
                             "valid_from": None, "valid_to": "2025-06-30", "successor": "15"}
    assert by_code["02"]["successor"] == "08"  # Hà Giang → Tuyên Quang
    assert by_code["93"]["successor"] == "92"  # Hậu Giang → Cần Thơ
    assert all(p["successor"] for p in body)


def test_unknown_province_map_is_a_400(en_client, db):
    response = en_client.get("/api/v1/provinces/", {"set": "1999"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"set": ["Use 2025 or 2008."]}


# --- throttling ------------------------------------------------------------------------------------


def test_pledge_creation_is_throttled(en_client, open_campaign, settings, monkeypatch):
    # given a limit of 2 pledges an hour per client
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"pledge_create": "2/hour"}}
    # DRF binds SimpleRateThrottle.THROTTLE_RATES to the rates dict at import time, so a settings change
    # alone does not reach the throttle; point the view's throttles at the reloaded settings.
    for throttle in resolve(PLEDGES).func.view_class.throttle_classes:
        monkeypatch.setattr(throttle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
    cache.clear()

    # when the same client posts three pledges
    statuses = [post(en_client, cash_body(open_campaign)).status_code for _ in range(3)]

    # then the third is refused and only two were saved
    assert statuses == [201, 201, 429]
    assert Pledge.objects.count() == 2


def test_default_throttle_allows_a_few_pledges(en_client, open_campaign):
    statuses = [post(en_client, cash_body(open_campaign)).status_code for _ in range(3)]
    assert statuses == [201, 201, 201]


def test_reads_are_not_throttled_by_the_pledge_limit(client, open_campaign, settings, monkeypatch):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"pledge_create": "2/hour"}}
    for throttle in resolve(PLEDGES).func.view_class.throttle_classes:
        monkeypatch.setattr(throttle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)

    statuses = {client.get("/api/v1/campaigns/").status_code for _ in range(4)}

    assert statuses == {200}


# --- schema and docs -------------------------------------------------------------------------------


def test_openapi_schema_documents_the_pledge_endpoint(client, db):
    response = client.get("/api/schema/")

    content = response.content.decode()
    assert response.status_code == 200
    assert content.startswith("openapi: 3.")
    for path in ("/api/v1/pledges/:", "/api/v1/pledges/{reference}/:", "/api/v1/campaigns/:",
                 "/api/v1/provinces/:"):
        assert f"\n  {path}\n" in content


def test_api_docs_use_only_local_assets(client, db):
    # when the Swagger UI page is opened
    response = client.get("/api/docs/")

    # then every script and stylesheet it loads is served by the site itself, from static files
    content = response.content.decode()
    assert response.status_code == 200
    assets = re.findall(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"', content)
    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a local static file"
    assert not re.search(r'(?:src|href)="(?:https?:)?//', content)
    assert "/api/schema/" in content
