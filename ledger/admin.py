"""Admin pieces every ledger shares: links, formatting, read-only goods lines, and the mixin that
shows an entry's reversal and offers the one change a ledger allows, a reversal with a reason."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminErrorList, AdminForm
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Max, Min, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.money import quantity, vnd_or_dash

from .models import JournalEntry, JournalHead, LedgerEntry
from .services import ledger_entry_reversal_refusal


def admin_link(obj, text=None) -> str:
    """A link to an object's admin change page, or an empty string."""
    if obj is None:
        return ""
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else obj)


def local_time_text(moment) -> str:
    """`10/09/2024 09:30`: a moment in Vietnam time for a staff list. A moment stored within hours of
    year 1 or 9999 (a bad row of the past) cannot be converted: it is shown as stored, in UTC, and
    the list still opens."""
    if moment is None:
        return "—"
    try:
        return date_format(localtime(moment), "d/m/Y H:i")
    except OverflowError:
        return date_format(moment, "d/m/Y H:i") + " UTC"


class SafeDateHierarchyMixin:
    """Hides the date drill-down above a list whose first or last moment cannot be shown in Vietnam
    time (a bad row stored within hours of year 1 or 9999): the list itself still opens. A date
    typed into the address that no database can take (year 1 in Vietnam time) is an invalid filter."""

    def get_changelist_instance(self, request):
        try:
            changelist = super().get_changelist_instance(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc
        if changelist.date_hierarchy:
            span = changelist.queryset.aggregate(
                first=Min(changelist.date_hierarchy), last=Max(changelist.date_hierarchy)
            )
            try:
                for moment in span.values():
                    if moment is not None:
                        localtime(moment)
            except OverflowError:
                changelist.date_hierarchy = None
        return changelist


def item_quantity(item) -> str:
    """`1.500 kg`, `12,5 thùng`: a goods line's quantity the Vietnamese way, with its unit."""
    return f"{quantity(item.quantity)} {item.category.get_unit_display()}"


def message_validation_error(request, exc: ValidationError, *, prefix: str = "") -> None:
    """Every message of a service's ValidationError as an admin error message."""
    for text in exc.messages:
        messages.error(request, f"{prefix}{text}")


class ReadOnlyInline(admin.TabularInline):
    """An inline that only shows rows: ledger and decision rows are never edited here."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GoodsLineInline(ReadOnlyInline):
    """Goods lines (of a pledge or a ledger entry), shown with their units and values."""

    fields = ["category", "quantity_display", "estimated_value_display"]
    readonly_fields = fields

    @admin.display(description=_("quantity"))
    def quantity_display(self, item):
        return item_quantity(item)

    @admin.display(description=_("estimated value"))
    def estimated_value_display(self, item):
        return vnd_or_dash(item.estimated_value)


class PlainAddFormMixin:
    """An add page around a plain form whose valid data goes to a service (not a ModelForm's save)."""

    def render_plain_add_form(self, request, form, *, fieldsets, title, extra_context=None, formsets=()):
        adminform = AdminForm(form, fieldsets, {}, model_admin=self)
        errors = AdminErrorList(form, [])
        media = self.media + adminform.media
        for formset in formsets:
            media += formset.media
            if form.is_bound:
                for line_errors in formset.errors:
                    errors.extend(line_errors.values())
                errors.extend(formset.non_form_errors())
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "adminform": adminform,
            "object_id": None,
            "original": None,
            "is_popup": False,
            "to_field": None,
            "media": media,
            "inline_admin_formsets": [],
            "errors": errors,
            "preserved_filters": self.get_preserved_filters(request),
            "show_save_and_continue": False,
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True)


class LedgerEntryInline(ReadOnlyInline):
    """Ledger entries under the row they belong to (a pledge's receipts, a transfer's), each linked."""

    @admin.display(description=_("number"))
    def entry_link(self, entry):
        return admin_link(entry, entry.number)

    @admin.display(description=_("amount"))
    def amount_display(self, entry):
        return vnd_or_dash(entry.amount)


class ReversalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the reversal"), max_length=255,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Required. Shown to staff next to both entries, e.g. “Recorded twice” or "
                    "“Decision replaced by 131/QĐ-BCTTW”."),
    )


