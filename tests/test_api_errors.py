"""Every error of the API in its one JSON shape: the status, a stable code, one sentence in the
request's language (Vietnamese unless English is asked for), the field errors of a 400; never a
Python message; and each documented in the OpenAPI schema by the one `ApiError` component."""

import json

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.urls import resolve
from rest_framework.settings import api_settings

from donations.models import Donor, Pledge, PledgeItem
from tests.test_api import cash_body, goods_body

PLEDGES = "/api/v1/pledges/"
PHONE_EN = "Enter a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 or 09."
PHONE_VI = "Nhập số điện thoại di động Việt Nam: 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09."


def error(status: int, code: str, detail: str, errors: dict | None = None) -> dict:
    return {"status": status, "code": code, "detail": detail, "errors": errors or {}}


def post_raw(client, body: bytes | str, content_type="application/json", **headers):
    return client.generic("POST", PLEDGES, body, content_type=content_type, headers=headers)


def nothing_saved() -> bool:
    return (Donor.objects.count(), Pledge.objects.count(), PledgeItem.objects.count()) == (0, 0, 0)


# --- the request's language ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cookie", "accept_language", "detail", "phone"),
    [
        (None, None, "Yêu cầu có lỗi: xem “errors” để biết lỗi của từng trường.", PHONE_VI),
        ("en", None, "The request has errors: see “errors” for each field.", PHONE_EN),
        (None, "en-US,en;q=0.9", "The request has errors: see “errors” for each field.", PHONE_EN),
        (None, "fr-FR,fr;q=0.9", "Yêu cầu có lỗi: xem “errors” để biết lỗi của từng trường.", PHONE_VI),
        ("vi", "en", "Yêu cầu có lỗi: xem “errors” để biết lỗi của từng trường.", PHONE_VI),
    ],
    ids=["vietnamese-by-default", "cookie-en", "accept-language-en", "unknown-language", "cookie-wins"],
)
def test_a_400_speaks_the_requests_language(client, open_campaign, cookie, accept_language, detail, phone):
    # given a client that asks for a language (or not)
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    headers = {"Accept-Language": accept_language} if accept_language else {}
    body = cash_body(open_campaign, donor={**cash_body(open_campaign)["donor"], "phone": "0212345678"})

    # when it posts a pledge with a landline number
    response = post_raw(client, json.dumps(body), **headers)

    # then the error comes in the one shape, worded in that language
    assert response.status_code == 400
    assert response.json() == error(400, "invalid", detail, {"donor": {"phone": [phone]}})
    assert response["Content-Type"] == "application/json"
    assert nothing_saved()


def test_drf_own_messages_are_translated_too(client, open_campaign):
    response = post_raw(client, json.dumps(cash_body(open_campaign, kind="bitcoin", amount="nhiều")))

    assert response.json()["errors"] == {
        "kind": ["“bitcoin” không phải là một lựa chọn hợp lệ."],
        "amount": ["Cần một số nguyên hợp lệ."],
    }


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ([], {"non_field_errors": ["Send a JSON object with the fields documented for it."]}),
        ({"donor": "An", "items": {"rice": 1}}, {
            "donor": {"non_field_errors": ["Send a JSON object with the fields documented for it."]},
            "items": {"non_field_errors": ["Send the goods lines as a JSON list."]},
        }),
    ],
    ids=["a-list", "a-name-for-a-donor"],
)
def test_a_value_of_the_wrong_json_type_says_what_to_send(en_client, open_campaign, body, errors):
    response = post_raw(en_client, json.dumps(body))

    assert response.status_code == 400
    assert {key: response.json()["errors"][key] for key in errors} == errors


# --- bodies the API cannot read: 400, 413, 415 -----------------------------------------------------

