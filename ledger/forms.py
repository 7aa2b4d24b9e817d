"""Form pieces every ledger form shares: amounts and quantities as people type them, one goods line,
and a service's ValidationError put back on the fields it names."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from campaigns.models import ItemCategory

from .models import (
    MAX_CASH_AMOUNT,
    MAX_QUANTITY,
    QUANTITY_NOT_POSITIVE,
    VALUE_TOO_LARGE,
)
from .services import ItemLine


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
        # isascii: `¹²³` and other Unicode digits pass isdigit() but are not an amount int() can read.
        if not (digits.isascii() and digits.isdigit()) or not groups_ok or text.startswith(("-", "+")):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(digits)


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
        if text.startswith("-"):
            raise ValidationError(QUANTITY_NOT_POSITIVE, code="min_value")
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
    default_error_messages = {"invalid_choice": _("Choose an item from the list.")}

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
            self.add_error("quantity", QUANTITY_NOT_POSITIVE)
        if value is not None and value > MAX_CASH_AMOUNT:
            self.add_error("estimated_value", VALUE_TOO_LARGE)
        return data

    def line(self) -> ItemLine | None:
        data = self.cleaned_data
        if not data.get("category"):
            return None
        return ItemLine(
            category=data["category"], quantity=data["quantity"], estimated_value=data.get("estimated_value")
        )


MAX_GOODS_LINES = 5  # a staff form's goods lines
GoodsLineFormSet = forms.formset_factory(
    GoodsLineForm, extra=MAX_GOODS_LINES, max_num=MAX_GOODS_LINES, validate_max=True, absolute_max=MAX_GOODS_LINES
)
