from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def get_goods(goods: dict, category_id: int) -> Decimal:
    """The quantity of one category in a report row's goods (0 when none was handed over)."""
    return goods.get(category_id, Decimal(0))
