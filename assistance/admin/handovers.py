"""Handovers for staff: the distribution page (find a person by citizen ID or phone, see what they are
owed, record what they receive), the handovers ledger (read-only, reversed through the service), the
daily report with its XLSX export, and the printable signature list of a point for a day.

A citizen ID or a phone is only ever posted, never put in an address: addresses end up in logs.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from campaigns.models import Campaign, ItemCategory
from campaigns.money import group_thousands, quantity, vnd_or_dash
from ledger.admin import GoodsLineInline, LedgerEntryAdminMixin, admin_link
from ledger.forms import add_service_errors

from ..forms import HandoverForm
from ..models import Enrollment, Handover, HandoverItem, SupportProgramme
from ..reports import daily_report_get, daily_report_xlsx, signature_list_get
from ..selectors import (
    beneficiary_find,
    beneficiary_history,
    entitlement_rows,
    handover_list_for,
    point_list_for,
)
from ..services import handover_record, handover_reverse
from .common import WardScopedAdmin, goods_text

RECORD = "assistance.add_handover"


class HandoverItemInline(GoodsLineInline):
    model = HandoverItem
    verbose_name_plural = _("goods handed over")


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def chosen_day(self) -> datetime.date:
        return (self.cleaned_data.get("day") if self.is_valid() else None) or timezone.localdate()


@admin.register(Handover)
class HandoverAdmin(LedgerEntryAdminMixin, WardScopedAdmin):
    list_display = ["number", "handed_at", "person", "id_masked", "kind", "what", "point", "ward", "recorded_by",
                    "reversal_marker"]
    list_filter = ["campaign", "kind", "point__programme"]
    search_fields = ["number", "enrollment__beneficiary__full_name", "point__name"]
    date_hierarchy = "handed_at"
    ordering = ["-pk"]  # newest first without sorting the whole ledger
    show_full_result_count = False
    inlines = [HandoverItemInline]
    fields = ["number", "campaign", "person", "id_masked", "kind", "what", "point", "ward", "province", "handed_at",
              "reverses_link", "reversed_by_link", "reason", "recorded_by", "created_at"]
    readonly_fields = fields
    change_list_template = "admin/assistance/handover/change_list.html"
    change_form_template = "admin/allocations/allocation/change_form.html"  # the reverse button

    def get_queryset(self, request):
        return self.with_reversal(handover_list_for(user=request.user).prefetch_related("items__category"))

    def has_change_permission(self, request, obj=None):
        return False

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None and obj.kind == "goods" else []

    @admin.display(description=_("person"), ordering="enrollment__beneficiary__full_name")
    def person(self, handover):
        return admin_link(handover.enrollment.beneficiary, handover.enrollment.beneficiary.full_name)

    @admin.display(description=_("citizen ID"))
    def id_masked(self, handover):
        return handover.enrollment.beneficiary.id_masked

    @admin.display(description=_("handed over"))
    def what(self, handover):
        if handover.kind == "cash":
            return vnd_or_dash(handover.amount)
        return "; ".join(str(item) for item in handover.items.all())

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:assistance_handover_distribute"))

    def reverse_entry(self, request, entry, reason):
        return handover_reverse(handover=entry, reason=reason, recorded_by=request.user)

    def entry_summary(self, entry):
        return [
            (gettext("Handover number"), entry.number),
            (gettext("Person"), f"{entry.enrollment.beneficiary.full_name} ({entry.enrollment.beneficiary.id_masked})"),
            (gettext("Handed over"), self.what(entry)),
            (gettext("Distribution point"), entry.point.name),
            (gettext("Handed over at"), timezone.localtime(entry.handed_at).strftime("%d/%m/%Y %H:%M")),
        ]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("distribute/", view(self.distribute_view), name="assistance_handover_distribute"),
            path("report/", view(self.report_view), name="assistance_handover_report"),
            *super().get_urls(),
        ]

    # --- the distribution page --------------------------------------------------------------------

    @method_decorator(sensitive_post_parameters("q"))
    def distribute_view(self, request):
        if not request.user.has_perm(RECORD):
            raise PermissionDenied
        points = point_list_for(user=request.user).filter(programme__campaign__status=Campaign.Status.ACTIVE)
        data = request.POST if request.method == "POST" else request.GET
        point = points.filter(pk=data.get("point")).first() if str(data.get("point", "")).isdigit() else None
        query, people, bound = "", [], None
        if request.method == "POST" and "record" in request.POST and point is not None:
            enrollment = Enrollment.objects.filter(programme=point.programme, pk=request.POST.get("enrollment")).first()
            if enrollment is None:
                raise PermissionDenied
            form = self.handover_form(point, enrollment, data=request.POST, points=points)
            if form.is_valid():
                try:
                    entries = handover_record(enrollment=enrollment, recorded_by=request.user, **form.record_kwargs())
                except ValidationError as exc:
                    add_service_errors(form, exc, field_map={"items": None})
                else:
                    for entry in entries:
                        self.log_addition(request, entry, [{"added": {}}])
                    messages.success(request, gettext("Handed over to %(name)s: %(what)s.") % {
                        "name": enrollment.beneficiary.full_name,
                        "what": ", ".join(self.what(entry) for entry in entries)})
                    return HttpResponseRedirect(
                        f"{reverse('admin:assistance_handover_distribute')}?point={point.pk}&enrollment={enrollment.pk}")
            bound = (enrollment, form)
            people = [enrollment.beneficiary]
        elif request.method == "POST":
            query = request.POST.get("q", "").strip()[:40]
            people = list(beneficiary_find(text=query)) if query else []
        elif point is not None and str(request.GET.get("enrollment", "")).isdigit():
            enrollment = Enrollment.objects.filter(programme=point.programme, pk=request.GET["enrollment"]).first()
            people = [enrollment.beneficiary] if enrollment else []
        cards = [self.person_card(request, person, point, points, bound) for person in people]
        context = {
            **self.admin_site.each_context(request), "title": gettext("Hand over at a distribution point"),
            "opts": self.opts, "points": points, "point": point, "query": query, "searched": request.method == "POST",
            "cards": cards, "today": timezone.localdate(),
        }
        return TemplateResponse(request, "admin/assistance/handover/distribute.html", context)

    def handover_form(self, point, enrollment, *, points, data=None, initial=None):
        goods = list(ItemCategory.objects.filter(programmegoods__programme=point.programme).order_by("position"))
        return HandoverForm(data, initial=initial, points=points.filter(programme=point.programme), goods=goods,
                            prefix=f"e{enrollment.pk}")

    def person_card(self, request, person, point, points, bound) -> dict:
        card = {"person": person, "history": beneficiary_history(beneficiary=person), "enrollment": None}
        if point is None:
            return card
        enrollment = Enrollment.objects.filter(programme=point.programme, beneficiary=person).select_related(
            "programme", "ward__province").first()
        if enrollment is None:
            return card
        rows = entitlement_rows(enrollment=enrollment)
        card.update(enrollment=enrollment, rows=rows, owed=any(row["left"] > 0 for row in rows))
        if bound is not None and bound[0].pk == enrollment.pk:
            card["form"] = bound[1]
        elif card["owed"]:
            initial = {"point": point.pk}
            for row in rows:
                if row["category"] is None:
                    initial["amount"] = group_thousands(row["left"]) if row["left"] > 0 else None
                else:  # as people type it (`10`, `2,5`): the field reads `10.000` as ten thousand in Vietnamese
                    initial[f"goods_{row['category'].slug}"] = quantity(row["left"]) if row["left"] > 0 else None
            card["form"] = self.handover_form(point, enrollment, points=points, initial=initial)
        return card

    # --- the daily report -------------------------------------------------------------------------

    def report_view(self, request):
        if not request.user.has_perm("assistance.view_handover"):
            raise PermissionDenied
        programmes = SupportProgramme.objects.exclude(campaign__status=Campaign.Status.DRAFT).select_related("campaign")
        programme = programmes.filter(pk=request.GET.get("programme")).first() if str(
            request.GET.get("programme", "")).isdigit() else programmes.first()
        day_form = DayForm(request.GET or None)
        day = day_form.chosen_day()
        report = daily_report_get(programme=programme, day=day, user=request.user) if programme else None
        if report is not None and request.GET.get("format") == "xlsx":
            response = HttpResponse(
                daily_report_xlsx(report=report),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="bao-cao-ngay-{programme.pk}-{day:%Y-%m-%d}.xlsx"'
            return response
        context = {
            **self.admin_site.each_context(request), "title": gettext("Daily report"), "opts": self.opts,
            "programmes": programmes, "programme": programme, "day": day, "day_form": day_form, "report": report,
        }
        return TemplateResponse(request, "admin/assistance/handover/report.html", context)


def signature_list_view(point_admin, request, object_id):
    """The printable danh sách ký nhận of a distribution point for a day."""
    point = point_admin.object_or_404(request, object_id)
    day = DayForm(request.GET or None).chosen_day()
    context = signature_list_get(point=point, day=day)
    for row in [*context["handed"], *context["waiting"]]:
        row.goods_text = goods_text(row.goods, context["categories"])
    return render(request, "admin/assistance/signature_list.html", context)