DEEP = '{"campaign": "bao-so-3", "kind": ' + "[" * 1000 + "]" * 1000 + "}"
UNREADABLE = [
    pytest.param(b"{not json", "application/json", "parse_error",
                 "The request body is not valid JSON (line 1, column 2).", id="malformed"),
    pytest.param(b'{"amount": 1,\n "kind": }', "application/json", "parse_error",
                 "The request body is not valid JSON (line 2, column 10).", id="malformed-line-2"),
    pytest.param(DEEP.encode(), "application/json", "too_deep",
                 "The request body is nested more than 16 levels deep.", id="nested-1000-deep"),
    pytest.param(b'{"kind": "\\ud800"}', "application/json", "not_text",
                 "The request body holds characters that are not text (a lone \\u-escaped surrogate).",
                 id="lone-surrogate-choice"),
    pytest.param(b'{"donor": {"kind": "\\udfff"}}', "application/json", "not_text",
                 "The request body holds characters that are not text (a lone \\u-escaped surrogate).",
                 id="lone-surrogate-donor-kind"),
    pytest.param(b'{"amount": NaN}', "application/json", "bad_number",
                 "The request body holds a number JSON cannot carry.", id="nan"),
    pytest.param(b'{"amount": ' + b"9" * 5000 + b"}", "application/json", "bad_number",
                 "The request body holds a number JSON cannot carry.", id="5000-digits"),
    pytest.param(b'{"full_name": "\xff\xfe"}', "application/json", "not_utf8",
                 "The request body is not UTF-8 text.", id="not-utf8"),
]


@pytest.mark.parametrize(("body", "content_type", "code", "detail"), UNREADABLE)
def test_unreadable_body_is_a_400_in_words_not_python(en_client, open_campaign, body, content_type, code, detail):
    response = post_raw(en_client, body, content_type=content_type)

    assert response.status_code == 400
    assert response.json() == error(400, code, detail)
    assert nothing_saved()


def test_a_body_above_the_limit_is_a_413(en_client, open_campaign):
    # when 50,000 goods lines are posted at once (1.7 MB)
    body = goods_body(open_campaign, items=[{"category": "rice", "quantity": 1}] * 50_000)
    response = post_raw(en_client, json.dumps(body))

    # then it is refused before it is read
    assert response.status_code == 413
    assert response.json() == error(413, "too_large", "The request body is larger than 64 KB; send less at once.")
    assert nothing_saved()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("kind=cash&amount=500000", "application/x-www-form-urlencoded"), ("cash 500000", "text/plain")],
    ids=["form", "text"],
)
def test_a_body_that_is_not_json_is_a_415(en_client, open_campaign, body, content_type):
    response = post_raw(en_client, body, content_type=content_type)

    assert response.status_code == 415
    assert response.json() == error(
        415, "unsupported_media_type", "Send the request body as JSON (Content-Type: application/json)."
    )
    assert nothing_saved()


# --- addresses, methods and formats: 404, 405, 406 --------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/pledges/ZZZZ2222/",
        "/api/v1/pledges/AB%00CD/",  # a NUL, which PostgreSQL refuses in a query
        "/api/v1/campaigns/khong-co/",
        "/api/v1/campaigns/500.000/",  # not even a slug
        "/api/v1/khong-co-gi/",
        "/api/v1/campaigns/a%0Ab/",
    ],
)
def test_nothing_at_an_address_is_a_json_404(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.json() == error(404, "not_found", "Không tìm thấy.")


def test_an_address_without_its_slash_is_still_sent_on(client, db):
    assert client.get("/api/v1/campaigns").headers["Location"] == "/api/v1/campaigns/"


def test_a_method_the_endpoint_lacks_is_a_405(en_client, db):
    response = en_client.delete("/api/v1/campaigns/")

    assert response.status_code == 405
    assert response.json() == error(405, "method_not_allowed", 'Method "DELETE" not allowed.')


def test_a_format_the_api_cannot_send_is_a_406(en_client, db):
    response = en_client.get("/api/v1/campaigns/", headers={"Accept": "application/xml"})

    assert response.status_code == 406
    assert response.json() == error(
        406, "not_acceptable", "This address can only answer in JSON (Accept: application/json)."
    )


def test_a_signed_in_session_without_its_csrf_token_is_a_403(db, admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post("/api/v1/campaigns/", "{}", content_type="application/json")

    assert response.status_code == 403
    assert response.json() == error(
        403, "csrf_failed", "A signed-in session must send its CSRF token with this request."
    )


# --- pages of lists -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("limit=9223372036854775808", {"limit": ["Use a whole number from 1 to 100."]}),
        ("limit=101", {"limit": ["Use a whole number from 1 to 100."]}),
        ("limit=0", {"limit": ["Use a whole number from 1 to 100."]}),
        ("limit=%C2%B9%C2%B2", {"limit": ["Use a whole number from 1 to 100."]}),  # ¹²
        ("offset=-1", {"offset": ["Use a whole number of at least 0."]}),
        ("offset=9223372036854775808", {"offset": ["Use a whole number of at least 0."]}),
    ],
)
def test_a_page_out_of_range_is_a_400(en_client, open_campaign, query, errors):
    response = en_client.get(f"/api/v1/campaigns/?{query}")

    assert response.status_code == 400
    assert response.json() == error(400, "invalid", "The request has errors: see “errors” for each field.", errors)


