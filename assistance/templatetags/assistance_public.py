"""`{% assistance_figures campaign %}`: the people helped by a campaign's programmes, for its public page
(counts and amounts per programme and province, never a person)."""

from django import template

from ..selectors import assistance_public_figures_cached

register = template.Library()


@register.inclusion_tag("assistance/_public_figures.html")
def assistance_figures(campaign):
    return {"campaign": campaign, "programmes": assistance_public_figures_cached(campaign=campaign)}
