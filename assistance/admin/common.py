"""What the assistance admin pages share: the ward scope of staff, a page for one decision, money."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from allocations.admin.common import ProvinceScopedAdmin
from campaigns.money import quantity

from ..scope import in_ward_scope, ward_q


class WardScopedAdmin(ProvinceScopedAdmin):
    """Rows that belong to a ward: ward staff reach only their ward's, provincial staff their province's.

    Another ward's row opened by its URL (change page, history, a decision page) is refused with 403.
    """

    ward_path = "ward"

    def ward_of(self, obj):
        return obj.ward

    def province_of(self, obj):
        return self.ward_of(obj).province

    def scoped(self, request, queryset):
        return queryset.filter(ward_q(user=request.user, prefix=self.ward_path))

    def get_queryset(self, request):
        return self.scoped(request, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or in_ward_scope(request.user, self.ward_of(obj)))

    def object_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("No %(name)s with this id.") % {"name": self.opts.verbose_name})
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        return obj

    def render_action(self, request, obj, form, *, title, intro, submit_label, summary, danger=False, back_url):
        """A page for one decision on a row: what it is, why it is kept, a short form."""
        context = {
            **self.admin_site.each_context(request),
            "title": title, "intro": intro, "submit_label": submit_label, "danger": danger, "opts": self.opts,
            "crumb": obj, "summary": summary, "form": form, "media": self.media + form.media, "change_url": back_url,
        }
        return TemplateResponse(request, "admin/ledger/entry_action.html", context)


def goods_text(goods: dict, categories) -> str:
    """`10 kg Gạo, 2 thùng Nước uống`: goods per category id, in the categories' order."""
    return ", ".join(
        f"{quantity(goods[c.pk])} {c.get_unit_display()} {c.name}" for c in categories if goods.get(c.pk)
    )

