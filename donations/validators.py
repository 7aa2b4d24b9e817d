"""Field checks shared by the donor form, the API and the services."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ledger.models import MAX_CASH_AMOUNT

MIN_CASH_AMOUNT = 1_000

_MOBILE = re.compile(r"^0(3|5|7|8|9)\d{8}$")
_HTML = re.compile(r"<\s*[a-zA-Z/!?]|&#?\w+;")


def normalize_vn_mobile(value: str) -> str:
    """Return a Vietnamese mobile number as 10 digits starting with 0, or raise ValidationError.

    Accepts spaces, dots and dashes between digits and the +84 / 84 country prefix.
    """
    raw = re.sub(r"[\s.\-()]", "", value or "")
    if raw.startswith("+84"):
        raw = "0" + raw[3:]
    elif raw.startswith("84") and len(raw) == 11:
        raw = "0" + raw[2:]
    if not _MOBILE.match(raw):
        raise ValidationError(
            _("Enter a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 or 09."),
            code="invalid_phone",
        )
    return raw


def validate_no_html(value: str) -> None:
    if value and _HTML.search(value):
        raise ValidationError(_("Please write plain text without HTML tags."), code="html")


def validate_cash_amount(value: int) -> None:
    if value < MIN_CASH_AMOUNT:
        raise ValidationError(_("The amount must be at least 1,000 đồng."), code="amount_too_small")
    if value > MAX_CASH_AMOUNT:
        raise ValidationError(
            _("The amount cannot exceed 100,000,000,000 đồng; for larger gifts please contact the committee."),
            code="amount_too_large",
        )


def validate_tax_code(value: str) -> None:
    if value and not re.fullmatch(r"\d{10}(-\d{3})?", value):
        raise ValidationError(
            _("A tax code is 10 digits, or 10 digits, a dash and 3 digits for a branch."), code="tax_code"
        )
