"""Template filters over `campaigns.money`: `{{ amount|vnd }}`, `{{ amount|vnd_short }}`, `{{ q|quantity }}`."""

from django import template

from campaigns import money

register = template.Library()
register.filter("vnd", money.vnd)
register.filter("vnd_short", money.vnd_short)
register.filter("quantity", money.quantity)
