"""Staff admin of imported bank transactions and the queue of credits waiting for a decision."""

import copy

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.money import vnd_or_dash
from ledger.admin import (
    LedgerEntryInline,
    ReadOnlyInline,
    SafeDateHierarchyMixin,
    admin_link,
    local_time_text,
)

from ..forms_staff import BankTransactionAssignForm, BankTransactionNoteForm
from ..models import BankTransaction, BankTransactionDecision, Receipt
from ..selectors import (
    bank_queue_count,
    bank_transaction_candidates,
    bank_transaction_pledge_shares,
)
from ..services import (
    bank_transaction_assign_shares,
    bank_transaction_confirm_direct,
    bank_transaction_mark_not_donation,
)

DECIDE_PERMISSION = "donations.change_banktransaction"
# Each queue decision: its form and the id pattern of its fields (three forms share one page).
DECISION_FORMS = {
    "assign": (BankTransactionAssignForm, "id_assign_%s"),
    "confirm_direct": (BankTransactionNoteForm, "id_direct_%s"),
    "not_donation": (BankTransactionNoteForm, "id_not_donation_%s"),
}


class DecisionInline(ReadOnlyInline):
    model = BankTransactionDecision
    fields = ["decision", "pledges", "note", "decided_by", "decided_at"]
    readonly_fields = fields
    verbose_name_plural = _("decision log")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("pledge", "decided_by")

    @admin.display(description=_("pledge"))
    def pledges(self, decision):
        """The pledge assigned, or for a transfer split between pledges each one with its share."""
        if decision.pledge_id:
            return admin_link(decision.pledge, decision.pledge.reference)
        if decision.decision != BankTransactionDecision.Decision.ASSIGN:
            return "—"
        return format_html_join(", ", "{} ({})", (
            (admin_link(pledge, pledge.reference), vnd_or_dash(amount))
            for pledge, amount in bank_transaction_pledge_shares(txn_id=decision.transaction_id)
        ))


class TransactionReceiptInline(LedgerEntryInline):
    model = Receipt
    fk_name = "bank_transaction"
    fields = ["entry_link", "amount_display", "pledge", "public_name", "reverses", "recorded_by", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("receipts created from this transaction")


@admin.register(BankTransaction)
class BankTransactionAdmin(SafeDateHierarchyMixin, admin.ModelAdmin):
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
        return vnd_or_dash(txn.amount)

    @admin.display(description=_("booked at"), ordering="booked_at")
    def booked_at_short(self, txn):
        return local_time_text(txn.booked_at)

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

    @staticmethod
    def _decisions_open(txn: BankTransaction) -> set[str]:
        """The decisions a transaction in its current status still allows."""
        if txn.status == BankTransaction.Status.QUEUED:
            return set(DECISION_FORMS)
        if txn.status == BankTransaction.Status.DIRECT:
            return {"assign"}
        return set()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        txn = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        bound = extra.pop("decision_forms", {})
        if txn is not None and self.can_decide(request) and (open_ := self._decisions_open(txn)):
            change_url = reverse("admin:donations_banktransaction_change", args=[txn.pk])
            extra.update({"decide": True, "queued": txn.status == BankTransaction.Status.QUEUED,
                          "change_url": change_url})
            for name in open_:
                form_class, auto_id = DECISION_FORMS[name]
                form = bound.get(name)
                if form is None:
                    initial = {"reference": request.GET.get("reference", "")[:24]} if name == "assign" else {}
                    form = form_class(auto_id=auto_id, initial=initial)
                extra[f"{name}_form"] = form
                extra[f"{name}_url"] = reverse(f"admin:donations_banktransaction_{name}", args=[txn.pk])
            if "assign" in open_:
                extra["candidates"] = bank_transaction_candidates(txn=txn)
        return super().change_view(request, object_id, form_url, extra)

    def _decide(self, request, object_id, name, decide):
        """Run one queue decision from a POSTed form.

        A refusal (by the form or the service) shows the page again with what staff typed and the
        message on the field it concerns; once the transaction can no longer take this decision
        (someone else decided it meanwhile) the messages go to the top of the page instead.
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.can_decide(request):
            raise PermissionDenied
        txn = self.get_object(request, unquote(object_id))
        if txn is None:
            raise Http404(gettext("No bank transaction with this id."))
        back = reverse("admin:donations_banktransaction_change", args=[txn.pk])
        form_class, auto_id = DECISION_FORMS[name]
        form = form_class(request.POST, auto_id=auto_id)
        if form.is_valid():
            try:
                success = decide(txn, form)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                self.log_change(request, txn, [{"changed": {"fields": ["status"]}}])
                messages.success(request, success)
                return HttpResponseRedirect(back)
        txn.refresh_from_db(fields=["status"])
        if name not in self._decisions_open(txn):
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
            return HttpResponseRedirect(back)
        # The change page drawn as for a GET, with the bound form in place of an empty one.
        page_request = copy.copy(request)
        page_request.method = "GET"
        return self.change_view(page_request, str(txn.pk), extra_context={"decision_forms": {name: form}})

    def assign_view(self, request, object_id):
        def decide(txn, form):
            receipts = bank_transaction_assign_shares(
                txn=txn, shares=form.shares(), decided_by=request.user, note=form.cleaned_data["note"]
            )
            if len(receipts) == 1:
                return gettext("Assigned to pledge %(reference)s: receipt %(number)s.") % {
                    "reference": receipts[0].pledge.reference, "number": receipts[0].number,
                }
            return gettext("Assigned to pledges %(references)s: receipts %(numbers)s.") % {
                "references": ", ".join(r.pledge.reference for r in receipts),
                "numbers": ", ".join(r.number for r in receipts),
            }

        return self._decide(request, object_id, "assign", decide)

    def confirm_direct_view(self, request, object_id):
        def decide(txn, form):
            receipt = bank_transaction_confirm_direct(txn=txn, decided_by=request.user, note=form.cleaned_data["note"])
            return gettext("Confirmed as a direct donation: receipt %(number)s.") % {"number": receipt.number}

        return self._decide(request, object_id, "confirm_direct", decide)

    def not_donation_view(self, request, object_id):
        def decide(txn, form):
            bank_transaction_mark_not_donation(txn=txn, decided_by=request.user, note=form.cleaned_data["note"])
            return gettext("Marked as not a donation.")

        return self._decide(request, object_id, "not_donation", decide)
