"""Small pieces shared by the staff admin of the donations app."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from campaigns.templatetags.money import quantity, vnd


def admin_link(obj, text=None) -> str:
    """A link to an object's admin change page, or an empty string."""
    if obj is None:
        return ""
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else obj)


def amount_vnd(amount) -> str:
    return vnd(amount) if amount is not None else "—"


def item_quantity(item) -> str:
    """`1.500 kg`, `12,5 thùng`: a goods line's quantity the Vietnamese way, with its unit."""
    return f"{quantity(item.quantity)} {item.category.get_unit_display()}"


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
