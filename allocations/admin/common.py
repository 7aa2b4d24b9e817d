"""Pieces shared by the allocations admin: the province scope of staff, read-only history, formatting."""

from django.contrib.admin.helpers import AdminErrorList, AdminForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from campaigns.history import HistoryAdmin
from campaigns.models import Province, ProvinceSet
from campaigns.templatetags.money import vnd

from ..models import StaffRole
from ..selectors import user_province_scope


def amount_vnd(amount) -> str:
    return vnd(amount) if amount is not None else "—"


def admin_link(obj, text=None) -> str:
    """A link to an object's admin change page, or an empty string."""
    if obj is None:
        return ""
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else obj)


def province_label(province: Province) -> str:
    """`Lào Cai`; a 2008 unit with the unit of today's map it rolls up to: `Yên Bái (2008) → Lào Cai`."""
    if province.set == ProvinceSet.Y2008 and province.successor_id:
        return f"{province.name} (2008) → {province.successor.name}"
    return province.name


def is_central(user) -> bool:
    """Superusers and central staff manage committees and staff accounts."""
    if not user.is_active or not user.is_staff:
        return False
    membership = getattr(user, "membership", None)
    return user.is_superuser or (membership is not None and membership.role == StaffRole.CENTRAL)


def in_scope(user, province: Province) -> bool:
    """Whether a province is one the user may see: everything, or their 2025 unit and its 2008 units."""
    scope = user_province_scope(user=user)
    return scope is None or province.current == scope


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


class ProvinceScopedAdmin(PlainAddFormMixin, HistoryAdmin):
    """A model admin whose rows belong to a province: provincial staff reach only their own.

    The list is filtered by `get_queryset`. Opening any other row by its URL — change page, history,
    one historical version or a custom action — is refused with 403, not the admin's usual redirect.
    History is read-only: reverting through the history pages is switched off.
    """

    actions = None

    def province_of(self, obj) -> Province:
        raise NotImplementedError

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or in_scope(request.user, self.province_of(obj)))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and from_field is None:
            try:
                exists = self.model._default_manager.filter(pk=object_id).exists()
            except (ValidationError, ValueError, TypeError):
                exists = False
            if exists:  # there is such a row, but not in this user's province
                raise PermissionDenied
        return obj

    def object_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("No %(name)s with this id.") % {"name": self.opts.verbose_name})
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        return obj

    # --- history: visible to whoever may view the row (never a way to change it: HistoryAdmin) ---

    def history_view(self, request, object_id, extra_context=None):
        self.object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.object_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class NoDeleteAdmin(HistoryAdmin):
    """Committee data staff correct in place, with history; nothing is deleted."""

    actions = None

    def has_delete_permission(self, request, obj=None):
        return False
