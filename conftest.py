"""Suite-wide rules about tests that need a real service or a browser.

- `postgres` tests need PostgreSQL's row locks; on SQLite they are deselected (and run in CI's
  PostgreSQL pass).
- `celery_worker` tests need a broker; with eager tasks (no broker configured) they are
  deselected.
- With REQUIRE_SERVICES=1 (CI) a test that skips is a failure: a missing browser or service
  must never pass silently.
"""

import os

import pytest


def _require_services() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0")


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_broker = bool(settings.CELERY_BROKER_URL)
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("serialized_rollback"):
            # Restoring a serialized database collides with content types recreated by an earlier
            # transactional test's flush on PostgreSQL: transactional tests use `reference_data`.
            raise pytest.UsageError(f"{item.nodeid}: use the reference_data fixture, not serialized_rollback")
        if (item.get_closest_marker("postgres") and not on_postgres) or (
            item.get_closest_marker("celery_worker") and not has_broker
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _require_services() and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped while REQUIRE_SERVICES is set: {report.longrepr}"
