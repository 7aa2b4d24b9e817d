"""The public ledger's search: what people type (names with or without diacritics, amounts as they
write them, Vietnamese dates, receipt numbers or pledge references), checked into `LedgerFilters`."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns.money import vnd
from donations.models import REFERENCE_ALPHABET, REFERENCE_LENGTH
from ledger.forms import AmountField
from ledger.models import MAX_CASH_AMOUNT

from .ledger import (
    DEFAULT_PAGE_SIZE,
    LARGEST,
    NEWEST,
    OLDEST,
    PAGE_SIZES,
    SMALLEST,
    LedgerCursor,
    LedgerCursorError,
    LedgerCursorOtherSort,
    LedgerFilters,
    ledger_cursor_decode,
)

EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_DAY = datetime.date(2099, 12, 31)
DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
RECEIPT_NUMBER_RE = re.compile(r"(?:([A-Z2-9]{3,8})-)?0*(\d{1,9})")
REFERENCE_RE = re.compile(f"[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}")

SORT_CHOICES = [
    (NEWEST, _("Newest first")),
    (OLDEST, _("Oldest first")),
    (LARGEST, _("Largest amount first")),
    (SMALLEST, _("Smallest amount first")),
]

BAD_CURSOR = _("This page link is not valid any more. Start again from the first page.")
OTHER_SORT_CURSOR = _("This page link belongs to another sort order. Start again from the first page.")


def validate_plain_text(value: str) -> None:
    """Printable text only: no control characters and no halves of a character (lone surrogates)."""
    if any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or 0xD800 <= ord(ch) <= 0xDFFF or ch == "\ufffd" for ch in value):
        raise ValidationError(_("Remove the invisible or broken characters from this text."), code="invalid")


class PlainTextField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        validate_plain_text(value)  # before the length and null-character checks speak of it
        return value


class LedgerAmountField(AmountField):
    """An exact amount to look for, in whole đồng as people type it, within what a receipt can be."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u00a0", " ")  # `500.000 ₫` copied from a page keeps its no-break space
        amount = super().to_python(value)
        if amount is not None and not 0 < amount <= MAX_CASH_AMOUNT:
            raise ValidationError(
                _("Enter an amount between 1 ₫ and %(largest)s.") % {"largest": vnd(MAX_CASH_AMOUNT)}, code="range"
            )
        return amount


class LedgerDateField(forms.DateField):
    default_error_messages = {"invalid": _("Enter a date as day/month/year, for example 08/09/2024.")}

    def __init__(self, **kwargs):
        super().__init__(input_formats=DATE_FORMATS, **kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise ValidationError(
                _("Enter a date between %(first)s and %(last)s.")
                % {"first": f"{EARLIEST_DAY:%d/%m/%Y}", "last": f"{LATEST_DAY:%d/%m/%Y}"},
                code="range",
            )
        return day


class LedgerSearchForm(forms.Form):
    """Bound to the query string of the ledger page, its downloads and its API."""

    q = PlainTextField(
        label=_("Donor name"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Nguyen Van An"), "autocomplete": "off"}),
    )
    number = PlainTextField(
        label=_("Receipt number or pledge reference"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    amount = LedgerAmountField(
        label=_("Exact amount (đồng)"), required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "500.000", "autocomplete": "off"}),
    )
    date_from = LedgerDateField(
        label=_("From"), required=False,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}),
    )
    date_to = LedgerDateField(
        label=_("To"), required=False,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}),
    )
    sort = forms.ChoiceField(label=_("Order"), choices=SORT_CHOICES, required=False)
    size = forms.TypedChoiceField(
        label=_("Per page"), choices=[(n, str(n)) for n in PAGE_SIZES], coerce=int, required=False,
        empty_value=DEFAULT_PAGE_SIZE,
    )
    cursor = PlainTextField(required=False, max_length=400, widget=forms.HiddenInput)

    def __init__(self, data=None, *args, campaign_code: str = "", **kwargs):
        if data is not None and not data.get("size"):
            data = data.copy()
            data["size"] = str(DEFAULT_PAGE_SIZE)  # shown as chosen in the form
        super().__init__(data, *args, **kwargs)
        self.campaign_code = campaign_code
        self.fields["number"].widget.attrs["placeholder"] = f"{campaign_code or 'YAGI24'}-000123 / K7M3PQ9X"

    def clean_number(self) -> tuple:
        text = self.cleaned_data.get("number", "").upper().replace(" ", "")
        if not text:
            return ()
        match = RECEIPT_NUMBER_RE.fullmatch(text)
        # `YAGI24-000123`, `000123` or `123` is a receipt; eight digits 2–9 alone read as a pledge reference.
        if match and (match[1] or not REFERENCE_RE.fullmatch(text)):
            return ("receipt", match[1] or "", int(match[2]))
        reference = text.replace("-", "").replace(".", "")
        if REFERENCE_RE.fullmatch(reference):
            return ("pledge", reference)
        raise ValidationError(
            _("Enter a receipt number such as %(number)s or a pledge reference such as K7M3PQ9X.")
            % {"number": f"{self.campaign_code or 'YAGI24'}-000123"},
            code="invalid",
        )

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end date is before the start date."))
        if data.get("cursor") and "sort" not in self.errors:
            try:
                data["position"] = ledger_cursor_decode(token=data["cursor"], sort=data.get("sort") or NEWEST)
            except LedgerCursorOtherSort:
                self.add_error("cursor", OTHER_SORT_CURSOR)
            except LedgerCursorError:
                self.add_error("cursor", BAD_CURSOR)
        return data

    def filters(self) -> LedgerFilters:
        data = self.cleaned_data
        return LedgerFilters(
            name=data["q"], amount=data["amount"], date_from=data["date_from"], date_to=data["date_to"],
            number=data["number"], sort=data["sort"] or NEWEST,
        )

    def position(self) -> LedgerCursor | None:
        return self.cleaned_data.get("position")

    def page_size(self) -> int:
        return self.cleaned_data["size"]
