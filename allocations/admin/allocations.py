"""Staff admin of allocations: append-only, recorded, disbursed and reversed through the services."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.money import vnd_or_dash
from ledger.admin import GoodsLineInline, LedgerEntryAdminMixin
from ledger.forms import add_service_errors

from ..forms import AllocationDisburseForm, AllocationForm
from ..models import Allocation, AllocationItem
from ..selectors import (
    allocation_list_for,
    campaign_availability_rows,
    campaign_list_allocatable,
)
from ..services import (
    allocation_disbursement_refusal,
    allocation_mark_disbursed,
    allocation_record,
    allocation_reverse,
)
from .common import ProvinceScopedAdmin, province_label

ALLOCATION_ADD_FIELDSETS = [
    (None, {"fields": ["campaign", "province", "decision_number", "decision_date", "purpose"]}),
    (_("Cash or goods"), {"fields": ["kind", "amount"]}),
    (_("Disbursement"), {"fields": ["disbursed_on"]}),
]


class AllocationItemInline(GoodsLineInline):
    model = AllocationItem
    verbose_name_plural = _("goods allocated")


@admin.register(Allocation)
class AllocationAdmin(LedgerEntryAdminMixin, ProvinceScopedAdmin):
    list_display = [
        "number", "decision_number", "campaign_display", "province_display", "kind_display", "amount_display", "status",
        "disbursed_on_display", "recorded_by", "reversal_marker",
    ]
    list_filter = ["campaign", "status", "kind"]
    search_fields = ["decision_number", "purpose", "province__name", "province__successor__name"]
    inlines = [AllocationItemInline]
    fieldsets = [
        (None, {"fields": ["number", "decision_number", "decision_date", "campaign", "province_display", "purpose"]}),
        (_("What"), {"fields": ["kind_display", "amount_display"]}),
        (_("Status"), {"fields": ["status", "disbursed_on"]}),
        (_("Ledger"), {"fields": ["reverses_link", "reversed_by_link", "reason", "recorded_by", "created_at"]}),
    ]
    readonly_fields = [
        "number", "decision_number", "decision_date", "campaign", "province_display", "purpose", "kind_display", "amount_display",
        "status", "disbursed_on", "reverses_link", "reversed_by_link", "reason", "recorded_by", "created_at",
    ]
    add_form_template = "admin/allocations/allocation/add_form.html"
    change_form_template = "admin/allocations/allocation/change_form.html"
    change_list_template = "admin/allocations/allocation/change_list.html"

    def province_of(self, obj):
        return obj.province

    def get_queryset(self, request):
        return self.with_reversal(allocation_list_for(user=request.user).prefetch_related("items__category"))

    def get_inline_instances(self, request, obj=None):
        # Goods lines only for goods allocations.
        return super().get_inline_instances(request, obj) if obj is not None and obj.kind == "goods" else []

    # --- the ledger is append-only: the change page only shows; two actions change the status ----

    def has_change_permission(self, request, obj=None):
        return False

    def can_disburse(self, request, allocation: Allocation) -> bool:
        return (
            request.user.has_perm("allocations.change_allocation")
            and allocation_disbursement_refusal(allocation=allocation) is None
        )

    # --- columns -------------------------------------------------------------------------------

    @admin.display(description=_("campaign"), ordering="campaign__code")
    def campaign_display(self, allocation):
        return format_html('<span title="{}">{}</span>', allocation.campaign.name, allocation.campaign.code)

    @admin.display(description=_("kind"), ordering="kind")
    def kind_display(self, allocation):
        return allocation.get_kind_display()

    @admin.display(description=_("province"), ordering="province__name")
    def province_display(self, allocation):
        return province_label(allocation.province)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, allocation):
        if allocation.kind == "cash":
            return vnd_or_dash(allocation.amount)
        return "; ".join(str(item) for item in allocation.items.all()) or gettext("goods")

    @admin.display(description=_("disbursed on"), ordering="disbursed_on")
    def disbursed_on_display(self, allocation):
        return allocation.disbursed_on.strftime("%d/%m/%Y") if allocation.disbursed_on else "—"

    # --- urls ----------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/disburse/", view(self.disburse_view), name="allocations_allocation_disburse"),
            *super().get_urls(),
        ]

    @staticmethod
    def url(name: str, allocation: Allocation) -> str:
        return reverse(f"admin:allocations_allocation_{name}", args=[allocation.pk])

    # --- add -----------------------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AllocationForm(request.POST if request.method == "POST" else None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                allocation = allocation_record(**form.record_kwargs(), recorded_by=request.user)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                self.log_addition(request, allocation, [{"added": {}}])
                messages.success(request, gettext("Allocation %(number)s to %(province)s recorded: %(what)s.") % {
                    "number": allocation.decision_number, "province": province_label(allocation.province),
                    "what": self.amount_display(allocation),
                })
                if "_addanother" in request.POST:
                    return HttpResponseRedirect(request.path)
                return HttpResponseRedirect(self.url("change", allocation))
        return self.render_plain_add_form(
            request, form, fieldsets=ALLOCATION_ADD_FIELDSETS, title=gettext("Allocate cash or goods to a province"),
            formsets=[form.items],
            extra_context={"items": form.items, "availability": campaign_availability_rows(campaigns=campaign_list_allocatable()),
                           **(extra_context or {})},
        )

    # --- change (read-only), mark disbursed, reverse -------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        allocation = self.get_object(request, unquote(object_id))  # 403 for another province's allocation
        extra = dict(extra_context or {})
        if allocation is not None and self.can_disburse(request, allocation):
            extra["disburse_url"] = self.url("disburse", allocation)
        return super().change_view(request, object_id, form_url, extra)

    def disburse_view(self, request, object_id):
        allocation = self.object_or_404(request, object_id)
        if not request.user.has_perm("allocations.change_allocation"):
            raise PermissionDenied
        form = AllocationDisburseForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                allocation = allocation_mark_disbursed(
                    allocation=allocation, disbursed_on=form.cleaned_data["disbursed_on"], user=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc, field_map={"status": None})
            else:
                self.log_change(request, allocation, [{"changed": {"fields": ["status", "disbursed_on"]}}])
                messages.success(request, gettext("Allocation %(number)s marked disbursed on %(date)s.") % {
                    "number": allocation.decision_number, "date": allocation.disbursed_on.strftime("%d/%m/%Y"),
                })
                return HttpResponseRedirect(self.url("change", allocation))
        return self.render_entry_action(
            request, allocation, form,
            title=gettext("Mark allocation %(number)s disbursed") % {"number": allocation.number},
            intro=gettext("Record the day the money or goods were handed over to the province. "
                          "This is the one change an allocation allows; it is kept in its history."),
            submit_label=gettext("Mark disbursed"),
        )

    def reverse_entry(self, request, entry, reason):
        return allocation_reverse(allocation=entry, reason=reason, recorded_by=request.user)

    def entry_summary(self, entry):
        return [
            (gettext("Allocation number"), entry.number),
            (gettext("Decision number"), entry.decision_number),
            (gettext("Decision date"), entry.decision_date.strftime("%d/%m/%Y")),
            (gettext("Campaign"), entry.campaign),
            (gettext("Province"), province_label(entry.province)),
            (gettext("Purpose"), entry.purpose),
            (gettext("Allocated"), self.amount_display(entry)),
            (gettext("Status"), entry.get_status_display()
             + (f" ({entry.disbursed_on:%d/%m/%Y})" if entry.disbursed_on else "")),
        ]
