"""Need registrations for staff: the hotline enters them, the ward verifies, rejects or marks duplicates.

Ward staff see only their ward's registrations, provincial staff their province's; the citizen ID is
shown masked. Every decision goes through a service and is kept in the
registration's history (who, when, why).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from ledger.forms import add_service_errors

from ..forms import NEED_CHOICES, DuplicateForm, NeedForm, RejectForm, VerifyForm
from ..models import NeedRegistration
from ..selectors import beneficiary_history, programmes_open, registration_list_for
from ..services import (
    need_register,
    need_registration_mark_duplicate,
    need_registration_reject,
    need_registration_verify,
)
from ..services.registrations import DECIDE
from .common import WardScopedAdmin

NEED_LABELS = dict(NEED_CHOICES)


@admin.register(NeedRegistration)
class NeedRegistrationAdmin(WardScopedAdmin):
    list_display = ["code", "created_at", "full_name", "id_masked", "phone", "ward", "needs_display", "status", "channel"]
    list_filter = ["status", "programme", "channel", "need_food", "need_medical", "need_necessities", "need_cash"]
    search_fields = ["code", "full_name"]  # never an ID or a phone: a search travels in the address
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["code", "programme", "status", "reason", "duplicate_of", "beneficiary", "decided_by",
                           "decided_at"]}),
        (_("Person in need"), {"fields": ["full_name", "id_masked", "birth_year", "phone", "relative_name"]}),
        (_("Where"), {"fields": ["ward", "address", "household_size"]}),
        (_("Need"), {"fields": ["needs_display", "description"]}),
        (_("How it came in"), {"fields": ["channel", "entered_by", "created_at"]}),
    ]
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]
    change_form_template = "admin/assistance/needregistration/change_form.html"

    def get_queryset(self, request):
        return registration_list_for(user=request.user).select_related("decided_by", "entered_by", "duplicate_of",
                                                                        "beneficiary")

    def has_change_permission(self, request, obj=None):
        return False  # decisions have their own pages; nothing is edited in place

    @admin.display(description=_("needs"))
    def needs_display(self, registration):
        return ", ".join(str(NEED_LABELS[name]) for name in registration.needs)

    # --- pages ------------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/verify/", view(self.verify_view), name="assistance_needregistration_verify"),
            path("<path:object_id>/reject/", view(self.reject_view), name="assistance_needregistration_reject"),
            path("<path:object_id>/duplicate/", view(self.duplicate_view), name="assistance_needregistration_duplicate"),
            *super().get_urls(),
        ]

    def url(self, name: str, registration) -> str:
        return reverse(f"admin:assistance_needregistration_{name}", args=[registration.pk])

    def may_decide(self, request, registration) -> bool:
        return request.user.has_perm(DECIDE) and registration.status == NeedRegistration.Status.RECEIVED

    def change_view(self, request, object_id, form_url="", extra_context=None):
        registration = self.object_or_404(request, object_id)
        extra = dict(extra_context or {})
        if self.may_decide(request, registration):
            extra["decide_urls"] = {name: self.url(name, registration) for name in ("verify", "reject", "duplicate")}
        extra["same_id"] = (
            NeedRegistration.objects.filter(id_hash=registration.id_hash).exclude(pk=registration.pk)
            .select_related("programme__campaign", "ward").order_by("-created_at")[:20]
        )
        person = registration.beneficiary or registration_beneficiary(registration)
        extra["registry"] = beneficiary_history(beneficiary=person) if person else []
        extra["registry_person"] = person
        return super().change_view(request, object_id, form_url, extra)

    def summary(self, registration) -> list[tuple[str, str]]:
        return [
            (gettext("Tracking code"), registration.code),
            (gettext("Full name"), registration.full_name),
            (gettext("Citizen ID"), registration.id_masked),
            (gettext("Commune or ward"), f"{registration.ward}, {registration.ward.province.name}"),
            (gettext("Address"), registration.address),
            (gettext("Needs"), self.needs_display(registration)),
            (gettext("Description"), registration.description or "—"),
        ]

    def _decision(self, request, object_id, *, form_class, service, title, intro, submit, danger=False, success):
        registration = self.object_or_404(request, object_id)
        if not request.user.has_perm(DECIDE):
            raise PermissionDenied
        back = reverse("admin:assistance_needregistration_change", args=[registration.pk])
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                decided = service(registration, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                self.log_change(request, decided, [{"changed": {"fields": ["status"]}}])
                messages.success(request, success(decided))
                return HttpResponseRedirect(back)
        return self.render_action(request, registration, form, title=title % {"code": registration.code}, intro=intro,
                                  submit_label=submit, summary=self.summary(registration), danger=danger, back_url=back)

    def verify_view(self, request, object_id):
        return self._decision(
            request, object_id, form_class=VerifyForm,
            service=lambda r, d: need_registration_verify(registration=r, user=request.user, note=d["note"]),
            title=gettext("Verify registration %(code)s"),
            intro=gettext("The person joins the registry (or is found in it) and this programme, entitled to what "
                          "it gives each person. A person already in the programme is marked a duplicate instead."),
            submit=gettext("Verify"),
            success=lambda r: (gettext("Registration %(code)s verified.") if r.status == "verified" else
                               gettext("Registration %(code)s is a duplicate: %(reason)s")) % {"code": r.code, "reason": r.reason},
        )

    def reject_view(self, request, object_id):
        return self._decision(
            request, object_id, form_class=RejectForm, danger=True,
            service=lambda r, d: need_registration_reject(registration=r, user=request.user, reason=d["reason"]),
            title=gettext("Reject registration %(code)s"),
            intro=gettext("The person sees the reason on their tracking page. The decision is kept with your name."),
            submit=gettext("Reject"),
            success=lambda r: gettext("Registration %(code)s rejected.") % {"code": r.code},
        )

    def duplicate_view(self, request, object_id):
        return self._decision(
            request, object_id, form_class=DuplicateForm,
            service=lambda r, d: need_registration_mark_duplicate(registration=r, duplicate_of=d["duplicate_of"],
                                                                  user=request.user),
            title=gettext("Mark registration %(code)s as a duplicate"),
            intro=gettext("The same need registered twice: this registration will point at the one that stands."),
            submit=gettext("Mark duplicate"),
            success=lambda r: gettext("Registration %(code)s marked as a duplicate.") % {"code": r.code},
        )

    # --- the hotline: a registration taken by phone ----------------------------------------------------

    @method_decorator(sensitive_post_parameters("citizen_id", "phone"))
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        programmes = [p for c in _active_campaigns() for p in programmes_open(campaign=c, channel="hotline")]
        form = NeedForm(request.POST if request.method == "POST" else None, programmes=programmes)
        if request.method == "POST" and form.is_valid():
            try:
                registration = need_register(programme=form.cleaned_data["programme"], data=form.need_data(),
                                             channel=NeedRegistration.Channel.HOTLINE, entered_by=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                self.log_addition(request, registration, [{"added": {}}])
                messages.success(request, gettext(
                    "Registration %(code)s recorded. Read the tracking code to the caller: %(code)s.") % {
                        "code": registration.code})
                return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request), "title": gettext("Registration taken by phone"),
            "opts": self.opts, "form": form, "programmes": programmes, "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/assistance/needregistration/hotline.html", context)


def _active_campaigns():
    from campaigns.models import Campaign

    return Campaign.objects.active().order_by("-starts_on")


def registration_beneficiary(registration):
    from ..models import Beneficiary

    return Beneficiary.objects.filter(id_hash=registration.id_hash).first()

