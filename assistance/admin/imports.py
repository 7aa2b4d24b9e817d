"""Lists sent by communes: upload one for a programme and a ward, see what it added and what it did not."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from allocations.selectors import user_province_scope
from campaigns.models import Campaign
from ledger.forms import add_service_errors

from ..models import ListImport, SupportProgramme, Ward
from ..scope import user_ward_scope
from ..services import beneficiary_list_check, beneficiary_list_queue
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
    list_display = ["imported_at", "file_name", "programme", "ward", "status", "rows", "added", "linked", "skipped",
                    "imported_by"]
    list_filter = ["status", "programme"]
    list_select_related = ["programme", "ward__province", "imported_by"]
    fields = ["programme", "ward", "file_name", "sha256", "status", "rows", "added", "linked", "skipped", "imported_by",
              "imported_at", "finished_at"]
    readonly_fields = fields
    change_form_template = "admin/assistance/listimport/change_form.html"

    def has_change_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.object_or_404(request, object_id)
        extra = {
            **(extra_context or {}),
            "waiting": record.status == ListImport.Status.QUEUED,
            "skipped_rows": [row for row in record.known_rows if row[3]],
            "linked_rows": [row for row in record.known_rows if not row[3]],
        }
        return super().change_view(request, object_id, form_url, extra)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ListImportForm(request.POST or None, request.FILES or None, user=request.user)
        problems = []
        if request.method == "POST" and form.is_valid():
            upload, data = form.cleaned_data["file"], form.cleaned_data
            try:
                rows, found, sha256 = beneficiary_list_check(programme=data["programme"], ward=data["ward"],
                                                             file=upload, user=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if found:
                    labels = {"full_name": gettext("Full name"), "citizen_id": gettext("Citizen ID"),
                              "phone": gettext("Mobile phone"), "household_size": gettext("Household size")}
                    problems = [(p.row, labels.get(p.column, p.column), p.message) for p in found]
                    messages.error(request, gettext("The list was rejected: nothing was added. Correct the rows below "
                                                    "and import it again."))
                else:
                    record = beneficiary_list_queue(programme=data["programme"], ward=data["ward"], rows=rows,
                                                    file_name=upload.name, sha256=sha256, user=request.user)
                    self.log_addition(request, record, [{"added": {}}])
                    messages.success(request, gettext("The list of %(rows)s people was checked and is being added.") % {
                        "rows": record.rows})
                    return HttpResponseRedirect(reverse("admin:assistance_listimport_change", args=[record.pk]))
        context = {
            **self.admin_site.each_context(request), "title": gettext("Import a commune's list"), "opts": self.opts,
            "form": form, "problems": problems, "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/assistance/listimport/add_form.html", context)
