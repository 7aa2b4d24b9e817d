"""The need form (the public page and the hotline's admin page share it) and the staff forms of the
ward's decision and of a handover. Fields are checked here as people type them; the services decide."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns.models import ItemCategory, Province
from donations.validators import normalize_vn_mobile
from ledger.forms import AmountField, QuantityField
from ledger.services import ItemLine

from . import citizen_id
from .models import (
    MAX_HOUSEHOLD,
    DistributionPoint,
    NeedRegistration,
    SupportProgramme,
    Ward,
)
from .selectors import wards_of
from .services import NeedData

NEED_CHOICES = [
    ("food", _("Food")),
    ("medical", _("Medical help")),
    ("necessities", _("Necessities")),
    ("cash", _("Cash")),
]


class NeedForm(forms.Form):
    """Who needs help, where they are now, what they need. The ward list follows the province."""

    programme = forms.ModelChoiceField(
        label=_("Support programme"), queryset=SupportProgramme.objects.none(), widget=forms.RadioSelect,
        empty_label=None, error_messages={"required": _("Choose a programme."), "invalid_choice": _("Choose a programme.")},
    )
    full_name = forms.CharField(label=_("Full name of the person who needs help"), max_length=120)
    citizen_id = forms.CharField(
        label=_("Citizen ID (CCCD)"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("12 digits, as on the citizen identity card. Staff see only its first and last four digits."),
    )
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    relative_name = forms.CharField(
        label=_("I register for a relative: my name"), max_length=120, required=False,
        help_text=_("Leave empty when you register for yourself."),
    )
    province = forms.ModelChoiceField(
        label=_("Province or city where the person is now"), queryset=Province.objects.none(), to_field_name="code",
        empty_label=_("— choose —"), error_messages={"invalid_choice": _("Choose a province from the list.")},
    )
    ward = forms.ModelChoiceField(
        label=_("Commune, ward or special zone"), queryset=Ward.objects.none(), to_field_name="code",
        empty_label=_("— choose —"), error_messages={
            "required": _("Choose the commune or ward where the person is now."),
            "invalid_choice": _("Choose a commune or ward of the province chosen."),
        },
    )
    address = forms.CharField(label=_("Address (house number, street, hamlet or village)"), max_length=255)
    household_size = forms.IntegerField(
        label=_("People in the household"), min_value=1, max_value=MAX_HOUSEHOLD, initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    needs = forms.MultipleChoiceField(
        label=_("What is needed"), choices=NEED_CHOICES, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing the person needs.")},
    )
    description = forms.CharField(
        label=_("Short description (optional)"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, programmes: list[SupportProgramme], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = SupportProgramme.objects.filter(pk__in=[p.pk for p in programmes])
        if len(programmes) == 1:
            self.fields["programme"].initial = programmes[0].pk
            self.fields["programme"].widget = forms.HiddenInput()
        province_ids = {p.pk for programme in programmes for p in programme.provinces.all()}
        self.fields["province"].queryset = Province.objects.filter(pk__in=province_ids).order_by("name")
        code = self.data.get(self.add_prefix("province")) if self.is_bound else None
        province = self.fields["province"].queryset.filter(code=code).first() if code else None
        self.fields["ward"].queryset = wards_of(province=province)

    def clean_citizen_id(self):
        citizen_id.parse(self.cleaned_data["citizen_id"])  # every error at once, before the service checks again
        return self.cleaned_data["citizen_id"]

    def clean_phone(self):
        return normalize_vn_mobile(self.cleaned_data["phone"])

    def need_data(self) -> NeedData:
        d = self.cleaned_data
        return NeedData(
            full_name=d["full_name"], phone=d["phone"], citizen_id=d["citizen_id"], ward=d.get("ward"),
            address=d["address"], household_size=d["household_size"], needs=d["needs"],
            description=d.get("description", ""), relative_name=d.get("relative_name", ""),
        )


# --- staff ---------------------------------------------------------------------------------------


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=255, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Shown to the person on their tracking page."),
    )


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=255, required=False,
                           help_text=_("How the need was checked, e.g. “Visited on 12/09”."))


class DuplicateForm(forms.Form):
    duplicate_of = forms.CharField(label=_("Tracking code of the registration that stands"), max_length=8)

    def clean_duplicate_of(self):
        code = self.cleaned_data["duplicate_of"].strip().upper()
        registration = NeedRegistration.objects.filter(code=code).first()
        if registration is None:
            raise ValidationError(_("No registration has this tracking code."))
        return registration


class HandoverForm(forms.Form):
    """What a person is handed at a point: cash and/or one quantity per goods line of the entitlement."""

    point = forms.ModelChoiceField(label=_("Distribution point"), queryset=DistributionPoint.objects.none(),
                                   empty_label=None)
    amount = AmountField(label=_("Cash handed over (đồng)"), required=False,
                         widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    def __init__(self, *args, points, goods: list[ItemCategory], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points
        self.goods = goods
        for category in goods:
            self.fields[f"goods_{category.slug}"] = QuantityField(
                label=_("%(category)s handed over (%(unit)s)") % {"category": category, "unit": category.get_unit_display()},
                required=False,
            )

    def record_kwargs(self) -> dict:
        d = self.cleaned_data
        items = [
            ItemLine(category=category, quantity=d[f"goods_{category.slug}"])
            for category in self.goods
            if d.get(f"goods_{category.slug}") not in (None, Decimal(0))
        ]
        return {"point": d["point"], "amount": d.get("amount"), "items": items}
