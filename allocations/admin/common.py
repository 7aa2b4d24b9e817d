"""Pieces shared by the allocations admin: the province scope of staff, read-only history, formatting."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext

from campaigns.history import HistoryAdmin
from campaigns.models import Province, ProvinceSet
from ledger.admin import PlainAddFormMixin

from ..models import StaffRole
from ..selectors import user_province_scope


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
