"""Forms of the allocations admin.

They check what staff typed (formats, required fields, which choices this user may pick) and hand
clean values to `allocations.services`, which decide; a service's ValidationError is put back on
the field it names.
"""

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Province, ProvinceSet
from ledger.forms import AmountField, GoodsLineFormSet, add_service_errors
from ledger.models import Kind
from ledger.services import ItemLine

from .models import Allocation, DistributionReport, StaffRole
from .selectors import (
    campaign_list_allocatable,
    province_list_choosable,
    user_province_scope,
)
from .services import distribution_report_check

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


def date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, input_formats=DATE_FORMATS, widget=admin_widgets.AdminDateWidget, **kwargs)


def amount_field(label, **kwargs) -> AmountField:
    """Whole đồng as people type it: `1.000.000`, `1000000`, `1.000.000 ₫`."""
    return AmountField(
        label=label,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "1.000.000", "autocomplete": "off"}),
        **kwargs,
    )


# --- choices limited to what the user may touch ------------------------------------------------


class ProvinceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Province) -> str:
        if obj.set == ProvinceSet.Y2008 and obj.successor_id:
            return f"{obj.name} (2008) → {obj.successor.name}"
        return obj.name


# --- allocation --------------------------------------------------------------------------------


class AllocationForm(forms.Form):
    """A decision to send cash or goods to a province, recorded with `allocation_record`."""

    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), empty_label=_("— choose —")
    )
    province = ProvinceChoiceField(
        label=_("Province"), queryset=Province.objects.none(), empty_label=_("— choose —"),
        help_text=_("Campaigns since 1 July 2025 allocate to the 34 current units; older ones may name a 2008 unit."),
    )
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=64, widget=forms.TextInput(attrs={"placeholder": "125/QĐ-BCTTW"})
    )
    decision_date = date_field(_("Decision date"))
    purpose = forms.CharField(label=_("Purpose"), max_length=255, widget=forms.TextInput(attrs={"class": "vTextField"}))
    kind = forms.ChoiceField(
        label=_("What is allocated"), choices=[(Kind.CASH, _("Cash")), (Kind.GOODS, _("Goods"))],
        widget=forms.RadioSelect, initial=Kind.CASH,
        help_text=_("Cash: enter the amount. Goods: enter up to five goods lines below."),
    )
    amount = amount_field(_("Cash amount (đồng)"), required=False, help_text=_("Whole đồng, e.g. 1.000.000."))
    disbursed_on = date_field(
        _("Already disbursed on"), required=False,
        help_text=_("Leave empty while the allocation is only planned; mark it disbursed later."),
    )

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fields["campaign"].queryset = campaign_list_allocatable()
        self.fields["province"].queryset = province_list_choosable(user=user)
        campaigns = list(self.fields["campaign"].queryset[:2])
        if len(campaigns) == 1:
            self.fields["campaign"].initial = campaigns[0].pk
        provinces = list(self.fields["province"].queryset.filter(set=ProvinceSet.Y2025)[:2])
        if len(provinces) == 1 and user_province_scope(user=user) is not None:
            self.fields["province"].initial = provinces[0].pk
        self.fields["decision_date"].initial = timezone.localdate()
        self.items = GoodsLineFormSet(data, prefix="items")

    def item_lines(self) -> list[ItemLine] | None:
        """The goods lines filled in, or None while a line has an error."""
        if not self.items.is_valid():
            return None
        return [line for line in (f.line() for f in self.items.forms) if line]

    def clean(self):
        data = super().clean()
        lines = self.item_lines()
        kind, amount = data.get("kind"), data.get("amount")
        if lines is None:
            self.add_error(None, _("Please correct the goods lines below."))
        elif kind == Kind.CASH:
            if amount is None and "amount" not in self.errors:
                self.add_error("amount", _("Enter the amount of cash allocated."))
            if lines:
                self.add_error(None, _("A cash allocation has no goods lines; clear them or choose goods."))
        elif kind == Kind.GOODS:
            if amount is not None:
                self.add_error("amount", _("A goods allocation has no cash amount; clear it or choose cash."))
            if not lines:
                self.add_error(None, _("Add at least one goods line."))
        return data

    def record_kwargs(self) -> dict:
        """Keyword arguments of `allocation_record` (all but `recorded_by`)."""
        data = self.cleaned_data
        is_cash = data["kind"] == Kind.CASH
        disbursed_on = data.get("disbursed_on")
        return {
            "campaign": data["campaign"],
            "province": data["province"],
            "decision_number": data["decision_number"],
            "decision_date": data["decision_date"],
            "purpose": data["purpose"],
            "amount": data["amount"] if is_cash else None,
            "items": [] if is_cash else self.item_lines(),
            "status": Allocation.Status.DISBURSED if disbursed_on else Allocation.Status.PLANNED,
            "disbursed_on": disbursed_on,
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc, field_map={"items": None, "status": "disbursed_on"})


