"""Staff admin of allocations: append-only, recorded, disbursed and reversed through the services."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.models import ItemCategory

from ..forms import (
    AllocationDisburseForm,
    AllocationForm,
    AllocationReverseForm,
    add_service_errors,
    allocatable_campaigns,
)
from ..models import Allocation, AllocationItem
from ..selectors import allocation_list_for, campaign_availability
from ..services import allocation_mark_disbursed, allocation_record, allocation_reverse
from .common import ProvinceScopedAdmin, admin_link, amount_vnd, province_label

ALLOCATION_ADD_FIELDSETS = [
    (None, {"fields": ["campaign", "province", "decision_number", "decision_date", "purpose"]}),
    (_("Cash or goods"), {"fields": ["kind", "amount"]}),
    (_("Disbursement"), {"fields": ["disbursed_on"]}),
]


def availability_rows(campaigns) -> list[dict]:
    """What each campaign still has to allocate: cash, and goods per category (from `campaign_availability`)."""
    categories = ItemCategory.objects.in_bulk()
    rows = []
    for campaign in campaigns:
        figures = campaign_availability(campaign_id=campaign.pk)
        category_ids = set(figures.goods_received) | set(figures.goods_allocated)
        goods = [
            {
                "category": categories[pk],
                "received": figures.goods_received.get(pk, 0),
                "available": figures.goods_available(pk),
            }
            for pk in sorted(category_ids, key=lambda pk: (categories[pk].position, categories[pk].slug))
        ]
        rows.append({
            "campaign": campaign,
            "cash_received": figures.cash_received,
            "cash_allocated": figures.cash_allocated,
            "cash_available": figures.cash_available,
            "goods": goods,
        })
    return rows


class AllocationItemInline(admin.TabularInline):
    model = AllocationItem
    fields = ["category", "quantity_display", "estimated_value_display"]
    readonly_fields = fields
    verbose_name_plural = _("goods allocated")
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("quantity"))
    def quantity_display(self, item):
        return f"{item.quantity.normalize():f} {item.category.get_unit_display()}"

    @admin.display(description=_("estimated value"))
    def estimated_value_display(self, item):
        return amount_vnd(item.estimated_value)


@admin.register(Allocation)
class AllocationAdmin(ProvinceScopedAdmin):
    list_display = [
        "decision_number", "campaign_display", "province_display", "kind_display", "amount_display", "status",
        "disbursed_on_display", "recorded_by", "reversal_marker",
    ]
    list_filter = ["campaign", "status", "kind"]
    search_fields = ["decision_number", "purpose", "province__name", "province__successor__name"]
    inlines = [AllocationItemInline]
    fieldsets = [
        (None, {"fields": ["decision_number", "decision_date", "campaign", "province_display", "purpose"]}),
        (_("What"), {"fields": ["kind_display", "amount_display"]}),
        (_("Status"), {"fields": ["status", "disbursed_on"]}),
        (_("Ledger"), {"fields": ["reverses_link", "reversed_by_link", "reason", "recorded_by", "created_at"]}),
    ]
    readonly_fields = [
        "decision_number", "decision_date", "campaign", "province_display", "purpose", "kind_display", "amount_display",
        "status", "disbursed_on", "reverses_link", "reversed_by_link", "reason", "recorded_by", "created_at",
    ]
    add_form_template = "admin/allocations/allocation/add_form.html"
    change_form_template = "admin/allocations/allocation/change_form.html"
    change_list_template = "admin/allocations/allocation/change_list.html"
    action_template = "admin/allocations/allocation/action.html"

    def province_of(self, obj):
        return obj.province

    def get_queryset(self, request):
        return (
            allocation_list_for(user=request.user)
            .select_related("reverses")
            .prefetch_related("items__category")
            .annotate(is_reversed=Exists(Allocation.objects.filter(reverses=OuterRef("pk"))))
        )

    def get_inline_instances(self, request, obj=None):
        # Goods lines only for goods allocations.
        return super().get_inline_instances(request, obj) if obj is not None and obj.kind == "goods" else []

    # --- the ledger is append-only: the change page only shows; two actions change the status ----

    def has_change_permission(self, request, obj=None):
        return False

    def can_disburse(self, request, allocation: Allocation) -> bool:
        return (
            request.user.has_perm("allocations.change_allocation")
            and allocation.status == Allocation.Status.PLANNED
            and not allocation.is_reversal
            and not getattr(allocation, "is_reversed", False)
        )

    def can_reverse(self, request, allocation: Allocation) -> bool:
        return (
            request.user.has_perm("allocations.add_allocation")
            and not allocation.is_reversal
            and not getattr(allocation, "is_reversed", False)
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
            return amount_vnd(allocation.amount)
        return "; ".join(str(item) for item in allocation.items.all()) or gettext("goods")

    @admin.display(description=_("disbursed on"), ordering="disbursed_on")
    def disbursed_on_display(self, allocation):
        return allocation.disbursed_on.strftime("%d/%m/%Y") if allocation.disbursed_on else "—"

    @admin.display(description=_("reversal"))
    def reversal_marker(self, allocation):
        if allocation.reverses_id:
            return format_html('<span class="allocation-reversal">↩ {}</span>',
                               gettext("reverses %(number)s") % {"number": allocation.reverses.decision_number})
        if getattr(allocation, "is_reversed", False):
            return format_html('<span class="allocation-reversed">✕ {}</span>', gettext("reversed"))
        return ""

    @admin.display(description=_("reverses"))
    def reverses_link(self, allocation):
        return admin_link(allocation.reverses) or "—"

    @admin.display(description=_("reversed by"))
    def reversed_by_link(self, allocation):
        return admin_link(Allocation.objects.filter(reverses=allocation).first()) or "—"

    # --- urls ----------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/disburse/", view(self.disburse_view), name="allocations_allocation_disburse"),
            path("<path:object_id>/reverse/", view(self.reverse_view), name="allocations_allocation_reverse"),
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
            extra_context={"items": form.items, "availability": availability_rows(allocatable_campaigns()),
                           **(extra_context or {})},
        )

    # --- change (read-only), mark disbursed, reverse -------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        allocation = self.get_object(request, unquote(object_id))  # 403 for another province's allocation
        extra = dict(extra_context or {})
        if allocation is not None:
            if self.can_disburse(request, allocation):
                extra["disburse_url"] = self.url("disburse", allocation)
            if self.can_reverse(request, allocation):
                extra["reverse_url"] = self.url("reverse", allocation)
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
        return self.render_action(
            request, allocation, form,
            title=gettext("Mark allocation %(number)s disbursed") % {"number": allocation.decision_number},
            intro=gettext("Record the day the money or goods were handed over to the province. "
                          "This is the one change an allocation allows; it is kept in its history."),
            submit=gettext("Mark disbursed"), danger=False,
        )

    def reverse_view(self, request, object_id):
        allocation = self.object_or_404(request, object_id)
        if not request.user.has_perm("allocations.add_allocation"):
            raise PermissionDenied
        form = AllocationReverseForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                reversal = allocation_reverse(
                    allocation=allocation, reason=form.cleaned_data["reason"], recorded_by=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc, field_map={"reverses": None})
            else:
                self.log_addition(request, reversal, [{"added": {}}])
                messages.success(request, gettext("Allocation %(number)s was reversed.") % {
                    "number": allocation.decision_number,
                })
                return HttpResponseRedirect(self.url("change", reversal))
        return self.render_action(
            request, allocation, form,
            title=gettext("Reverse allocation %(number)s") % {"number": allocation.decision_number},
            intro=gettext("A reversal is a new entry of opposite sign that points at this allocation. The original "
                          "stays in the ledger; what it allocated becomes available again."),
            submit=gettext("Reverse this allocation"), danger=True,
        )

    def render_action(self, request, allocation, form, *, title, intro, submit, danger):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit_label": submit,
            "danger": danger,
            "opts": self.opts,
            "allocation": allocation,
            "province": province_label(allocation.province),
            "what": self.amount_display(allocation),
            "form": form,
            "media": self.media + form.media,
            "change_url": self.url("change", allocation),
        }
        return TemplateResponse(request, self.action_template, context)
