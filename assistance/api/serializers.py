from rest_framework import serializers

from campaigns.models import Province, ProvinceSet
from donations.validators import validate_no_html
from relief_portal.api.serializers import BodySerializer

from ..forms import NEED_CHOICES
from ..models import MAX_HOUSEHOLD, NeedRegistration, Ward
from ..services import NeedData


class NeedCreateInputSerializer(BodySerializer):
    """A need as the API takes it. The programme may be left out when the campaign has one open."""

    campaign = serializers.SlugField()
    programme = serializers.IntegerField(required=False, allow_null=True)
    full_name = serializers.CharField(max_length=120, validators=[validate_no_html])
    citizen_id = serializers.CharField(max_length=20)
    phone = serializers.CharField(max_length=20)
    relative_name = serializers.CharField(max_length=120, required=False, allow_blank=True, validators=[validate_no_html])
    ward = serializers.SlugRelatedField(slug_field="code", queryset=Ward.objects.all(), required=False, allow_null=True)
    address = serializers.CharField(max_length=255)
    household_size = serializers.IntegerField(min_value=1, max_value=MAX_HOUSEHOLD)
    needs = serializers.ListField(child=serializers.ChoiceField(choices=NEED_CHOICES), max_length=4)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)

    def need_data(self) -> NeedData:
        d = self.validated_data
        return NeedData(
            full_name=d["full_name"], phone=d["phone"], citizen_id=d["citizen_id"], ward=d.get("ward"),
            address=d["address"], household_size=d["household_size"], needs=d["needs"],
            description=d.get("description", ""), relative_name=d.get("relative_name", ""),
        )


class NeedPublicSerializer(serializers.ModelSerializer):
    """What anyone holding the tracking code may see: the status, never the person."""

    programme = serializers.CharField(source="programme.name")
    campaign = serializers.CharField(source="programme.campaign.slug")
    registered_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = NeedRegistration
        fields = ["code", "status", "reason", "programme", "campaign", "registered_at", "decided_at"]


class WardSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code")

    class Meta:
        model = Ward
        fields = ["code", "name", "kind", "province"]


class WardQuerySerializer(serializers.Serializer):
    province = serializers.SlugRelatedField(slug_field="code", queryset=Province.objects.filter(set=ProvinceSet.Y2025))


class GoodsFiguresField(serializers.DictField):
    child = serializers.DecimalField(max_digits=16, decimal_places=3)


class AreaFiguresSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    registered = serializers.IntegerField()
    verified = serializers.IntegerField()
    served = serializers.IntegerField()
    cash_handed_over = serializers.IntegerField()
    goods_handed_over = GoodsFiguresField()


class ProvinceFiguresSerializer(AreaFiguresSerializer):
    wards = AreaFiguresSerializer(many=True)


class ProgrammeFiguresSerializer(serializers.Serializer):
    """Aggregates only: people registered, verified and served, cash and goods handed over."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField(allow_null=True)
    cash_per_person = serializers.IntegerField(allow_null=True)
    goods_per_person = GoodsFiguresField()
    registered = serializers.IntegerField()
    verified = serializers.IntegerField()
    served = serializers.IntegerField()
    cash_handed_over = serializers.IntegerField()
    goods_handed_over = GoodsFiguresField()
    provinces = ProvinceFiguresSerializer(many=True)
