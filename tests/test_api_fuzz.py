"""The API fuzzed against its own OpenAPI schema (schemathesis, property-based).

Every operation the schema documents gets requests built from the schema: valid ones, ones that
break it (wrong types, missing fields, values out of range, odd text), and valid ones aimed at data
that exists (a real campaign slug or pledge reference, a pledge to the open campaign), sent in
process through the whole WSGI stack. Every answer must be no 5xx, a documented status, of a
documented content type, with a body that matches the schema of that status (errors included, as
the one `ApiError`), and a request that breaks the schema must be refused.

Bounded by time, not only by examples: the operations share `BUDGET_SECONDS`, so the run stays
about a minute however many endpoints the API grows.
"""

import time

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from assistance.services import need_register
from donations.models import Pledge
from tests.assistance.conftest import CCCD_AN, make_programme, need
from tests.factories import CampaignFactory, PledgeFactory, PledgeItemFactory

BUDGET_SECONDS = 50
MAX_EXAMPLES = 100  # per operation and kind of request, while its share of the budget lasts
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Path parameters that name data the fixture creates: public campaigns and pledges.
KNOWN = {"slug": ["bao-so-3", "covid-2021"], "reference": ["K7M3PQ9X", "AB23CD45"]}
PLEDGE = {
    "campaign": "bao-so-3", "kind": "cash", "amount": 500_000,
    "donor": {"kind": "individual", "full_name": "Nguyễn Văn An", "phone": "0912345678"},
}


@pytest.fixture
def api_data(open_campaign, monkeypatch):
    """What the fuzzed requests may find: an open campaign with a support programme, a closed one of 2021,
    cash and goods pledges."""
    registration = need_register(programme=make_programme(open_campaign), data=need(citizen_id="001099005678"))
    monkeypatch.setitem(KNOWN, "code", [registration.code])
    CampaignFactory(closed=True, slug="covid-2021", code="COVID21")
    PledgeFactory(campaign=open_campaign, reference="K7M3PQ9X")
    PledgeItemFactory(pledge=PledgeFactory(campaign=open_campaign, goods=True, reference="AB23CD45"))
    return open_campaign


@pytest.fixture
def unthrottled(monkeypatch):
    """The fuzz sends hundreds of requests from one address: no throttle answers for it here."""
    from rest_framework.throttling import SimpleRateThrottle

    from relief_portal.throttling import ClientAddressRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
    monkeypatch.setattr(ClientAddressRateThrottle, "allow_request", lambda self, request, view: True)


def _to_open_campaign(case):
    """A generated pledge made one the open campaign can take: its slug, a donor who can be reached
    (a mobile number, a name), goods as rice, an amount for cash and a line for goods when they lack
    one; the amounts, quantities, values and message made stay as made."""
    body = case.body
    if isinstance(body, dict):
        donor = body.get("donor") if isinstance(body.get("donor"), dict) else {}
        for field in ("email", "tax_code", "province", "organization_name", "address"):
            donor.pop(field, None)
        donor.update(kind="individual", phone="0912345678", full_name="Nguyễn Văn An")
        body.update(campaign="bao-so-3", donor=donor)
        if body.get("kind") == "cash" and body.get("amount") is None:
            body["amount"] = 500_000
        if body.get("kind") == "goods" and not body.get("items"):
            body["items"] = [{"category": "rice", "quantity": "10"}]
        for line in body.get("items") or []:
            if isinstance(line, dict):
                line["category"] = "rice"
    return case


def _strategies(operation):
    """The kinds of request sent to one operation: (name, strategy, must be satisfiable)."""
    kinds = [
        ("positive", operation.as_strategy(generation_mode=GenerationMode.POSITIVE), True),
        ("negative", operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), False),
    ]
    path_names = {parameter.name for parameter in operation.path_parameters}
    for name, values in KNOWN.items():
        if name in path_names:
            kinds += [
                (f"known {value}", operation.as_strategy(path_parameters={name: value}), True) for value in values
            ]
    if operation.method.upper() == "POST" and operation.path.endswith("/pledges/"):
        kinds.append(("to the open campaign", operation.as_strategy().map(_to_open_campaign), True))
    return kinds


@pytest.fixture
def wsgi_app():
    """The real WSGI handler, keeping the test's database connection open between requests (as the
    test client does: a request's end would otherwise close it inside the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# A registration of need the open campaign's programme takes (a ward of Lào Cai, a valid citizen ID).
NEED = {
    "campaign": "bao-so-3", "full_name": "Nguyễn Văn An", "citizen_id": CCCD_AN,
    "phone": "0912345678", "ward": "02989", "address": "Thôn Bảo Vinh", "household_size": 4, "needs": ["food"],
}


def _known_cases(operation) -> list:
    """Requests that must succeed, sent first: each known slug or reference, a plain cash pledge."""
    path_names = {parameter.name for parameter in operation.path_parameters}
    cases = [
        operation.Case(path_parameters={name: value})
        for name, values in KNOWN.items() if name in path_names for value in values
    ]
    if operation.method.upper() == "POST" and operation.path.endswith("/pledges/"):
        cases.append(operation.Case(body=PLEDGE, media_type="application/json"))
    elif operation.method.upper() == "POST" and operation.path.endswith("/needs/"):
        cases.append(operation.Case(body=NEED, media_type="application/json"))
    elif not path_names and operation.method.upper() == "GET":
        cases.append(operation.Case())
    return cases


def test_every_operation_answers_as_documented(api_data, unthrottled, wsgi_app):
    # given the schema the API publishes, read through the app itself
    app = wsgi_app
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    plan = [(operation, *kind) for operation in operations for kind in _strategies(operation)]
    share = BUDGET_SECONDS / len(plan)
    answered: dict[str, set[int]] = {}

    def send(operation, case):
        response = case.call(app=app)
        answered.setdefault(operation.label, set()).add(response.status_code)
        # then each answer is as documented, and never a server error
        case.validate_response(response, checks=CHECKS)

    # when each operation is first sent what it must accept
    for operation in operations:
        for case in _known_cases(operation):
            send(operation, case)

    # and then, for its share of the time, requests of each kind
    for operation, kind, strategy, satisfiable in plan:
        stop = time.monotonic() + share

        @given(case=strategy)
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            if time.monotonic() < stop:
                send(operation, case)

        try:
            fuzz()
        except Unsatisfiable:
            # nothing can break this operation's schema (any text is a well-formed slug or reference)
            assert not satisfiable, f"{operation.label}: {kind}"

    # and every operation answered, its success answer among the answers, with pledges really made
    assert set(answered) == {operation.label for operation in operations}
    for label, statuses in answered.items():
        assert statuses & {200, 201}, f"{label} never succeeded: {sorted(statuses)}"
    assert Pledge.objects.filter(source=Pledge.Source.API).count() > 1
