"""Template filters over `ledger.money`: `{{ amount|vnd }}`, `{{ amount|vnd_short }}`, `{{ q|quantity }}`."""

from django import template

from ledger import money

register = template.Library()
register.filter("vnd", money.vnd)
register.filter("vnd_short", money.vnd_short)
register.filter("quantity", money.quantity)
