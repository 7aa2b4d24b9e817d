"""Staff admin of distribution reports: what provincial committees handed out, to whom."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.money import vnd_or_dash
from ledger.admin import admin_link

from ..forms import DistributionReportChangeForm, DistributionReportForm
from ..models import DistributionReport
from ..selectors import allocation_list_reportable, province_q, user_province_scope
from ..services import distribution_report_record, distribution_report_update
from .common import ProvinceScopedAdmin, in_scope, province_label

REPORT_ADD_FIELDSETS = [
    (None, {"fields": ["allocation", "distributed_on", "commune"]}),
    (_("Reached"), {"fields": ["households", "people"]}),
    (_("Handed out"), {"fields": ["amount", "goods", "note"]}),
]


@admin.register(DistributionReport)
class DistributionReportAdmin(ProvinceScopedAdmin):
    list_display = [
        "distributed_on", "commune", "allocation_decision", "province_display", "campaign", "households", "people",
        "amount_display", "goods", "reported_by",
    ]
    list_filter = [("allocation__campaign", admin.RelatedOnlyFieldListFilter), "distributed_on"]
    search_fields = [
        "commune", "goods", "allocation__decision_number", "allocation__province__name",
        "allocation__province__successor__name",
    ]
    date_hierarchy = "distributed_on"
    form = DistributionReportChangeForm
    fieldsets = [
        (None, {"fields": ["allocation_link", "distributed_on", "commune"]}),
        (_("Reached"), {"fields": ["households", "people"]}),
        (_("Handed out"), {"fields": ["amount", "goods", "note"]}),
        (_("Recorded"), {"fields": ["reported_by", "created_at"]}),
    ]
    readonly_fields = ["allocation_link", "amount_display", "reported_by", "created_at"]

    def province_of(self, obj):
        return obj.allocation.province

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related(
            "allocation__campaign", "allocation__province__successor", "reported_by"
        )
        scope = user_province_scope(user=request.user)
        return qs if scope is None else qs.filter(province_q(province=scope, prefix="allocation__province"))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or in_scope(request.user, self.province_of(obj)))

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            # Read-only: the amount formatted as people read it.
            return [
                (name, {**options, "fields": ["amount_display" if f == "amount" else f for f in options["fields"]]})
                for name, options in self.fieldsets
            ]
        return self.fieldsets

    # --- columns -------------------------------------------------------------------------------

    @admin.display(description=_("allocation"), ordering="allocation__decision_number")
    def allocation_decision(self, report):
        return report.allocation.decision_number

    @admin.display(description=_("province"), ordering="allocation__province__name")
    def province_display(self, report):
        return province_label(report.allocation.province)

    @admin.display(description=_("campaign"), ordering="allocation__campaign__name")
    def campaign(self, report):
        return report.allocation.campaign

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, report):
        return vnd_or_dash(report.amount)

    @admin.display(description=_("allocation"))
    def allocation_link(self, report):
        allocation = report.allocation
        return admin_link(allocation, f"{allocation.decision_number} → {province_label(allocation.province)}")

    # --- add through the service; change through the model (reports are editable) -------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DistributionReportForm(
            request.POST if request.method == "POST" else None, allocations=allocation_list_reportable(user=request.user)
        )
        if request.method == "POST" and form.is_valid():
            try:
                report = distribution_report_record(**form.record_kwargs(), reported_by=request.user)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                self.log_addition(request, report, [{"added": {}}])
                messages.success(request, gettext("Distribution in %(commune)s on %(date)s recorded.") % {
                    "commune": report.commune, "date": report.distributed_on.strftime("%d/%m/%Y"),
                })
                if "_addanother" in request.POST:
                    return HttpResponseRedirect(request.path)
                return HttpResponseRedirect(reverse("admin:allocations_distributionreport_change", args=[report.pk]))
        return self.render_plain_add_form(
            request, form, fieldsets=REPORT_ADD_FIELDSETS, title=gettext("Report a distribution"),
            extra_context=extra_context,
        )

    def save_model(self, request, obj, form, change):
        # The form already ran distribution_report_check; the service checks again under the lock,
        # starting from the report as stored, not the instance the form has changed.
        distribution_report_update(
            report=DistributionReport.objects.get(pk=obj.pk),
            data={name: form.cleaned_data[name] for name in form.changed_data},
            changed_by=request.user,
        )
