"""The citizen ID (CCCD) as the portal handles it: checked, then kept only as a keyed hash and a
masked form, never as typed.

A CCCD has 12 digits: the first three are the code of the province where the birth was registered
(the 63 units of the 2008 map, each the 2-digit statistical code of the province with a leading 0:
001 Hà Nội … 096 Cà Mau), the fourth gives the century of birth and sex (0/1: 1900s male/female,
2/3: 2000s, 4/5: 2100s, …), the fifth and sixth the year of birth within the century, the last six
a serial number.
"""

import datetime
import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

# The 63 province codes of birth registration (the 2008 map, see campaigns/data/provinces_vn.csv).
PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 "
    "038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 "
    "080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)
OLDEST_AGE = 120
_SEPARATORS = re.compile(r"[\s.\-]")

INVALID_FORMAT = _("A citizen ID (CCCD) has exactly 12 digits.")
INVALID_PROVINCE = _("The first three digits of a citizen ID are a province code (001 to 096); %(code)s is not one.")
INVALID_BIRTH = _("Digits 4 to 6 of a citizen ID give the century and year of birth; %(digits)s is not a possible birth year.")


@dataclass(frozen=True)
class CitizenId:
    digits: str
    birth_year: int
    female: bool

    @property
    def masked(self) -> str:
        return mask(self.digits)

    @property
    def hash(self) -> str:
        return keyed_hash(self.digits)


def parse(value: str, *, today: datetime.date | None = None) -> CitizenId:
    """Check a typed citizen ID (spaces, dots and dashes allowed between digits). Raises ValidationError."""
    digits = _SEPARATORS.sub("", value or "")
    if not (len(digits) == 12 and digits.isascii() and digits.isdigit()):
        raise ValidationError(INVALID_FORMAT, code="cccd_format")
    if digits[:3] not in PROVINCE_CODES:
        raise ValidationError(INVALID_PROVINCE, code="cccd_province", params={"code": digits[:3]})
    century = 1900 + 100 * (int(digits[3]) // 2)
    birth_year = century + int(digits[4:6])
    year = (today or datetime.date.today()).year
    if not year - OLDEST_AGE <= birth_year <= year:
        raise ValidationError(INVALID_BIRTH, code="cccd_birth", params={"digits": digits[3:6]})
    return CitizenId(digits=digits, birth_year=birth_year, female=int(digits[3]) % 2 == 1)


def mask(digits: str) -> str:
    """`001099001234` → `0010****1234`: what staff see."""
    return f"{digits[:4]}****{digits[-4:]}"


def keyed_hash(digits: str) -> str:
    """HMAC-SHA256 of the 12 digits with the portal's secret key: the registry's identity of a person."""
    key = (settings.ASSISTANCE_ID_HMAC_KEY or "").encode("utf-8")
    if len(key) < 16:  # never hash people with an empty or guessable key (see assistance.checks)
        raise ImproperlyConfigured("ASSISTANCE_ID_HMAC_KEY is missing or shorter than 16 characters.")
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()


def looks_like_citizen_id(text: str) -> str | None:
    """The 12 digits if a search text is a citizen ID, else None."""
    digits = _SEPARATORS.sub("", text or "")
    return digits if len(digits) == 12 and digits.isascii() and digits.isdigit() else None
