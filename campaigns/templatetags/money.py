"""Amounts formatted the way Vietnamese readers expect: 1.297.000.000 ₫, 1,297 tỷ đồng."""

from decimal import Decimal

from django import template

register = template.Library()


def group_thousands(value: int) -> str:
    sign = "-" if value < 0 else ""
    return sign + f"{abs(int(value)):,}".replace(",", ".")


@register.filter
def vnd(value) -> str:
    """1297000000 → `1.297.000.000 ₫`."""
    if value is None or value == "":
        return ""
    return f"{group_thousands(int(value))} ₫"


@register.filter
def vnd_short(value) -> str:
    """1297000000 → `1,297 tỷ đồng`; 45000000 → `45 triệu đồng`."""
    if value is None or value == "":
        return ""
    value = int(value)
    for size, unit in ((1_000_000_000, "tỷ"), (1_000_000, "triệu")):
        if abs(value) >= size:
            number = (Decimal(value) / size).quantize(Decimal("0.001")).normalize()
            return f"{number:f}".replace(".", ",") + f" {unit} đồng"
    return f"{group_thousands(value)} đồng"


@register.filter
def quantity(value) -> str:
    """Decimal('1500.500') → `1.500,5`."""
    if value is None:
        return ""
    value = Decimal(value).normalize()
    whole, _, frac = f"{value:f}".partition(".")
    out = group_thousands(int(whole))
    return f"{out},{frac}" if frac else out
