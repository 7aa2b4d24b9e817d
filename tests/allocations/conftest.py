"""Staff of the three roles (created with `staff_create`), English messages and a logged-in client."""

import pytest
from django.conf import settings
from django.utils import translation

from allocations.services import staff_create
from tests.allocations.helpers import PASSWORDS


@pytest.fixture
def english():
    """Messages of services called directly come in English (the UI's default language is Vietnamese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def central(db):
    return staff_create(username="trunguong", password=PASSWORDS["trunguong"], role="central")


@pytest.fixture
def lao_cai_staff(db):
    return staff_create(username="laocai", password=PASSWORDS["laocai"], role="provincial", province_code="15")


@pytest.fixture
def thai_nguyen_staff(db):
    return staff_create(username="thainguyen", password=PASSWORDS["thainguyen"], role="provincial", province_code="19")


@pytest.fixture
def auditor(db):
    return staff_create(username="kiemtoan", password=PASSWORDS["kiemtoan"], role="auditor")


@pytest.fixture
def staff_client(client):
    """`staff_client(user)`: the test client logged in as `user`, speaking English."""

    def login(user):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.force_login(user)
        return client

    return login
