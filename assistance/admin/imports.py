"""Lists sent by communes: upload one for a programme and a ward, see what it added and what it did not."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from allocations.selectors import user_province_scope
from campaigns.models import Campaign
from ledger.forms import add_service_errors

from ..models import ListImport, SupportProgramme, Ward
from ..scope import user_ward_scope
from ..services import beneficiary_list_import
from .common import WardScopedAdmin

COLUMNS = _("First row: Họ và tên, Số CCCD, Số điện thoại, Địa chỉ, Số nhân khẩu (the last three may be left out).")


class ListImportForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=SupportProgramme.objects.none(), empty_label=None)
    ward = forms.ModelChoiceField(label=_("Commune or ward that sent the list"), queryset=Ward.objects.none(),
                                  to_field_name="code")
    file = forms.FileField(label=_("List (XLSX)"), help_text=COLUMNS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = SupportProgramme.objects.filter(
            campaign__status=Campaign.Status.ACTIVE, accepts_lists=True).select_related("campaign")
        ward, province = user_ward_scope(user=user), user_province_scope(user=user)
        wards = Ward.objects.filter(pk=ward.pk) if ward else Ward.objects.filter(province=province) if province else Ward.objects.all()
        self.fields["ward"].queryset = wards.select_related("province").order_by("province__name", "sort_key")
        self.fields["ward"].label_from_instance = lambda ward: f"{ward.name} — {ward.province.name} ({ward.code})"


@admin.register(ListImport)
class ListImportAdmin(WardScopedAdmin):
    list_display = ["imported_at", "file_name", "programme", "ward", "rows", "added", "linked", "skipped", "imported_by"]
    list_filter = ["programme"]
    list_select_related = ["programme", "ward__province", "imported_by"]
    fields = ["programme", "ward", "file_name", "sha256", "rows", "added", "linked", "skipped", "imported_by", "imported_at"]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ListImportForm(request.POST or None, request.FILES or None, user=request.user)
        result = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = beneficiary_list_import(programme=form.cleaned_data["programme"], ward=form.cleaned_data["ward"],
                                                 file=upload, file_name=upload.name, user=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if result.rejected:
                    messages.error(request, gettext("The list was rejected: nothing was added. Correct the rows below "
                                                    "and import it again."))
                else:
                    self.log_addition(request, result.record, [{"added": {}}])
                    messages.success(request, gettext(
                        "%(rows)s rows imported: %(added)s new in the registry, %(linked)s already in it, "
                        "%(skipped)s already in the programme (not added again).") % {
                            "rows": result.rows, "added": result.added, "linked": len(result.linked),
                            "skipped": len(result.skipped)})
        labels = {"full_name": gettext("Full name"), "citizen_id": gettext("Citizen ID"), "phone": gettext("Mobile phone"),
                  "household_size": gettext("Household size")}
        context = {
            **self.admin_site.each_context(request), "title": gettext("Import a commune's list"), "opts": self.opts,
            "form": form, "result": result, "media": self.media + form.media,
            "problems": [(p.row, labels.get(p.column, p.column), p.message) for p in result.problems] if result else [],
        }
        return TemplateResponse(request, "admin/assistance/listimport/add_form.html", context)
