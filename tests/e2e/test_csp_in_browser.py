"""The Content-Security-Policy in a real browser: the portal's pages, the admin and the API docs run
with nothing of their own blocked."""

import pytest

from tests.factories import CampaignFactory, ReceivingAccountFactory

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_run_in_chromium_without_a_single_violation(page, live_server, reference_data, django_user_model):
    campaign = CampaignFactory(slug="bao-so-3", code="BAO24")
    ReceivingAccountFactory(campaign=campaign, account_number="0011001932418")
    django_user_model.objects.create_superuser("quantri", "quantri@example.vn", "mat-khau-dai-123")
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text.removeprefix("CSP violation: "))
            if message.text.startswith("CSP violation: ") else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.log('CSP violation: ' + e.effectiveDirective + ' ' + e.blockedURI));"
    )

    # the public pages, with their scripts at work (the donate form shows the goods lines on demand)
    page.goto(f"{live_server.url}/campaigns/bao-so-3/")
    page.goto(f"{live_server.url}/campaigns/bao-so-3/donate/")
    page.check('input[name="kind"][value="goods"]')
    assert page.locator(".item-line").first.is_visible()
    # the admin, logged in
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "quantri")
    page.fill("#id_password", "mat-khau-dai-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/donations/receipt/add/")
    # the API docs draw the operations of the schema
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-summary-path")
    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector("[data-section-id]")

    # then nothing of the portal's own was blocked: only the logo Redoc fetches from its makers' site
    assert violations == ["img-src https://cdn.redoc.ly/redoc/logo-mini.svg"]
