"""Forms of the committee staff's admin: cash desk and goods drop-off, reversals, statement uploads,
queue decisions, column mappings, donor corrections and pledge cancellations.

They check what a person typed (formats, required fields, file type and size) and hand clean values
to the services, which decide; a service's ValidationError is put back on the fields it names.
"""

import hashlib
import os
import zipfile
from datetime import timedelta

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, DropOffPoint, Province, ReceivingAccount
from ledger.forms import AmountField, GoodsLineFormSet, add_service_errors
from ledger.models import AMOUNT_OUT_OF_RANGE, MAX_CASH_AMOUNT
from ledger.services import AMOUNT_TOO_LARGE, ItemLine

from .models import (
    ANONYMOUS_NAME,
    Donor,
    Receipt,
    StatementColumnMapping,
    StatementImport,
)
from .selectors import (
    desk_points_for,
    pledge_get_public,
    statement_import_content,
    statement_import_same_file,
)
from .services import PledgeShare, donor_clean
from .statements import ColumnMapping, StatementError
from .statements.layouts import check_mapping
from .validators import normalize_vn_mobile, validate_no_html

# What the largest real statement needs, with room to spare: the busiest account of the 2024
# typhoon appeal received about 200,000 transfers in its first ten days. A CSV row takes about
# 110 bytes, so 30 MB holds some 270,000 rows; an XLSX row about 50 bytes packed and 400 unpacked,
# so its parts may unpack to at most 128 MB (some 300,000 rows). A larger statement is split by
# date. The unpacked limit is read from the workbook's directory, without unpacking it: a small
# workbook of millions of blank or formatted rows is refused at once instead of holding a worker.
MAX_STATEMENT_BYTES = 30 * 1024 * 1024
MAX_WORKBOOK_UNPACKED_BYTES = 128 * 1024 * 1024
STATEMENT_EXTENSIONS = (".csv", ".xlsx")
FUTURE_TOLERANCE = timedelta(minutes=10)  # clocks of the desk PC and the server differ a little




class PointChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DropOffPoint) -> str:
        return f"{obj.name} · {obj.province.name} · {obj.campaign.code}"


class ReceiptForm(forms.Form):
    """What the cash desk or the goods drop-off received, recorded with `receipt_record`.

    `province_scope` limits the points to choose from to one province (provincial staff), and then
    a point is required.
    """

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
    point = PointChoiceField(
        label=_("Received at point"), queryset=DropOffPoint.objects.none(), required=False,
        empty_label=_("— choose —"), help_text=_("The drop-off point or cash desk that received it."),
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

    def __init__(self, data=None, *args, province_scope: Province | None = None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))
        super().__init__(data, *args, **kwargs)
        active = list(self.fields["campaign"].queryset[:2])
        if len(active) == 1:
            self.fields["campaign"].initial = active[0].pk
        self.fields["point"].queryset = desk_points_for(province_scope=province_scope)
        self.fields["point"].required = province_scope is not None
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
        if amount is not None and amount > MAX_CASH_AMOUNT:
            raise ValidationError(AMOUNT_TOO_LARGE, code="amount_range")
        if amount is not None and amount <= 0:
            raise ValidationError(AMOUNT_OUT_OF_RANGE, code="amount_range")
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
            "point": data.get("point"),
            "public_name": (data.get("public_name") or "").strip(),
            "received_at": data["received_at"],
            "note": (data.get("note") or "").strip(),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc, field_map={"pledge": "pledge_reference", "items": None})


class ReceivingAccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.bank.short_name} {obj.account_number} · {obj.account_holder} · {obj.campaign.name}"


