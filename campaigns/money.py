"""Amounts and quantities written the way Vietnamese readers expect: 1.297.000.000 ₫, 1,297 tỷ đồng.

A plain module of the base app: models, services, admin and the `money` template filters of every
app format through it.
"""

from decimal import Decimal


def group_thousands(value: int) -> str:
    """1297000000 → `1.297.000.000`."""
    sign = "-" if value < 0 else ""
    return sign + f"{abs(int(value)):,}".replace(",", ".")


def vnd(value) -> str:
    """1297000000 → `1.297.000.000 ₫`; nothing → ``""``."""
    if value is None or value == "":
        return ""
    return f"{group_thousands(int(value))} ₫"


def vnd_or_dash(value) -> str:
    """An amount, or `—` where there is none (a goods entry)."""
    return vnd(value) if value is not None else "—"


def vnd_short(value) -> str:
    """1297000000 → `1,297 tỷ đồng`; 45000000 → `45 triệu đồng`."""
    if value is None or value == "":
        return ""
    value = int(value)
    for size, unit in ((1_000_000_000, "tỷ"), (1_000_000, "triệu")):
        if abs(value) >= size:
            return f"{decimal_text(Decimal(value) / size)} {unit} đồng"
    return f"{group_thousands(value)} đồng"


def quantity(value) -> str:
    """Decimal('1500.500') → `1.500,5`."""
    if value is None:
        return ""
    return decimal_text(Decimal(value))


def decimal_text(number: Decimal) -> str:
    """Thousands grouped with dots, at most three decimals after a comma, no trailing zeros."""
    whole, _, fraction = f"{number.quantize(Decimal('0.001')).normalize():f}".partition(".")
    return group_thousands(int(whole)) + (f",{fraction}" if fraction else "")
