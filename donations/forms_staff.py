"""Forms of the committee staff's admin: cash desk and goods drop-off, reversals, statement uploads,
queue decisions and column mappings.

They check what a person typed (formats, required fields, file type and size) and hand clean values
to the services, which decide; a service's ValidationError is put back on the fields it names.
"""

import hashlib
import os
import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, ItemCategory, ReceivingAccount

from .forms import AmountField, add_service_errors
from .models import ANONYMOUS_NAME, Receipt, StatementColumnMapping, StatementImport
from .selectors import pledge_get_public, statement_import_content, statement_import_same_file
from .services import ItemLine
from .statements import ColumnMapping, StatementError
from .statements.layouts import check_mapping
from .validators import MAX_CASH_AMOUNT, MAX_QUANTITY, validate_no_html

MAX_GOODS_LINES = 5
MAX_STATEMENT_BYTES = 50 * 1024 * 1024
STATEMENT_EXTENSIONS = (".csv", ".xlsx")
FUTURE_TOLERANCE = timedelta(minutes=10)  # clocks of the desk PC and the server differ a little


class QuantityField(forms.CharField):
    """A quantity of goods as people type it in the active language.

    Vietnamese: `1.500` is one thousand five hundred and `2,5` two and a half; English: `1,500` and `2.5`.
    A lone separator that does not group thousands (`2.5` in Vietnamese) is taken as the decimal point.
    """

    default_error_messages = {"invalid": _("Enter a quantity such as 250 or 12.5.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        text = value.replace(" ", "").replace("\u00a0", "")
        decimal_sep = get_format("DECIMAL_SEPARATOR")
        thousand_sep = "." if decimal_sep == "," else ","
        whole, sep, frac = text.partition(decimal_sep)
        if thousand_sep in frac or decimal_sep in frac:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if thousand_sep in whole:
            groups = whole.split(thousand_sep)
            grouped = 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
            if grouped:
                whole = "".join(groups)
            elif not sep and len(groups) == 2:
                whole, frac = groups  # `2.5` typed in Vietnamese: the other convention's decimal point
            else:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not re.fullmatch(r"\d{1,13}", whole) or (frac and not re.fullmatch(r"\d{1,3}", frac)):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return Decimal(f"{whole}.{frac}" if frac else whole)
        except InvalidOperation as exc:  # pragma: no cover - the patterns above rule this out
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_unit_display()})"


