"""`__any_of` selects what `__in` selects (as `= ANY(array)` on PostgreSQL, an IN list elsewhere)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from donations.models import Pledge
from tests.factories import PledgeFactory


def test_any_of_selects_what_in_selects(campaign):
    # given three pledges
    pledges = [PledgeFactory(campaign=campaign, reference=reference) for reference in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC")]
    wanted = ["CCCCCCCC", "AAAAAAAA", "ZZZZZZZZ"]

    # when they are looked up by references, by ids, and by nothing at all
    by_reference = Pledge.objects.filter(reference__any_of=wanted).order_by("reference")
    by_id = Pledge.objects.filter(pk__any_of={pledges[1].pk}).exclude(status="cancelled")

    # then the rows are those `__in` finds, and an empty list finds none without a query
    assert list(by_reference.values_list("reference", flat=True)) == ["AAAAAAAA", "CCCCCCCC"]
    assert list(by_reference) == list(Pledge.objects.filter(reference__in=wanted).order_by("reference"))
    assert list(by_id) == [pledges[1]]
    with CaptureQueriesContext(connection) as queries:
        assert list(Pledge.objects.filter(pk__any_of=[])) == []
    assert len(queries) == 0
