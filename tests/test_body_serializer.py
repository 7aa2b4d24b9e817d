"""Input serializers build their fields once per class (relief_portal.api.serializers.BodySerializer):
each body is validated on its own all the same, in turn or from several threads at once."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import translation

from assistance.api.serializers import NeedCreateInputSerializer
from donations.api.serializers import DonorInputSerializer, PledgeCreateInputSerializer
from tests.test_api import cash_body, goods_body


def donor(number: int, **overrides) -> dict:
    return {"kind": "individual", "full_name": f"Người ủng hộ số {number}", "phone": f"09{number:08d}",
            "email": f"nguoi{number}@example.vn", **overrides}


def test_the_fields_of_a_class_are_built_once_for_every_instance():
    first, second = PledgeCreateInputSerializer(data={}), PledgeCreateInputSerializer(data={})
    assert first.fields is second.fields
    assert first.fields["donor"].fields is second.fields["donor"].fields
    assert first.fields["items"].child.fields is second.fields["items"].child.fields
    # bound to an instance of their own, which keeps no request's data
    owner = first.fields["kind"].root
    assert owner is not first and owner is not second and not hasattr(owner, "initial_data")
    assert NeedCreateInputSerializer(data={}).fields is NeedCreateInputSerializer(data={}).fields


def test_a_refused_body_leaves_nothing_behind_for_the_next(db, open_campaign):
    bad = cash_body(open_campaign, kind="cheque", amount=10**15, donor={**donor(1), "full_name": "x" * 121})
    with translation.override("en"):
        refused = PledgeCreateInputSerializer(data=bad)
        good = PledgeCreateInputSerializer(data=goods_body(open_campaign))
        assert good.is_valid(), good.errors  # validated before the bad one, which was made first
        assert not refused.is_valid()
        errors = {field: [str(message) for message in messages] for field, messages in refused.errors.items()
                  if field != "donor"}
        again = PledgeCreateInputSerializer(data=bad)
        assert not again.is_valid()
    assert errors == {"kind": ['"cheque" is not a valid choice.'],
                      "amount": ["The amount cannot exceed 100,000,000,000 đồng; for larger gifts please contact "
                                 "the committee."]}
    assert again.errors == refused.errors
    assert [str(m) for m in refused.errors["donor"]["full_name"]] == ["Ensure this field has no more than 120 characters."]
    lines = good.pledge_data().items
    assert [(line.category.slug, str(line.quantity), line.estimated_value) for line in lines] == [
        ("rice", "250.500", None), ("drinking-water", "20.000", 2_000_000)]
    assert good.donor_data().organization_name == "Công ty TNHH Vận tải Hoàng Long"


def test_bodies_validated_in_several_threads_at_once_keep_their_own_values():
    def validate(number: int):
        given = DonorInputSerializer(data=donor(number) if number % 3 else donor(number, kind="nobody"))
        return number, given.is_valid(), given.validated_data if given.is_valid() else given.errors

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(validate, range(1, 401)))
    for number, valid, value in results:
        if number % 3:
            assert valid and value["full_name"] == f"Người ủng hộ số {number}"
            assert value["phone"] == f"09{number:08d}" and value["email"] == f"nguoi{number}@example.vn"
        else:
            assert not valid and list(value) == ["kind"]


@pytest.mark.parametrize("kwargs", [{"instance": object()}, {"data": {}, "partial": True}])
def test_an_instance_or_a_partial_body_is_refused(kwargs):
    with pytest.raises(TypeError, match="reads a request body only"):
        PledgeCreateInputSerializer(**kwargs)
