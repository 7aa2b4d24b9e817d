"""A Content-Security-Policy on every page: strict on the public pages, inline styles allowed only on
the admin's and the API docs' paths, no inline script anywhere; and the proxy's HTTPS header trusted
only where configured. tests/e2e/test_csp_in_browser.py loads the pages in Chromium under it."""

import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from donations.services import DonorData, PledgeData, pledge_create, receipt_record

TEMPLATES = Path(settings.BASE_DIR) / "templates"
STRICT = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "style-src-attr": "'unsafe-inline'", "img-src": "'self'",
    "font-src": "'self'", "connect-src": "'self'", "object-src": "'none'", "base-uri": "'self'",
    "form-action": "'self'", "frame-ancestors": "'none'",
}


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {name: value.strip() for name, _sp, value in
            (part.strip().partition(" ") for part in header.split(";") if part.strip())}


@pytest.fixture
def pledge(open_campaign):
    return pledge_create(
        campaign=open_campaign,
        donor=DonorData(kind="individual", full_name="Trần Thị Bình", phone="0912345678", public_display="masked"),
        pledge=PledgeData(kind="cash", amount=1_000_000),
    )


@pytest.mark.parametrize("url", [
    "/", "/campaigns/bao-so-3/", "/campaigns/bao-so-3/donate/", "/pledges/lookup/?reference=NOPE2345",
    "/api/v1/campaigns/", "/api/v1/pledges/NOPE2345/", "/api/schema/", "/no-such-page/",
])
def test_public_pages_and_api_answers_carry_the_strict_policy(client, open_campaign, url):
    response = client.get(url)

    assert response.status_code in (200, 404)
    assert policy(response) == STRICT


def test_a_pledge_page_and_a_posted_form_carry_it_too(client, open_campaign, pledge):
    assert policy(client.get(f"/pledges/{pledge.reference}/")) == STRICT
    assert policy(client.post("/campaigns/bao-so-3/donate/", {"kind": "cash"})) == STRICT


def test_the_admin_allows_inline_styles_but_no_inline_script(admin_client, db):
    for url in ("/admin/login/", "/admin/", reverse("admin:donations_receipt_add")):
        response = admin_client.get(url)

        assert response.status_code in (200, 302)
        assert policy(response) == {**STRICT, "style-src": "'self' 'unsafe-inline'"}


def test_the_acknowledgement_runs_its_one_script_by_nonce(admin_client, admin_user, pledge):
    receipt = receipt_record(campaign=pledge.campaign, channel="cash_desk", amount=1_000_000, pledge=pledge,
                             recorded_by=admin_user)

    response = admin_client.get(reverse("admin:donations_receipt_acknowledgement", args=[receipt.pk]))

    page = response.content.decode()
    (nonce,) = re.findall(r'<script nonce="([^"]+)">', page)
    assert policy(response)["script-src"] == f"'self' 'nonce-{nonce}'"
    assert "onclick" not in page


def test_the_api_docs_allow_inline_styles_and_data_images_only(client, db):
    docs, redoc = client.get("/api/docs/"), client.get("/api/redoc/")

    (nonce,) = re.findall(r'<script nonce="([^"]+)">', docs.content.decode())  # Swagger UI's start-up
    assert policy(docs) == {**STRICT, "script-src": f"'self' 'nonce-{nonce}'", "style-src": "'self' 'unsafe-inline'",
                            "img-src": "'self' data:"}
    assert policy(redoc) == {**STRICT, "style-src": "'self' 'unsafe-inline'", "img-src": "'self' data:",
                             "worker-src": "blob:"}
    page = redoc.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []  # every script is a file
    assert "fonts.googleapis.com" not in page


def test_no_template_has_an_inline_handler_or_an_unnonced_inline_script():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "nonce=" not in tag:
                offenders.append(f"{template.relative_to(TEMPLATES)}: {tag}")
        offenders += [f"{template.relative_to(TEMPLATES)}: {handler}"
                      for handler in re.findall(r"\son[a-z]+=\"", text)]
    assert offenders == []


def test_public_templates_have_no_inline_style_block():
    # The admin's own pages may keep their <style> blocks (their policy allows inline styles); public
    # pages size bars with style attributes only (style-src-attr), never a <style> block.
    public = [t for t in TEMPLATES.rglob("*.html") if t.relative_to(TEMPLATES).parts[0] not in ("admin", "simple_history")]
    offenders = [str(t.relative_to(TEMPLATES)) for t in public if re.search(r"<style\b", t.read_text())]

    assert len(public) > 10
    assert offenders == []


# --- the proxy header that marks a request as HTTPS ---------------------------------------------------


def production(monkeypatch, **env):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "k" * 50)
    monkeypatch.setenv("ASSISTANCE_ID_HMAC_KEY", "h" * 50)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "cuutro.example.vn")
    monkeypatch.delenv("DJANGO_SECURE_PROXY_SSL_HEADER", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import relief_portal.settings.production as module

    return importlib.reload(module)


def test_no_proxy_header_is_trusted_unless_configured(monkeypatch):
    assert not hasattr(production(monkeypatch), "SECURE_PROXY_SSL_HEADER")


def test_the_configured_proxy_header_is_trusted(monkeypatch):
    configured = production(monkeypatch, DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")

    assert configured.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


def test_a_client_claiming_https_is_not_believed_without_a_proxy(client, db, settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"
