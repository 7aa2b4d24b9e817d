"""The donor's pledge form: who you are, what you give. Checks fields, then the service decides."""

from collections.abc import Sequence

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns.models import Province, ProvinceSet
from campaigns.selectors import province_list_by_name
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
    full_name = forms.CharField(
        label=_("Full name"), max_length=120, required=False, validators=[validate_no_html],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    organization_name = forms.CharField(
        label=_("Organisation name"), max_length=200, required=False, validators=[validate_no_html],
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    tax_code = forms.CharField(label=_("Tax code"), max_length=14, required=False, validators=[validate_tax_code])
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"), required=False, max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    address = forms.CharField(
        label=_("Address"), max_length=255, required=False, validators=[validate_no_html],
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    province = forms.ModelChoiceField(
        label=_("Province or city"),
        queryset=Province.objects.filter(set=ProvinceSet.Y2025),
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

    # Fields required only while a choice has one value (the choice, that value): marked on the page
    # for the current value, and re-marked by the page's script when the donor changes the choice.
    REQUIRED_WHEN = {
        "full_name": ("donor_kind", Donor.Kind.INDIVIDUAL),
        "organization_name": ("donor_kind", Donor.Kind.ORGANIZATION),
        "amount": ("kind", Kind.CASH),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        province = self.fields["province"]
        province.choices = [("", province.empty_label), *((p.pk, p.name) for p in province_list_by_name())]
        for field in self.fields.values():
            if field.required and not field.widget.use_fieldset:
                field.widget.attrs["aria-required"] = "true"
        for name, (choice, value) in self.REQUIRED_WHEN.items():
            attrs = self.fields[name].widget.attrs
            attrs["data-required-when"] = f"{choice}={value.value}"
            if self[choice].value() == value:
                attrs.update({"required": True, "aria-required": "true"})

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


class UnitSelect(forms.Select):
    """An item list whose options carry their unit (`data-unit`), shown beside the quantity as one is chosen."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        category = getattr(value, "instance", None)
        if category is not None:
            option["attrs"]["data-unit"] = category.get_unit_display()
        return option


class DonorGoodsLineForm(GoodsLineForm):
    """One line of the goods a donor will bring; the chosen item's unit sits beside the quantity."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        category.widget = UnitSelect()
        category.widget.choices = category.choices

    @property
    def unit(self) -> str:
        """The unit of the item chosen on a submitted line, for the page that comes back with errors."""
        category = getattr(self, "cleaned_data", {}).get("category")
        return category.get_unit_display() if category else ""


ItemLineFormSet = forms.formset_factory(DonorGoodsLineForm, extra=3, max_num=20, validate_max=True, absolute_max=20)


def donate_error_summary(
    *, form: PledgeForm, items: forms.BaseFormSet | None = None, items_errors: Sequence[str] = ()
) -> list[dict]:
    """Every error of a rejected donate form, in page order, each with the id of the field to jump to.

    `items` is the goods formset when goods were chosen (its errors count only then).
    """
    summary = [{"anchor": "", "label": "", "message": message} for message in form.non_field_errors()]

    def add(bound, label):
        anchor = f"field-{bound.html_name}" if bound.field.widget.use_fieldset else bound.id_for_label
        summary.extend({"anchor": anchor, "label": label, "message": message} for message in bound.errors)

    for name in ("donor_kind", "organization_name", "tax_code", "full_name", "phone", "email", "address",
                 "province", "public_display", "kind", "amount"):
        add(form[name], form[name].label)
    goods_errors = [*(items.non_form_errors() if items is not None else []), *items_errors]
    summary.extend({"anchor": "items", "label": _("Goods"), "message": message} for message in goods_errors)
    for number, line in enumerate(items.forms if items is not None else [], start=1):
        for name in line.fields:
            add(line[name], _("Line %(number)s — %(field)s") % {"number": number, "field": line[name].label})
    add(form["message"], form["message"].label)
    return summary
