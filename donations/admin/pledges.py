from django.contrib import admin

from ..models import Donor, Pledge, PledgeItem


class PledgeItemInline(admin.TabularInline):
    model = PledgeItem
    extra = 0


@admin.register(Donor)
class DonorAdmin(admin.ModelAdmin):
    list_display = ["display_name", "kind", "phone", "email", "province", "public_display", "created_at"]
    list_filter = ["kind", "public_display", "province"]
    search_fields = ["full_name", "organization_name", "phone", "email", "tax_code"]
    list_select_related = ["province"]
    autocomplete_fields = ["province"]


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    list_display = ["reference", "campaign", "donor", "kind", "amount", "status", "source", "created_at"]
    list_filter = ["campaign", "status", "kind", "source"]
    search_fields = ["reference", "transfer_content", "donor__phone", "donor__full_name", "donor__organization_name"]
    readonly_fields = ["reference", "transfer_content", "created_at", "updated_at"]
    list_select_related = ["campaign", "donor"]
    autocomplete_fields = ["donor"]
    date_hierarchy = "created_at"
    inlines = [PledgeItemInline]

    def has_add_permission(self, request):
        # Pledges are created by donors (web, API); staff record what came in as receipts.
        return False
