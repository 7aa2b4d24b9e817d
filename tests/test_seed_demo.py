"""seed_demo loads the demo campaigns once; running it again changes nothing."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from campaigns.models import Campaign, DropOffPoint, ReceivingAccount
from donations.models import Donor, Pledge, PledgeItem


def every_table(*, history: bool = False) -> dict[str, int]:
    """Row counts of every model of the project, so any table the command grows is covered.

    The audit-trail tables (django-simple-history `Historical…` models) are left out unless asked for.
    """
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if history or not model.__name__.startswith("Historical")
    }


def snapshot() -> dict[str, int]:
    return {
        "campaigns": Campaign.objects.count(),
        "accounts": ReceivingAccount.objects.count(),
        "dropoff_points": DropOffPoint.objects.count(),
        "donors": Donor.objects.count(),
        "pledges": Pledge.objects.count(),
        "pledge_items": PledgeItem.objects.count(),
        "users": get_user_model().objects.count(),
    }


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent(seeded):
    # given the demo data loaded once
    first, tables = snapshot(), every_table()
    references = set(Pledge.objects.values_list("reference", flat=True))
    assert "Demo data ready: 36 new pledges" in seeded

    # when it is loaded again
    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    # then nothing new was created, in any table
    assert "Demo data ready: 0 new pledges" in out.getvalue()
    assert snapshot() == first
    assert every_table() == tables
    assert first["campaigns"] == 2
    assert first["accounts"] == 2
    assert first["dropoff_points"] == 5
    assert first["pledges"] == 36
    assert first["donors"] == 36
    assert first["pledge_items"] == PledgeItem.objects.filter(pledge__kind="goods").count() >= 9
    assert get_user_model().objects.filter(username="admin").count() == 1
    assert set(Pledge.objects.values_list("reference", flat=True)) == references


def test_running_seed_demo_again_writes_no_audit_trail(seeded):
    # given the demo data loaded once
    history = {k: v for k, v in every_table(history=True).items() if ".Historical" in k}
    assert history, "no audit-trail tables found"

    # when it is loaded again
    call_command("seed_demo", stdout=io.StringIO())

    # then nothing changed, so no change was recorded
    assert {k: v for k, v in every_table(history=True).items() if ".Historical" in k} == history


def test_seed_demo_pledges_are_consistent(seeded):
    # every pledge belongs to Yagi, cash ones have an amount, goods ones have items
    yagi = Campaign.objects.get(slug="bao-yagi-2024")
    assert set(Pledge.objects.values_list("campaign_id", flat=True)) == {yagi.pk}
    cash = Pledge.objects.filter(kind="cash")
    goods = Pledge.objects.filter(kind="goods")
    assert cash.count() + goods.count() == 36
    assert goods.count() == 9  # every 4th pledge (numbers 3, 7, …, 35)
    assert not cash.filter(amount__isnull=True).exists()
    assert all(p.items.exists() for p in goods)
    assert all(p.transfer_content == f"YAGI24 {p.reference}" for p in Pledge.objects.all())
    assert Donor.objects.filter(kind="organization").count() == 6  # every 6th pledge


def test_yagi_campaign(seeded):
    # when the Yagi campaign is read
    yagi = Campaign.objects.get(slug="bao-yagi-2024")

    # then it is the active 2024 campaign with its code, Vietcombank account and the 2008 provinces
    assert yagi.code == "YAGI24"
    assert yagi.status == Campaign.Status.ACTIVE
    assert yagi.target_amount == 1_500_000_000_000
    assert yagi.province_set == "2008"
    account = yagi.accounts.select_related("bank").get()
    assert (account.bank.short_name, account.bank.bin, account.account_number) == (
        "Vietcombank", "970436", "0011001932418"
    )
    assert account.account_holder == "Ban Cứu trợ Trung ương"
    provinces = {p.name for p in yagi.provinces.all()}
    assert {"Yên Bái", "Lào Cai", "Cao Bằng", "Thái Nguyên", "Quảng Ninh", "Hải Phòng"} <= provinces
    assert len(provinces) == 9
    assert set(yagi.provinces.values_list("set", flat=True)) == {"2008"}
    assert yagi.dropoff_points.count() == 4


def test_covid_campaign_is_closed(seeded):
    covid = Campaign.objects.get(slug="ung-ho-phong-chong-covid-19")
    assert (covid.code, covid.status) == ("COVID21", Campaign.Status.CLOSED)
    assert covid.accounts.get().bank.bin == "970415"
    assert covid.pledges.count() == 0


def test_seeded_campaign_pages_work(seeded, client):
    client.cookies["django_language"] = "en"
    yagi_page = client.get("/campaigns/bao-yagi-2024/")
    assert yagi_page.status_code == 200
    assert "0011001932418" in yagi_page.content.decode()
    reference = Pledge.objects.filter(kind="cash").values_list("reference", flat=True).first()
    pledge_page = client.get(f"/pledges/{reference}/")
    assert f'data-testid="transfer-content">YAGI24 {reference}</dd>' in pledge_page.content.decode()


def test_admin_user_can_log_in(seeded, client):
    # given the demo admin account
    client.cookies["django_language"] = "en"

    # when the admin logs in on the admin login page
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "cuutro-2024"})

    # then they land on the admin index
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "Site administration" in index.content.decode()
    user = get_user_model().objects.get(username="admin")
    assert user.is_staff and user.is_superuser


def test_admin_login_with_a_wrong_password_fails(seeded, client):
    assert client.login(username="admin", password="wrong") is False
    assert client.login(username="admin", password="cuutro-2024") is True
