from django.contrib import admin

from .history import HistoryAdmin
from .models import (
    Bank,
    Campaign,
    DropOffPoint,
    ItemCategory,
    Province,
    ReceivingAccount,
)


class ReferenceDataAdmin(HistoryAdmin):
    """Data staff correct in place: every change is kept in its history (who, when, before, after), and
    nothing is deleted — rows are referred to by the ledgers, and a deletion would erase what they meant."""

    actions = None

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Province)
class ProvinceAdmin(ReferenceDataAdmin):
    """Both maps are loaded by a migration; staff correct names, dates and successor links."""

    list_display = ["name", "set", "code", "kind", "successor"]
    list_filter = ["set", "kind"]
    search_fields = ["name", "code"]
    list_select_related = ["successor"]
    readonly_fields = ["set", "code"]

    def has_add_permission(self, request):
        return False


@admin.register(Bank)
class BankAdmin(ReferenceDataAdmin):
    list_display = ["short_name", "bin", "name"]
    search_fields = ["short_name", "name", "bin"]


@admin.register(ItemCategory)
class ItemCategoryAdmin(ReferenceDataAdmin):
    list_display = ["name_vi", "name_en", "unit", "position"]
    list_editable = ["position"]


class ReceivingAccountInline(admin.TabularInline):
    model = ReceivingAccount
    extra = 0
    can_delete = False
    autocomplete_fields = ["bank"]


class DropOffPointInline(admin.StackedInline):
    model = DropOffPoint
    extra = 0
    can_delete = False
    autocomplete_fields = ["province"]
    filter_horizontal = ["categories"]


@admin.register(Campaign)
class CampaignAdmin(ReferenceDataAdmin):
    list_display = ["name", "code", "status", "starts_on", "ends_on", "target_amount"]
    list_filter = ["status", "province_set"]
    search_fields = ["name", "code", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["provinces"]
    inlines = [ReceivingAccountInline, DropOffPointInline]


@admin.register(ReceivingAccount)
class ReceivingAccountAdmin(ReferenceDataAdmin):
    list_display = ["account_number", "bank", "account_holder", "campaign", "is_primary"]
    list_filter = ["bank", "campaign"]
    search_fields = ["account_number", "account_holder"]
    list_select_related = ["bank", "campaign"]


@admin.register(DropOffPoint)
class DropOffPointAdmin(ReferenceDataAdmin):
    list_display = ["name", "province", "campaign", "phone", "opening_hours"]
    list_filter = ["campaign", "province__set"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["province"]
    filter_horizontal = ["categories"]
    list_select_related = ["province", "campaign"]
