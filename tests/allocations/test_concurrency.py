"""Two staff allocating the last money at the same moment: the campaign row lock lets only one through.

Needs PostgreSQL's row locks (SQLite serialises whole-database writes instead); deselected on SQLite.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import translation

from allocations.models import Allocation
from allocations.selectors import campaign_availability
from tests.allocations.helpers import allocate, give_cash
from tests.factories import province

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_staff_racing_for_the_last_money_cannot_overdraw(reference_data, campaign, central):
    # given a campaign with 15.000.000 ₫ received, of which 10.000.000 ₫ are already allocated
    give_cash(campaign, 15_000_000, by=central)
    allocate(campaign, to="15", amount=10_000_000, by=central, number="100/QĐ-BCTTW")
    assert campaign_availability(campaign_id=campaign.pk).cash_available == 5_000_000
    targets = {"Lào Cai": province("15"), "Thái Nguyên": province("19")}
    barrier = threading.Barrier(len(targets), timeout=30)
    outcomes: dict[str, object] = {}

    def race(name, target):
        try:
            with translation.override("en"):
                barrier.wait()  # both threads call the service at the same moment
                outcomes[name] = allocate(campaign, to=target, amount=5_000_000, by=central, number=f"101/QĐ {name}")
        except Exception as exc:  # noqa: BLE001 - a ValidationError is expected; anything else fails below
            outcomes[name] = exc
        finally:
            connection.close()  # each thread has its own connection; do not leave it open

    # when two staff each allocate those last 5.000.000 ₫ at once, each on their own connection
    threads = [threading.Thread(target=race, args=item) for item in targets.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then exactly one succeeds and the other is refused with what was left after the first
    assert not any(thread.is_alive() for thread in threads)
    successes = [o for o in outcomes.values() if isinstance(o, Allocation)]
    refusals = [o for o in outcomes.values() if isinstance(o, ValidationError)]
    assert (len(successes), len(refusals)) == (1, 1), outcomes
    assert refusals[0].message_dict == {"amount": ["Only 0 ₫ of cash received is still unallocated."]}
    # and the race allocated exactly the 5.000.000 ₫ that were left, never more than received
    race_total = Allocation.objects.filter(decision_number__startswith="101/").aggregate(s=Sum("amount"))["s"]
    assert race_total == 5_000_000
    assert Allocation.objects.filter(campaign=campaign).aggregate(s=Sum("amount"))["s"] == 15_000_000
    assert campaign_availability(campaign_id=campaign.pk).cash_available == 0
