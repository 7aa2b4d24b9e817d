"""Committees, which committee runs a campaign, and staff accounts (central staff and superusers only).

Every change is kept in the history of the row; nothing here is deleted.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..forms import StaffCreateForm
from ..models import CampaignCommittee, Committee, StaffMembership
from ..services import staff_create
from .common import NoDeleteAdmin, PlainAddFormMixin, is_central

STAFF_ADD_FIELDSETS = [
    (None, {
        "fields": ["username", "password", "role", "province"],
        "description": _("Creates the login in the committee and group of its role. Provincial staff see and "
                         "record only for their province."),
    }),
]


@admin.register(Committee)
class CommitteeAdmin(NoDeleteAdmin):
    """The central committee and one per 2025 province, created by a migration: only the name changes."""

    list_display = ["name", "level", "province"]
    list_filter = ["level"]
    search_fields = ["name", "province__name"]
    list_select_related = ["province"]
    fields = ["name", "level", "province"]
    readonly_fields = ["level", "province"]

    def has_add_permission(self, request):
        return False


@admin.register(CampaignCommittee)
class CampaignCommitteeAdmin(NoDeleteAdmin):
    list_display = ["campaign", "committee"]
    list_filter = ["committee__level"]
    search_fields = ["campaign__name", "committee__name"]
    list_select_related = ["campaign", "committee"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(PlainAddFormMixin, NoDeleteAdmin):
    """Staff accounts: created with `staff_create`, shown read-only (a role is not changed in place)."""

    list_display = ["user", "role", "committee", "is_active", "last_login"]
    list_filter = ["role", "committee__level"]
    search_fields = ["user__username", "committee__name"]
    list_select_related = ["user", "committee"]
    fields = ["user", "role", "committee", "is_active", "last_login"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return is_central(request.user)

    def has_view_permission(self, request, obj=None):
        return is_central(request.user)

    def has_add_permission(self, request):
        return is_central(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("active"), boolean=True)
    def is_active(self, membership):
        return membership.user.is_active

    @admin.display(description=_("last login"))
    def last_login(self, membership):
        return membership.user.last_login

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StaffCreateForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                user = staff_create(**form.create_kwargs())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                membership = user.membership
                self.log_addition(request, membership, [{"added": {}}])
                messages.success(request, gettext("Created %(username)s: %(role)s, %(committee)s.") % {
                    "username": user.username, "role": membership.get_role_display(), "committee": membership.committee,
                })
                return HttpResponseRedirect(reverse("admin:allocations_staffmembership_changelist"))
        return self.render_plain_add_form(
            request, form, fieldsets=STAFF_ADD_FIELDSETS, title=gettext("Create a staff account"),
            extra_context={"show_save_and_add_another": False, **(extra_context or {})},
        )
