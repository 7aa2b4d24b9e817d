"""Staff admin of bank statement imports: upload, watch the import run, retry one that stopped,
read its summary. Every write goes through the import services."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminErrorList, AdminForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.history import HistoryAdmin
from campaigns.money import vnd_or_dash
from ledger.forms import add_service_errors

from ..forms_staff import StatementColumnMappingForm, StatementUploadForm
from ..models import StatementColumnMapping, StatementImport
from ..selectors import statement_import_stalled
from ..services import (
    statement_import_create,
    statement_import_repeat,
    statement_import_retry,
)
from ..statements import MAPPING_CODES, StatementError, read_header_candidates

SUMMARY_FIELDS = (
    "rows_read", "credits", "debits", "matched", "direct", "queued", "duplicates", "skipped_lines", "credited_amount",
)
UNFINISHED = (StatementImport.Status.PENDING, StatementImport.Status.RUNNING)


@admin.register(StatementImport)
class StatementImportAdmin(admin.ModelAdmin):
    list_display = [
        "file_name", "account", "status", "rows_read", "credits", "matched", "direct", "queued", "duplicates",
        "uploaded_by", "created_at", "error_text",
    ]
    list_filter = ["status", "account"]
    search_fields = ["file_name"]
    list_select_related = ["account__bank", "uploaded_by"]
    date_hierarchy = "created_at"
    actions = None
    fields = [
        "file_name", "account", "status", "layout", "uploaded_by", "created_at", "finished_at", "heartbeat_at",
        "retried_by", "retried_at",
    ]
    readonly_fields = fields
    add_form_template = "admin/donations/statementimport/add_form.html"
    change_form_template = "admin/donations/statementimport/change_form.html"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # The stored file can be 50 MB: never load it to show a list or a page.
        return super().get_queryset(request).defer("content")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/progress/", view(self.progress_view), name="%s_%s_progress" % info),
            path("<path:object_id>/retry/", view(self.retry_view), name="%s_%s_retry" % info),
            *super().get_urls(),
        ]

    def _import_or_404(self, request, object_id) -> StatementImport:
        imp = self.get_object(request, unquote(object_id))
        if imp is None:
            raise Http404(gettext("No statement import with this id."))
        if not self.has_view_permission(request, imp):
            raise PermissionDenied
        return imp

    # --- upload ---------------------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = StatementUploadForm(request.POST, request.FILES)
        else:
            form = StatementUploadForm(initial={"account": request.GET.get("account")})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                imp = statement_import_create(
                    account=data["account"], file_name=data["file_name"], content=data["content"],
                    uploaded_by=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                self.log_addition(request, imp, [{"added": {}}])
                messages.success(request, gettext("The statement “%(file)s” was uploaded.") % {"file": imp.file_name})
                return HttpResponseRedirect(reverse("admin:donations_statementimport_change", args=[imp.pk]))
        fields = ["account", "file"]
        if form.same_file is not None or form["same_file_sha256"].value():
            fields += ["import_anyway", "same_file_sha256"]
        adminform = AdminForm(form, [(None, {"fields": fields})], {}, model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Upload a bank statement"),
            "subtitle": None,
            "adminform": adminform,
            "object_id": None,
            "original": None,
            "is_popup": False,
            "to_field": None,
            "media": self.media + adminform.media,
            "inline_admin_formsets": [],
            "errors": AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, form_url=form_url)

    def retry_view(self, request, object_id):
        """A rejected statement is imported again as a new import (after its account's columns were
        mapped); one that stopped midway or never started is queued again and resumes."""
        imp = self._import_or_404(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if imp.status == StatementImport.Status.REJECTED:
            again = statement_import_repeat(statement_import=imp, requested_by=request.user)
            self.log_addition(request, again, [{"added": {}}])
            messages.success(request, gettext("The statement is imported again."))
            return HttpResponseRedirect(reverse("admin:donations_statementimport_change", args=[again.pk]))
        try:
            statement_import_retry(statement_import=imp, requested_by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            self.log_change(request, imp, gettext("Import retried."))
            messages.success(
                request, gettext("The import is queued again; it continues after the rows already imported.")
            )
        return HttpResponseRedirect(reverse("admin:donations_statementimport_change", args=[imp.pk]))

    # --- change page: progress, then the summary ------------------------------------------------

    def progress_data(self, imp: StatementImport) -> dict:
        """The committed progress: rows done and the running counters of the chunks written so far."""
        data = {
            "status": imp.status, "status_display": imp.get_status_display(), "done": imp.rows_done,
            "total": imp.rows_read,
        }
        data.update({name: getattr(imp, name) for name in SUMMARY_FIELDS})
        data["error"] = imp.error_text
        # Stop polling once it is over, or has stopped: the page then offers the retry.
        data["finished"] = imp.status not in UNFINISHED or statement_import_stalled(statement_import=imp)
        return data

    def progress_view(self, request, object_id):
        imp = self._import_or_404(request, object_id)
        response = JsonResponse(self.progress_data(imp))
        response["Cache-Control"] = "no-store"
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        imp = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if imp is not None:
            extra.update(self._change_context(request, imp))
        return super().change_view(request, object_id, form_url, extra)

    def _change_context(self, request, imp: StatementImport) -> dict:
        progress = self.progress_data(imp)
        summary = [  # (label, figure, needs attention)
            (gettext("Rows read"), imp.rows_read, False),
            (gettext("Credits (money in)"), imp.credits, False),
            (gettext("Debits (money out)"), imp.debits, False),
            (gettext("Matched to pledges"), imp.matched, False),
            (gettext("Direct donations"), imp.direct, False),
            (gettext("Queued for staff"), imp.queued, imp.queued > 0),
            (gettext("Already imported (skipped)"), imp.duplicates, False),
            (gettext("Lines skipped (balances, totals, blank)"), imp.skipped_lines, False),
        ]
        stalled = statement_import_stalled(statement_import=imp)
        context = {
            "import": imp,
            "progress": progress,
            "progress_url": reverse("admin:donations_statementimport_progress", args=[imp.pk]),
            "unfinished": imp.status in UNFINISHED and not stalled,
            "stalled": stalled,
            "summary": summary,
            "credited_amount": vnd_or_dash(imp.credited_amount),
        }
        changelist = reverse("admin:donations_banktransaction_changelist")
        if imp.status == StatementImport.Status.DONE:
            context["transactions_url"] = f"{changelist}?statement_import__id__exact={imp.pk}"
            if imp.queued:
                context["queue_url"] = f"{changelist}?statement_import__id__exact={imp.pk}&status__exact=queued"
        if imp.status == StatementImport.Status.REJECTED:
            mapping = StatementColumnMapping.objects.filter(account_id=imp.account_id).first()
            if mapping is not None:
                context["mapping_url"] = reverse("admin:donations_statementcolumnmapping_change", args=[mapping.pk])
            else:
                context["unknown_layout"] = imp.error_code in MAPPING_CODES
                context["mapping_add_url"] = (
                    reverse("admin:donations_statementcolumnmapping_add") + f"?account={imp.account_id}&import={imp.pk}"
                )
        if imp.status == StatementImport.Status.REJECTED or stalled:
            context["can_retry"] = self.has_add_permission(request)
            context["retry_url"] = reverse("admin:donations_statementimport_retry", args=[imp.pk])
        return context


@admin.register(StatementColumnMapping)
class StatementColumnMappingAdmin(HistoryAdmin):
    """Which column holds what, for a bank whose export the importer does not recognise (changes kept in
    its history)."""

    form = StatementColumnMappingForm
    list_display = ["account", "date", "description", "credit", "debit", "amount", "reference", "balance"]
    list_select_related = ["account__bank"]
    search_fields = ["account__account_number"]
    change_form_template = "admin/donations/statementcolumnmapping/change_form.html"
    actions = None
    fieldsets = [
        (None, {"fields": ["account"]}),
        (_("Columns"), {
            "fields": ["date", "description", "credit", "debit", "amount", "reference", "balance"],
            "description": _(
                "Write each column's header exactly as it appears in the bank's file (case and accents do not "
                "matter). Give either the credit column (and the debit column, if any) or one signed amount column."
            ),
        }),
    ]

    def has_delete_permission(self, request, obj=None):
        return False

    def response_add(self, request, obj, post_url_continue=None):
        # Made from a rejected import's page: go back there, where the file can be imported again.
        import_id = request.GET.get("import", "")
        if import_id.isdigit() and "_continue" not in request.POST and "_addanother" not in request.POST:
            if StatementImport.objects.filter(pk=int(import_id), account_id=obj.account_id).exists():
                messages.success(
                    request,
                    gettext("The columns of %(account)s are mapped; import the file again.") % {"account": obj.account},
                )
                return HttpResponseRedirect(reverse("admin:donations_statementimport_change", args=[int(import_id)]))
        return super().response_add(request, obj, post_url_continue)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name != "account":
            field.widget.attrs["list"] = "statement-headers"
        return field

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        extra["header_candidates"] = self._header_candidates(request)
        return super().changeform_view(request, object_id, form_url, extra)

    def _header_candidates(self, request) -> list[str]:
        """The column headers of the rejected file this mapping is made for (`?import=<id>`), as hints."""
        import_id = request.GET.get("import", "")
        if not import_id.isdigit() or not request.user.has_perm("donations.view_statementimport"):
            return []
        row = StatementImport.objects.filter(pk=int(import_id)).values("file_name", "content").first()
        if row is None:
            return []
        try:
            return read_header_candidates(content=bytes(row["content"]), filename=row["file_name"])
        except StatementError:
            return []
