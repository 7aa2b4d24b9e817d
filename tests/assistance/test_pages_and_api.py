"""The public side: the need form, the tracking page and the API — bilingual, clear errors, nothing
half-saved, throttled, and never a person's data where anyone can read it."""

import pytest
from django.core.cache import cache
from django.urls import resolve
from rest_framework.settings import api_settings

from assistance.models import NeedRegistration
from assistance.services import need_registration_reject, need_registration_verify
from tests.assistance.conftest import CCCD_AN, make_programme

NEEDS_API = "/api/v1/needs/"


def form_data(**overrides) -> dict:
    data = {
        "full_name": "Nguyễn Văn An", "citizen_id": "001 099 001 234", "phone": "0912 345 678", "relative_name": "",
        "province": "15", "ward": "02989", "address": "Thôn Bảo Vinh", "household_size": "4",
        "needs": ["food", "cash"], "description": "Nhà bị lũ cuốn trôi.",
    }
    return {**data, **overrides}


def api_body(for_campaign, **overrides) -> dict:
    body = {
        "campaign": for_campaign.slug, "full_name": "Nguyễn Văn An", "citizen_id": CCCD_AN, "phone": "0912345678",
        "ward": "02989", "address": "Thôn Bảo Vinh", "household_size": 4, "needs": ["food"],
    }
    return {**body, **overrides}


# --- the page --------------------------------------------------------------------------------------


def test_the_form_is_vietnamese_first(client, programme, campaign):
    response = client.get(f"/campaigns/{campaign.slug}/help/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Đề nghị hỗ trợ" in content
    assert "Hỗ trợ hộ bị ảnh hưởng bởi lũ" in content
    assert "1.000.000 ₫ + 10 kg Gạo" in content
    assert 'type="hidden" name="programme"' in content  # one programme open: nothing to choose


def test_a_person_registers_and_lands_on_the_tracking_page(en_client, programme, campaign):
    # when the form is sent
    response = en_client.post(f"/campaigns/{campaign.slug}/help/", form_data(programme=programme.pk))

    # then the person lands on the tracking page of their new registration
    registration = NeedRegistration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/help/{registration.code}/?new=1"
    assert (registration.full_name, registration.id_masked, registration.ward.code) == ("Nguyễn Văn An", "0010****1234", "02989")
    page = en_client.get(response["Location"]).content.decode()
    assert "Your request was received" in page
    assert registration.code in page
    assert "Received" in page
    for private in ("Nguyễn Văn An", "0912345678", "001099001234", "0010****1234", "Thôn Bảo Vinh", "Bảo Hà"):
        assert private not in page


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"citizen_id": "12345"}, "citizen_id", "A citizen ID (CCCD) has exactly 12 digits."),
    ({"phone": "123"}, "phone", "Enter a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 or 09."),
    ({"ward": ""}, "ward", "Choose the commune or ward where the person is now."),
    ({"ward": "00070"}, "ward", "Choose a commune or ward of the province chosen."),
    ({"province": "01"}, "province", "Choose a province from the list."),
    ({"needs": []}, "needs", "Choose at least one thing the person needs."),
    ({"household_size": "0"}, "household_size", "Ensure this value is greater than or equal to 1."),
    ({"full_name": ""}, "full_name", "This field is required."),
])
def test_a_bad_field_is_shown_next_to_it_and_nothing_is_saved(en_client, programme, campaign, overrides, field, message):
    response = en_client.post(f"/campaigns/{campaign.slug}/help/", form_data(programme=programme.pk, **overrides))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message.replace("“", "&ldquo;") in response.content.decode() or message in response.content.decode()
    assert NeedRegistration.objects.count() == 0


def test_after_choosing_a_province_the_form_lists_its_wards(en_client, programme, campaign):
    response = en_client.post(f"/campaigns/{campaign.slug}/help/", form_data(programme=programme.pk, ward=""))
    content = response.content.decode()
    assert '<option value="02989">Xã Bảo Hà</option>' in content
    assert "Phường Hoàn Kiếm" not in content


def test_a_campaign_without_an_open_programme_says_so(en_client, campaign):
    make_programme(campaign, accepts_web=False)
    response = en_client.get(f"/campaigns/{campaign.slug}/help/")
    assert response.status_code == 200
    assert "This campaign is not taking requests for help now." in response.content.decode()