def test_the_largest_page_and_a_page_past_the_end(en_client, open_campaign):
    assert [c["slug"] for c in en_client.get("/api/v1/campaigns/?limit=100").json()["results"]] == ["bao-so-3"]
    past = en_client.get("/api/v1/campaigns/?offset=999999999999999999").json()
    assert (past["count"], past["results"], past["next"]) == (1, [], None)


# --- too many requests: 429 ---------------------------------------------------------------------------


def test_too_many_pledges_is_a_429_that_says_when_to_retry(en_client, open_campaign, settings, monkeypatch):
    # given a limit of one pledge an hour per client
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"pledge_create": "1/hour"}}
    for throttle in resolve(PLEDGES).func.view_class.throttle_classes:
        monkeypatch.setattr(throttle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)

    # when the client pledges twice
    first = post_raw(en_client, json.dumps(cash_body(open_campaign)))
    second = post_raw(en_client, json.dumps(cash_body(open_campaign)))

    # then the second is refused in the one shape, with the wait in the body and the header
    assert first.status_code == 201
    assert second.status_code == 429
    wait = int(second["Retry-After"])  # a sliding window: at most the hour, until the first pledge leaves it
    assert 0 < wait <= 3600
    assert second.json() == error(429, "throttled", f"Too many requests: try again in {wait} seconds.")
    assert Pledge.objects.count() == 1


# --- the schema documents them --------------------------------------------------------------------------


@pytest.fixture
def schema(client, db):
    return yaml.safe_load(client.get("/api/schema/").content)


def test_every_error_answer_is_the_one_documented_component(schema):
    component = schema["components"]["schemas"]["ApiError"]
    assert set(component["required"]) == {"status", "code", "detail", "errors"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            expected = {"400", "404"}
            if method in ("post", "put", "patch"):
                expected |= {"413", "415"}
            errors = {code: answer for code, answer in operation["responses"].items() if code.startswith("4")}
            assert expected <= set(errors), f"{method} {path}"
            for code, answer in errors.items():
                assert answer["content"] == {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}
                }, f"{method} {path} {code}"


def test_the_throttled_endpoint_documents_its_429(schema):
    assert "429" in schema["paths"]["/api/v1/pledges/"]["post"]["responses"]
    assert "429" not in schema["paths"]["/api/v1/campaigns/"]["get"]["responses"]


def test_the_schema_documents_pages_and_what_the_api_answers(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/campaigns/"]["get"]["parameters"]}
    assert parameters["limit"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}
    components = schema["components"]["schemas"]
    assert components["Province"]["properties"]["successor"]["nullable"] is True
    assert components["CampaignList"]["properties"]["code"]["pattern"] == "^[A-Z0-9]{3,8}$"
