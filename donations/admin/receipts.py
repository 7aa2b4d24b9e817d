"""Staff admin of the receipts ledger: append-only, recorded and reversed through the services."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.money import vnd_or_dash
from ledger.admin import (
    GoodsLineInline,
    LedgerEntryAdminMixin,
    PlainAddFormMixin,
    SafeDateHierarchyMixin,
    admin_link,
    item_quantity,
    local_time_text,
)
from ledger.models import Kind

from ..forms_staff import ReceiptForm
from ..models import Receipt, ReceiptItem
from ..selectors import receipt_acknowledgement, receipt_list_for, staff_province_scope
from ..services import receipt_record, receipt_reverse

RECEIPT_ADD_FIELDSETS = [
    (None, {"fields": ["campaign", "channel", "point", "received_at"]}),
    (_("Donor"), {
        "fields": ["pledge_reference", "public_name"],
        "description": _("Either the donor's pledge reference, or the name a walk-in donor wants shown."),
    }),
    (_("Cash"), {"fields": ["amount"]}),
    (_("Note"), {"fields": ["note"]}),
]


class ReceiptItemInline(GoodsLineInline):
    model = ReceiptItem
    verbose_name_plural = _("goods received")


@admin.register(Receipt)
class ReceiptAdmin(SafeDateHierarchyMixin, LedgerEntryAdminMixin, PlainAddFormMixin, admin.ModelAdmin):
    list_display = [
        "number", "campaign_code", "kind_display", "amount_display", "channel", "public_name", "pledge_reference",
        "received_at_short", "recorded_by", "reversal_marker",
    ]
    list_filter = ["campaign", "channel", "kind", "received_at"]
    search_fields = ["number", "pledge__reference", "public_name", "bank_transaction__description"]
    list_select_related = ["campaign", "pledge", "recorded_by", "reverses", "point"]
    date_hierarchy = "received_at"
    actions = None
    inlines = [ReceiptItemInline]
    fieldsets = [
        (None, {"fields": ["number", "campaign", "kind_display", "amount_display", "channel", "point", "received_at"]}),
        (_("Donor"), {"fields": ["pledge_link", "donor_link", "public_name", "bank_transaction_link"]}),
        (_("Ledger"), {"fields": ["reverses_link", "reversed_by_link", "reason", "note", "recorded_by", "created_at"]}),
    ]
    readonly_fields = [
        "number", "campaign", "kind_display", "amount_display", "channel", "point", "received_at", "pledge_link",
        "donor_link", "public_name", "bank_transaction_link", "reverses_link", "reversed_by_link", "reason", "note",
        "recorded_by", "created_at",
    ]
    add_form_template = "admin/donations/receipt/add_form.html"
    change_form_template = "admin/donations/receipt/change_form.html"

    # --- the ledger is append-only -------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_inlines(self, request, obj):
        # Goods lines only for goods: a cash receipt has none to show.
        return self.inlines if obj is not None and obj.kind == Kind.GOODS else []

    def get_queryset(self, request):
        # Provincial staff: what the points of their province received.
        return self.with_reversal(receipt_list_for(user=request.user))

    # --- columns -------------------------------------------------------------------------------

    @admin.display(description=_("campaign"), ordering="campaign__code")
    def campaign_code(self, receipt):
        return format_html('<span title="{}">{}</span>', receipt.campaign.name, receipt.campaign.code)

    @admin.display(description=_("kind"), ordering="kind")
    def kind_display(self, receipt):
        return receipt.get_kind_display()

    @admin.display(description=_("received at"), ordering="received_at")
    def received_at_short(self, receipt):
        return local_time_text(receipt.received_at)

    @admin.display(description=_("pledge reference"), ordering="pledge__reference")
    def pledge_reference(self, receipt):
        return receipt.pledge.reference if receipt.pledge_id else "—"

    @admin.display(description=_("pledge"))
    def pledge_link(self, receipt):
        return admin_link(receipt.pledge) or "—"

    @admin.display(description=_("donor"))
    def donor_link(self, receipt):
        return admin_link(receipt.donor) or "—"

    @admin.display(description=_("bank transaction"))
    def bank_transaction_link(self, receipt):
        return admin_link(receipt.bank_transaction) or "—"

    # --- urls ----------------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/acknowledgement/", self.admin_site.admin_view(self.acknowledgement_view),
                 name="%s_%s_acknowledgement" % info),
            *super().get_urls(),
        ]

    # --- add: the cash desk and the goods drop-off ---------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ReceiptForm(
            request.POST if request.method == "POST" else None,
            province_scope=staff_province_scope(user=request.user),
        )
        if request.method == "POST" and form.is_valid():
            try:
                receipt = receipt_record(**form.record_kwargs(), recorded_by=request.user)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                self.log_addition(request, receipt, [{"added": {}}])
                messages.success(
                    request,
                    gettext("Receipt %(number)s recorded: %(what)s.")
                    % {"number": receipt.number, "what": self._what(receipt)},
                )
                if "_addanother" in request.POST:
                    return HttpResponseRedirect(request.path)
                return HttpResponseRedirect(self.entry_url("change", receipt))
        return self.render_plain_add_form(
            request, form, fieldsets=RECEIPT_ADD_FIELDSETS, title=gettext("Record cash or goods received"),
            formsets=[form.items], extra_context={"items": form.items, **(extra_context or {})},
        )

    @staticmethod
    def _what(receipt: Receipt) -> str:
        if receipt.amount is not None:
            return vnd_or_dash(receipt.amount)
        return ", ".join(
            f"{item_quantity(item)} {item.category}" for item in receipt.items.select_related("category")
        )

    # --- change (read-only), reverse, acknowledgement ------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        receipt = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if receipt is not None and not receipt.is_reversal:
            extra["acknowledgement_url"] = self.entry_url("acknowledgement", receipt)
        return super().change_view(request, object_id, form_url, extra)

    def reverse_entry(self, request, entry, reason):
        return receipt_reverse(receipt=entry, reason=reason, recorded_by=request.user)

    def entry_summary(self, entry):
        rows = [
            (gettext("Receipt number"), entry.number),
            (gettext("Campaign"), entry.campaign),
            (gettext("Channel"), entry.get_channel_display()),
            (gettext("Public name"), entry.public_name),
        ]
        if entry.pledge_id:
            rows.append((gettext("Pledge reference"), entry.pledge.reference))
        rows.append((gettext("Received at"), local_time_text(entry.received_at)))
        if entry.amount is not None:
            rows.append((gettext("Amount"), vnd_or_dash(entry.amount)))
        else:
            rows.append((gettext("Goods"), self._what(entry)))
        return rows

    def acknowledgement_view(self, request, object_id):
        receipt = self.get_object(request, unquote(object_id))
        if receipt is None:
            raise Http404(gettext("No receipt with this id."))
        if not self.has_view_permission(request, receipt):
            raise PermissionDenied
        if receipt.is_reversal:
            messages.error(request, gettext("A reversal entry has no acknowledgement; print the original receipt's."))
            return HttpResponseRedirect(self.entry_url("change", receipt))
        context = {
            **receipt_acknowledgement(receipt_id=receipt.pk),
            "size": "a5" if request.GET.get("size") == "a5" else "a4",
            "change_url": self.entry_url("change", receipt),
            "a4_url": request.path,
            "a5_url": f"{request.path}?size=a5",
        }
        return render(request, "donations/acknowledgement.html", context)
