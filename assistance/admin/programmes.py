"""Reference data of the assistance work: wards (read-only), support programmes with what each person
gets, distribution points. Central staff edit programmes and points, with history; nothing is deleted."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from allocations.admin.common import NoDeleteAdmin
from campaigns.money import vnd_or_dash
from ledger.forms import AmountField

from ..models import DistributionPoint, ProgrammeGoods, SupportProgramme, Ward
from .common import WardScopedAdmin


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    """The 3,321 communes, wards and special zones of the 2025 map, as the data migration loaded them."""

    list_display = ["name", "code", "kind", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "code", "sort_key"]
    list_select_related = ["province"]
    fields = ["code", "name", "kind", "province"]
    readonly_fields = fields
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProgrammeGoodsInline(admin.TabularInline):
    model = ProgrammeGoods
    extra = 1
    can_delete = False
    verbose_name_plural = _("goods each person receives")


class ProgrammeForm(forms.ModelForm):
    cash_per_person = AmountField(label=_("Cash per person (đồng)"), required=False,
                                  help_text=_("Leave empty when the programme gives goods only."))

    class Meta:
        model = SupportProgramme
        fields = ["campaign", "name", "eligibility", "provinces", "cash_per_person", "opens_on", "closes_on",
                  "accepts_web", "accepts_hotline", "accepts_lists", "omission_days"]
        widgets = {"provinces": forms.CheckboxSelectMultiple}


@admin.register(SupportProgramme)
class SupportProgrammeAdmin(NoDeleteAdmin):
    form = ProgrammeForm
    list_display = ["name", "campaign", "cash_display", "opens_on", "closes_on", "links"]
    list_filter = ["campaign"]
    search_fields = ["name", "campaign__name"]
    list_select_related = ["campaign"]
    inlines = [ProgrammeGoodsInline]
    fieldsets = [
        (None, {"fields": ["campaign", "name", "eligibility", "provinces"]}),
        (_("Each person receives"), {"fields": ["cash_per_person"],
                                     "description": _("Goods per person are listed below.")}),
        (_("When and how"), {"fields": ["opens_on", "closes_on", "accepts_web", "accepts_hotline", "accepts_lists",
                                        "omission_days"]}),
    ]

    @admin.display(description=_("cash per person"), ordering="cash_per_person")
    def cash_display(self, programme):
        return vnd_or_dash(programme.cash_per_person)

    @admin.display(description=_("reports"))
    def links(self, programme):
        report = reverse("admin:assistance_handover_report")
        return format_html('<a href="{}?programme={}">{}</a>', report, programme.pk, gettext("Daily report"))


@admin.register(DistributionPoint)
class DistributionPointAdmin(WardScopedAdmin):
    list_display = ["name", "programme", "ward", "province", "address", "links"]
    list_filter = ["programme"]
    search_fields = ["name", "address", "ward__name"]
    list_select_related = ["programme", "ward__province"]
    autocomplete_fields = ["ward"]
    fields = ["programme", "ward", "name", "address"]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.has_view_permission(request, obj))

    def has_add_permission(self, request):
        return request.user.has_perm("assistance.add_distributionpoint")

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("province"), ordering="ward__province__name")
    def province(self, point):
        return point.ward.province.name

    @admin.display(description=_("at this point"))
    def links(self, point):
        return format_html(
            '<a href="{}?point={}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:assistance_handover_distribute"), point.pk, gettext("Hand over"),
            reverse("admin:assistance_distributionpoint_signatures", args=[point.pk]), gettext("Signature list"),
        )

    def get_urls(self):
        from django.urls import path

        from .handovers import signature_list_view

        view = self.admin_site.admin_view(lambda request, object_id: signature_list_view(self, request, object_id))
        return [
            path("<path:object_id>/signatures/", view, name="assistance_distributionpoint_signatures"),
            *super().get_urls(),
        ]
