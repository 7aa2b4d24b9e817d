"""The admin login is throttled (django-axes) per address and username together, and production settings
refuse to start insecure."""

import importlib

import pytest
from axes.utils import reset
from django.core.exceptions import ImproperlyConfigured

from tests.allocations.helpers import PASSWORDS

LOGIN_URL = "/admin/login/"


@pytest.fixture
def axes_on(db, settings):
    settings.AXES_ENABLED = True
    reset()
    yield
    reset()


def login(client, username, password, ip):
    return client.post(LOGIN_URL, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_account_out(axes_on, client, lao_cai_staff, central):
    # given five wrong passwords for one username from one address
    failures = [login(client, "laocai", f"sai-mat-khau-{n}", "203.0.113.7").status_code for n in range(5)]

    # when the right password is tried next
    locked = login(client, "laocai", PASSWORDS["laocai"], "203.0.113.7")

    # then the first four failures show the login form again, the fifth locks, and so does the sixth
    assert failures == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # but the same username from another address is not: only the pair is locked (see tests/test_abuse.py)
    assert login(client, "laocai", PASSWORDS["laocai"], "198.51.100.20").status_code == 302


def test_another_user_from_another_address_still_logs_in(axes_on, client, lao_cai_staff, central):
    for n in range(5):
        login(client, "laocai", f"sai-mat-khau-{n}", "203.0.113.7")

    response = login(client, "trunguong", PASSWORDS["trunguong"], "198.51.100.20")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(central.pk)


def test_other_usernames_from_the_address_still_log_in(axes_on, client, lao_cai_staff, central):
    for n in range(5):
        login(client, "laocai", f"sai-mat-khau-{n}", "203.0.113.7")

    assert login(client, "trunguong", PASSWORDS["trunguong"], "203.0.113.7").status_code == 302


def test_a_success_before_the_limit_resets_the_count(axes_on, client, lao_cai_staff):
    for n in range(4):
        login(client, "laocai", f"sai-mat-khau-{n}", "203.0.113.7")
    assert login(client, "laocai", PASSWORDS["laocai"], "203.0.113.7").status_code == 302
    client.logout()

    failures = [login(client, "laocai", f"sai-lan-hai-{n}", "203.0.113.7").status_code for n in range(4)]

    assert failures == [200, 200, 200, 200]


# --- production settings -----------------------------------------------------------------------


def production_settings():
    import relief_portal.settings.production as production

    return importlib.reload(production)


def test_production_settings_are_secure(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "k" * 50)
    monkeypatch.setenv("ASSISTANCE_ID_HMAC_KEY", "h" * 50)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "cuutro.example.vn,www.cuutro.example.vn")
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    monkeypatch.delenv("DJANGO_SECURE_HSTS_SECONDS", raising=False)

    production = production_settings()

    assert production.DEBUG is False
    assert production.SECRET_KEY == "k" * 50
    assert production.ALLOWED_HOSTS == ["cuutro.example.vn", "www.cuutro.example.vn"]
    assert (production.SESSION_COOKIE_SECURE, production.CSRF_COOKIE_SECURE) == (True, True)
    assert production.SECURE_HSTS_SECONDS >= 31_536_000
    assert production.AXES_FAILURE_LIMIT == 5 and production.AXES_COOLOFF_TIME == 0.25


def test_production_settings_refuse_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "k" * 50)
    monkeypatch.setenv("ASSISTANCE_ID_HMAC_KEY", "h" * 50)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "cuutro.example.vn")
    production_settings()  # imported once with a key
    monkeypatch.delenv("DJANGO_SECRET_KEY")

    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        production_settings()
