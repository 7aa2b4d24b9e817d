"""Shared fixtures: an active campaign that can receive cash and goods, a test client in English, and
staff of the three roles.

The UI speaks Vietnamese by default with English msgids; assertions on messages use the English
text through `en_client`, which picks English with the language cookie the switcher sets.
"""

import importlib

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache, caches
from django.utils import translation

from allocations.services import staff_create
from tests.allocations.helpers import PASSWORDS
from tests.factories import (
    CampaignFactory,
    DropOffPointFactory,
    ReceivingAccountFactory,
    province,
)


@pytest.fixture(autouse=True)
def _fresh_cache_and_language():
    # Throttle counters live in the cache; the language middleware leaves a language active.
    cache.clear()
    caches["local"].clear()
    yield
    cache.clear()
    caches["local"].clear()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def campaign(db):
    return CampaignFactory(name="Ủng hộ đồng bào bị ảnh hưởng bởi bão số 3", slug="bao-so-3")


@pytest.fixture
def account(campaign):
    return ReceivingAccountFactory(
        campaign=campaign, account_number="0011001932418", account_holder="Ban Cứu trợ Trung ương"
    )


@pytest.fixture
def dropoff_hanoi(campaign):
    return DropOffPointFactory(
        campaign=campaign, name="Trụ sở Ủy ban Trung ương MTTQ Việt Nam", province=province("01"),
        address="46 Tràng Thi, Hoàn Kiếm, Hà Nội",
    )


@pytest.fixture
def dropoff_thai_nguyen(campaign):
    return DropOffPointFactory(
        campaign=campaign, name="Ủy ban MTTQ tỉnh Thái Nguyên", province=province("19"),
        address="Số 4 đường Đội Cấn, Thái Nguyên",
    )


@pytest.fixture
def open_campaign(campaign, account, dropoff_hanoi, dropoff_thai_nguyen):
    """An active campaign with a Vietcombank account and two drop-off points (Hà Nội, Thái Nguyên)."""
    return campaign


@pytest.fixture
def en_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def pytest_configure(config):
    # WhiteNoise warns on every request that STATIC_ROOT (collectstatic's output) is missing; tests
    # serve static files through the finders and never need it.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


@pytest.fixture
def reference_data(transactional_db):
    """Reference data as the data migrations load them (idempotent), for transactional tests.

    A transactional test flushes every table when it ends, migration data included, and
    serialized_rollback cannot bring it back under Playwright's sync API (it runs the test in
    another contextvars context, where Django hands out a fresh connection without the
    serialized contents). So each transactional test reloads provinces, banks, item
    categories, committees and staff groups itself.
    """
    importlib.import_module("campaigns.migrations.0002_reference_data").load(django_apps, None)
    importlib.import_module("allocations.migrations.0002_committees_and_groups").load(django_apps, None)
    importlib.import_module("assistance.migrations.0002_wards").load(django_apps, None)


# --- staff of the three roles (created with `staff_create`), English messages, a logged-in client ---


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


@pytest.fixture(autouse=True)
def _process_caches_empty():
    """Each test starts with no campaign, province or category kept by `campaigns.cached`: a flushed
    and reloaded database gives the same names new ids."""
    from campaigns.cached import caches_clear

    caches_clear()
