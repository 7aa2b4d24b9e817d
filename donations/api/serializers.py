from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.cached import item_category, province_2025
from campaigns.models import ItemCategory, Province, ProvinceSet
from donations.forms import ItemLineFormSet
from donations.models import Donor, Pledge, PledgeItem, PublicDisplay
from donations.services import DonorData, PledgeData
from donations.validators import (
    MIN_CASH_AMOUNT,
    normalize_vn_mobile,
    validate_cash_amount,
    validate_no_html,
    validate_tax_code,
)
from ledger.models import MAX_CASH_AMOUNT, MAX_QUANTITY, QUANTITY_NOT_POSITIVE, Kind
from ledger.services import ItemLine
from relief_portal.api.serializers import BodySerializer

# What DRF says of a value of the wrong JSON type names a Python type ("got str"); these say what to send.
AN_OBJECT = _("Send a JSON object with the fields documented for it.")
A_LIST = _("Send the goods lines as a JSON list.")


class InputSerializer(BodySerializer):
    default_error_messages = {"invalid": AN_OBJECT}


class KeptSlugRelatedField(serializers.SlugRelatedField):
    """A slug field whose row comes from `lookup` (a process cache, `campaigns.cached`), not a query;
    `queryset` stays for the schema and the browsable API."""

    def __init__(self, *, lookup, **kwargs):
        self.lookup = lookup
        super().__init__(**kwargs)
        self.longest = self.queryset.model._meta.get_field(self.slug_field).max_length

    def to_internal_value(self, data):
        # No name holds a NUL or is longer than its column: refused without echoing the value back.
        if not isinstance(data, str) or "\x00" in data or len(data) > self.longest:
            self.fail("invalid")
        found = self.lookup(data)
        if found is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return found


@extend_schema_field({"type": "integer", "format": "int64", "minimum": MIN_CASH_AMOUNT, "maximum": MAX_CASH_AMOUNT})
class CashAmountField(serializers.IntegerField):
    """Whole đồng from 1.000 to 100 tỷ, documented as such; `validate_cash_amount` words the refusals."""

    def __init__(self, **kwargs):
        super().__init__(validators=[validate_cash_amount], **kwargs)


class DonorInputSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=Donor.Kind.choices)
    full_name = serializers.CharField(max_length=120, required=False, allow_blank=True, validators=[validate_no_html])
    organization_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, validators=[validate_no_html]
    )
    tax_code = serializers.CharField(max_length=14, required=False, allow_blank=True, validators=[validate_tax_code])
    phone = serializers.CharField(max_length=20)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, validators=[validate_no_html])
    province = KeptSlugRelatedField(
        slug_field="code",
        queryset=Province.objects.filter(set=ProvinceSet.Y2025),
        lookup=province_2025,
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("Unknown province code “{value}” (use a code of the 2025 map).")},
    )
    public_display = serializers.ChoiceField(choices=PublicDisplay.choices, default=PublicDisplay.MASKED)

    def validate_phone(self, value):
        return normalize_vn_mobile(value)


class ItemLineInputSerializer(InputSerializer):
    category = KeptSlugRelatedField(
        slug_field="slug",
        queryset=ItemCategory.objects.all(),
        lookup=item_category,
        error_messages={"does_not_exist": _("Unknown item category “{value}”.")},
    )
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal(0), max_value=Decimal(MAX_QUANTITY))
    estimated_value = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_CASH_AMOUNT)

    def validate_quantity(self, value):
        if value <= 0:
            raise serializers.ValidationError(QUANTITY_NOT_POSITIVE)
        return value


class PledgeCreateInputSerializer(InputSerializer):
    campaign = serializers.SlugField()
    donor = DonorInputSerializer()
    kind = serializers.ChoiceField(choices=Kind.choices)
    amount = CashAmountField(required=False, allow_null=True)
    items = ItemLineInputSerializer(
        many=True,
        required=False,
        max_length=ItemLineFormSet.max_num,  # as many as the donate form takes
        error_messages={
            "not_a_list": A_LIST,
            "max_length": _("At most {max_length} goods lines can be pledged at once."),
        },
    )
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, validators=[validate_no_html])

    def validate(self, attrs):
        if attrs["kind"] == Kind.CASH and attrs.get("amount") is None:
            raise serializers.ValidationError({"amount": [_("Please enter the amount you will transfer.")]})
        if attrs["kind"] == Kind.GOODS and not attrs.get("items"):
            raise serializers.ValidationError({"items": [_("Add at least one item you will bring.")]})
        return attrs

    def donor_data(self) -> DonorData:
        return DonorData(**self.validated_data["donor"])

    def pledge_data(self) -> PledgeData:
        d = self.validated_data
        return PledgeData(
            kind=d["kind"],
            amount=d.get("amount"),
            items=[ItemLine(**line) for line in d.get("items", [])],
            message=d.get("message", ""),
        )


class PledgeItemOutputSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    unit = serializers.CharField(source="category.unit")

    class Meta:
        model = PledgeItem
        fields = ["category", "quantity", "unit", "estimated_value"]


class PledgePublicSerializer(serializers.ModelSerializer):
    """What anyone holding the reference may see: no contact data, the name as the donor chose."""

    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    public_name = serializers.CharField()
    items = PledgeItemOutputSerializer(many=True)

    class Meta:
        model = Pledge
        fields = ["reference", "campaign", "kind", "amount", "items", "transfer_content", "status",
                  "public_name", "created_at"]
