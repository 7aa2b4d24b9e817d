"""The donor's pledge form: who you are, what you give. Checks fields, then the service decides."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns.models import Province, ProvinceSet
from ledger.forms import AmountField, GoodsLineForm
from ledger.models import Kind
from ledger.services import ItemLine

from .models import Donor, PublicDisplay
from .services import DonorData, PledgeData
from .validators import (
    normalize_vn_mobile,
    validate_cash_amount,
    validate_no_html,
    validate_tax_code,
)


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
        choices=[(Kind.CASH, _("Cash (bank transfer)")), (Kind.GOODS, Kind.GOODS.label)],
        widget=forms.RadioSelect,
        initial=Kind.CASH,
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
        if data.get("kind") == Kind.CASH and "amount" not in self.errors:
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


ItemLineFormSet = forms.formset_factory(GoodsLineForm, extra=3, max_num=20, validate_max=True, absolute_max=20)
