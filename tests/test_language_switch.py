"""The language switch: a plain link that remembers the visitor's language and comes back."""

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_the_switch_remembers_english_and_returns_to_the_page(client, open_campaign):
    page = f"/campaigns/{open_campaign.slug}/?sort=name&order=asc"
    response = client.get("/language/", {"language": "en", "next": page})

    assert response.status_code == 302
    assert response["Location"] == page
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get(page).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://example.com/", "//example.com/x", "javascript:alert(1)", ""])
def test_a_next_address_outside_the_portal_goes_home(client, target):
    response = client.get("/language/", {"language": "en", "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "", "%ED%A0%80", "en%00", "x" * 5000, "%C0"])
def test_an_unknown_language_changes_nothing(client, language):
    response = client.get(f"/language/?language={language}&next=/")

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_every_page_links_to_the_other_language_with_its_checked_parameters(client, open_campaign):
    slug = open_campaign.slug
    page = client.get(f"/campaigns/{slug}/", {"sort": "name", "order": "asc", "junk": "<x>"}).content.decode()

    assert '<span aria-current="true" lang="vi">VI</span>' in page
    assert f'href="/language/?language=en&amp;next=/campaigns/{slug}/%3Fsort%3Dname%26order%3Dasc"' in page
    assert "csrfmiddlewaretoken" not in page
