"""The donor's pledge form: who you are, what you give. Checks fields, then the service decides."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns.models import ItemCategory, Province, ProvinceSet

from .models import Donor, PledgeKind, PublicDisplay
from .services import DonorData, ItemLine, PledgeData
from .validators import (
    MAX_CASH_AMOUNT,
    MAX_QUANTITY,
    normalize_vn_mobile,
    validate_cash_amount,
    validate_no_html,
    validate_tax_code,
)


def add_service_errors(form: forms.Form, exc: ValidationError, *, field_map: dict[str, str | None] | None = None):
    """Put a service's ValidationError on the form: keyed messages on the matching field, the rest on top."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(field_map.get(None), message)
        return
    for key, messages in exc.message_dict.items():
        target = field_map.get(key, key)
        if target not in form.fields:
            target = None
        for message in messages:
            form.add_error(target, message)


class AmountField(forms.CharField):
    """Whole đồng, typed as people type it: `500000`, `500.000`, `500,000`, `500.000 ₫`."""

    default_error_messages = {
        "invalid": _("Enter the amount in whole đồng, for example 500.000."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        text = value.replace("₫", "").replace("đ", "").replace("VND", "").replace(" ", "")
        if len(text) > 20:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        digits = text.replace(".", "").replace(",", "")
        groups_ok = all(len(g) == 3 for g in text.replace(",", ".").split(".")[1:])
        if not digits.isdigit() or not groups_ok or text.startswith(("-", "+")):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(digits)


class PledgeForm(forms.Form):
    donor_kind = forms.ChoiceField(
        label=_("I donate as"), choices=Donor.Kind.choices, widget=forms.RadioSelect, initial=Donor.Kind.INDIVIDUAL
    )
    full_name = forms.CharField(label=_("Full name"), max_length=120, required=False, validators=[validate_no_html])
    organization_name = forms.CharField(
        label=_("Organisation name"), max_length=200, required=False, validators=[validate_no_html]
    )
    tax_code = forms.CharField(label=_("Tax code"), max_length=14, required=False, validators=[validate_tax_code])
    phone = forms.CharField(label=_("Mobile phone"), max_length=20)
    email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    address = forms.CharField(label=_("Address"), max_length=255, required=False, validators=[validate_no_html])
    province = forms.ModelChoiceField(
        label=_("Province or city"),
        queryset=Province.objects.filter(set=ProvinceSet.Y2025).order_by("name"),
        required=False,
        empty_label=_("— choose —"),
        error_messages={"invalid_choice": _("Choose a province from the list.")},
    )
    public_display = forms.ChoiceField(
        label=_("Show my name in the public list as"),
        choices=PublicDisplay.choices,
        initial=PublicDisplay.MASKED,
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=_("I give"),
        choices=[(PledgeKind.CASH, _("Cash (bank transfer)")), (PledgeKind.GOODS, PledgeKind.GOODS.label)],
        widget=forms.RadioSelect,
        initial=PledgeKind.CASH,
    )
    amount = AmountField(
        label=_("Amount (đồng)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "500.000", "autocomplete": "off"}),
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_no_html],
    )

    def clean_phone(self):
        return normalize_vn_mobile(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if data.get("donor_kind") == Donor.Kind.INDIVIDUAL and not data.get("full_name") and "full_name" not in self.errors:
            self.add_error("full_name", _("Please enter your full name."))
        if data.get("donor_kind") == Donor.Kind.ORGANIZATION and not data.get("organization_name") and "organization_name" not in self.errors:
            self.add_error("organization_name", _("Please enter the organisation's name."))
        if data.get("kind") == PledgeKind.CASH and "amount" not in self.errors:
            amount = data.get("amount")
            if amount is None:
                self.add_error("amount", _("Please enter the amount you will transfer."))
            else:
                try:
                    validate_cash_amount(amount)
                except ValidationError as exc:
                    self.add_error("amount", exc)
        return data

    def donor_data(self) -> DonorData:
        d = self.cleaned_data
        return DonorData(
            kind=d["donor_kind"],
            full_name=d.get("full_name", ""),
            organization_name=d.get("organization_name", ""),
            tax_code=d.get("tax_code", ""),
            phone=d["phone"],
            email=d.get("email", ""),
            address=d.get("address", ""),
            province=d.get("province"),
            public_display=d["public_display"],
        )

    def pledge_data(self, items: list[ItemLine]) -> PledgeData:
        d = self.cleaned_data
        return PledgeData(kind=d["kind"], amount=d.get("amount"), items=items, message=d.get("message", ""))


class ItemLineForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Item"),
        queryset=ItemCategory.objects.all(),
        required=False,
        empty_label=_("— choose —"),
        error_messages={"invalid_choice": _("Choose an item from the list.")},
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        min_value=0,
        max_value=MAX_QUANTITY,
        max_digits=14,
        decimal_places=3,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    estimated_value = AmountField(
        label=_("Estimated value (đồng, optional)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def clean(self):
        data = super().clean()
        category, quantity = data.get("category"), data.get("quantity")
        if category is None and quantity is None and not data.get("estimated_value"):
            return data  # an empty line is ignored
        if category is None and "category" not in self.errors:
            self.add_error("category", _("Choose an item."))
        if quantity is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter a quantity."))
        elif quantity is not None and quantity <= 0:
            self.add_error("quantity", _("The quantity must be greater than zero."))
        value = data.get("estimated_value")
        if value is not None and value > MAX_CASH_AMOUNT:
            self.add_error("estimated_value", _("This estimated value is too large."))
        return data

    def line(self) -> ItemLine | None:
        d = self.cleaned_data
        if not d.get("category"):
            return None
        return ItemLine(category=d["category"], quantity=d["quantity"], estimated_value=d.get("estimated_value"))


ItemLineFormSet = forms.formset_factory(ItemLineForm, extra=3, max_num=20, validate_max=True)
