"""Need registration through the service: every field checked, nothing half-saved, the ID kept only hashed."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from assistance import citizen_id
from assistance.models import NeedRegistration
from assistance.services import need_register
from tests.assistance.conftest import CCCD_AN, make_programme, need, ward
from tests.factories import CampaignFactory

pytestmark = pytest.mark.usefixtures("english")


def test_a_need_is_registered_with_a_tracking_code_and_the_id_hashed(programme):
    # when a person in Xã Bảo Hà registers
    registration = need_register(programme=programme, data=need(full_name="  Nguyễn   Văn An "))

    # then the registration is received, with a tracking code, and the ID only hashed and masked
    registration.refresh_from_db()
    assert len(registration.code) == 8
    assert registration.status == NeedRegistration.Status.RECEIVED
    assert registration.channel == "web"
    assert (registration.full_name, registration.phone) == ("Nguyễn Văn An", "0912345678")
    assert registration.id_hash == citizen_id.keyed_hash(CCCD_AN)
    assert registration.id_masked == "0010****1234"
    assert registration.birth_year == 1999
    assert registration.needs == ["food", "cash"]
    assert registration.ward.name == "Xã Bảo Hà"
    # and the typed ID is stored nowhere, history included
    row = NeedRegistration.objects.filter(pk=registration.pk).values().get()
    assert CCCD_AN not in repr(row)
    assert CCCD_AN not in repr(list(registration.history.values()))


def test_hotline_registrations_name_the_operator(programme, hotline):
    registration = need_register(programme=programme, data=need(), channel="hotline", entered_by=hotline)
    assert (registration.channel, registration.entered_by) == ("hotline", hotline)
    assert registration.history.get().history_user == hotline


BAD = [
    ({"full_name": " "}, {"full_name": ["Enter the full name of the person who needs help."]}),
    ({"full_name": "<b>An</b>"}, {"full_name": ["Please write plain text without HTML tags."]}),
    ({"full_name": "A" * 121}, {"full_name": ["Keep this under 120 characters."]}),
    ({"phone": "12345"}, {"phone": ["Enter a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 or 09."]}),
    ({"citizen_id": "12345"}, {"citizen_id": ["A citizen ID (CCCD) has exactly 12 digits."]}),
    ({"citizen_id": "100099001234"},
     {"citizen_id": ["The first three digits of a citizen ID are a province code (001 to 096); 100 is not one."]}),
    ({"ward": None}, {"ward": ["Choose the commune or ward where the person is now."]}),
    ({"ward_code": "00070"}, {"ward": ["This programme helps people in Lào Cai, Thái Nguyên only."]}),
    ({"address": ""}, {"address": ["Enter where the person is now: house number, street, hamlet or village."]}),
    ({"household_size": 0}, {"household_size": ["A household has 1 to 50 people."]}),
    ({"household_size": 51}, {"household_size": ["A household has 1 to 50 people."]}),
    ({"household_size": None}, {"household_size": ["A household has 1 to 50 people."]}),
    ({"needs": []}, {"needs": ["Choose at least one thing the person needs."]}),
    ({"needs": ["food", "car"]}, {"needs": ["Choose food, medical help, necessities or cash."]}),
    ({"description": "x" * 1001}, {"description": ["Keep this under 1000 characters."]}),
    ({"relative_name": "<script>"}, {"relative_name": ["Please write plain text without HTML tags."]}),
]


@pytest.mark.parametrize(("overrides", "errors"), BAD, ids=[next(iter(o)) + str(i) for i, (o, _e) in enumerate(BAD)])
def test_each_bad_field_is_refused_with_its_message_and_nothing_is_saved(programme, overrides, errors):
    if "ward_code" in overrides:
        overrides = {"ward": ward(overrides.pop("ward_code"))}
    with pytest.raises(ValidationError) as caught:
        need_register(programme=programme, data=need(**overrides))
    assert caught.value.message_dict == errors
    assert NeedRegistration.objects.count() == 0


def test_all_bad_fields_are_reported_at_once(programme):
    with pytest.raises(ValidationError) as caught:
        need_register(programme=programme, data=need(full_name="", phone="x", citizen_id="1", needs=[]))
    assert sorted(caught.value.message_dict) == ["citizen_id", "full_name", "needs", "phone"]


@pytest.mark.parametrize(("make", "message"), [
    (lambda c: make_programme(c, closes_on=datetime.date(2024, 10, 1)), "This programme is not taking registrations now."),
    (lambda c: make_programme(c, opens_on=datetime.date(2099, 1, 1)), "This programme is not taking registrations now."),
    (lambda c: make_programme(c, accepts_web=False), "This programme does not take registrations this way."),
    (lambda c: make_programme(CampaignFactory(closed=True)), "This programme is not taking registrations now."),
])
def test_a_programme_that_is_not_open_takes_no_registration(campaign, make, message):
    programme = make(campaign)
    with pytest.raises(ValidationError) as caught:
        need_register(programme=programme, data=need())
    assert caught.value.message_dict == {"programme": [message]}
    assert NeedRegistration.objects.count() == 0


def test_a_hotline_only_programme_takes_the_hotline(campaign, hotline):
    programme = make_programme(campaign, accepts_web=False)
    registration = need_register(programme=programme, data=need(), channel="hotline", entered_by=hotline)
    assert registration.status == "received"
