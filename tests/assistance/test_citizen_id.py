"""The citizen ID check: 12 digits, a province code of birth registration, a possible birth year."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from assistance import citizen_id
from campaigns.models import Province, ProvinceSet

TODAY = datetime.date(2025, 10, 1)


def test_the_63_province_codes_are_those_of_the_2008_map(db):
    # the codes of birth registration are the statistical codes of the 63 old units with a leading zero
    old_units = {f"0{code}" for code in Province.objects.filter(set=ProvinceSet.Y2008).values_list("code", flat=True)}
    assert citizen_id.PROVINCE_CODES == old_units
    assert len(citizen_id.PROVINCE_CODES) == 63


@pytest.mark.parametrize(("typed", "digits", "year", "female"), [
    ("001099001234", "001099001234", 1999, False),
    ("010 185 004 567", "010185004567", 1985, True),
    ("019.203.007.890", "019203007890", 2003, False),
    ("096-025-000-001", "096025000001", 1925, False),
])
def test_a_valid_id_gives_digits_birth_year_and_sex(typed, digits, year, female):
    person = citizen_id.parse(typed, today=TODAY)
    assert (person.digits, person.birth_year, person.female) == (digits, year, female)
    assert person.masked == f"{digits[:4]}****{digits[-4:]}"


def test_the_masked_form_keeps_four_digits_each_side():
    assert citizen_id.mask("001099001234") == "0010****1234"


@pytest.mark.parametrize(("typed", "message"), [
    ("", "A citizen ID (CCCD) has exactly 12 digits."),
    ("00109900123", "A citizen ID (CCCD) has exactly 12 digits."),
    ("0010990012345", "A citizen ID (CCCD) has exactly 12 digits."),
    ("00109900123A", "A citizen ID (CCCD) has exactly 12 digits."),
    ("００１０９９００１２３４", "A citizen ID (CCCD) has exactly 12 digits."),
    ("003099001234", "The first three digits of a citizen ID are a province code (001 to 096); 003 is not one."),
    ("099099001234", "The first three digits of a citizen ID are a province code (001 to 096); 099 is not one."),
    ("001230001234", "Digits 4 to 6 of a citizen ID give the century and year of birth; 230 is not a possible birth year."),
    ("001400001234", "Digits 4 to 6 of a citizen ID give the century and year of birth; 400 is not a possible birth year."),
    ("001004001234", "Digits 4 to 6 of a citizen ID give the century and year of birth; 004 is not a possible birth year."),
])
def test_a_bad_id_says_what_is_wrong(english, typed, message):
    with pytest.raises(ValidationError) as caught:
        citizen_id.parse(typed, today=TODAY)
    assert caught.value.messages == [message]


def test_the_keyed_hash_depends_on_the_secret(settings):
    first = citizen_id.keyed_hash("001099001234")
    settings.ASSISTANCE_ID_HMAC_KEY = "another-secret-key-of-the-portal"
    assert citizen_id.keyed_hash("001099001234") != first
    assert len(first) == 64 and "001099001234" not in first


def test_production_refuses_to_start_without_the_id_key(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("DJANGO_SECRET_KEY", "k" * 50)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "cuutro.example.vn")
    monkeypatch.setenv("ASSISTANCE_ID_HMAC_KEY", "h" * 50)
    import relief_portal.settings.production as production  # imported with every secret set

    assert importlib.reload(production).ASSISTANCE_ID_HMAC_KEY == "h" * 50
    monkeypatch.delenv("ASSISTANCE_ID_HMAC_KEY")
    with pytest.raises(ImproperlyConfigured, match="ASSISTANCE_ID_HMAC_KEY"):
        importlib.reload(production)


@pytest.mark.parametrize("key", ["", "short"])
def test_nobody_is_hashed_with_a_missing_or_short_key(settings, key):
    from django.core.checks import run_checks
    from django.core.exceptions import ImproperlyConfigured

    settings.ASSISTANCE_ID_HMAC_KEY = key
    with pytest.raises(ImproperlyConfigured):
        citizen_id.keyed_hash("001099001234")
    assert "assistance.E001" in [message.id for message in run_checks()]
