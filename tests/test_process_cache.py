"""What a web process keeps of campaigns, provinces and item categories (`campaigns.cached`), and how
soon a change reaches a pledge: at once when made in this process, within FRESH_FOR seconds when made
elsewhere (another process's save fires no signal here; a queryset update stands in for it)."""

import json

import pytest

from campaigns import cached
from campaigns.models import Campaign, ItemCategory, Province, ReceivingAccount
from donations.models import Pledge
from tests.factories import ReceivingAccountFactory

PLEDGES = "/api/v1/pledges/"


@pytest.fixture
def clock(monkeypatch):
    """The caches' clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(cached.time, "monotonic", lambda: now[0])
    return now


def pledge(client, campaign, **donor):
    body = {"campaign": campaign.slug, "kind": "cash", "amount": 200_000,
            "donor": {"kind": "individual", "full_name": "Lê Thị Mai", "phone": "0912345678", **donor}}
    return client.post(PLEDGES, json.dumps(body), content_type="application/json")


def test_a_campaign_closed_in_this_process_refuses_the_next_pledge(en_client, open_campaign, clock):
    assert pledge(en_client, open_campaign).status_code == 201
    open_campaign.status = Campaign.Status.CLOSED
    open_campaign.save()

    answer = pledge(en_client, open_campaign)

    assert answer.status_code == 400
    assert answer.json()["errors"] == {"campaign": ["This campaign is not accepting donations."]}
    assert Pledge.objects.count() == 1


def test_a_campaign_closed_elsewhere_refuses_pledges_once_the_kept_copy_expires(en_client, open_campaign, clock):
    assert pledge(en_client, open_campaign).status_code == 201
    Campaign.objects.filter(pk=open_campaign.pk).update(status=Campaign.Status.CLOSED)  # no signal here

    clock[0] += cached.FRESH_FOR - 0.1
    assert pledge(en_client, open_campaign).status_code == 201  # the copy kept a moment ago
    clock[0] += 0.2
    answer = pledge(en_client, open_campaign)

    assert answer.status_code == 400
    assert answer.json()["errors"] == {"campaign": ["This campaign is not accepting donations."]}
    assert Pledge.objects.count() == 2


def test_a_new_primary_account_is_shown_at_once_and_an_unknown_campaign_is_not_kept(
    en_client, open_campaign, clock, django_assert_num_queries
):
    assert pledge(en_client, open_campaign).json()["account"]["account_number"] == "0011001932418"
    ReceivingAccount.objects.filter(campaign=open_campaign).update(is_primary=False)
    ReceivingAccountFactory(campaign=open_campaign, account_number="1903456789012", is_primary=True)

    assert pledge(en_client, open_campaign).json()["account"]["account_number"] == "1903456789012"

    stranger = Campaign(slug="khong-co")
    for _ in range(2):  # asked again: read again, never kept as missing (the prefetches need no query)
        with django_assert_num_queries(1):
            answer = pledge(en_client, stranger)
        assert answer.status_code == 400
        assert answer.json()["errors"] == {"campaign": ["Unknown campaign."]}


def test_provinces_and_categories_are_read_once_and_again_after_a_change(clock, db, django_assert_num_queries):
    with django_assert_num_queries(2):
        hanoi, rice = cached.province_2025("01"), cached.item_category("rice")
    with django_assert_num_queries(0):
        assert cached.province_2025("01") is hanoi and cached.item_category("rice") is rice
        assert cached.province_2025("99") is None and cached.province_2025("01\x00") is None

    rice.name_en = "Rice (white)"
    rice.save()
    hanoi.save()
    with django_assert_num_queries(2):
        assert cached.item_category("rice").name_en == "Rice (white)"
        again = cached.province_2025("01")
    assert again is not hanoi and again == Province.objects.get(set="2025", code="01")

    ItemCategory.objects.filter(slug="rice").update(name_en="Rice")
    clock[0] += cached.FRESH_FOR + 0.1
    assert cached.item_category("rice").name_en == "Rice"


def test_a_name_with_a_nul_or_not_a_string_is_refused_as_invalid(en_client, open_campaign):
    body = {"campaign": open_campaign.slug, "kind": "goods", "items": [{"category": "rice\x00", "quantity": "1"}],
            "donor": {"kind": "individual", "full_name": "Lê Thị Mai", "phone": "0912345678", "province": ["01"]}}

    answer = en_client.post(PLEDGES, json.dumps(body), content_type="application/json")

    assert answer.status_code == 400
    assert answer.json()["errors"] == {"donor": {"province": ["Invalid value."]},
                                       "items": {"0": {"category": ["Invalid value."]}}}
    assert Pledge.objects.count() == 0


def test_a_name_longer_than_any_is_refused_without_being_echoed(en_client, open_campaign):
    body = {"campaign": open_campaign.slug, "kind": "goods", "items": [{"category": "r" * 51, "quantity": "1"}],
            "donor": {"kind": "individual", "full_name": "Lê Thị Mai", "phone": "0912345678", "province": "9" * 10_000}}

    answer = en_client.post(PLEDGES, json.dumps(body), content_type="application/json")

    assert answer.status_code == 400
    assert answer.json()["errors"] == {"donor": {"province": ["Invalid value."]},
                                       "items": {"0": {"category": ["Invalid value."]}}}
    assert len(answer.content) < 300 and Pledge.objects.count() == 0