class AllocationDisburseForm(forms.Form):
    disbursed_on = date_field(_("Disbursed on"), help_text=_("The day the money or goods were handed over."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disbursed_on"].initial = timezone.localdate()


# --- distribution reports ----------------------------------------------------------------------


class AllocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Allocation) -> str:
        return f"{obj.decision_number} · {obj.province.current.name} · {obj.campaign.name}"


class DistributionReportForm(forms.Form):
    """What a provincial committee handed out from one allocation, recorded with `distribution_report_record`."""

    allocation = AllocationChoiceField(
        label=_("Allocation"), queryset=Allocation.objects.none(), empty_label=_("— choose —")
    )
    distributed_on = date_field(_("Date"))
    commune = forms.CharField(
        label=_("Commune or ward"), max_length=120, widget=forms.TextInput(attrs={"class": "vTextField"})
    )
    households = forms.IntegerField(label=_("Households reached"), min_value=0)
    people = forms.IntegerField(label=_("People reached"), min_value=0)
    amount = amount_field(_("Cash handed out (đồng)"), required=False)
    goods = forms.CharField(label=_("Goods handed out"), max_length=255, required=False,
                            widget=forms.TextInput(attrs={"class": "vTextField"}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def __init__(self, data=None, *args, allocations, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fields["allocation"].queryset = allocations
        self.fields["distributed_on"].initial = timezone.localdate()

    def record_kwargs(self) -> dict:
        """Keyword arguments of `distribution_report_record` (all but `reported_by`)."""
        data = self.cleaned_data
        return {name: data[name] for name in (
            "allocation", "distributed_on", "commune", "households", "people", "amount", "goods", "note",
        )}

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)


class DistributionReportChangeForm(forms.ModelForm):
    amount = amount_field(_("Cash handed out (đồng)"), required=False)

    class Meta:
        model = DistributionReport
        fields = ["distributed_on", "commune", "households", "people", "amount", "goods", "note"]

    def clean(self):
        data = super().clean()
        if "amount" not in self.errors:
            try:
                distribution_report_check(allocation=self.instance.allocation, amount=data.get("amount"),
                                          report=self.instance)
            except ValidationError as exc:
                add_service_errors(self, exc)
        return data


# --- staff -------------------------------------------------------------------------------------


class StaffCreateForm(forms.Form):
    """A new staff account in its committee and group, created with `staff_create`."""

    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(render_value=False))
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices)
    province = forms.ModelChoiceField(
        label=_("Province (provincial staff only)"), required=False,
        queryset=Province.objects.filter(set=ProvinceSet.Y2025).order_by("name"), empty_label=_("— none —"),
    )

    def create_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "username": data["username"].strip(),
            "password": data["password"],
            "role": data["role"],
            "province_code": data["province"].code if data.get("province") else "",
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        # Password validators raise a plain list of messages.
        add_service_errors(self, exc, field_map={None: "password"})