def test_tracking_shows_the_reason_of_a_rejection(en_client, registered, bao_ha_staff):
    registration = need_registration_reject(registration=registered(), user=bao_ha_staff, reason="Nhà không bị ảnh hưởng")
    page = en_client.get(f"/help/{registration.code.lower()}/").content.decode()
    assert "Rejected" in page
    assert "Nhà không bị ảnh hưởng" in page


def test_tracking_tells_a_verified_person_where_to_go(en_client, registered, bao_ha_staff, bao_ha_point):
    registration = need_registration_verify(registration=registered(), user=bao_ha_staff)
    page = en_client.get(f"/help/{registration.code}/").content.decode()
    assert "Verified" in page
    assert "1.000.000 ₫ + 10 kg Rice" in page
    assert "Nhà văn hóa xã Bảo Hà" in page


def test_lookup_finds_a_code_or_says_it_does_not_exist(en_client, registered):
    registration = registered()
    assert en_client.get("/help/", {"code": f" {registration.code.lower()} "})["Location"] == f"/help/{registration.code}/"
    response = en_client.get("/help/", {"code": "ZZZZ2222"})
    assert response.status_code == 404
    assert "No request has this tracking code." in response.content.decode()
    assert en_client.get("/help/ZZZZ2222/").status_code == 404


# --- the API -----------------------------------------------------------------------------------------


def test_the_api_registers_a_need_and_answers_with_the_code_only(en_client, programme, campaign):
    response = en_client.post(NEEDS_API, api_body(campaign), content_type="application/json")
    registration = NeedRegistration.objects.get()
    assert response.status_code == 201
    assert response.json() == {"code": registration.code, "status": "received",
                               "tracking_url": f"http://testserver/help/{registration.code}/"}
    assert registration.channel == "api"

    detail = en_client.get(f"{NEEDS_API}{registration.code}/")
    assert detail.json() == {
        "code": registration.code, "status": "received", "reason": "", "programme": "Hỗ trợ hộ bị ảnh hưởng bởi lũ",
        "campaign": campaign.slug, "registered_at": detail.json()["registered_at"], "decided_at": None,
    }


@pytest.mark.parametrize(("overrides", "errors"), [
    ({"citizen_id": "003099001234"},
     {"citizen_id": ["The first three digits of a citizen ID are a province code (001 to 096); 003 is not one."]}),
    ({"ward": "99999"}, {"ward": ["Object with code=99999 does not exist."]}),
    ({"ward": "00070"}, {"ward": ["This programme helps people in Lào Cai, Thái Nguyên only."]}),
    ({"needs": ["car"]}, {"needs": {"0": ["\"car\" is not a valid choice."]}}),
    ({"household_size": 60}, {"household_size": ["Ensure this value is less than or equal to 50."]}),
    ({"campaign": "khong-co"}, {"campaign": ["Unknown campaign."]}),
    ({"programme": 999999}, {"programme": ["Unknown programme."]}),
])
def test_a_bad_api_request_is_a_400_per_field_and_saves_nothing(en_client, programme, campaign, overrides, errors):
    response = en_client.post(NEEDS_API, api_body(campaign, **overrides), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors  # the API's one error shape
    assert NeedRegistration.objects.count() == 0


def test_several_open_programmes_must_be_chosen_from(en_client, programme, campaign):
    make_programme(campaign)
    response = en_client.post(NEEDS_API, api_body(campaign), content_type="application/json")
    assert response.json()["errors"] == {"programme": ["Choose a programme: this campaign has several open."]}


def test_registration_is_throttled(en_client, programme, campaign, settings, monkeypatch):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"need_register": "2/hour"}}
    for throttle in resolve(NEEDS_API).func.view_class.throttle_classes:
        monkeypatch.setattr(throttle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
    cache.clear()
    statuses = [en_client.post(NEEDS_API, api_body(campaign), content_type="application/json").status_code
                for _ in range(3)]
    assert statuses == [201, 201, 429]
    assert NeedRegistration.objects.count() == 2


def test_wards_of_a_province(client, db):
    response = client.get("/api/v1/wards/", {"province": "46"})
    rows = response.json()
    assert response.status_code == 200
    assert len(rows) == 40  # Huế
    assert rows[0] == {"code": rows[0]["code"], "name": rows[0]["name"], "kind": rows[0]["kind"], "province": "46"}
    assert client.get("/api/v1/wards/", {"province": "99"}).status_code == 400


def test_the_schema_documents_the_assistance_endpoints(client, db):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/needs/", "/api/v1/needs/{code}/", "/api/v1/wards/", "/api/v1/campaigns/{slug}/assistance/"):
        assert path in schema
