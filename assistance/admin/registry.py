"""The registry of beneficiaries: one record per citizen ID, shown masked,
with what each person received in this and earlier campaigns. Records are made by verification and
by commune lists, never typed in here."""

from django.contrib import admin

from ..models import Beneficiary
from ..selectors import beneficiary_history
from .common import WardScopedAdmin


@admin.register(Beneficiary)
class BeneficiaryAdmin(WardScopedAdmin):
    list_display = ["full_name", "id_masked", "birth_year", "phone", "ward", "household_size", "created_at"]
    # Names only: a citizen ID or a phone typed here would travel in the address (and the server's logs);
    # staff find a person by ID or phone on the distribution page, which posts them.
    search_fields = ["full_name"]
    list_select_related = ["ward__province"]
    show_full_result_count = False  # counting millions of rows on every search is wasted work
    ordering = ["-pk"]  # newest first by the primary key's index, not by sorting millions of rows
    fields = ["full_name", "id_masked", "birth_year", "phone", "ward", "address", "household_size", "created_at",
              "created_by"]
    readonly_fields = fields
    change_form_template = "admin/assistance/beneficiary/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        person = self.object_or_404(request, object_id)
        extra = {**(extra_context or {}), "registry": beneficiary_history(beneficiary=person)}
        return super().change_view(request, object_id, form_url, extra)

