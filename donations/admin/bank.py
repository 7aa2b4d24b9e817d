"""Staff admin of imported bank transactions and the queue of credits waiting for a decision."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.dateformat import format as date_format
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..forms_staff import BankTransactionAssignForm, BankTransactionNoteForm
from ..models import BankTransaction, BankTransactionDecision, Receipt
from ..selectors import bank_queue_count
from ..services import (
    bank_transaction_assign,
    bank_transaction_confirm_direct,
    bank_transaction_mark_not_donation,
)
from .common import ReadOnlyInline, admin_link, amount_vnd, message_validation_error

DECIDE_PERMISSION = "donations.change_banktransaction"


class DecisionInline(ReadOnlyInline):
    model = BankTransactionDecision
    fields = ["decision", "pledge", "note", "decided_by", "decided_at"]
    readonly_fields = fields
    verbose_name_plural = _("decision log")


class TransactionReceiptInline(ReadOnlyInline):
    model = Receipt
    fk_name = "bank_transaction"
    fields = ["receipt_link", "amount_display", "pledge", "public_name", "reverses", "recorded_by", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("receipts created from this transaction")

    @admin.display(description=_("receipt"))
    def receipt_link(self, receipt):
        return admin_link(receipt, receipt.number)

    @admin.display(description=_("amount"))
    def amount_display(self, receipt):
        return amount_vnd(receipt.amount)


@admin.register(BankTransaction)
class BankTransactionAdmin(admin.ModelAdmin):
    list_display = [
        # Status first after the money: what staff scan for; the bank's own reference last but one.
        "booked_at_short", "amount_display", "status", "description_short", "queue_reason", "bank_reference",
        "account",
    ]
    list_filter = ["status", "account", "statement_import"]
    search_fields = ["description", "bank_reference", "payer_name"]
    list_select_related = ["account__bank"]
    date_hierarchy = "booked_at"
    actions = None
    inlines = [DecisionInline, TransactionReceiptInline]
    fieldsets = [
        (None, {"fields": ["booked_at", "amount_display", "description", "status", "queue_reason"]}),
        (_("Payer"), {"fields": ["payer_name", "payer_account", "bank_reference"]}),
        (_("Source"), {"fields": ["account", "statement_import_link", "line", "created_at"]}),
    ]
    readonly_fields = [
        "booked_at", "amount_display", "description", "status", "queue_reason", "payer_name", "payer_account",
        "bank_reference", "account", "statement_import_link", "line", "created_at",
    ]
    change_list_template = "admin/donations/banktransaction/change_list.html"
    change_form_template = "admin/donations/banktransaction/change_form.html"

    # --- read-only: rows come from statements, decisions go through the services ----------------

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @staticmethod
    def can_decide(request) -> bool:
        return request.user.has_perm(DECIDE_PERMISSION)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, txn):
        return amount_vnd(txn.amount)

    @admin.display(description=_("booked at"), ordering="booked_at")
    def booked_at_short(self, txn):
        return date_format(localtime(txn.booked_at), "d/m/Y H:i")

    @admin.display(description=_("transfer content"))
    def description_short(self, txn):
        return Truncator(txn.description).chars(70)

    @admin.display(description=_("import"))
    def statement_import_link(self, txn):
        return admin_link(txn.statement_import)

    def changelist_view(self, request, extra_context=None):
        extra = dict(extra_context or {})
        url = reverse("admin:donations_banktransaction_changelist")
        extra["queue_url"] = f"{url}?status__exact={BankTransaction.Status.QUEUED}"
        extra["queue_count"] = bank_queue_count()
        extra["all_url"] = url
        extra["showing_queue"] = request.GET.get("status__exact") == BankTransaction.Status.QUEUED
        return super().changelist_view(request, extra)

    # --- the queue: three decisions, each a small POST form on the change page ------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/assign/", view(self.assign_view), name="%s_%s_assign" % info),
            path("<path:object_id>/confirm-direct/", view(self.confirm_direct_view),
                 name="%s_%s_confirm_direct" % info),
            path("<path:object_id>/not-donation/", view(self.not_donation_view), name="%s_%s_not_donation" % info),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        txn = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if txn is not None and self.can_decide(request):
            queued = txn.status == BankTransaction.Status.QUEUED
            if queued or txn.status == BankTransaction.Status.DIRECT:
                extra.update({
                    "decide": True,
                    "queued": queued,
                    "assign_form": BankTransactionAssignForm(auto_id="id_assign_%s"),
                    "assign_url": reverse("admin:donations_banktransaction_assign", args=[txn.pk]),
                })
            if queued:
                extra.update({
                    "direct_form": BankTransactionNoteForm(auto_id="id_direct_%s"),
                    "direct_url": reverse("admin:donations_banktransaction_confirm_direct", args=[txn.pk]),
                    "not_donation_form": BankTransactionNoteForm(auto_id="id_not_donation_%s"),
                    "not_donation_url": reverse("admin:donations_banktransaction_not_donation", args=[txn.pk]),
                })
        return super().change_view(request, object_id, form_url, extra)

    def _decide(self, request, object_id, form_class, decide) -> HttpResponseRedirect:
        """Run one queue decision from a POSTed form; every problem becomes an admin message."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.can_decide(request):
            raise PermissionDenied
        txn = self.get_object(request, unquote(object_id))
        if txn is None:
            raise Http404(gettext("No bank transaction with this id."))
        back = reverse("admin:donations_banktransaction_change", args=[txn.pk])
        form = form_class(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
            return HttpResponseRedirect(back)
        try:
            success = decide(txn, form.cleaned_data)
        except ValidationError as exc:
            message_validation_error(request, exc)
            return HttpResponseRedirect(back)
        self.log_change(request, txn, [{"changed": {"fields": ["status"]}}])
        messages.success(request, success)
        return HttpResponseRedirect(back)

    def assign_view(self, request, object_id):
        def decide(txn, data):
            receipt = bank_transaction_assign(
                txn=txn, reference=data["reference"], decided_by=request.user, note=data["note"]
            )
            return gettext("Assigned to pledge %(reference)s: receipt %(number)s.") % {
                "reference": receipt.pledge.reference, "number": receipt.number,
            }

        return self._decide(request, object_id, BankTransactionAssignForm, decide)

    def confirm_direct_view(self, request, object_id):
        def decide(txn, data):
            receipt = bank_transaction_confirm_direct(txn=txn, decided_by=request.user, note=data["note"])
            return gettext("Confirmed as a direct donation: receipt %(number)s.") % {"number": receipt.number}

        return self._decide(request, object_id, BankTransactionNoteForm, decide)

    def not_donation_view(self, request, object_id):
        def decide(txn, data):
            bank_transaction_mark_not_donation(txn=txn, decided_by=request.user, note=data["note"])
            return gettext("Marked as not a donation.")

        return self._decide(request, object_id, BankTransactionNoteForm, decide)
