"""Staff admin of donors and pledges.

A pledge is the donor's word: staff read it, and may cancel it with a reason (`pledge_cancel`); its
status follows the receipts and is never typed in. Donors' contact data is corrected through
`donor_update`. Both keep their history.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from campaigns.history import HistoryAdmin
from campaigns.money import vnd_or_dash
from ledger.admin import (
    GoodsLineInline,
    LedgerEntryInline,
    admin_link,
    message_validation_error,
)
from ledger.models import Kind

from ..forms_staff import DonorChangeForm, PledgeCancelForm
from ..models import Donor, Pledge, PledgeItem, Receipt
from ..services import donor_update, pledge_cancel

CANCEL_PERMISSION = "donations.change_pledge"


class PledgeItemInline(GoodsLineInline):
    model = PledgeItem


class PledgeReceiptInline(LedgerEntryInline):
    model = Receipt
    fk_name = "pledge"
    fields = ["entry_link", "amount_display", "channel", "received_at", "reverses"]
    readonly_fields = fields
    verbose_name_plural = _("receipts against this pledge")


@admin.register(Donor)
class DonorAdmin(HistoryAdmin):
    """Donors come with their pledges; staff correct contact data, never delete a donor."""

    form = DonorChangeForm
    list_display = ["display_name", "kind", "phone", "email", "province", "public_display", "created_at"]
    list_filter = ["kind", "public_display", "province"]
    search_fields = ["full_name", "organization_name", "phone", "email", "tax_code"]
    list_select_related = ["province"]
    autocomplete_fields = ["province"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The form already ran donor_clean; the service checks again and records who changed it.
        donor_update(donor=obj, changed_by=request.user)


@admin.register(Pledge)
class PledgeAdmin(HistoryAdmin):
    list_display = [
        "reference", "campaign", "donor", "kind", "amount_display", "status", "source", "created_at",
    ]
    list_filter = ["campaign", "status", "kind", "source"]
    search_fields = ["reference", "transfer_content", "donor__phone", "donor__full_name", "donor__organization_name"]
    list_select_related = ["campaign", "donor"]
    date_hierarchy = "created_at"
    actions = ["cancel_pledges"]
    fieldsets = [
        (None, {"fields": [
            "reference", "campaign", "donor_link", "kind", "amount_display", "transfer_content", "status", "source",
            "message", "created_at",
        ]}),
        (_("Cancellation"), {"fields": ["cancelled_at", "cancelled_by", "cancellation_reason"]}),
    ]
    readonly_fields = [
        "reference", "campaign", "donor_link", "kind", "amount_display", "transfer_content", "status", "source",
        "message", "created_at", "cancelled_at", "cancelled_by", "cancellation_reason",
    ]
    change_form_template = "admin/donations/pledge/change_form.html"

    # --- read-only: created by donors, status derived from receipts, cancelled by the service ----

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_cancel_permission(self, request, obj=None):
        return request.user.has_perm(CANCEL_PERMISSION)

    def get_fieldsets(self, request, obj=None):
        if obj is None or obj.status != Pledge.Status.CANCELLED:
            return self.fieldsets[:1]
        return self.fieldsets

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        return [PledgeItemInline, PledgeReceiptInline] if obj.kind == Kind.GOODS else [PledgeReceiptInline]

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, pledge):
        return vnd_or_dash(pledge.amount)

    @admin.display(description=_("donor"))
    def donor_link(self, pledge):
        return admin_link(pledge.donor)

    # --- cancelling: an action on the list, a button on the pledge's page ----------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/cancel/", self.admin_site.admin_view(self.cancel_view), name="%s_%s_cancel" % info),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        pledge = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if pledge is not None and pledge.status != Pledge.Status.CANCELLED and self.has_cancel_permission(request):
            extra["cancel_url"] = reverse("admin:donations_pledge_cancel", args=[pledge.pk])
        return super().change_view(request, object_id, form_url, extra)

    @admin.action(description=_("Cancel the selected pledges…"), permissions=["cancel"])
    def cancel_pledges(self, request, queryset):
        return self.cancel(
            request, list(queryset.select_related("campaign", "donor")),
            back=reverse("admin:donations_pledge_changelist"), action="cancel_pledges",
        )

    def cancel_view(self, request, object_id):
        if not self.has_cancel_permission(request):
            raise PermissionDenied
        pledge = self.get_object(request, unquote(object_id))
        if pledge is None:
            raise Http404(gettext("No pledge with this id."))
        return self.cancel(request, [pledge], back=reverse("admin:donations_pledge_change", args=[pledge.pk]))

    def cancel(self, request, pledges: list[Pledge], *, back: str, action: str = ""):
        """Ask the reason (the intermediate page), then cancel each pledge through the service."""
        form = PledgeCancelForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            cancelled = []
            for pledge in pledges:
                try:
                    pledge_cancel(pledge=pledge, reason=form.cleaned_data["reason"], cancelled_by=request.user)
                except ValidationError as exc:
                    message_validation_error(request, exc)
                else:
                    self.log_change(request, pledge, [{"changed": {"fields": ["status"]}}])
                    cancelled.append(pledge.reference)
            if cancelled:
                messages.success(request, ngettext(
                    "Pledge %(references)s was cancelled.", "Pledges %(references)s were cancelled.", len(cancelled)
                ) % {"references": ", ".join(cancelled)})
            return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Cancel pledge %(reference)s") % {"reference": pledges[0].reference}
            if len(pledges) == 1 else gettext("Cancel %(count)d pledges") % {"count": len(pledges)},
            "subtitle": None,
            "opts": self.opts,
            "pledges": pledges,
            "form": form,
            "action": action,
            "back_url": back,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/donations/pledge/cancel.html", context)