def _workbook_unpacked_size(upload) -> int:
    """The total size of an XLSX workbook's parts once unpacked, from its zip directory (0 when the
    file is no zip: the import then says what is wrong with it)."""
    try:
        with zipfile.ZipFile(upload) as workbook:
            return sum(part.file_size for part in workbook.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0
    finally:
        upload.seek(0)


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
        help_text=_("The bank's export as .csv or .xlsx, at most 30 MB."),
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
                _("The file is larger than 30 MB; split the statement by date and upload the parts."), code="size"
            )
        if extension == ".xlsx" and _workbook_unpacked_size(upload) > MAX_WORKBOOK_UNPACKED_BYTES:
            raise ValidationError(
                _("The workbook unpacks to more than 128 MB, far more than its transactions need: it probably "
                  "holds many empty or formatted rows. Delete the rows below the table (or save it as CSV), "
                  "or split the statement by date, and upload it again."),
                code="unpacked_size",
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


class PledgeShareForm(forms.Form):
    """One more pledge paid by the same transfer, with its share of the amount."""

    reference = forms.CharField(
        label=_("Pledge reference"), max_length=24, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 12, "aria-label": _("Pledge reference")}),
    )
    amount = AmountField(
        label=_("Amount (đồng)"), required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 14, "aria-label": _("Amount (đồng)")}),
    )


MORE_SHARES = 9  # rows beside the first pledge; the service takes longer lists
PledgeShareFormSet = forms.formset_factory(
    PledgeShareForm, extra=MORE_SHARES, max_num=MORE_SHARES, validate_max=True, absolute_max=MORE_SHARES
)


class BankTransactionAssignForm(forms.Form):
    """The pledge a queued transfer settles; when it pays several, the others below with an amount each.

    A reference alone settles the whole transfer. The rows below (prefix `shares`) are optional: a
    request without them assigns one pledge, as before they existed.
    """

    reference = forms.CharField(
        label=_("Pledge reference"), max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "K7M3PQ9X", "size": 12}),
    )
    amount = AmountField(
        label=_("Amount (đồng)"), required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 14, "autocomplete": "off"}),
        help_text=_("Only when several pledges share the transfer; empty: the whole transfer."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False, validators=[validate_no_html])

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        more = data if data is not None and "shares-TOTAL_FORMS" in data else None
        self.more = PledgeShareFormSet(more, prefix="shares", auto_id=self.auto_id)
        self._share_forms: list[forms.Form] = []

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return (self.more.is_valid() if self.more.is_bound else True) and valid

    def shares(self) -> list[PledgeShare]:
        """The pledges typed in, in order; the rows left empty are ignored."""
        self._share_forms = [self]
        shares = [PledgeShare(reference=self.cleaned_data["reference"], amount=self.cleaned_data.get("amount"))]
        for row in self.more.forms if self.more.is_bound else []:
            reference, amount = row.cleaned_data.get("reference", ""), row.cleaned_data.get("amount")
            if reference.strip() or amount is not None:
                self._share_forms.append(row)
                shares.append(PledgeShare(reference=reference, amount=amount))
        return shares

    def add_service_errors(self, exc: ValidationError) -> None:
        """A share's error on its row's field (the service numbers shares as `shares()` listed them)."""
        if not hasattr(exc, "error_dict"):
            add_service_errors(self, exc)
            return
        for key, errors in exc.error_dict.items():
            for error in errors:
                row = (error.params or {}).get("row")
                if key in ("reference", "amount") and row is not None and row < len(self._share_forms):
                    self._share_forms[row].add_error(key, error)
                else:
                    self.add_error(key if key in self.fields else None, error)


class BankTransactionNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=255, required=False, validators=[validate_no_html])

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)


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


class DonorChangeForm(forms.ModelForm):
    """Staff's corrections to a donor's contact data, checked as the donor's own entry is (`donor_clean`)."""

    # Typed as people write it (`0912 345 678`, `+84 912 345 678`); stored as 10 digits.
    phone = forms.CharField(label=Donor._meta.get_field("phone").verbose_name, max_length=20)

    class Meta:
        model = Donor
        fields = [
            "kind", "full_name", "organization_name", "tax_code", "phone", "email", "address", "province",
            "public_display",
        ]

    def clean_phone(self):
        return normalize_vn_mobile(self.cleaned_data["phone"])

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            donor_clean(donor=self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


class PledgeCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=255,
        validators=[validate_no_html],
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "Required. Kept with the pledge and in its history, e.g. “The donor called: pledged twice by mistake”."
        ),
    )
