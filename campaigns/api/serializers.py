from rest_framework import serializers

from campaigns.models import (
    Campaign,
    DropOffPoint,
    ItemCategory,
    Province,
    ReceivingAccount,
)


class ProvinceSerializer(serializers.ModelSerializer):
    # Units of today's map have no successor.
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Province
        fields = ["set", "code", "name", "kind", "valid_from", "valid_to", "successor"]


class ItemCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ItemCategory
        fields = ["slug", "name_vi", "name_en", "unit"]


class ReceivingAccountSerializer(serializers.ModelSerializer):
    bank_name = serializers.CharField(source="bank.short_name")
    bank_bin = serializers.CharField(source="bank.bin")

    class Meta:
        model = ReceivingAccount
        fields = ["bank_name", "bank_bin", "account_number", "account_holder", "branch"]


class DropOffPointSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.name")
    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = DropOffPoint
        fields = ["name", "province", "address", "phone", "opening_hours", "categories"]


class CampaignListSerializer(serializers.ModelSerializer):
    provinces = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    # New codes avoid 0 and 1 (the model's validator), but codes of earlier campaigns, such as COVID21,
    # may carry them: the API documents what it can answer.
    code = serializers.RegexField(r"^[A-Z0-9]{3,8}$", read_only=True)

    class Meta:
        model = Campaign
        fields = ["slug", "name", "summary", "status", "starts_on", "ends_on", "target_amount", "code",
                  "province_set", "provinces"]


class CampaignDetailSerializer(CampaignListSerializer):
    accounts = ReceivingAccountSerializer(many=True, read_only=True)
    dropoff_points = DropOffPointSerializer(many=True, read_only=True)

    class Meta(CampaignListSerializer.Meta):
        fields = [*CampaignListSerializer.Meta.fields, "description", "accounts", "dropoff_points"]
