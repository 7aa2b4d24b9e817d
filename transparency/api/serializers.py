"""Output serializers of the open-data API: figures from the transparency tables, the allocation
ledger and the journal, public fields only. Money in whole đồng, quantities as decimal strings,
times in Vietnam time with their offset."""

from rest_framework import serializers

from allocations.models import Allocation, AllocationItem, DistributionReport
from campaigns.models import Province
from ledger.models import JournalEntry, JournalHead
from relief_portal.api.errors import ApiErrorSerializer as ErrorSerializer  # noqa: F401  every API error's one shape

from ..models import (
    CampaignTotals,
    DailyTotals,
    GoodsTotals,
    ProvinceGoodsTotals,
    ProvinceTotals,
)


class TotalsSerializer(serializers.ModelSerializer):
    campaign = serializers.CharField(source="campaign.slug")
    code = serializers.CharField(source="campaign.code")
    cash_available = serializers.IntegerField()
    refreshed_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = CampaignTotals
        fields = [
            "campaign", "code", "cash_pledged", "cash_received", "cash_allocated", "cash_available",
            "cash_disbursed", "cash_reported", "goods_value_received", "receipts", "donors", "allocations",
            "households_reached", "people_reached", "journal_entries", "journal_hash", "last_entry_at",
            "version", "refreshed_at",
        ]


class ProvinceGoodsSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.slug")
    unit = serializers.CharField(source="category.unit")

    class Meta:
        model = ProvinceGoodsTotals
        fields = ["category", "unit", "allocated", "distributed"]


class ProvinceTotalsSerializer(serializers.ModelSerializer):
    """One unit of the 2025 map; allocations to 2008 units are counted in their successor."""

    code = serializers.CharField(source="province.code")
    name = serializers.CharField(source="province.name")
    goods = ProvinceGoodsSerializer(many=True, source="goods_rows")

    class Meta:
        model = ProvinceTotals
        fields = [
            "code", "name", "cash_allocated", "cash_disbursed", "cash_reported", "goods_value_allocated",
            "allocations", "households_reached", "people_reached", "goods",
        ]


class GoodsTotalsSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.slug")
    name_vi = serializers.CharField(source="category.name_vi")
    name_en = serializers.CharField(source="category.name_en")
    unit = serializers.CharField(source="category.unit")

    class Meta:
        model = GoodsTotals
        fields = ["category", "name_vi", "name_en", "unit", "received", "allocated", "distributed",
                  "value_received", "value_allocated"]


class DailyTotalsSerializer(serializers.ModelSerializer):
    class Meta:
        model = DailyTotals
        fields = ["day", "received", "allocated", "disbursed", "receipts", "received_to_date",
                  "allocated_to_date", "disbursed_to_date"]


class AllocatedProvinceSerializer(serializers.ModelSerializer):
    """The unit named in the decision (2008 or 2025 map) and the unit of today's map it belongs to."""

    current_code = serializers.CharField(source="current.code")
    current_name = serializers.CharField(source="current.name")

    class Meta:
        model = Province
        fields = ["set", "code", "name", "current_code", "current_name"]


class AllocationItemSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.slug")
    unit = serializers.CharField(source="category.unit")

    class Meta:
        model = AllocationItem
        fields = ["category", "unit", "quantity", "estimated_value"]


class DistributionReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = DistributionReport
        fields = ["distributed_on", "commune", "households", "people", "amount", "goods"]


class AllocationSerializer(serializers.ModelSerializer):
    province = AllocatedProvinceSerializer()
    items = AllocationItemSerializer(many=True)
    reverses = serializers.SlugRelatedField(slug_field="number", read_only=True)
    reversed_by = serializers.SerializerMethodField()
    reports = DistributionReportSerializer(many=True)

    class Meta:
        model = Allocation
        fields = [
            "sequence", "number", "decision_number", "decision_date", "province", "purpose", "kind", "amount",
            "items", "status", "disbursed_on", "reverses", "reversed_by", "reports",
        ]

    def get_reversed_by(self, allocation: Allocation) -> str | None:
        """The number of the allocation that reverses this one, if any."""
        reversal = getattr(allocation, "reversed_by", None)
        return reversal.number if reversal is not None else None


class JournalEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = JournalEntry
        fields = ["sequence", "event", "entry_number", "canonical", "hash", "recorded_at"]


class JournalHeadSerializer(serializers.ModelSerializer):
    class Meta:
        model = JournalHead
        fields = ["day", "count", "hash"]
