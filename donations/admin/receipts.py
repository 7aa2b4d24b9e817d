"""Staff admin of the receipts ledger: append-only, recorded and reversed through the services."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminErrorList, AdminForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..forms import add_service_errors
from ..forms_staff import ReceiptForm, ReceiptReverseForm
from ..models import PledgeKind, Receipt, ReceiptItem
from ..selectors import receipt_list_for, staff_province_scope
from ..services import receipt_record, receipt_reverse
from .common import ReadOnlyInline, admin_link, amount_vnd, item_quantity

RECEIPT_ADD_FIELDSETS = [
    (None, {"fields": ["campaign", "channel", "point", "received_at"]}),
    (_("Donor"), {
        "fields": ["pledge_reference", "public_name"],
        "description": _("Either the donor's pledge reference, or the name a walk-in donor wants shown."),
    }),
    (_("Cash"), {"fields": ["amount"]}),
    (_("Note"), {"fields": ["note"]}),
]


class ReceiptItemInline(ReadOnlyInline):
    model = ReceiptItem
    fields = ["category", "quantity_display", "estimated_value_display"]
    readonly_fields = fields
    verbose_name_plural = _("goods received")

    @admin.display(description=_("quantity"))
    def quantity_display(self, item):
        return item_quantity(item)

    @admin.display(description=_("estimated value"))
    def estimated_value_display(self, item):
        return amount_vnd(item.estimated_value)


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
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
        return self.inlines if obj is not None and obj.kind == PledgeKind.GOODS else []

    def get_queryset(self, request):
        # Provincial staff: what the points of their province received.
        return receipt_list_for(user=request.user).annotate(
            is_reversed=Exists(Receipt.objects.filter(reverses=OuterRef("pk")))
        )

    # --- columns -------------------------------------------------------------------------------

    @admin.display(description=_("campaign"), ordering="campaign__code")
    def campaign_code(self, receipt):
        return format_html('<span title="{}">{}</span>', receipt.campaign.name, receipt.campaign.code)

    @admin.display(description=_("kind"), ordering="kind")
    def kind_display(self, receipt):
        return receipt.get_kind_display()

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, receipt):
        return amount_vnd(receipt.amount) if receipt.kind == PledgeKind.CASH else "—"

    @admin.display(description=_("received at"), ordering="received_at")
    def received_at_short(self, receipt):
        return date_format(localtime(receipt.received_at), "d/m/Y H:i")

    @admin.display(description=_("pledge reference"), ordering="pledge__reference")
    def pledge_reference(self, receipt):
        return receipt.pledge.reference if receipt.pledge_id else "—"

    @admin.display(description=_("reversal"))
    def reversal_marker(self, receipt):
        if receipt.reverses_id:
            return format_html('<span class="receipt-reversal">↩ {}</span>',
                               gettext("reverses %(number)s") % {"number": receipt.reverses.number})
        if getattr(receipt, "is_reversed", False):
            return format_html('<span class="receipt-reversed">✕ {}</span>', gettext("reversed"))
        return ""

    @admin.display(description=_("pledge"))
    def pledge_link(self, receipt):
        return admin_link(receipt.pledge) or "—"

    @admin.display(description=_("donor"))
    def donor_link(self, receipt):
        return admin_link(receipt.donor) or "—"

    @admin.display(description=_("bank transaction"))
    def bank_transaction_link(self, receipt):
        return admin_link(receipt.bank_transaction) or "—"

    @admin.display(description=_("reverses"))
    def reverses_link(self, receipt):
        return admin_link(receipt.reverses) or "—"

    @admin.display(description=_("reversed by"))
    def reversed_by_link(self, receipt):
        reversal = Receipt.objects.filter(reverses=receipt).first()
        return admin_link(reversal) or "—"

    # --- urls ----------------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/reverse/", view(self.reverse_view), name="%s_%s_reverse" % info),
            path("<path:object_id>/acknowledgement/", view(self.acknowledgement_view),
                 name="%s_%s_acknowledgement" % info),
            *super().get_urls(),
        ]

    def _url(self, name: str, receipt: Receipt) -> str:
        return reverse(f"admin:donations_receipt_{name}", args=[receipt.pk])

    def _receipt_or_404(self, request, object_id) -> Receipt:
        receipt = self.get_object(request, unquote(object_id))
        if receipt is None:
            raise Http404(gettext("No receipt with this id."))
        return receipt

    def _can_reverse(self, request, receipt: Receipt) -> bool:
        return self.has_add_permission(request) and not receipt.is_reversal and not receipt.is_reversed

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
                return HttpResponseRedirect(self._url("change", receipt))
        adminform = AdminForm(form, RECEIPT_ADD_FIELDSETS, {}, model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Record cash or goods received"),
            "subtitle": None,
            "adminform": adminform,
            "object_id": None,
            "original": None,
            "is_popup": False,
            "to_field": None,
            "media": self.media + adminform.media + form.items.media,
            "inline_admin_formsets": [],
            "errors": self._errors(form),
            "preserved_filters": self.get_preserved_filters(request),
            "items": form.items,
            "show_save_and_continue": False,
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, form_url=form_url)

    @staticmethod
    def _errors(form: ReceiptForm) -> AdminErrorList:
        errors = AdminErrorList(form, [])
        if form.is_bound:
            for line_errors in form.items.errors:
                errors.extend(line_errors.values())
            errors.extend(form.items.non_form_errors())
        return errors

    @staticmethod
    def _what(receipt: Receipt) -> str:
        if receipt.amount is not None:
            return amount_vnd(receipt.amount)
        return ", ".join(
            f"{item_quantity(item)} {item.category}" for item in receipt.items.select_related("category")
        )

    # --- change (read-only), reverse, acknowledgement ------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        receipt = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if receipt is not None:
            if not receipt.is_reversal:
                extra["acknowledgement_url"] = self._url("acknowledgement", receipt)
            if self._can_reverse(request, receipt):
                extra["reverse_url"] = self._url("reverse", receipt)
        return super().change_view(request, object_id, form_url, extra)

    def reverse_view(self, request, object_id):
        receipt = self._receipt_or_404(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        change_url = self._url("change", receipt)
        if not self._can_reverse(request, receipt):
            messages.error(
                request,
                gettext("A reversal cannot itself be reversed.") if receipt.is_reversal
                else gettext("This receipt has already been reversed."),
            )
            return HttpResponseRedirect(change_url)
        form = ReceiptReverseForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                reversal = receipt_reverse(
                    receipt=receipt, reason=form.cleaned_data["reason"], recorded_by=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc, field_map={"reverses": None})
            else:
                self.log_addition(request, reversal, [{"added": {}}])
                messages.success(
                    request,
                    gettext("Receipt %(number)s was reversed by %(reversal)s.")
                    % {"number": receipt.number, "reversal": reversal.number},
                )
                return HttpResponseRedirect(self._url("change", reversal))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reverse receipt %(number)s") % {"number": receipt.number},
            "opts": self.opts,
            "receipt": receipt,
            "items": receipt.items.select_related("category"),
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/donations/receipt/reverse.html", context)

    def acknowledgement_view(self, request, object_id):
        receipt = self._receipt_or_404(request, object_id)
        if not self.has_view_permission(request, receipt):
            raise PermissionDenied
        if receipt.is_reversal:
            messages.error(request, gettext("A reversal entry has no acknowledgement; print the original receipt's."))
            return HttpResponseRedirect(self._url("change", receipt))
        receipt = (
            Receipt.objects.select_related("campaign", "donor", "pledge", "recorded_by")
            .annotate(is_reversed=Exists(Receipt.objects.filter(reverses=OuterRef("pk"))))
            .get(pk=receipt.pk)
        )
        size = "a5" if request.GET.get("size") == "a5" else "a4"
        items = list(receipt.items.select_related("category"))
        valued = [item.estimated_value for item in items if item.estimated_value]
        context = {
            "receipt": receipt,
            "items": items,
            "items_value": sum(valued) if len(valued) > 1 else None,
            "donor_name": receipt.donor.display_name if receipt.donor_id else receipt.public_name,
            "reversal": Receipt.objects.filter(reverses=receipt).first() if receipt.is_reversed else None,
            "size": size,
            "change_url": self._url("change", receipt),
            "a4_url": request.path,
            "a5_url": f"{request.path}?size=a5",
        }
        return render(request, "donations/acknowledgement.html", context)