class LedgerEntryAdminMixin:
    """For the admin of a `LedgerEntry` model: the entry's reversal shown both ways, and the reverse
    page (one template, `admin/ledger/entry_action.html`), which calls the ledger's own service."""

    action_template = "admin/ledger/entry_action.html"
    reversal_permission = "add"  # who may record entries may reverse them

    # --- the ledger's own parts, set by each admin ------------------------------------------------

    def reverse_entry(self, request, entry: LedgerEntry, reason: str) -> LedgerEntry:
        """Call the ledger's reversal service."""
        raise NotImplementedError

    def entry_summary(self, entry: LedgerEntry) -> list[tuple[str, str]]:
        """(label, value) rows describing the entry on the reverse page."""
        raise NotImplementedError

    # --- list and change page ---------------------------------------------------------------------

    def get_queryset(self, request):
        return self.with_reversal(super().get_queryset(request))

    def with_reversal(self, queryset):
        """The entries with what they reverse, and whether they have been reversed (one query)."""
        return queryset.select_related("reverses").annotate(
            is_reversed=Exists(self.model.objects.filter(reverses=OuterRef("pk")))
        )

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, entry):
        return vnd_or_dash(entry.amount)

    @admin.display(description=_("reversal"))
    def reversal_marker(self, entry):
        if entry.reverses_id:
            return format_html('<span class="ledger-reversal">↩ {}</span>',
                               gettext("reverses %(number)s") % {"number": entry.reverses.number})
        if getattr(entry, "is_reversed", False):
            return format_html('<span class="ledger-reversed">✕ {}</span>', gettext("reversed"))
        return ""

    @admin.display(description=_("reverses"))
    def reverses_link(self, entry):
        return admin_link(entry.reverses) or "—"

    @admin.display(description=_("reversed by"))
    def reversed_by_link(self, entry):
        return admin_link(self.model.objects.filter(reverses=entry).first()) or "—"

    def can_reverse(self, request, entry: LedgerEntry) -> bool:
        codename = f"{self.opts.app_label}.{self.reversal_permission}_{self.opts.model_name}"
        return request.user.has_perm(codename) and ledger_entry_reversal_refusal(entry=entry) is None

    def entry_url(self, name: str, entry: LedgerEntry) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=[entry.pk])

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/reverse/", self.admin_site.admin_view(self.reverse_view), name="%s_%s_reverse" % info),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        entry = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if entry is not None and self.can_reverse(request, entry):
            extra["reverse_url"] = self.entry_url("reverse", entry)
        return super().change_view(request, object_id, form_url, extra)

    # --- the reverse page -------------------------------------------------------------------------

    def reverse_view(self, request, object_id):
        entry = self.get_object(request, unquote(object_id))
        if entry is None:
            raise Http404(gettext("No %(name)s with this id.") % {"name": self.opts.verbose_name})
        codename = f"{self.opts.app_label}.{self.reversal_permission}_{self.opts.model_name}"
        if not (self.has_view_permission(request, entry) and request.user.has_perm(codename)):
            raise PermissionDenied
        change_url = self.entry_url("change", entry)
        refusal = ledger_entry_reversal_refusal(entry=entry)
        if refusal:
            messages.error(request, refusal)
            return HttpResponseRedirect(change_url)
        form = ReversalForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                reversal = self.reverse_entry(request, entry, form.cleaned_data["reason"])
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("reason" if "reason" in getattr(exc, "error_dict", {}) else None, message)
            else:
                self.log_addition(request, reversal, [{"added": {}}])
                messages.success(request, gettext("%(entry)s %(number)s was reversed by %(reversal)s.") % {
                    "entry": capfirst(self.opts.verbose_name), "number": entry.number, "reversal": reversal.number,
                })
                return HttpResponseRedirect(self.entry_url("change", reversal))
        return self.render_entry_action(
            request, entry, form,
            title=gettext("Reverse %(name)s %(number)s") % {"name": self.opts.verbose_name, "number": entry.number},
            intro=gettext("A reversal is a new entry of opposite sign that points at %(number)s. The original stays "
                          "in the ledger; both are shown to staff and counted together in the totals.")
            % {"number": entry.number},
            submit_label=gettext("Reverse %(number)s") % {"number": entry.number}, danger=True,
        )

    def render_entry_action(self, request, entry, form, *, title, intro, submit_label, danger=False):
        """The page of a change the ledger allows: the entry, why the change is kept, a short form."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit_label": submit_label,
            "danger": danger,
            "opts": self.opts,
            "crumb": entry.number,
            "summary": self.entry_summary(entry),
            "form": form,
            "media": self.media + form.media,
            "change_url": self.entry_url("change", entry),
        }
        return TemplateResponse(request, self.action_template, context)


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    """The journal as staff see it: read-only, as it is published."""

    list_display = ["sequence", "campaign_code", "event", "entry_number", "recorded_at", "short_hash"]
    list_filter = ["campaign", "event"]
    search_fields = ["entry_number", "hash"]
    list_select_related = ["campaign"]
    fields = ["campaign", "sequence", "event", "entry_number", "recorded_at", "canonical", "hash"]
    readonly_fields = fields
    actions = None

    @admin.display(description=_("campaign"), ordering="campaign__code")
    def campaign_code(self, entry):
        return entry.campaign.code

    @admin.display(description=_("hash"))
    def short_hash(self, entry):
        return f"{entry.hash[:16]}…"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JournalHead)
class JournalHeadAdmin(JournalEntryAdmin):
    list_display = ["day", "campaign_code", "count", "hash"]
    list_filter = ["campaign"]
    search_fields = ["hash"]
    fields = ["campaign", "day", "count", "hash", "recorded_at"]
    readonly_fields = fields
