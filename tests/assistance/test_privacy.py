"""Citizen IDs and phones of people helped never appear in logs, public pages, the API, the journal or
exports; public figures are counts and amounts only. A scan like the donors' privacy scan."""

import json
import logging
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from assistance.selectors import assistance_public_figures
from assistance.services import handover_record, need_registration_verify
from ledger.models import JournalEntry
from ledger.services import ItemLine
from tests.assistance.conftest import CCCD_AN
from tests.factories import category

NAME, PHONE, ADDRESS = "Phạm Thị Riêng Tư", "0968 123 777", "Ngõ Bí Mật số 9"
PRIVATE = (CCCD_AN, "001 099 001 234", "0010****1234", "0968123777", "0968 123 777", NAME, ADDRESS)


@pytest.fixture
def helped(en_client, campaign, programme, bao_ha_point, bao_ha_staff, funded, caplog):
    """A person who registered on the web, was verified and received everything — with logging on."""
    caplog.set_level(logging.DEBUG)
    funded(3_000_000)
    form = {"programme": programme.pk, "full_name": NAME, "citizen_id": "001 099 001 234", "phone": PHONE,
            "province": "15", "ward": "02989", "address": ADDRESS, "household_size": "3", "needs": ["food"]}
    assert en_client.post(f"/campaigns/{campaign.slug}/help/", {**form, "needs": []}).status_code == 400
    assert en_client.post("/api/v1/needs/", {"campaign": campaign.slug, "citizen_id": CCCD_AN, "phone": PHONE},
                          content_type="application/json").status_code == 400
    response = en_client.post(f"/campaigns/{campaign.slug}/help/", form)
    assert response.status_code == 302
    from assistance.models import NeedRegistration

    registration = need_registration_verify(registration=NeedRegistration.objects.get(), user=bao_ha_staff)
    handover_record(enrollment=registration.enrollment, point=bao_ha_point, recorded_by=bao_ha_staff,
                    amount=1_000_000, items=[ItemLine(category=category("rice"), quantity=Decimal("10"))])
    return registration


def assert_private_absent(text: str, where: str) -> None:
    for value in PRIVATE:
        assert value not in text, f"{value!r} found in {where}"


def test_public_pages_and_the_api_show_no_person(en_client, client, helped, campaign):
    for url in (f"/help/{helped.code}/", f"/campaigns/{campaign.slug}/", f"/campaigns/{campaign.slug}/help/", "/",
                f"/api/v1/needs/{helped.code}/", f"/api/v1/campaigns/{campaign.slug}/assistance/",
                f"/api/v1/campaigns/{campaign.slug}/", "/api/v1/wards/?province=15", "/api/schema/"):
        for browser in (en_client, client):
            response = browser.get(url)
            assert response.status_code == 200, url
            assert_private_absent(response.content.decode(), url)


def test_the_journal_and_the_daily_report_show_no_person(staff_client, central, helped, programme):
    assert_private_absent(" ".join(JournalEntry.objects.values_list("canonical", flat=True)), "the journal")
    export = staff_client(central).get("/admin/assistance/handover/report/", {"programme": programme.pk, "format": "xlsx"})
    from io import BytesIO

    from openpyxl import load_workbook

    cells = [str(c) for row in load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True) for c in row]
    assert_private_absent(" ".join(cells), "the daily report")


def test_logs_never_carry_an_id_or_a_phone(helped, caplog):
    records = caplog.get_records("setup")  # registering (twice refused), verifying, handing over
    assert any(record.name == "django.request" for record in records)  # the refused requests were logged
    assert_private_absent("\n".join(record.getMessage() for record in records), "the logs")


def test_the_typed_id_is_stored_nowhere(helped):
    out = StringIO()
    call_command("dumpdata", "assistance", stdout=out)
    dump = out.getvalue()
    assert CCCD_AN not in dump and "001 099 001 234" not in dump
    assert "0010****1234" in dump  # the masked form is what staff see


def test_public_figures_are_counts_and_amounts(helped, campaign, registered):
    registered(citizen_id="010185004567", full_name="Người thứ hai")  # registered, not yet verified
    [figures] = assistance_public_figures(campaign=campaign)
    assert (figures["registered"], figures["verified"], figures["served"]) == (2, 1, 1)
    assert figures["cash_handed_over"] == 1_000_000
    assert figures["goods_handed_over"] == {"rice": Decimal("10.000")}
    [lao_cai] = figures["provinces"]
    assert (lao_cai["code"], lao_cai["name"], lao_cai["registered"]) == ("15", "Lào Cai", 2)
    assert [(w["code"], w["name"], w["served"]) for w in lao_cai["wards"]] == [("02989", "Xã Bảo Hà", 1)]
    assert_private_absent(json.dumps(figures, default=str), "the public figures")


def test_the_api_gives_the_same_figures(en_client, helped, campaign):
    [body] = en_client.get(f"/api/v1/campaigns/{campaign.slug}/assistance/").json()
    assert (body["registered"], body["verified"], body["served"], body["cash_handed_over"]) == (1, 1, 1, 1_000_000)
    assert body["goods_handed_over"] == {"rice": "10.000"}
    assert body["cash_per_person"] == 1_000_000 and body["goods_per_person"] == {"rice": "10.000"}
    assert body["provinces"][0]["wards"][0]["name"] == "Xã Bảo Hà"


def test_a_draft_campaign_has_no_public_figures(client, db):
    from tests.factories import CampaignFactory

    assert client.get(f"/api/v1/campaigns/{CampaignFactory(draft=True).slug}/assistance/").status_code == 404


def test_the_campaign_page_block_shows_figures_and_no_person(helped, campaign):
    from django.template import Context, Template

    html = Template("{% load assistance_public %}{% assistance_figures campaign %}").render(Context({"campaign": campaign}))
    assert "Hỗ trợ hộ bị ảnh hưởng bởi lũ" in html and "1.000.000 ₫" in html and "Lào Cai" in html
    assert f'href="/campaigns/{campaign.slug}/help/"' in html
    assert_private_absent(html, "the campaign page block")