class GoodsLineForm(forms.Form):
    """One line of goods in a staff form (receipts, allocations); empty lines are ignored."""

    category = CategoryChoiceField(
        label=_("Item"), queryset=ItemCategory.objects.all(), required=False, empty_label=_("— choose —")
    )
    quantity = QuantityField(
        label=_("Quantity"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10})
    )
    estimated_value = AmountField(
        label=_("Estimated value (đồng)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 14}),
    )

    def clean(self):
        data = super().clean()
        category, quantity, value = data.get("category"), data.get("quantity"), data.get("estimated_value")
        if category is None and quantity is None and value is None and not self.errors:
            return data  # an empty line is ignored
        if category is None and "category" not in self.errors:
            self.add_error("category", _("Choose an item."))
        if quantity is None:
            if "quantity" not in self.errors:
                self.add_error("quantity", _("Enter a quantity."))
        elif not 0 < quantity <= MAX_QUANTITY:
            self.add_error("quantity", _("The quantity must be greater than zero."))
        if value is not None and value > MAX_CASH_AMOUNT:
            self.add_error("estimated_value", _("This estimated value is too large."))
        return data

    def line(self) -> ItemLine | None:
        data = self.cleaned_data
        if not data.get("category"):
            return None
        return ItemLine(
            category=data["category"], quantity=data["quantity"], estimated_value=data.get("estimated_value")
        )


GoodsLineFormSet = forms.formset_factory(
    GoodsLineForm, extra=MAX_GOODS_LINES, max_num=MAX_GOODS_LINES, validate_max=True, absolute_max=MAX_GOODS_LINES
)


class ReceiptForm(forms.Form):
    """What the cash desk or the goods drop-off received, recorded with `receipt_record`."""

    CHANNELS = [
        (Receipt.Channel.CASH_DESK, Receipt.Channel.CASH_DESK.label),
        (Receipt.Channel.GOODS_DROPOFF, Receipt.Channel.GOODS_DROPOFF.label),
    ]

    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.active(), empty_label=_("— choose —")
    )
    channel = forms.ChoiceField(
        label=_("Received through"), choices=CHANNELS, widget=forms.RadioSelect, initial=Receipt.Channel.CASH_DESK,
        help_text=_("Cash desk: enter the amount. Goods drop-off: enter the goods lines below."),
    )
    pledge_reference = forms.CharField(
        label=_("Pledge reference"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "K7M3PQ9X", "class": "vTextField"}),
        help_text=_("The 8-character code the donor got when pledging. Leave empty for a walk-in donor."),
    )
    public_name = forms.CharField(
        label=_("Walk-in donor: name in the public list"),
        max_length=200,
        required=False,
        initial=ANONYMOUS_NAME,
        validators=[validate_no_html],
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text=_("Shown in the public ledger exactly as written here. Ignored when a pledge reference is given."),
    )
    amount = AmountField(
        label=_("Cash amount (đồng)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "1.000.000", "autocomplete": "off"}),
        help_text=_("Whole đồng, e.g. 1.000.000."),
    )
    received_at = forms.SplitDateTimeField(
        label=_("Received at (date and time)"),
        input_date_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
        input_time_formats=["%H:%M:%S", "%H:%M"],
        widget=admin_widgets.AdminSplitDateTime,
    )
    note = forms.CharField(
        label=_("Note"), max_length=255, required=False, validators=[validate_no_html],
        widget=forms.TextInput(attrs={"class": "vTextField"}),
    )

    def __init__(self, data=None, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))
        super().__init__(data, *args, **kwargs)
        active = list(self.fields["campaign"].queryset[:2])
        if len(active) == 1:
            self.fields["campaign"].initial = active[0].pk
        self.items = GoodsLineFormSet(data, prefix="items")

    def clean_pledge_reference(self):
        reference = self.cleaned_data.get("pledge_reference", "")
        if not reference.strip():
            return None
        pledge = pledge_get_public(reference=reference)
        if pledge is None:
            raise ValidationError(
                _("No pledge has the reference %(reference)s."), code="unknown_reference",
                params={"reference": reference.strip().upper()},
            )
        return pledge

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and not 0 < amount <= MAX_CASH_AMOUNT:
            raise ValidationError(_("The amount must be a positive number of đồng."), code="amount_range")
        return amount

    def clean_received_at(self):
        received_at = self.cleaned_data["received_at"]
        if received_at > timezone.now() + FUTURE_TOLERANCE:
            raise ValidationError(_("The time received cannot be in the future."), code="future")
        return received_at

    def clean(self):
        data = super().clean()
        lines = self.item_lines()
        channel, amount = data.get("channel"), data.get("amount")
        if lines is None:
            self.add_error(None, _("Please correct the goods lines below."))
        if channel == Receipt.Channel.CASH_DESK:
            if amount is None and "amount" not in self.errors:
                self.add_error("amount", _("Enter the amount of cash received."))
            if lines:
                self.add_error(None, _("Goods are recorded with the goods drop-off channel; clear the goods lines."))
        elif channel == Receipt.Channel.GOODS_DROPOFF:
            if amount is not None:
                self.add_error("amount", _("Cash is recorded with the cash desk channel; clear the amount."))
            if lines == []:
                self.add_error(None, _("Add at least one goods line."))
        return data

    def item_lines(self) -> list[ItemLine] | None:
        """The goods lines filled in, or None while a line has an error."""
        if not self.items.is_valid():
            return None
        return [line for line in (f.line() for f in self.items.forms) if line]

    def record_kwargs(self) -> dict:
        """Keyword arguments of `receipt_record` (all but `recorded_by`)."""
        data = self.cleaned_data
        is_cash = data["channel"] == Receipt.Channel.CASH_DESK
        return {
            "campaign": data["campaign"],
            "channel": data["channel"],
            "amount": data["amount"] if is_cash else None,
            "items": [] if is_cash else self.item_lines(),
            "pledge": data["pledge_reference"],
            "public_name": (data.get("public_name") or "").strip(),
            "received_at": data["received_at"],
            "note": (data.get("note") or "").strip(),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc, field_map={"pledge": "pledge_reference", "items": None})


class ReceiptReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the reversal"),
        max_length=255,
        validators=[validate_no_html],
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Required. Shown to staff next to both entries, e.g. “Counted twice at the cash desk”."),
    )


class ReceivingAccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.bank.short_name} {obj.account_number} · {obj.account_holder} · {obj.campaign.name}"


class StatementUploadForm(forms.Form):
    """A statement file for an account. A file identical to an earlier import of the account is
    refused with a warning naming that import until staff tick “Import it anyway”; the file is then
    taken from the earlier import, so it need not be chosen again.

    Valid, `cleaned_data` holds the `file_name` and `content` to store.
    """

    account = ReceivingAccountChoiceField(
        label=_("Receiving account"),
        queryset=ReceivingAccount.objects.select_related("bank", "campaign").order_by("campaign__status", "id"),
        empty_label=_("— choose —"),
    )
    file = forms.FileField(
        label=_("Statement file"),
        required=False,  # checked in clean(): a confirmed identical file is already stored
        help_text=_("The bank's export as .csv or .xlsx, at most 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    import_anyway = forms.BooleanField(
        label=_("Import it anyway"),
        required=False,
        help_text=_("The file is already stored: there is no need to choose it again."),
    )
    same_file_sha256 = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    same_file: StatementImport | None = None  # the earlier import of the same file, once found

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload is None:
            return None
        extension = os.path.splitext(upload.name or "")[1].lower()
        if extension not in STATEMENT_EXTENSIONS:
            raise ValidationError(
                _("Upload the statement as .csv or .xlsx (this file is “%(extension)s”)."),
                code="extension", params={"extension": extension or "?"},
            )
        if upload.size > MAX_STATEMENT_BYTES:
            raise ValidationError(
                _("The file is larger than 50 MB; split the statement by date and upload the parts."), code="size"
            )
        return upload

    def clean(self):
        data = super().clean()
        account, upload = data.get("account"), data.get("file")
        confirmed = data.get("same_file_sha256", "") if data.get("import_anyway") else ""
        if upload is None:
            earlier = statement_import_same_file(account=account, content_sha256=confirmed) if account else None
            if earlier is None:
                if "file" not in self.errors:
                    self.add_error("file", self.fields["file"].error_messages["required"])
                return data
            data["file_name"] = earlier.file_name
            data["content"] = statement_import_content(statement_import=earlier)
            return data
        content = upload.read()
        data["file_name"], data["content"] = upload.name, content
        sha256 = hashlib.sha256(content).hexdigest()
        earlier = None if account is None or sha256 == confirmed else statement_import_same_file(
            account=account, content_sha256=sha256
        )
        if earlier is not None:
            self.same_file = earlier
            self.data = self.data.copy()  # shown again with the file's hash, confirming needs no new upload
            self.data["same_file_sha256"] = sha256
            uploader = earlier.uploaded_by
            raise ValidationError(
                _("This file is identical to “%(file)s”, uploaded on %(date)s by %(user)s (%(status)s). Importing it "
                  "again adds nothing new: rows already imported are skipped. To import it all the same, tick "
                  "“Import it anyway” and save."),
                code="same_file",
                params={
                    "file": earlier.file_name,
                    "date": date_format(timezone.localtime(earlier.created_at), "d/m/Y H:i"),
                    "user": uploader.get_full_name() or uploader.get_username(),
                    "status": earlier.get_status_display(),
                },
            )
        return data


class BankTransactionAssignForm(forms.Form):
    reference = forms.CharField(
        label=_("Pledge reference"), max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "K7M3PQ9X", "size": 12}),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False, validators=[validate_no_html])


class BankTransactionNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=255, required=False, validators=[validate_no_html])


class StatementColumnMappingForm(forms.ModelForm):
    """Header names of an unknown bank's export, checked the way the statement parser will use them."""

    class Meta:
        model = StatementColumnMapping
        fields = ["account", "date", "description", "credit", "debit", "amount", "reference", "balance"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        mapping = ColumnMapping(**{name: data.get(name) or "" for name in self.Meta.fields if name != "account"})
        try:
            check_mapping(mapping)
        except StatementError as exc:
            raise ValidationError(str(exc), code=exc.code) from exc
        return data
